"""MXNet's `sample_*` samplers (one distribution per element of parameter arrays) and
`random_exponential` (which takes a rate, where `nd.random.exponential` takes a scale).

They draw from `tape.random`'s generator, through its samplers: `seed` makes them reproducible.
A sample of parameters of shape P has shape P + `shape`. Samples are constants, never in a graph.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import random as _random
from .._args import array, operand
from ..creation import ShapeLike, into, shape_of
from ..errors import ArgumentError
from ..ndarray import NDArray

__all__ = [
    "sample_normal", "sample_uniform", "sample_gamma", "sample_exponential", "sample_poisson",
    "sample_negative_binomial", "sample_generalized_negative_binomial", "random_exponential",
]  # fmt: skip


def _same(where: str, shape: ShapeLike | None, **params: Any) -> list[NDArray]:
    """The parameter arrays of the sampler `where`, after checking that they have one shape (and
    that `shape` is a shape)."""
    ps = [array(p, where, name) for name, p in params.items()]
    names = list(params)
    for name, p in zip(names[1:], ps[1:], strict=True):
        if p.shape != ps[0].shape:
            raise ArgumentError(
                f"{where}: {name} has shape {p.shape}, but {names[0]} has {ps[0].shape}: give the "
                "parameters one shape"
            )
    if shape is not None:
        shape_of(shape, where)
    return ps


def sample_normal(
    mu: NDArray, sigma: NDArray, shape: ShapeLike | None = None, dtype: Any = None, out: NDArray | None = None
) -> NDArray:
    """Samples from normal distributions of means `mu` and standard deviations `sigma` (arrays
    of one shape P): of shape P + `shape`.

    >>> from tape import nd
    >>> nd.sample_normal(nd.array([0, 10]), nd.array([1, 2]), shape=3).shape
    (2, 3)
    """
    m, s = _same("nd.sample_normal", shape, mu=mu, sigma=sigma)
    return into(out, _random.normal(m, s, shape=shape, dtype=dtype), "nd.sample_normal")


def sample_uniform(
    low: NDArray, high: NDArray, shape: ShapeLike | None = None, dtype: Any = None, out: NDArray | None = None
) -> NDArray:
    """Samples from uniform distributions on `[low, high)` (arrays of one shape P): of shape P +
    `shape`.

    >>> from tape import nd
    >>> nd.sample_uniform(nd.array([0, 10]), nd.array([1, 11])).shape
    (2,)
    """
    lo, hi = _same("nd.sample_uniform", shape, low=low, high=high)
    return into(out, _random.uniform(lo, hi, shape=shape, dtype=dtype), "nd.sample_uniform")


def sample_gamma(
    alpha: NDArray,
    beta: NDArray,
    shape: ShapeLike | None = None,
    dtype: Any = None,
    out: NDArray | None = None,
) -> NDArray:
    """Samples from gamma distributions of shapes `alpha` and scales `beta` (arrays of one shape
    P): of shape P + `shape`.

    >>> from tape import nd
    >>> nd.sample_gamma(nd.array([1, 2]), nd.array([1, 0.5]), shape=(3, 2)).shape
    (2, 3, 2)
    """
    a, b = _same("nd.sample_gamma", shape, alpha=alpha, beta=beta)
    return into(out, _random.gamma(a, b, shape=shape, dtype=dtype), "nd.sample_gamma")


def sample_exponential(
    lam: NDArray, shape: ShapeLike | None = None, dtype: Any = None, out: NDArray | None = None
) -> NDArray:
    """Samples from exponential distributions of RATES `lam` (mean `1 / lam`): of shape
    `lam.shape + shape`.

    >>> from tape import nd
    >>> nd.sample_exponential(nd.array([1, 4]), shape=5).shape
    (2, 5)
    """
    (rate,) = _same("nd.sample_exponential", shape, lam=lam)
    return into(out, _random.exponential(1 / rate, shape=shape, dtype=dtype), "nd.sample_exponential")


def sample_poisson(
    lam: NDArray, shape: ShapeLike | None = None, dtype: Any = None, out: NDArray | None = None
) -> NDArray:
    """Samples from Poisson distributions of rates `lam`, as floats: of shape `lam.shape +
    shape`.

    >>> from tape import nd
    >>> nd.sample_poisson(nd.array([1, 4]), shape=5).shape
    (2, 5)
    """
    (rate,) = _same("nd.sample_poisson", shape, lam=lam)
    return into(out, _random.poisson(rate, shape=shape, dtype=dtype), "nd.sample_poisson")


def sample_negative_binomial(
    k: NDArray, p: NDArray, shape: ShapeLike | None = None, dtype: Any = None, out: NDArray | None = None
) -> NDArray:
    """Samples of the number of failures before the `k`-th success, each trial a success with
    probability `p` (arrays of one shape P), as floats: of shape P + `shape`.

    >>> from tape import nd
    >>> nd.sample_negative_binomial(nd.array([1, 4]), nd.array([0.5, 0.5]), shape=5).shape
    (2, 5)
    """
    n, prob = _same("nd.sample_negative_binomial", shape, k=k, p=p)
    return into(
        out, _random.negative_binomial(n, prob, shape=shape, dtype=dtype), "nd.sample_negative_binomial"
    )


def sample_generalized_negative_binomial(
    mu: NDArray, alpha: NDArray, shape: ShapeLike | None = None, dtype: Any = None, out: NDArray | None = None
) -> NDArray:
    """Samples of counts of means `mu` and variances `mu + alpha * mu ** 2` (arrays of one
    shape P), as floats: of shape P + `shape`.

    >>> from tape import nd
    >>> nd.sample_generalized_negative_binomial(nd.array([1, 4]), nd.array([0.5, 0.5]), shape=5).shape
    (2, 5)
    """
    where = "nd.sample_generalized_negative_binomial"
    m, a = _same(where, shape, mu=mu, alpha=alpha)
    return into(out, _random.generalized_negative_binomial(m, a, shape=shape, dtype=dtype), where)


def random_exponential(
    lam: Any = 1.0,
    shape: ShapeLike | None = None,
    ctx: Any = None,
    dtype: Any = None,
    out: NDArray | None = None,
) -> NDArray:
    """Samples from the exponential distribution of RATE `lam` (mean `1 / lam`): MXNet's op
    under its flat name, where `nd.random.exponential` takes the scale `1 / lam`.

    >>> from tape import nd
    >>> x = nd.random_exponential(lam=4, shape=(1000,))
    >>> bool(abs(x.mean().asscalar() - 0.25) < 0.05)
    True
    """
    rate = operand(lam, "nd.random_exponential", "lam")
    if isinstance(rate, int | float) and not rate > 0:
        raise ArgumentError(f"nd.random_exponential: lam is a rate, a positive number, not {lam!r}")
    if isinstance(rate, np.ndarray):
        rate = NDArray(rate)
    if shape is not None:
        shape_of(shape, "nd.random_exponential")
    sample = _random.exponential(1 / rate, shape=shape, dtype=dtype, ctx=ctx)
    return into(out, sample, "nd.random_exponential")
