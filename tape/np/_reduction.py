"""Reductions of `tape.np`: NumPy's signatures and 0-d results, over `nd`'s derivatives.

`nd`'s reductions give shape (1,) for a full reduction (legacy MXNet has no 0-d arrays); the
primitives here compute the same values with NumPy's shapes and reuse `nd`'s VJPs as they are,
so no derivative is written twice.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as onp

from .._primitive import Primitive
from .._xp import as_data
from ..ops import elementwise as _el
from ..ops import reduction as _red
from ..ops import shape as _shapes
from ..ops._axes import axes_index, axis_index
from ._convert import array_arg, into
from ._ndarray import ndarray

__all__ = [
    "sum", "mean", "max", "min", "amax", "amin", "prod", "std", "var", "argmax", "argmin",
    "cumsum", "all", "any",
]  # fmt: skip

Axis = int | tuple[int, ...] | list[int] | None
_add_reduce = onp.add.reduce
_FLOAT32 = onp.dtype(onp.float32)

sum_op: Primitive = Primitive(
    "sum", lambda x, axes, keepdims: _add_reduce(x, axis=axes, keepdims=keepdims), *_red.sum_op.vjps
)


def _mean(x: onp.ndarray, axes: tuple[int, ...], keepdims: Any, count: int) -> onp.ndarray:
    if count == 0:  # NumPy's NaN, and its "Mean of empty slice" warning
        return as_data(onp.mean(x, axis=axes, keepdims=keepdims))
    return as_data(_add_reduce(x, axis=axes, keepdims=keepdims) / count)  # no np.mean wrapper


mean_op: Primitive = Primitive("mean", _mean, *_red.mean_op.vjps)
max_op: Primitive = Primitive(
    "max", lambda x, axes, keepdims: onp.max(x, axis=axes, keepdims=keepdims), *_red.max_op.vjps
)
min_op: Primitive = Primitive(
    "min", lambda x, axes, keepdims: onp.min(x, axis=axes, keepdims=keepdims), *_red.min_op.vjps
)


def _arg(f: Any) -> Any:
    def arg(x: onp.ndarray, axis: int | None, keepdims: bool) -> onp.ndarray:
        return as_data(f(x, axis=axis, keepdims=keepdims)).astype(onp.int64, copy=False)

    return arg


argmax_op: Primitive = Primitive("argmax", _arg(onp.argmax), differentiable=False)
argmin_op: Primitive = Primitive("argmin", _arg(onp.argmin), differentiable=False)
all_op: Primitive = Primitive(
    "all",
    lambda x, axes, keepdims: as_data(onp.all(x, axis=axes, keepdims=keepdims)),
    differentiable=False,
)
any_op: Primitive = Primitive(
    "any",
    lambda x, axes, keepdims: as_data(onp.any(x, axis=axes, keepdims=keepdims)),
    differentiable=False,
)


def _array(a: Any, fname: str) -> ndarray:
    return a if a.__class__ is ndarray else array_arg(a, fname, "a")


def _axes(x: ndarray, axis: Axis, fname: str) -> tuple[int, ...]:
    # NumPy's rule: None is every axis, () is none.
    if axis is None:
        return tuple(range(x._data.ndim))
    if not isinstance(axis, int | onp.integer | tuple | list):
        raise TypeError(f"np.{fname}: axis must be None, an int or a tuple of ints, not {axis!r}")
    axes = axes_index(x._data.ndim, axis, f"np.{fname}")
    if isinstance(axis, tuple | list) and len(axes) != len(axis):
        raise ValueError(f"np.{fname}: axis {tuple(axis)} names an axis twice")
    return axes


def _typed(x: ndarray, dtype: Any) -> ndarray:
    return x if dtype is None else x.astype(dtype)  # type: ignore[return-value]


def sum(a: Any, axis: Axis = None, dtype: Any = None, out: Any = None, keepdims: bool = False) -> Any:  # noqa: A001
    """The sum over `axis` (every axis by default): a 0-d array for a full reduction.

    >>> from tape import np
    >>> x = np.array([[1, 2], [3, 4]])
    >>> np.sum(x), np.sum(x, axis=0), x.sum(1, keepdims=True).shape
    (array(10.), array([4., 6.]), (2, 1))
    """
    x = _typed(_array(a, "sum"), dtype)
    return into(out, sum_op(x, axes=_axes(x, axis, "sum"), keepdims=keepdims), "sum")


def mean(a: Any, axis: Axis = None, dtype: Any = None, out: Any = None, keepdims: bool = False) -> Any:
    """The mean over `axis` (every axis by default); of integers, in float32 as MXNet does.

    >>> from tape import np
    >>> np.mean(np.array([[1, 2], [3, 4]]), axis=1)
    array([1.5, 3.5])
    """
    x = _typed(_array(a, "mean"), dtype)
    if x._data.dtype.kind not in "fc":
        x = x.astype(_FLOAT32)  # type: ignore[assignment]
    if axis is None:  # the common call, first
        axes, count = tuple(range(x._data.ndim)), x._data.size
    else:
        axes = _axes(x, axis, "mean")
        count = math.prod(x._data.shape[i] for i in axes)
    return into(out, mean_op(x, axes=axes, keepdims=keepdims, count=count), "mean")


def _nonempty(x: ndarray, axis: Axis, fname: str) -> tuple[int, ...]:
    return _red._nonempty(fname, x._data.shape, _axes(x, axis, fname))


def max(a: Any, axis: Axis = None, out: Any = None, keepdims: bool = False) -> Any:  # noqa: A001
    """The maximum over `axis` (every axis by default); ties share the gradient equally.

    >>> from tape import np
    >>> np.max(np.array([[1, 5], [3, 4]])), np.max(np.array([[1, 5], [3, 4]]), axis=0)
    (array(5.), array([3., 5.]))
    """
    x = _array(a, "max")
    return into(out, max_op(x, axes=_nonempty(x, axis, "max"), keepdims=keepdims), "max")


def min(a: Any, axis: Axis = None, out: Any = None, keepdims: bool = False) -> Any:  # noqa: A001
    """The minimum over `axis` (every axis by default); ties share the gradient equally.

    >>> from tape import np
    >>> np.min(np.array([[1, 5], [3, 4]]), axis=1)
    array([1., 3.])
    """
    x = _array(a, "min")
    return into(out, min_op(x, axes=_nonempty(x, axis, "min"), keepdims=keepdims), "min")


amax = max
amin = min


def prod(a: Any, axis: Axis = None, dtype: Any = None, out: Any = None, keepdims: bool = False) -> Any:
    """The product over `axis`; exact derivatives of every order, also where values are 0.

    >>> from tape import np
    >>> np.prod(np.array([[1, 2], [3, 4]])), np.prod(np.array([[1, 2], [3, 4]]), axis=1)
    (array(24.), array([ 2., 12.]))
    """
    x = _typed(_array(a, "prod"), dtype)
    return into(out, _red.product(x, _axes(x, axis, "prod"), keepdims), "prod")


def var(
    a: Any, axis: Axis = None, dtype: Any = None, out: Any = None, ddof: int = 0, keepdims: bool = False
) -> Any:
    """The variance over `axis`, dividing by `n - ddof`.

    >>> from tape import np
    >>> np.var(np.array([1, 2, 3, 4])), np.var(np.array([1, 2, 3, 4]), ddof=1)
    (array(1.25), array(1.6666666))
    """
    x = mean_input = _typed(_array(a, "var"), dtype)
    if x._data.dtype.kind not in "fc":
        x = mean_input = x.astype(_FLOAT32)  # type: ignore[assignment]
    axes = _axes(x, axis, "var")
    n = math.prod(x._data.shape[i] for i in axes)
    centred = x - mean_op(mean_input, axes=axes, keepdims=True, count=n)
    squares = sum_op(centred * centred, axes=axes, keepdims=keepdims)
    # n - ddof of 0 (or less) divides by zero, to inf or nan as NumPy does (with its warning).
    return into(out, squares / float(n - ddof if n > ddof else 0), "var")


def std(
    a: Any, axis: Axis = None, dtype: Any = None, out: Any = None, ddof: int = 0, keepdims: bool = False
) -> Any:
    """The standard deviation over `axis`, `sqrt(var)`; its derivative at 0 spread is NaN.

    >>> from tape import np
    >>> np.std(np.array([1, 2, 3, 4]))
    array(1.118034)
    """
    return into(out, _el.sqrt_op(var(a, axis, dtype, None, ddof, keepdims)), "std")


def argmax(a: Any, axis: int | None = None, out: Any = None, keepdims: bool = False) -> Any:
    """The index of the maximum (of the flattened array, without `axis`) as int64.

    >>> from tape import np
    >>> np.argmax(np.array([[1, 5], [4, 3]])), np.argmax(np.array([[1, 5], [4, 3]]), axis=1)
    (array(1, dtype=int64), array([1, 0], dtype=int64))
    """
    return _positions(argmax_op, a, axis, out, keepdims, "argmax")


def argmin(a: Any, axis: int | None = None, out: Any = None, keepdims: bool = False) -> Any:
    """The index of the minimum (of the flattened array, without `axis`) as int64.

    >>> from tape import np
    >>> np.argmin(np.array([[1, 5], [4, 3]]), axis=1)
    array([0, 1], dtype=int64)
    """
    return _positions(argmin_op, a, axis, out, keepdims, "argmin")


def _positions(op: Primitive, a: Any, axis: int | None, out: Any, keepdims: bool, fname: str) -> Any:
    x = _array(a, fname)
    if axis is not None:
        axis = axis_index(x._data.ndim, axis, f"np.{fname}")
    return into(out, op(x, axis=axis, keepdims=keepdims), fname)


def cumsum(a: Any, axis: int | None = None, dtype: Any = None, out: Any = None) -> Any:
    """The running sum along `axis` (of the flattened array, without `axis`).

    >>> from tape import np
    >>> np.cumsum(np.array([[1, 2], [3, 4]])), np.cumsum(np.array([[1, 2], [3, 4]]), axis=0)
    (array([ 1.,  3.,  6., 10.]), array([[1., 2.],
           [4., 6.]]))
    """
    x = _typed(_array(a, "cumsum"), dtype)
    if axis is None:
        x = _shapes.reshape_op(x, shape=(x._data.size,))  # type: ignore[assignment]
        axis = 0
    return into(out, _red.cumsum_op(x, axis=axis_index(x._data.ndim, axis, "np.cumsum")), "cumsum")


def all(a: Any, axis: Axis = None, out: Any = None, keepdims: bool = False) -> Any:  # noqa: A001
    """Whether every element (along `axis`) is true, as a bool array.

    >>> from tape import np
    >>> np.all(np.array([1, 0]) > -1), np.all(np.array([[1, 0], [1, 1]]), axis=1)
    (array(True), array([False,  True]))
    """
    x = _array(a, "all")
    return into(out, all_op(x, axes=_axes(x, axis, "all"), keepdims=keepdims), "all")


def any(a: Any, axis: Axis = None, out: Any = None, keepdims: bool = False) -> Any:  # noqa: A001
    """Whether any element (along `axis`) is true, as a bool array.

    >>> from tape import np
    >>> np.any(np.array([0, 0]) > 0)
    array(False)
    """
    x = _array(a, "any")
    return into(out, any_op(x, axes=_axes(x, axis, "any"), keepdims=keepdims), "any")
