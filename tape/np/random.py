"""`tape.np.random`: NumPy's sampling signatures over tape's one generator.

Samples are float32 (integers int64) and come from the same generator as `nd.random`, so
`npx.random.seed`, `np.random.seed` and `nd.random.seed` all make a program reproducible.
Without `size` a sampler gives a 0-d array, as MXNet's does.
"""

from __future__ import annotations

from typing import Any

import numpy as onp

from .. import context as _context
from .. import random as _random
from .._xp import to_host
from ..creation import shape_of
from ..ndarray import NDArray
from ._creation import dtype_of, new
from ._ndarray import ndarray

__all__ = [
    "seed", "normal", "uniform", "randn", "rand", "randint", "choice", "shuffle", "multinomial",
]  # fmt: skip

SizeLike = int | tuple[int, ...] | list[int] | None


def seed(seed: int) -> None:
    """Seed tape's generator (the one behind `np.random`, `nd.random` and dropout).

    >>> from tape import np
    >>> np.random.seed(7); a = np.random.uniform(size=3)
    >>> np.random.seed(7); bool((a == np.random.uniform(size=3)).all())
    True
    """
    _random.seed(seed)


def _param(p: Any) -> Any:
    return to_host(p._data) if isinstance(p, NDArray) else p


def _size(size: SizeLike, fname: str) -> tuple[int, ...] | None:
    return None if size is None else shape_of(size, f"np.random.{fname}", "size")


def _sample(values: Any, dtype: Any, ctx: Any, fname: str, default: Any = onp.float32) -> ndarray:
    _context.check(ctx)
    # Drawn on the CPU (NumPy's generator, NumPy's signatures), then placed on the context.
    return new(_context.place(onp.asarray(values, dtype=dtype_of(dtype, f"np.random.{fname}", default)), ctx))


def normal(
    loc: Any = 0.0, scale: Any = 1.0, size: SizeLike = None, dtype: Any = None, ctx: Any = None
) -> ndarray:
    """Samples of the normal distribution with mean `loc` and standard deviation `scale`.

    >>> from tape import np
    >>> np.random.normal(0, 1, (2, 3)).shape, np.random.normal().shape
    ((2, 3), ())
    """
    gen = _random.generator()
    return _sample(gen.normal(_param(loc), _param(scale), _size(size, "normal")), dtype, ctx, "normal")


def uniform(
    low: Any = 0.0, high: Any = 1.0, size: SizeLike = None, dtype: Any = None, ctx: Any = None
) -> ndarray:
    """Samples of the uniform distribution on `[low, high)`.

    >>> from tape import np
    >>> x = np.random.uniform(-1, 1, size=(2, 2))
    >>> x.shape, bool((abs(x) <= 1).all())
    ((2, 2), True)
    """
    gen = _random.generator()
    return _sample(gen.uniform(_param(low), _param(high), _size(size, "uniform")), dtype, ctx, "uniform")


def randn(*size: int) -> ndarray:
    """Standard normal samples of the shape given as separate ints.

    >>> from tape import np
    >>> np.random.randn(2, 3).shape
    (2, 3)
    """
    return normal(size=size or None)


def rand(*size: int) -> ndarray:
    """Uniform samples on `[0, 1)` of the shape given as separate ints.

    >>> from tape import np
    >>> np.random.rand(3).shape
    (3,)
    """
    return uniform(size=size or None)


def randint(
    low: int, high: int | None = None, size: SizeLike = None, dtype: Any = None, ctx: Any = None
) -> ndarray:
    """Random integers in `[low, high)` (in `[0, low)` without `high`), int64 by default.

    >>> from tape import np
    >>> x = np.random.randint(0, 3, size=5)
    >>> x.dtype, bool(((x >= 0) & (x < 3)).all())
    (dtype('int64'), True)
    """
    if high is None:
        low, high = 0, low
    sample = _random.generator().integers(low, high, _size(size, "randint"))
    return _sample(sample, dtype, ctx, "randint", onp.int64)


def choice(a: Any, size: SizeLike = None, replace: bool = True, p: Any = None, ctx: Any = None) -> ndarray:
    """Samples of `a` (of `range(a)` for an int), uniformly or with probabilities `p`.

    >>> from tape import np
    >>> np.random.choice(5, 3).shape, np.random.choice(np.array([1, 2]), 4, p=[0, 1])
    ((3,), array([2., 2., 2., 2.]))
    """
    population = _param(a)
    picked = _random.generator().choice(population, _size(size, "choice"), replace=replace, p=_param(p))
    default = population.dtype if isinstance(population, onp.ndarray) else onp.int64
    return _sample(picked, None, ctx, "choice", default)


def shuffle(x: Any) -> None:
    """Shuffle the rows (first axis) of `x` in place; outside `record()`, like any write.

    >>> from tape import np
    >>> x = np.arange(4); np.random.shuffle(x)
    >>> sorted(x.tolist())
    [0.0, 1.0, 2.0, 3.0]
    """
    if not isinstance(x, NDArray):
        raise TypeError(f"np.random.shuffle takes a tape array, not {type(x).__name__}")
    x[...] = new(_random.permutation_like(x._data))


def multinomial(n: int, pvals: Any, size: SizeLike = None) -> ndarray:
    """Counts of `n` draws among categories with probabilities `pvals` (int64).

    >>> from tape import np
    >>> np.random.multinomial(10, [0, 1])
    array([ 0, 10], dtype=int64)
    """
    counts = _random.generator().multinomial(n, _param(pvals), _size(size, "multinomial"))
    return new(_context.place(onp.asarray(counts, dtype=onp.int64), None))
