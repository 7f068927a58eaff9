"""Array creation for `tape.np`: NumPy's signatures, float32 by default as in MXNet.

A Python number or list becomes float32 unless `dtype` says otherwise (MXNet's `np.array([1,
2])` is float32 too); anything that has a dtype already (a NumPy or tape array) keeps it.
"""

from __future__ import annotations

from typing import Any

import numpy as onp

from .. import context as _context
from ..creation import shape_of
from ..ndarray import NDArray, wrap
from ..ops import shape as _shapes
from ._ndarray import ndarray

__all__ = [
    "array", "asarray", "arange", "zeros", "ones", "full", "empty", "eye", "identity", "linspace",
    "zeros_like", "ones_like", "full_like", "empty_like",
]  # fmt: skip

DEFAULT = onp.dtype(onp.float32)
ShapeLike = int | tuple[int, ...] | list[int]


def new(data: onp.ndarray) -> ndarray:
    """A `tape.np` array around `data` (not copied), outside any graph."""
    out: ndarray = wrap(data, ndarray)  # type: ignore[assignment]
    return out


def dtype_of(dtype: Any, fname: str, default: Any = DEFAULT) -> onp.dtype[Any]:
    """The NumPy dtype for the `dtype` argument of `fname`; None means `default`."""
    try:
        out: onp.dtype[Any] = onp.dtype(default if dtype is None else dtype)
    except TypeError as e:
        raise TypeError(
            f"{fname}: dtype must be a NumPy dtype or its name, such as 'float32', not {dtype!r}"
        ) from e
    return out


def _setup(ctx: Any, order: str = "C") -> None:
    _context.check(ctx)
    if order != "C":
        raise ValueError(f"tape arrays are C-ordered: order must be 'C', not {order!r}")


def array(object: Any, dtype: Any = None, ctx: Any = None, copy: bool = True) -> ndarray:  # noqa: A002
    """A new array holding a copy of `object` (a number, list, NumPy array or tape array).

    Numbers and lists become float32 unless `dtype` is given; arrays keep their dtype.

    >>> from tape import np
    >>> np.array([[1, 2], [3, 4]])
    array([[1., 2.],
           [3., 4.]])
    >>> import numpy
    >>> np.array(numpy.arange(3))
    array([0, 1, 2], dtype=int64)
    """
    _setup(ctx)
    if isinstance(object, NDArray):
        data = object._data
        return new(_context.place(data.astype(dtype_of(dtype, "np.array", data.dtype), copy=copy), ctx))
    if isinstance(object, onp.ndarray | onp.generic):
        values = onp.array(object, dtype=dtype_of(dtype, "np.array", object.dtype), copy=copy)
        return new(_context.place(values, ctx))
    return new(_context.place(onp.array(object, dtype=dtype_of(dtype, "np.array")), ctx))


def asarray(a: Any, dtype: Any = None, ctx: Any = None) -> ndarray:
    """`a` as a `tape.np` array: `a` itself when it is one (of that dtype), else a new array.

    >>> from tape import np
    >>> x = np.ones(2)
    >>> np.asarray(x) is x
    True
    """
    _context.check(ctx)
    there = ctx is None or ctx == a.context if isinstance(a, NDArray) else False  # else: a copy to ctx
    if there and type(a) is ndarray and (dtype is None or dtype_of(dtype, "np.asarray") == a._data.dtype):
        return a
    if there and isinstance(a, NDArray) and dtype is None:  # a legacy nd array: the same memory
        out: ndarray = a.as_interface(ndarray)  # type: ignore[assignment]
        return out
    return array(a, dtype=dtype, ctx=ctx, copy=False)


def arange(
    start: float, stop: float | None = None, step: float = 1, dtype: Any = None, ctx: Any = None
) -> ndarray:
    """Evenly spaced values in `[start, stop)`, float32 by default.

    >>> from tape import np
    >>> np.arange(4)
    array([0., 1., 2., 3.])
    >>> np.arange(1, 7, 2, dtype="int32")
    array([1, 3, 5], dtype=int32)
    """
    _setup(ctx)
    if stop is None:
        start, stop = 0, start
    return new(_context.place(onp.arange(start, stop, step).astype(dtype_of(dtype, "np.arange")), ctx))


def zeros(shape: ShapeLike, dtype: Any = None, order: str = "C", ctx: Any = None) -> ndarray:
    """An array of zeros, float32 by default.

    >>> from tape import np
    >>> np.zeros((2, 3)).shape, np.zeros(2, dtype=int)
    ((2, 3), array([0, 0], dtype=int64))
    """
    _setup(ctx, order)
    return new(_context.place(onp.zeros(shape_of(shape, "np.zeros"), dtype_of(dtype, "np.zeros")), ctx))


def ones(shape: ShapeLike, dtype: Any = None, order: str = "C", ctx: Any = None) -> ndarray:
    """An array of ones, float32 by default.

    >>> from tape import np
    >>> np.ones(3)
    array([1., 1., 1.])
    """
    _setup(ctx, order)
    return new(_context.place(onp.ones(shape_of(shape, "np.ones"), dtype_of(dtype, "np.ones")), ctx))


def full(shape: ShapeLike, fill_value: Any, dtype: Any = None, order: str = "C", ctx: Any = None) -> ndarray:
    """An array filled with `fill_value`, float32 unless `dtype` is given.

    >>> from tape import np
    >>> np.full((2,), 7)
    array([7., 7.])
    """
    _setup(ctx, order)
    return new(
        _context.place(onp.full(shape_of(shape, "np.full"), fill_value, dtype_of(dtype, "np.full")), ctx)
    )


def empty(shape: ShapeLike, dtype: Any = None, order: str = "C", ctx: Any = None) -> ndarray:
    """An array whose values are not set, float32 by default.

    >>> from tape import np
    >>> np.empty((2, 2)).shape
    (2, 2)
    """
    _setup(ctx, order)
    return new(_context.place(onp.empty(shape_of(shape, "np.empty"), dtype_of(dtype, "np.empty")), ctx))


def eye(N: int, M: int | None = None, k: int = 0, dtype: Any = None, ctx: Any = None) -> ndarray:  # noqa: N803
    """A 2-D array with ones on the `k`-th diagonal.

    >>> from tape import np
    >>> np.eye(2)
    array([[1., 0.],
           [0., 1.]])
    """
    _setup(ctx)
    return new(_context.place(onp.eye(N, M, k, dtype=dtype_of(dtype, "np.eye")), ctx))


def identity(n: int, dtype: Any = None, ctx: Any = None) -> ndarray:
    """The `n` x `n` identity matrix.

    >>> from tape import np
    >>> np.identity(2)[1]
    array([0., 1.])
    """
    return eye(n, dtype=dtype, ctx=ctx)


def linspace(
    start: float,
    stop: float,
    num: int = 50,
    endpoint: bool = True,
    retstep: bool = False,
    dtype: Any = None,
    axis: int = 0,
    ctx: Any = None,
) -> Any:
    """`num` evenly spaced values from `start` to `stop` (and the step, with `retstep`).

    >>> from tape import np
    >>> np.linspace(0, 1, 5)
    array([0.  , 0.25, 0.5 , 0.75, 1.  ])
    """
    _setup(ctx)
    values, step = onp.linspace(start, stop, num, endpoint=endpoint, retstep=True, axis=axis)
    out = new(_context.place(values.astype(dtype_of(dtype, "np.linspace")), ctx))
    return (out, step) if retstep else out


def zeros_like(a: Any, dtype: Any = None) -> ndarray:
    """Zeros of the shape and dtype of `a` (differentiable: its gradient is zero).

    >>> from tape import np
    >>> np.zeros_like(np.ones((2,), dtype="int32"))
    array([0, 0], dtype=int32)
    """
    a = asarray(a)
    if dtype is None:
        out: ndarray = _shapes.zeros_like_op(a)  # type: ignore[assignment]
        return out
    return new(onp.zeros_like(a._data, dtype_of(dtype, "np.zeros_like")))


def ones_like(a: Any, dtype: Any = None) -> ndarray:
    """Ones of the shape and dtype of `a` (differentiable: its gradient is zero).

    >>> from tape import np
    >>> np.ones_like(np.zeros((2,)))
    array([1., 1.])
    """
    a = asarray(a)
    if dtype is None:
        out: ndarray = _shapes.ones_like_op(a)  # type: ignore[assignment]
        return out
    return new(onp.ones_like(a._data, dtype_of(dtype, "np.ones_like")))


def full_like(a: Any, fill_value: Any, dtype: Any = None) -> ndarray:
    """`fill_value` in the shape of `a`, with its dtype unless `dtype` is given.

    >>> from tape import np
    >>> np.full_like(np.zeros((2,)), 5)
    array([5., 5.])
    """
    a = asarray(a)
    return new(onp.full_like(a._data, fill_value, dtype_of(dtype, "np.full_like", a._data.dtype)))


def empty_like(a: Any, dtype: Any = None) -> ndarray:
    """An array of the shape and dtype of `a` whose values are not set.

    >>> from tape import np
    >>> np.empty_like(np.zeros((2, 3))).shape
    (2, 3)
    """
    a = asarray(a)
    return new(onp.empty_like(a._data, dtype_of(dtype, "np.empty_like", a._data.dtype)))
