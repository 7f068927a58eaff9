"""The densities `random_pdf_*`: of samples under distributions whose parameters are arrays.

Each is its log-density written with tape's ops (log, gammaln, where...), so it differentiates
to any order in the sample and in the parameters; `is_log=False` takes its exp. The parameters
have one shape P, and the sample has shape P + S: each distribution is evaluated at S samples
(Dirichlet: parameters P + (K,), samples P + S + (K,)). The result has the sample's shape
(without K). As in MXNet, the sample of a discrete distribution (a count) gets a zero gradient.
Unlike MXNet, a sample outside the support (below `low` or above `high` for uniform, negative
for exponential and gamma) has density 0, not the formula's value.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .._args import array
from .._xp import is_host
from ..creation import into
from ..errors import ArgumentError
from ..ndarray import NDArray
from .elementwise import DEFAULT_FLOAT, exp_op, log_op
from .indexing import where_op
from .reduction import sum_op
from .shape import reshape_op, stop_gradient_op, zeros_like_op
from .special import gammaln_op

__all__ = [
    "random_pdf_normal", "random_pdf_uniform", "random_pdf_exponential", "random_pdf_gamma",
    "random_pdf_poisson", "random_pdf_negative_binomial", "random_pdf_generalized_negative_binomial",
    "random_pdf_dirichlet",
]  # fmt: skip

_HALF_LOG_2PI = 0.5 * math.log(2 * math.pi)


def _arrays(where: str, sample: Any, event: int = 0, **params: Any) -> tuple[NDArray, list[NDArray]]:
    """The sample (in a float type) and the parameters, reshaped to broadcast against it."""
    s = array(sample, where, "sample")
    ps = [array(p, where, name) for name, p in params.items()]
    shape = ps[0].shape
    for (name, _), p in zip(params.items(), ps, strict=True):
        if p.shape != shape:
            first = next(iter(params))
            raise ArgumentError(
                f"{where}: {name} has shape {p.shape}, but {first} has {shape}: give them one shape"
            )
    base = shape[: len(shape) - event]
    if s.shape[: len(base)] != base or s.ndim < len(shape) or s.shape[s.ndim - event :] != shape[len(base) :]:
        want = f"{base} + S" + (f" + {shape[len(base) :]}" if event else "")
        raise ArgumentError(
            f"{where}: sample has shape {s.shape}, but parameters of shape {shape} need samples of "
            f"shape {want}"
        )
    if s._data.dtype.kind not in "fc":  # counts given as integers: densities are floats
        s = s.astype(ps[0]._data.dtype if ps[0]._data.dtype.kind == "f" else DEFAULT_FLOAT)
    spread = base + (1,) * (s.ndim - len(shape)) + shape[len(base) :]
    return s, [p if p.shape == spread else reshape_op(p, shape=spread) for p in ps]


def _count(s: NDArray) -> NDArray:
    # A count: its value, with a zero gradient that stays connected (MXNet's gradient is zero).
    return stop_gradient_op(s) + zeros_like_op(s)


def _out(logp: NDArray, is_log: bool, out: NDArray | None, where: str) -> NDArray:
    result = logp if is_log else exp_op(logp)
    return result if out is None else into(out, result, where)


def _within(inside: np.ndarray, logp: NDArray) -> NDArray:
    """`logp` where `inside`, else -inf (density 0): outside its support."""
    # The shortcut reads values: on a GPU a wait for the device, dearer than the `where` it saves.
    return logp if is_host(inside) and inside.all() else where_op(NDArray(inside), logp, -math.inf)


def random_pdf_normal(
    sample: NDArray, mu: NDArray, sigma: NDArray, is_log: bool = False, *, out: NDArray | None = None
) -> NDArray:
    """The density of `sample` under normal distributions of mean `mu` and standard deviation
    `sigma` (its log with `is_log=True`).

    >>> from tape import nd
    >>> nd.random_pdf_normal(nd.array([[0.5, 1.5]]), nd.array([0]), nd.array([1]))
    <BLANKLINE>
    [[0.35206532 0.12951757]]
    <NDArray 1x2 @cpu(0)>
    """
    x, (m, sd) = _arrays("nd.random_pdf_normal", sample, mu=mu, sigma=sigma)
    z = (x - m) / sd
    return _out(z * z * -0.5 - log_op(sd) - _HALF_LOG_2PI, is_log, out, "nd.random_pdf_normal")


def random_pdf_uniform(
    sample: NDArray, low: NDArray, high: NDArray, is_log: bool = False, *, out: NDArray | None = None
) -> NDArray:
    """The density of `sample` under uniform distributions on `[low, high]`: `1 / (high - low)`
    inside, 0 outside (MXNet gives `1 / (high - low)` there too).

    >>> from tape import nd
    >>> nd.random_pdf_uniform(nd.array([[0.5, 1.5]]), nd.array([0]), nd.array([2]))
    <BLANKLINE>
    [[0.5 0.5]]
    <NDArray 1x2 @cpu(0)>
    """
    x, (lo, hi) = _arrays("nd.random_pdf_uniform", sample, low=low, high=high)
    inside = (x._data >= lo._data) & (x._data <= hi._data)
    logp = zeros_like_op(x) - log_op(hi - lo)  # the sample's gradient is zero, and connected
    return _out(_within(inside, logp), is_log, out, "nd.random_pdf_uniform")


def random_pdf_exponential(
    sample: NDArray, lam: NDArray, is_log: bool = False, *, out: NDArray | None = None
) -> NDArray:
    """The density of `sample` under exponential distributions of rate `lam`: `lam exp(-lam x)`
    for `x >= 0`, else 0.

    >>> from tape import nd
    >>> nd.random_pdf_exponential(nd.array([[0.5, 1.5]]), nd.array([1]))
    <BLANKLINE>
    [[0.60653067 0.22313015]]
    <NDArray 1x2 @cpu(0)>
    """
    x, (rate,) = _arrays("nd.random_pdf_exponential", sample, lam=lam)
    logp = log_op(rate) - rate * x
    return _out(_within(x._data >= 0, logp), is_log, out, "nd.random_pdf_exponential")


def random_pdf_gamma(
    sample: NDArray, alpha: NDArray, beta: NDArray, is_log: bool = False, *, out: NDArray | None = None
) -> NDArray:
    """The density of `sample` under gamma distributions of shape `alpha` and RATE `beta` (as
    MXNet's density; its sampler `random.gamma` takes a scale): `beta^alpha x^(alpha-1)
    exp(-beta x) / gamma(alpha)` for `x > 0`, else 0.

    >>> from tape import nd
    >>> nd.random_pdf_gamma(nd.array([[1.0, 2.0]]), nd.array([2]), nd.array([0.5]))
    <BLANKLINE>
    [[0.15163267 0.18393971]]
    <NDArray 1x2 @cpu(0)>
    """
    x, (a, b) = _arrays("nd.random_pdf_gamma", sample, alpha=alpha, beta=beta)
    inside = x._data > 0
    safe = x if is_host(inside) and inside.all() else where_op(NDArray(inside), x, 1.0)  # no log of x <= 0
    logp = a * log_op(b) + (a - 1) * log_op(safe) - b * x - gammaln_op(a)
    return _out(_within(inside, logp), is_log, out, "nd.random_pdf_gamma")


def random_pdf_poisson(
    sample: NDArray, lam: NDArray, is_log: bool = False, *, out: NDArray | None = None
) -> NDArray:
    """The probability of the counts `sample` under Poisson distributions of rate `lam`,
    `lam^k exp(-lam) / k!`.

    >>> from tape import nd
    >>> nd.random_pdf_poisson(nd.array([[0, 1, 3]]), nd.array([1]))
    <BLANKLINE>
    [[0.36787942 0.36787942 0.06131323]]
    <NDArray 1x3 @cpu(0)>
    """
    x, (rate,) = _arrays("nd.random_pdf_poisson", sample, lam=lam)
    k = _count(x)
    return _out(k * log_op(rate) - rate - gammaln_op(k + 1), is_log, out, "nd.random_pdf_poisson")


def _negative_binomial(k: NDArray, n: NDArray, log_p: NDArray, log_q: NDArray) -> NDArray:
    """log C(k + n - 1, k) p^n q^k: k failures before the n-th success."""
    return gammaln_op(k + n) - gammaln_op(k + 1) - gammaln_op(n) + n * log_p + k * log_q


def random_pdf_negative_binomial(
    sample: NDArray, k: NDArray, p: NDArray, is_log: bool = False, *, out: NDArray | None = None
) -> NDArray:
    """The probability of `sample` failures before the `k`-th success, each trial a success
    with probability `p`: `C(x + k - 1, x) p^k (1 - p)^x`.

    >>> from tape import nd
    >>> nd.random_pdf_negative_binomial(nd.array([[0, 1, 3]]), nd.array([2]), nd.array([0.4]))
    <BLANKLINE>
    [[0.16000001 0.19200003 0.13824004]]
    <NDArray 1x3 @cpu(0)>
    """
    x, (n, prob) = _arrays("nd.random_pdf_negative_binomial", sample, k=k, p=p)
    logp = _negative_binomial(_count(x), n, log_op(prob), log_op(1 - prob))
    return _out(logp, is_log, out, "nd.random_pdf_negative_binomial")


def random_pdf_generalized_negative_binomial(
    sample: NDArray, mu: NDArray, alpha: NDArray, is_log: bool = False, *, out: NDArray | None = None
) -> NDArray:
    """The probability of the counts `sample` under negative binomials of mean `mu` and
    dispersion `alpha` (variance `mu + alpha mu^2`): `k = 1 / alpha`, `p = 1 / (1 + alpha mu)`.

    >>> from tape import nd
    >>> nd.random_pdf_generalized_negative_binomial(nd.array([[0, 1]]), nd.array([2]), nd.array([0.4]))
    <BLANKLINE>
    [[0.23004816 0.2556091 ]]
    <NDArray 1x2 @cpu(0)>
    """
    x, (m, a) = _arrays("nd.random_pdf_generalized_negative_binomial", sample, mu=mu, alpha=alpha)
    log_1_am = log_op(a * m + 1)
    logp = _negative_binomial(_count(x), 1 / a, -log_1_am, log_op(a * m) - log_1_am)
    return _out(logp, is_log, out, "nd.random_pdf_generalized_negative_binomial")


def random_pdf_dirichlet(
    sample: NDArray, alpha: NDArray, is_log: bool = False, *, out: NDArray | None = None
) -> NDArray:
    """The density of `sample` (points of the simplex along the last axis) under Dirichlet
    distributions of concentrations `alpha` (shape P + (K,); samples P + S + (K,)): the result
    has shape P + S.

    >>> from tape import nd
    >>> nd.random_pdf_dirichlet(nd.array([[[0.2, 0.3, 0.5], [0.1, 0.1, 0.8]]]), nd.array([[1, 2, 3]]))
    <BLANKLINE>
    [[4.5       3.8400002]]
    <NDArray 1x2 @cpu(0)>
    """
    where = "nd.random_pdf_dirichlet"
    x, (a,) = _arrays(where, sample, 1, alpha=alpha)
    if a.ndim == 0 or a.shape[-1] == 0:
        raise ArgumentError(f"{where}: alpha of shape {a.shape} holds no concentrations along its last axis")
    last = (x.ndim - 1,)
    norm = gammaln_op(sum_op(a, axes=last, keepdims=False)) - sum_op(gammaln_op(a), axes=last, keepdims=False)
    logp = sum_op((a - 1) * log_op(x), axes=last, keepdims=False) + norm
    return _out(logp, is_log, out, where)
