"""Shape ops: reshape, transpose, broadcasting and its undoing, copies and casts."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .._args import array, int_tuple
from .._primitive import Primitive
from ..context import Context, place
from ..creation import into
from ..errors import ArgumentError
from ..ndarray import NDArray
from ._axes import axes_index, axis_index

__all__ = [
    "reshape", "reshape_like", "transpose", "swapaxes", "broadcast_to", "broadcast_axis",
    "broadcast_like", "expand_dims", "squeeze", "flatten", "zeros_like", "ones_like", "cast", "stop_gradient",
]  # fmt: skip

Shape = tuple[int, ...]


def _sum_to(x: np.ndarray, shape: Shape) -> np.ndarray:
    lead = x.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(
        lead + i for i, n in enumerate(shape) if n == 1 and x.shape[lead + i] != 1
    )
    return (np.add.reduce(x, axis=axes, keepdims=True) if axes else x).reshape(shape)


def _inverse(axes: Sequence[int] | None) -> tuple[int, ...] | None:
    return None if axes is None else tuple(np.argsort(axes))


reshape_op: Primitive = Primitive(
    "reshape", lambda x, shape: x.reshape(shape), lambda g, ans, x, shape: reshape_op(g, shape=x.shape)
)
transpose_op: Primitive = Primitive(
    "transpose",
    lambda x, axes: np.transpose(x, axes),
    lambda g, ans, x, axes: transpose_op(g, axes=_inverse(axes)),
)
broadcast_to_op: Primitive = Primitive(
    "broadcast_to",
    lambda x, shape: np.broadcast_to(x, shape),
    lambda g, ans, x, shape: sum_to_op(g, shape=x.shape),
)
# The public broadcasts return fresh memory, writable like any result, as MXNet's do
# (np.broadcast_to gives a read-only view); the gradients inside keep the cheap view above.
broadcast_copy_op: Primitive = Primitive(
    "broadcast_to",
    lambda x, shape: np.broadcast_to(x, shape).copy(),
    lambda g, ans, x, shape: sum_to_op(g, shape=x.shape),
)
# Sums a broadcast result back to an input's shape: the one place broadcasting is undone.
sum_to_op: Primitive = Primitive(
    "sum_to", _sum_to, lambda g, ans, x, shape: broadcast_to_op(g, shape=x.shape)
)
copy_op: Primitive = Primitive("copy", np.copy, lambda g, ans, x: g)


def _to_context(x: np.ndarray, ctx: Context) -> np.ndarray:
    data: np.ndarray = place(x, ctx)
    return data.copy() if data is x else data


# A copy on the context `ctx` (`copyto`, `as_in_context`); its adjoint copies the gradient back.
to_context_op: Primitive = Primitive(
    "copyto", _to_context, lambda g, ans, x, ctx: to_context_op(g, ctx=x.context)
)
# The same memory under another array class (`as_np_ndarray`, `as_nd_ndarray`).
view_op: Primitive = Primitive("view", lambda x: x, lambda g, ans, x: g)
cast_op: Primitive = Primitive(
    "cast",
    lambda x, dtype: x.astype(dtype),
    lambda g, ans, x, dtype: cast_op(g, dtype=x._data.dtype),
)
zeros_like_op: Primitive = Primitive("zeros_like", np.zeros_like, lambda g, ans, x: zeros_like_op(x))
ones_like_op: Primitive = Primitive("ones_like", np.ones_like, lambda g, ans, x: zeros_like_op(x))


def unbroadcast(g: NDArray, x: NDArray) -> NDArray:
    """The gradient `g` of a broadcast result, summed back to the shape of input `x`."""
    return g if g._data.shape == x._data.shape else sum_to_op(g, shape=x._data.shape)


def mx_shape(src: Shape, spec: Sequence[int], reverse: bool = False) -> Shape:
    """Resolve MXNet's reshape codes: 0 copy, -1 infer, -2 copy the rest, -3 merge two,
    -4 split one into the next two values."""
    if reverse:
        return mx_shape(src[::-1], list(spec)[::-1])[::-1]
    out: list[int] = []
    i = k = 0
    while k < len(spec):
        s = int(spec[k])
        if s == 0:
            out.append(src[i])
            i += 1
        elif s == -2:
            out.extend(src[i:])
            i = len(src)
        elif s == -3:
            out.append(src[i] * src[i + 1])
            i += 2
        elif s == -4:
            a, b = int(spec[k + 1]), int(spec[k + 2])
            if a == -1:
                a = src[i] // b
            if b == -1:
                b = src[i] // a
            out += [a, b]
            i += 1
            k += 2
        elif s >= -1:
            out.append(s)
            i += 1
        else:
            raise ArgumentError(f"unknown reshape code {s}: MXNet codes are 0, -1, -2, -3 and -4")
        k += 1
    size = int(np.prod(src))
    if out.count(-1) > 1:
        raise ArgumentError(f"cannot reshape {src} to {tuple(spec)}: at most one -1 may be inferred")
    if -1 in out:
        known = int(np.prod([n for n in out if n != -1]))
        if known == 0 or size % known:
            raise ArgumentError(f"cannot reshape array of shape {src} into {tuple(spec)}")
        out[out.index(-1)] = size // known
    if int(np.prod(out)) != size:
        raise ArgumentError(f"cannot reshape array of shape {src} (size {size}) into {tuple(spec)}")
    return tuple(out)


def reshape(
    data: NDArray, shape: int | Sequence[int], reverse: bool = False, *, out: NDArray | None = None
) -> NDArray:
    """The same values in a new shape; `shape` may use MXNet's codes 0, -1, -2, -3, -4.

    >>> from tape import nd
    >>> nd.reshape(nd.arange(6), (2, -1)).shape
    (2, 3)
    >>> nd.zeros((2, 3, 4)).reshape((-3, 0)).shape
    (6, 4)
    """
    data = array(data, "nd.reshape")
    result = reshape_op(data, shape=mx_shape(data.shape, int_tuple(shape, "nd.reshape"), reverse))
    return result if out is None else into(out, result, "nd.reshape")


def transpose(data: NDArray, axes: Sequence[int] | None = None, *, out: NDArray | None = None) -> NDArray:
    """Permute the axes (reverse them by default).

    >>> from tape import nd
    >>> nd.transpose(nd.zeros((2, 3, 4)), axes=(1, 0, 2)).shape
    (3, 2, 4)
    """
    data = array(data, "nd.transpose")
    if axes is None or (isinstance(axes, tuple | list) and not axes):
        result = transpose_op(data, axes=None)
        return result if out is None else into(out, result, "nd.transpose")
    perm = tuple(
        axis_index(data.ndim, a, "nd.transpose", "axes") for a in int_tuple(axes, "nd.transpose", "axes")
    )
    if sorted(perm) != list(range(data.ndim)):
        raise ArgumentError(
            f"nd.transpose: axes {tuple(axes)} is not an order of the {data.ndim} axes of an array of shape "
            f"{data.shape}: it takes each axis once"
        )
    result = transpose_op(data, axes=perm)
    return result if out is None else into(out, result, "nd.transpose")


def broadcast_to(data: NDArray, shape: Sequence[int], *, out: NDArray | None = None) -> NDArray:
    """Broadcast to `shape` (a 0 in `shape` keeps that axis).

    >>> from tape import nd
    >>> nd.broadcast_to(nd.array([[1], [2]]), (2, 3))
    <BLANKLINE>
    [[1. 1. 1.]
     [2. 2. 2.]]
    <NDArray 2x3 @cpu(0)>
    """
    data = array(data, "nd.broadcast_to")
    target = tuple(data.shape[i] if n == 0 else n for i, n in enumerate(int_tuple(shape, "nd.broadcast_to")))
    result = broadcast_copy_op(data, shape=target)
    return result if out is None else into(out, result, "nd.broadcast_to")


def swapaxes(data: NDArray, dim1: int = 0, dim2: int = 0, *, out: NDArray | None = None) -> NDArray:
    """Exchange two axes.

    >>> from tape import nd
    >>> nd.swapaxes(nd.zeros((2, 3, 4)), 0, 2).shape
    (4, 3, 2)
    """
    data = array(data, "nd.swapaxes")
    axes = list(range(data.ndim))
    i, j = (
        axis_index(data.ndim, dim1, "nd.swapaxes", "dim1"),
        axis_index(data.ndim, dim2, "nd.swapaxes", "dim2"),
    )
    axes[i], axes[j] = axes[j], axes[i]
    result = transpose_op(data, axes=tuple(axes))
    return result if out is None else into(out, result, "nd.swapaxes")


def broadcast_axis(
    data: NDArray,
    axis: int | Sequence[int] = (),
    size: int | Sequence[int] = (),
    *,
    out: NDArray | None = None,
) -> NDArray:
    """Broadcast the length-1 axes `axis` to the lengths `size`.

    >>> from tape import nd
    >>> nd.broadcast_axis(nd.array([[1], [2]]), axis=1, size=3)
    <BLANKLINE>
    [[1. 1. 1.]
     [2. 2. 2.]]
    <NDArray 2x3 @cpu(0)>
    """
    data = array(data, "nd.broadcast_axis")
    axes = int_tuple(axis, "nd.broadcast_axis", "axis")
    sizes = int_tuple(size, "nd.broadcast_axis", "size")
    if len(axes) != len(sizes):
        raise ArgumentError(
            f"nd.broadcast_axis got {len(axes)} axes but {len(sizes)} sizes: give one size per axis"
        )
    target = list(data.shape)
    for a, n in zip(axes, sizes, strict=True):
        i = axis_index(data.ndim, a, "nd.broadcast_axis")
        if data.shape[i] != 1:
            raise ArgumentError(
                f"nd.broadcast_axis: axis {a} has length {data.shape[i]}, not 1, so it cannot be broadcast"
            )
        target[i] = n
    result = broadcast_copy_op(data, shape=tuple(target))
    return result if out is None else into(out, result, "nd.broadcast_axis")


def broadcast_like(
    lhs: NDArray,
    rhs: NDArray,
    lhs_axes: int | Sequence[int] | None = None,
    rhs_axes: int | Sequence[int] | None = None,
    *,
    out: NDArray | None = None,
) -> NDArray:
    """Broadcast `lhs` to the shape of `rhs`; with `lhs_axes` and `rhs_axes`, only the
    length-1 axes `lhs_axes` of `lhs`, each to the length of the matching axis of `rhs`.

    >>> from tape import nd
    >>> nd.broadcast_like(nd.array([1, 2]), nd.zeros((3, 2))).shape
    (3, 2)
    >>> nd.broadcast_like(nd.array([9]), nd.zeros(5), lhs_axes=(0,), rhs_axes=(-1,))
    <BLANKLINE>
    [9. 9. 9. 9. 9.]
    <NDArray 5 @cpu(0)>
    """
    what = "nd.broadcast_like"
    lhs, shape = array(lhs, what, "lhs"), array(rhs, what, "rhs").shape
    if lhs_axes is not None or rhs_axes is not None:
        shape = _like_axes(lhs.shape, shape, lhs_axes, rhs_axes)
    result = broadcast_copy_op(lhs, shape=shape)
    return result if out is None else into(out, result, what)


def _like_axes(
    src: Shape, like: Shape, lhs_axes: int | Sequence[int] | None, rhs_axes: int | Sequence[int] | None
) -> Shape:
    what = "nd.broadcast_like"
    if lhs_axes is None or rhs_axes is None:
        raise ArgumentError(
            f"{what}: give both lhs_axes and rhs_axes (an axis of rhs per axis of lhs), or neither"
        )
    mine = [axis_index(len(src), a, what, "lhs_axes") for a in int_tuple(lhs_axes, what, "lhs_axes")]
    theirs = [axis_index(len(like), a, what, "rhs_axes") for a in int_tuple(rhs_axes, what, "rhs_axes")]
    if not mine or len(mine) != len(theirs):
        raise ArgumentError(
            f"{what}: lhs_axes {lhs_axes} and rhs_axes {rhs_axes} must name as many axes, at least one each"
        )
    target = list(src)
    for i, j in zip(mine, theirs, strict=True):
        if src[i] not in (1, like[j]):
            raise ArgumentError(
                f"{what}: axis {i} of lhs (shape {src}) has length {src[i]}, so it cannot be broadcast to "
                f"the length {like[j]} of axis {j} of rhs (shape {like}): only length-1 axes broadcast"
            )
        target[i] = like[j]
    return tuple(target)


def reshape_like(
    lhs: NDArray,
    rhs: NDArray,
    lhs_begin: int | None = None,
    lhs_end: int | None = None,
    rhs_begin: int | None = None,
    rhs_end: int | None = None,
    *,
    out: NDArray | None = None,
) -> NDArray:
    """`lhs` in the shape of `rhs` (the same size); with the begin/end arguments, the axes
    `lhs_begin:lhs_end` of `lhs` take the lengths of the axes `rhs_begin:rhs_end` of `rhs`.

    >>> from tape import nd
    >>> nd.reshape_like(nd.arange(6), nd.zeros((3, 2))).shape
    (3, 2)
    >>> nd.reshape_like(nd.zeros((30, 7)), nd.zeros((15, 2, 4)), lhs_begin=0, lhs_end=1,
    ...                 rhs_begin=0, rhs_end=2).shape
    (15, 2, 7)
    """
    what = "nd.reshape_like"
    lhs, like = array(lhs, what, "lhs"), array(rhs, what, "rhs").shape
    a, b = _span(lhs.shape, lhs_begin, lhs_end, "lhs")
    c, d = _span(like, rhs_begin, rhs_end, "rhs")
    shape = lhs.shape[:a] + like[c:d] + lhs.shape[b:]
    if int(np.prod(shape)) != lhs.size:
        raise ArgumentError(
            f"{what}: lhs of shape {lhs.shape} (size {lhs.size}) cannot take the shape {shape} made from "
            f"rhs of shape {like}: choose lhs_begin/lhs_end and rhs_begin/rhs_end that keep the size"
        )
    result = reshape_op(lhs, shape=shape)
    return result if out is None else into(out, result, what)


def _span(shape: Shape, begin: int | None, end: int | None, side: str) -> tuple[int, int]:
    """The axes `begin:end` of an array of `shape`, as MXNet's reshape_like reads them."""
    n = len(shape)
    a = 0 if begin is None else axis_index(n, begin, "nd.reshape_like", f"{side}_begin")
    b = n if end is None else (end + n if end < 0 else end)
    if not a < b <= n:
        raise ArgumentError(
            f"nd.reshape_like: {side}_begin={begin}, {side}_end={end} is no range of the axes of {side} "
            f"(shape {shape}): the begin must come before the end, within the {n} axes"
        )
    return a, b


def expand_dims(data: NDArray, axis: int, *, out: NDArray | None = None) -> NDArray:
    """Insert an axis of length 1 at position `axis`.

    >>> from tape import nd
    >>> nd.expand_dims(nd.zeros((2, 3)), axis=1).shape
    (2, 1, 3)
    """
    data = array(data, "nd.expand_dims")
    shape = list(data.shape)
    shape.insert(axis_index(len(shape) + 1, axis, "nd.expand_dims"), 1)
    result = reshape_op(data, shape=tuple(shape))
    return result if out is None else into(out, result, "nd.expand_dims")


def squeeze(data: NDArray, axis: int | Sequence[int] | None = None, *, out: NDArray | None = None) -> NDArray:
    """Remove axes of length 1 (all of them, or those in `axis`); the result is at least 1-D.

    >>> from tape import nd
    >>> nd.squeeze(nd.zeros((2, 1, 3, 1))).shape
    (2, 3)
    >>> nd.squeeze(nd.zeros((1, 1))).shape
    (1,)
    """
    data = array(data, "nd.squeeze")
    if axis is None:
        axes = {i for i, n in enumerate(data.shape) if n == 1}
    else:
        axes = set(axes_index(data.ndim, axis, "nd.squeeze"))
        for a in axes:
            if data.shape[a] != 1:
                raise ArgumentError(
                    f"nd.squeeze: axis {a} has length {data.shape[a]}; only length-1 axes can be removed"
                )
    shape = tuple(n for i, n in enumerate(data.shape) if i not in axes) or (1,)
    result = reshape_op(data, shape=shape)
    return result if out is None else into(out, result, "nd.squeeze")


def flatten(data: NDArray, *, out: NDArray | None = None) -> NDArray:
    """Collapse all axes but the first: the result is 2-D.

    >>> from tape import nd
    >>> nd.flatten(nd.zeros((2, 3, 4))).shape
    (2, 12)
    """
    data = array(data, "nd.flatten")
    result = reshape_op(data, shape=(data.shape[0], -1) if data.ndim else (1, 1))
    return result if out is None else into(out, result, "nd.flatten")


def zeros_like(data: NDArray, *, out: NDArray | None = None) -> NDArray:
    """Zeros of the same shape and dtype.

    >>> from tape import nd
    >>> nd.zeros_like(nd.ones((2,)))
    <BLANKLINE>
    [0. 0.]
    <NDArray 2 @cpu(0)>
    """
    result = zeros_like_op(data)
    return result if out is None else into(out, result, "nd.zeros_like")


def ones_like(data: NDArray, *, out: NDArray | None = None) -> NDArray:
    """Ones of the same shape and dtype.

    >>> from tape import nd
    >>> nd.ones_like(nd.zeros((2,)))
    <BLANKLINE>
    [1. 1.]
    <NDArray 2 @cpu(0)>
    """
    result = ones_like_op(data)
    return result if out is None else into(out, result, "nd.ones_like")


def copy(data: NDArray) -> NDArray:
    """A differentiable copy with its own memory.

    >>> from tape import nd
    >>> from tape.ops.shape import copy
    >>> x = nd.ones((2,)); y = copy(x); y[:] = 5
    >>> x
    <BLANKLINE>
    [1. 1.]
    <NDArray 2 @cpu(0)>
    """
    return copy_op(data)


def cast(data: NDArray, dtype: Any, *, out: NDArray | None = None) -> NDArray:
    """`data` converted to `dtype`; the gradient is converted back.

    >>> from tape import nd
    >>> nd.cast(nd.array([1.7, -2]), "int32")
    <BLANKLINE>
    [ 1 -2]
    <NDArray 2 @cpu(0)>
    """
    result = cast_op(data, dtype=np.dtype(dtype))
    return result if out is None else into(out, result, "nd.cast")


# A copy, as MXNet's BlockGrad: writing into the result must not change the input.
stop_gradient_op: Primitive = Primitive("stop_gradient", np.copy, differentiable=False)


def stop_gradient(data: NDArray, *, out: NDArray | None = None) -> NDArray:
    """The same values with no gradient flowing back through them (MXNet's `BlockGrad`).

    >>> from tape import autograd, nd
    >>> x = nd.array([3]); x.attach_grad()
    >>> with autograd.record():
    ...     y = nd.stop_gradient(x * x) + x
    >>> y.backward(); x.grad
    <BLANKLINE>
    [1.]
    <NDArray 1 @cpu(0)>
    """
    result = stop_gradient_op(array(data, "nd.stop_gradient"))
    return result if out is None else into(out, result, "nd.stop_gradient")
