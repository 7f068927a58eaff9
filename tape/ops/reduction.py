"""Reductions over axes, with MXNet's `axis`, `keepdims` and `exclude`."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .._args import array
from .._graph import taped
from .._primitive import Primitive
from .._xp import as_data, empty
from ..creation import into
from ..errors import ArgumentError
from ..ndarray import NDArray, wrap
from . import arith, elementwise, indexing, join
from ._axes import axes_index, axis_index
from .shape import broadcast_to_op, reshape_op, sum_to_op, transpose_op

__all__ = ["sum", "mean", "max", "min", "prod", "nansum", "norm", "argmax", "argmin"]

Axis = int | tuple[int, ...] | list[int] | None


def axes_of(ndim: int, axis: Axis, exclude: bool = False, what: str = "") -> tuple[int, ...]:
    """The reduced axes, as non-negative ints, for MXNet's `axis` and `exclude` of the function
    `what` (named in the errors).

    None, like MXNet's default ``()``, means every axis (none at all with `exclude`).
    """
    if axis is None or (not exclude and isinstance(axis, tuple | list) and not axis):
        axes: tuple[int, ...] = tuple(range(ndim))
    else:
        axes = axes_index(ndim, axis, what)
    if exclude:
        axes = tuple(i for i in range(ndim) if i not in axes)
    return axes


def _kept(shape: tuple[int, ...], axes: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(1 if i in axes else n for i, n in enumerate(shape))


def _no_0d(out: np.ndarray) -> np.ndarray:
    # Legacy MXNet has no 0-d arrays: a full reduction has shape (1,).
    return out.reshape(1) if out.ndim == 0 else out


_HOST = np.ndarray
_FILL_LIMIT = 1 << 14  # elements: below it a filled array is cheaper than a broadcast view


def _spread_fwd(g: np.ndarray, kept: tuple[int, ...], shape: tuple[int, ...], scale: float) -> np.ndarray:
    r = g.reshape(kept)
    if scale != 1:
        r = r * scale
    if math.prod(shape) > _FILL_LIMIT:
        return np.broadcast_to(r, shape)  # a view: no memory for the spread gradient
    out = np.empty(shape, r.dtype) if r.__class__ is _HOST else empty(shape, r.dtype, r)  # small:
    # filling costs less than broadcast_to's Python
    out[...] = r
    return out


def _spread_vjp(
    u: NDArray, ans: NDArray, g: NDArray, kept: tuple[int, ...], shape: tuple[int, ...], scale: float
) -> NDArray:
    back = reshape_op(sum_to_op(u, shape=kept), shape=g.shape)
    return back if scale == 1 else back * scale


# The backward of a reduction in one call: `g` reshaped to the kept shape, scaled, broadcast.
spread_op: Primitive = Primitive("spread", _spread_fwd, _spread_vjp)


def _spread(g: NDArray, x: NDArray, axes: tuple[int, ...], scale: float = 1.0) -> NDArray:
    """`g`, the gradient of a reduction of `x` over `axes`, broadcast back to `x`'s shape."""
    return spread_op(g, kept=_kept(x.shape, axes), shape=x.shape, scale=scale)


_add_reduce = np.add.reduce  # np.sum without its Python wrapper: this is on the hot path

sum_op: Primitive = Primitive(
    "sum",
    lambda x, axes, keepdims: _no_0d(_add_reduce(x, axis=axes, keepdims=keepdims)),
    lambda g, ans, x, axes, keepdims: _spread(g, x, axes),
)


def _mean_fwd(x: np.ndarray, axes: tuple[int, ...], keepdims: Any, count: int) -> np.ndarray:
    if count == 0:  # NumPy's NaN, and its "Mean of empty slice" warning
        return _no_0d(np.mean(x, axis=axes, keepdims=keepdims))
    return _no_0d(_add_reduce(x, axis=axes, keepdims=keepdims) / count)


mean_op: Primitive = Primitive(
    "mean",
    _mean_fwd,
    # With count 0, x has no elements and neither has its gradient: any scale will do.
    lambda g, ans, x, axes, keepdims, count: _spread(g, x, axes, 1.0 / count if count else 1.0),
)


def _extreme_vjp(g: NDArray, ans: NDArray, x: NDArray, axes: tuple[int, ...], keepdims: bool) -> NDArray:
    # The gradient is shared among the positions that attain the extreme.
    extreme = _spread(ans, x, axes)
    hit = arith.step_ge_op(x, extreme) * arith.step_ge_op(extreme, x)
    count = sum_op(hit, axes=axes, keepdims=True)
    return _spread(g, x, axes) * hit / broadcast_to_op(count, shape=x.shape)


def _nonempty(name: str, shape: tuple[int, ...], axes: tuple[int, ...]) -> tuple[int, ...]:
    """`axes`, after checking that every element of the result has elements to reduce."""
    reduced = math.prod(shape[a] for a in axes)
    if reduced == 0 and math.prod(n for i, n in enumerate(shape) if i not in axes) > 0:
        raise ArgumentError(
            f"{name} of an array of shape {shape} over axes {axes} would reduce zero elements: the "
            f"{name}imum of nothing is undefined (NumPy raises too); check the array's size first "
            "(sum and prod of nothing are 0 and 1)"
        )
    return axes


max_op: Primitive = Primitive(
    "max", lambda x, axes, keepdims: _no_0d(np.max(x, axis=axes, keepdims=keepdims)), _extreme_vjp
)
min_op: Primitive = Primitive(
    "min", lambda x, axes, keepdims: _no_0d(np.min(x, axis=axes, keepdims=keepdims)), _extreme_vjp
)


def _arg(f: Any) -> Any:
    def arg(x: np.ndarray, axis: int | None, keepdims: bool) -> np.ndarray:
        out = f(x, axis=axis, keepdims=keepdims if axis is not None else False)
        return _no_0d(out.astype(np.float32))

    return arg


# The running sum along one axis; its adjoint is the running sum from the other end.
cumsum_op: Primitive = Primitive(
    "cumsum",
    lambda x, axis: np.cumsum(x, axis=axis),
    lambda g, ans, x, axis: join.flip_op(cumsum_op(join.flip_op(g, axis=axis), axis=axis), axis=axis),
)
argmax_op: Primitive = Primitive("argmax", _arg(np.argmax), differentiable=False)
argmin_op: Primitive = Primitive("argmin", _arg(np.argmin), differentiable=False)


def sum(  # noqa: A001 - MXNet's name
    data: NDArray,
    axis: Axis = None,
    keepdims: bool = False,
    exclude: bool = False,
    *,
    out: NDArray | None = None,
) -> NDArray:
    """Sum over `axis` (all axes by default; all but `axis` with `exclude=True`).

    A full reduction has shape (1,), as in MXNet.

    >>> from tape import nd
    >>> x = nd.array([[1, 2], [3, 4]])
    >>> nd.sum(x)
    <BLANKLINE>
    [10.]
    <NDArray 1 @cpu(0)>
    >>> nd.sum(x, axis=0, keepdims=True).shape
    (1, 2)
    """
    data = array(data, "nd.sum")
    result = sum_op(data, axes=axes_of(data._data.ndim, axis, exclude, "nd.sum"), keepdims=keepdims)
    return result if out is None else into(out, result, "nd.sum")


def mean(
    data: NDArray,
    axis: Axis = None,
    keepdims: bool = False,
    exclude: bool = False,
    *,
    out: NDArray | None = None,
) -> NDArray:
    """Mean over `axis` (all axes by default).

    >>> from tape import nd
    >>> nd.mean(nd.array([[1, 2], [3, 4]]), axis=1)
    <BLANKLINE>
    [1.5 3.5]
    <NDArray 2 @cpu(0)>
    """
    shape = array(data, "nd.mean")._data.shape
    axes = axes_of(len(shape), axis, exclude, "nd.mean")
    count = math.prod(shape[a] for a in axes)
    result = mean_op(data, axes=axes, keepdims=keepdims, count=count)
    return result if out is None else into(out, result, "nd.mean")


def max(  # noqa: A001 - MXNet's name
    data: NDArray,
    axis: Axis = None,
    keepdims: bool = False,
    exclude: bool = False,
    *,
    out: NDArray | None = None,
) -> NDArray:
    """Maximum over `axis`; ties share the gradient equally.

    >>> from tape import nd
    >>> nd.max(nd.array([[1, 5], [3, 4]]), axis=1)
    <BLANKLINE>
    [5. 4.]
    <NDArray 2 @cpu(0)>
    """
    data = array(data, "nd.max")
    axes = _nonempty("max", data.shape, axes_of(data.ndim, axis, exclude, "nd.max"))
    result = max_op(data, axes=axes, keepdims=keepdims)
    return result if out is None else into(out, result, "nd.max")


def min(  # noqa: A001 - MXNet's name
    data: NDArray,
    axis: Axis = None,
    keepdims: bool = False,
    exclude: bool = False,
    *,
    out: NDArray | None = None,
) -> NDArray:
    """Minimum over `axis`; ties share the gradient equally.

    >>> from tape import nd
    >>> nd.min(nd.array([[1, 5], [3, 4]]), axis=1)
    <BLANKLINE>
    [1. 3.]
    <NDArray 2 @cpu(0)>
    """
    data = array(data, "nd.min")
    axes = _nonempty("min", data.shape, axes_of(data.ndim, axis, exclude, "nd.min"))
    result = min_op(data, axes=axes, keepdims=keepdims)
    return result if out is None else into(out, result, "nd.min")


def prod(
    data: NDArray,
    axis: Axis = None,
    keepdims: bool = False,
    exclude: bool = False,
    *,
    out: NDArray | None = None,
) -> NDArray:
    """Product over `axis` (all axes by default); exact gradients also where values are 0.

    >>> from tape import nd
    >>> nd.prod(nd.array([[1, 2], [3, 4]]), axis=1)
    <BLANKLINE>
    [ 2. 12.]
    <NDArray 2 @cpu(0)>
    """
    data = array(data, "nd.prod")
    y = product(data, axes_of(data.ndim, axis, exclude, "nd.prod"), keepdims)
    result = y if y.ndim else reshape_op(y, shape=(1,))
    return result if out is None else into(out, result, "nd.prod")


def product(data: NDArray, axes: tuple[int, ...], keepdims: bool) -> NDArray:
    """The product over `axes`, 0-d for a full reduction (`nd.prod` and `np.prod` share it)."""
    if not taped(data):
        return wrap(as_data(np.prod(data._data, axis=axes, keepdims=keepdims)), data.__class__)
    # Recorded: a tree of pairwise products, so that every derivative (of any order) is
    # exact, including at zeros where dividing ans by x would fail.
    kept = [i for i in range(data.ndim) if i not in axes]
    n = int(np.prod([data.shape[a] for a in axes]))
    x = data
    if axes != tuple(range(data.ndim - len(axes), data.ndim)):  # bring the reduced axes last
        x = transpose_op(data, axes=(*kept, *axes))
    x = reshape_op(x, shape=(*[data.shape[i] for i in kept], n))
    if n == 0:  # the empty product is 1, as NumPy's; x has no elements to get a gradient
        x = sum_op(x, axes=(x.ndim - 1,), keepdims=True) + 1
    while n > 1:
        half = n // 2
        y = x[..., :half] * x[..., half : 2 * half]
        x = join.concat_op(y, x[..., 2 * half :], axis=y.ndim - 1) if n % 2 else y
        n = half + n % 2
    out_shape = _kept(data.shape, axes) if keepdims else tuple(data.shape[i] for i in kept)
    return reshape_op(x, shape=out_shape)


def nansum(
    data: NDArray,
    axis: Axis = None,
    keepdims: bool = False,
    exclude: bool = False,
    *,
    out: NDArray | None = None,
) -> NDArray:
    """Sum over `axis`, counting NaNs as zero (they get a zero gradient).

    >>> from tape import nd
    >>> nd.nansum(nd.array([1, float("nan"), 2]))
    <BLANKLINE>
    [3.]
    <NDArray 1 @cpu(0)>
    """
    data = array(data, "nd.nansum")
    axes = axes_of(data.ndim, axis, exclude, "nd.nansum")
    result = sum_op(indexing.where(arith.equal_op(data, data), data, 0.0), axes=axes, keepdims=keepdims)
    return result if out is None else into(out, result, "nd.nansum")


def norm(
    data: NDArray,
    ord: int = 2,  # noqa: A002 - MXNet's name
    axis: Axis = None,
    out_dtype: Any = None,
    keepdims: bool = False,
    *,
    out: NDArray | None = None,
) -> NDArray:
    """The L2 norm (or L1 with `ord=1`) over `axis`, all axes by default.

    Over two axes the L2 norm is the Frobenius norm of the matrices. The L2 norm of a zero
    vector has no derivative (NaN), as in MXNet.

    >>> from tape import nd
    >>> nd.norm(nd.array([3, 4]))
    <BLANKLINE>
    [5.]
    <NDArray 1 @cpu(0)>
    >>> nd.norm(nd.array([[1, -2], [3, 0]]), ord=1, axis=1)
    <BLANKLINE>
    [3. 3.]
    <NDArray 2 @cpu(0)>
    """
    data = array(data, "nd.norm")
    axes = axes_of(data.ndim, axis, False, "nd.norm")
    if ord == 2:
        y = sum_op(data * data, axes=axes, keepdims=keepdims)
        if data._data.size:  # of nothing, the norm is 0 without sqrt (whose backward would warn)
            y = elementwise.sqrt_op(y)
    elif ord == 1:
        y = sum_op(elementwise.abs_op(data), axes=axes, keepdims=keepdims)
    else:
        raise ArgumentError(f"nd.norm supports ord=1 and ord=2, not {ord}")
    result = y if out_dtype is None else y.astype(out_dtype)
    return result if out is None else into(out, result, "nd.norm")


def argmax(
    data: NDArray, axis: int | None = None, keepdims: bool = False, *, out: NDArray | None = None
) -> NDArray:
    """Index of the maximum along `axis`, as float32 (MXNet's convention).

    >>> from tape import nd
    >>> nd.argmax(nd.array([[1, 5], [4, 3]]), axis=1)
    <BLANKLINE>
    [1. 0.]
    <NDArray 2 @cpu(0)>
    """
    data = array(data, "nd.argmax")
    axis = None if axis is None else axis_index(data.ndim, axis, "nd.argmax")
    result = argmax_op(data, axis=axis, keepdims=keepdims)
    return result if out is None else into(out, result, "nd.argmax")


def argmin(
    data: NDArray, axis: int | None = None, keepdims: bool = False, *, out: NDArray | None = None
) -> NDArray:
    """Index of the minimum along `axis`, as float32.

    >>> from tape import nd
    >>> nd.argmin(nd.array([[1, 5], [4, 3]]), axis=1)
    <BLANKLINE>
    [0. 1.]
    <NDArray 2 @cpu(0)>
    """
    data = array(data, "nd.argmin")
    axis = None if axis is None else axis_index(data.ndim, axis, "nd.argmin")
    result = argmin_op(data, axis=axis, keepdims=keepdims)
    return result if out is None else into(out, result, "nd.argmin")
