"""Functions that create arrays. Every one defaults to float32, as legacy MXNet does."""

from __future__ import annotations

from typing import Any

import numpy as np

from . import _xp
from . import context as _context
from ._args import count, int_tuple, wrong_type
from .errors import ArgumentError
from .ndarray import NDArray

__all__ = ["array", "zeros", "ones", "full", "empty", "arange", "eye", "linspace", "waitall"]

ShapeLike = int | tuple[int, ...] | list[int]


def dtype_of(dtype: Any, default: Any = np.float32) -> np.dtype[Any]:
    """The NumPy dtype for MXNet's `dtype` argument (None means `default`)."""
    result: np.dtype[Any] = np.dtype(default if dtype is None else dtype)
    return result


def shape_of(shape: ShapeLike, where: str, arg: str = "shape") -> tuple[int, ...]:
    """The shape argument `arg` of the creation function `where` as a tuple of ints, each 0 or
    more."""
    out = int_tuple(shape, where, arg)
    if any(n < 0 for n in out):
        raise ArgumentError(f"{where}: {arg} {shape} has a negative length: lengths are 0 or more")
    return out


def array(source_array: Any, ctx: _context.Context | None = None, dtype: Any = None) -> NDArray:
    """A new array holding a copy of `source_array` (a list, NumPy array, scalar or NDArray).

    The dtype is float32 unless `dtype` is given (or the source is an NDArray, whose dtype
    is kept). The result is never in a graph.

    >>> from tape import nd
    >>> nd.array([[1, 2], [3, 4]])
    <BLANKLINE>
    [[1. 2.]
     [3. 4.]]
    <NDArray 2x2 @cpu(0)>
    """
    _context.check(ctx)
    if isinstance(source_array, NDArray):
        data = source_array._data.astype(dtype_of(dtype, source_array._data.dtype))
    else:
        data = _values(source_array, dtype_of(dtype))
    return NDArray(_context.place(data.reshape(1) if data.ndim == 0 else data, ctx))


_NOT_NUMBERS = (str, bytes, dict, set, frozenset)  # NumPy would parse a str, wrap the others


def _values(source: Any, dtype: np.dtype[Any]) -> np.ndarray:
    """`source` (a NumPy array, a number, or a nested list or tuple of numbers) as an array."""
    takes = "an NDArray, a NumPy array, a number or a (nested) list of numbers"
    if source is None or isinstance(source, _NOT_NUMBERS):
        raise wrong_type("nd.array", "source_array", takes, source)
    try:
        return np.array(source, dtype=dtype)
    except (TypeError, ValueError) as e:  # a ragged list, or something in it that is not a number
        error = TypeError if isinstance(e, TypeError) else ValueError
        raise error(f"nd.array: source_array must be {takes}: {e}") from e


def _check_stype(stype: str | None) -> None:
    if stype not in (None, "default"):
        raise ArgumentError(f"tape arrays are dense: stype must be None or 'default', not {stype!r}")


def into(out: NDArray | None, result: NDArray, where: str, cls: type[NDArray] = NDArray) -> NDArray:
    """`result`, or `out` (an array of class `cls`) with `result` written into it (MXNet's and
    NumPy's `out=`), as MXNet returns it. The one implementation of `out=` for `nd` and `np`."""
    if out is None:
        return result
    if not isinstance(out, cls):
        raise wrong_type(
            where, "out", f"{'an NDArray' if cls is NDArray else 'a tape.np array'} (or None)", out
        )
    if out.shape != result.shape:
        raise ArgumentError(f"{where}: out has shape {out.shape}, but the result has shape {result.shape}")
    out[...] = result  # `...`, not `:`, so that a 0-d out (tape.np) takes its value too
    return out


def _filled(
    where: str, shape: ShapeLike, val: float, ctx: Any, dtype: Any, stype: str | None, out: NDArray | None
) -> NDArray:
    """The array of `where` (zeros, ones, full, empty) filled with `val`."""
    _context.check(ctx)
    _check_stype(stype)
    dims = shape_of(shape, where)
    if not dims:  # MXNet refuses it too; a 0-d array here would break nd's (1,) convention
        raise ArgumentError(f"{where}: legacy nd arrays have no 0-d shape: give shape=(1,), or use tape.np")
    return into(out, NDArray(_context.place(np.full(dims, val, dtype=dtype_of(dtype)), ctx)), where)


def zeros(
    shape: ShapeLike,
    ctx: _context.Context | None = None,
    dtype: Any = None,
    stype: str | None = None,
    out: NDArray | None = None,
) -> NDArray:
    """An array of zeros.

    >>> from tape import nd
    >>> nd.zeros((2, 3)).shape
    (2, 3)
    """
    return _filled("nd.zeros", shape, 0, ctx, dtype, stype, out)


def ones(
    shape: ShapeLike,
    ctx: _context.Context | None = None,
    dtype: Any = None,
    stype: str | None = None,
    out: NDArray | None = None,
) -> NDArray:
    """An array of ones.

    >>> from tape import nd
    >>> nd.ones(2)
    <BLANKLINE>
    [1. 1.]
    <NDArray 2 @cpu(0)>
    """
    return _filled("nd.ones", shape, 1, ctx, dtype, stype, out)


def full(
    shape: ShapeLike,
    val: float,
    ctx: _context.Context | None = None,
    dtype: Any = None,
    stype: str | None = None,
    out: NDArray | None = None,
) -> NDArray:
    """An array filled with `val`.

    >>> from tape import nd
    >>> nd.full((2,), 7)
    <BLANKLINE>
    [7. 7.]
    <NDArray 2 @cpu(0)>
    """
    return _filled("nd.full", shape, val, ctx, dtype, stype, out)


def empty(shape: ShapeLike, ctx: _context.Context | None = None, dtype: Any = None) -> NDArray:
    """An array whose values are not set (zeros here, so results are reproducible).

    >>> from tape import nd
    >>> nd.empty((2, 2)).shape
    (2, 2)
    """
    return _filled("nd.empty", shape, 0, ctx, dtype, None, None)


def arange(
    start: float,
    stop: float | None = None,
    step: float = 1.0,
    repeat: int = 1,
    infer_range: bool | None = None,
    ctx: _context.Context | None = None,
    dtype: Any = None,
) -> NDArray:
    """Evenly spaced values in `[start, stop)`, each repeated `repeat` times.

    >>> from tape import nd
    >>> nd.arange(4)
    <BLANKLINE>
    [0. 1. 2. 3.]
    <NDArray 4 @cpu(0)>
    >>> nd.arange(2, 8, 2, repeat=2)
    <BLANKLINE>
    [2. 2. 4. 4. 6. 6.]
    <NDArray 6 @cpu(0)>
    """
    _context.check(ctx)
    if stop is None:
        start, stop = 0, start
    data = np.arange(start, stop, step).astype(dtype_of(dtype))
    if repeat != 1:
        data = np.repeat(data, repeat)
    return NDArray(_context.place(data, ctx))


def eye(N: int, M: int = 0, k: int = 0, ctx: _context.Context | None = None, dtype: Any = None) -> NDArray:  # noqa: N803
    """A 2-D array with ones on the `k`-th diagonal (N x M, M = N when 0).

    >>> from tape import nd
    >>> nd.eye(2)
    <BLANKLINE>
    [[1. 0.]
     [0. 1.]]
    <NDArray 2x2 @cpu(0)>
    """
    _context.check(ctx)
    rows, columns = count(N, "nd.eye", "N"), count(M, "nd.eye", "M")
    return NDArray(_context.place(np.eye(rows, columns or None, k, dtype=dtype_of(dtype)), ctx))


def linspace(
    start: float,
    stop: float,
    num: int,
    endpoint: bool = True,
    ctx: _context.Context | None = None,
    dtype: Any = None,
) -> NDArray:
    """`num` evenly spaced values from `start` to `stop`.

    >>> from tape import nd
    >>> nd.linspace(0, 1, 5)
    <BLANKLINE>
    [0.   0.25 0.5  0.75 1.  ]
    <NDArray 5 @cpu(0)>
    """
    _context.check(ctx)
    n = count(num, "nd.linspace", "num")
    return NDArray(
        _context.place(np.linspace(start, stop, n, endpoint=endpoint).astype(dtype_of(dtype)), ctx)
    )


def waitall() -> None:
    """Wait until every GPU has finished the work given to it; on the CPU, where NumPy
    computes eagerly, there is nothing to wait for.

    >>> from tape import nd
    >>> nd.waitall()
    """
    _xp.synchronize()
