"""Sorting and selection: sort, argsort, topk, gather_nd, scatter_nd, slice_like, shuffle.

Values are selected with `getitem_op` (whose adjoint scatters back, adding where an element was
taken twice) so they are differentiable to any order; indices, masks and 0/1 tests are not, and
are never recorded. diag, moveaxis and pad are in
ops/layout.py; the logical tests and smooth_l1 in ops/logical.py.
"""

from __future__ import annotations

import builtins
import operator
from collections.abc import Sequence
from typing import Any

import numpy as np

from .. import random as _random
from .._args import array, int_tuple, wrong_type
from .._primitive import Primitive
from .._xp import arange, zeros
from ..creation import into
from ..errors import ArgumentError
from ..ndarray import NDArray
from ._axes import axis_index
from .indexing import getitem_op, scatter_op
from .shape import reshape_op

__all__ = [
    "sort", "argsort", "topk", "gather_nd", "scatter_nd", "slice_like", "shuffle",
]  # fmt: skip

_RET_TYPES = ("indices", "value", "both", "mask")


# ---- sorting ----------------------------------------------------------------------------------
def _order(x: np.ndarray, axis: int, is_ascend: bool) -> np.ndarray:
    """The positions that sort `x` along `axis`, ties in their original order either way (as
    MXNet); descending through a flip, not `-x`, which wraps for unsigned integers."""
    if is_ascend:
        return np.argsort(x, axis=axis, kind="stable")
    n = x.shape[axis]
    return np.flip(n - 1 - np.argsort(np.flip(x, axis), axis=axis, kind="stable"), axis)


def _along_key(positions: np.ndarray, axis: int) -> tuple[np.ndarray, ...]:
    """The fancy index that takes `positions` along `axis` and each position of the others."""
    ndim = positions.ndim
    return tuple(
        positions if i == axis else arange(n, positions).reshape([n if j == i else 1 for j in range(ndim)])
        for i, n in enumerate(positions.shape)
    )


def _mask(x: np.ndarray, positions: np.ndarray, axis: int) -> np.ndarray:
    out = zeros(x.shape, x.dtype, x)
    np.put_along_axis(out, positions, 1, axis=axis)
    return out


# Indices and masks: outside the graph, as MXNet's (whose gradients are zero).
indices_op: Primitive = Primitive(
    "argsort", lambda x, positions, dtype: positions.astype(dtype), differentiable=False
)
mask_op: Primitive = Primitive("topk", _mask, differentiable=False)


def _index_dtype(dtype: Any, where: str) -> np.dtype[Any]:
    try:
        result: np.dtype[Any] = np.dtype(dtype)
    except TypeError:
        raise wrong_type(where, "dtype", "a NumPy dtype or its name", dtype) from None
    return result


def _sorted_axis(data: Any, axis: int | None, where: str) -> tuple[NDArray, int]:
    """`data` (flattened when `axis` is None) and the axis to sort along."""
    x = array(data, where)
    if axis is None:
        return reshape_op(x, shape=(x.size,)), 0
    return x, axis_index(x.ndim, axis, where)


def sort(
    data: NDArray, axis: int | None = -1, is_ascend: bool = True, *, out: NDArray | None = None
) -> NDArray:
    """The values of `data` sorted along `axis` (of the flattened array with `axis=None`).

    Differentiable: each value's gradient goes back to where the value came from.

    >>> from tape import nd
    >>> nd.sort(nd.array([[3, 1, 2], [0, 5, 4]]), is_ascend=False)
    <BLANKLINE>
    [[3. 2. 1.]
     [5. 4. 0.]]
    <NDArray 2x3 @cpu(0)>
    """
    x, ax = _sorted_axis(data, axis, "nd.sort")
    result = getitem_op(x, key=_along_key(_order(x._data, ax, bool(is_ascend)), ax))
    return result if out is None else into(out, result, "nd.sort")


def argsort(
    data: NDArray,
    axis: int | None = -1,
    is_ascend: bool = True,
    dtype: Any = "float32",
    *,
    out: NDArray | None = None,
) -> NDArray:
    """The positions that sort `data` along `axis` (of the flattened array with `axis=None`),
    as `dtype` (float32, as MXNet); ties keep their order. Not differentiable.

    >>> from tape import nd
    >>> nd.argsort(nd.array([3, 1, 2, 1]))
    <BLANKLINE>
    [1. 3. 2. 0.]
    <NDArray 4 @cpu(0)>
    """
    x, ax = _sorted_axis(data, axis, "nd.argsort")
    positions = _order(x._data, ax, bool(is_ascend))
    result = indices_op(x, positions=positions, dtype=_index_dtype(dtype, "nd.argsort"))
    return result if out is None else into(out, result, "nd.argsort")


def topk(
    data: NDArray,
    axis: int | None = -1,
    k: int = 1,
    ret_typ: str = "indices",
    is_ascend: bool = False,
    dtype: Any = "float32",
    *,
    out: NDArray | None = None,
) -> NDArray | list[NDArray]:
    """The `k` largest (smallest with `is_ascend`) elements along `axis` (of the flattened array
    with `axis=None`; all of them with `k` < 1, as MXNet).

    `ret_typ` says what to return: `'indices'` (the default, as `dtype`), `'value'`, `'both'`
    (the list [values, indices]) or `'mask'`, 0/1 of the shape and dtype of `data`. Values are
    differentiable (the gradient goes back to where each came from); indices and masks are not.

    >>> from tape import nd
    >>> x = nd.array([[3, 1, 4], [1, 5, 9]])
    >>> nd.topk(x, k=2, ret_typ="value")
    <BLANKLINE>
    [[4. 3.]
     [9. 5.]]
    <NDArray 2x2 @cpu(0)>
    >>> nd.topk(x, k=2)
    <BLANKLINE>
    [[2. 0.]
     [2. 1.]]
    <NDArray 2x2 @cpu(0)>
    """
    if ret_typ not in _RET_TYPES:
        raise ArgumentError(f"nd.topk: ret_typ must be 'indices', 'value', 'both' or 'mask', not {ret_typ!r}")
    if out is not None and ret_typ == "both":
        raise ArgumentError("nd.topk: out= takes one array, but ret_typ='both' returns two: leave out out=")
    x, ax = _sorted_axis(data, axis, "nd.topk")
    try:
        k = operator.index(k)
    except TypeError:
        raise wrong_type("nd.topk", "k", "an int", k) from None
    n = x.shape[ax]
    if k > n:
        raise ArgumentError(f"nd.topk: k={k} is more than the {n} elements along axis {ax}: give k <= {n}")
    order = _order(x._data, ax, bool(is_ascend))
    positions = np.take(order, arange(k if k >= 1 else n, order), axis=ax)
    if ret_typ == "mask":
        mask = mask_op(x, positions=positions, axis=ax)
        result = mask if axis is not None else reshape_op(mask, shape=array(data, "nd.topk").shape)
        return result if out is None else into(out, result, "nd.topk")
    dt = _index_dtype(dtype, "nd.topk")
    if ret_typ == "indices":
        result = indices_op(x, positions=positions, dtype=dt)
    else:
        result = getitem_op(x, key=_along_key(positions, ax))
        if ret_typ == "both":
            return [result, indices_op(x, positions=positions, dtype=dt)]
    return result if out is None else into(out, result, "nd.topk")


def slice_like(
    data: NDArray, shape_like: NDArray, axes: int | Sequence[int] = (), *, out: NDArray | None = None
) -> NDArray:
    """The first part of `data` with the lengths of `shape_like` on `axes` (on every axis when
    `axes` is empty, where both need as many axes). Differentiable.

    >>> from tape import nd
    >>> nd.slice_like(nd.arange(12).reshape((3, 4)), nd.zeros((2, 2)), axes=(1,))
    <BLANKLINE>
    [[0. 1.]
     [4. 5.]
     [8. 9.]]
    <NDArray 3x2 @cpu(0)>
    """
    x = array(data, "nd.slice_like")
    like = array(shape_like, "nd.slice_like", "shape_like").shape
    chosen = int_tuple(axes, "nd.slice_like", "axes")
    if not chosen and len(like) != x.ndim:
        raise ArgumentError(
            f"nd.slice_like: data of shape {x.shape} and shape_like of shape {like} have different numbers "
            "of axes: give axes= to say which to slice"
        )
    key = [builtins.slice(None)] * x.ndim
    for a in chosen or range(x.ndim):
        i = axis_index(x.ndim, a, "nd.slice_like", "axes")
        j = axis_index(len(like), a, "nd.slice_like", "axes")
        if like[j] > x.shape[i]:
            raise ArgumentError(
                f"nd.slice_like: axis {a} of shape_like (shape {like}) is longer than that of data "
                f"(shape {x.shape}): it can only cut data shorter"
            )
        key[i] = builtins.slice(0, like[j])
    result = getitem_op(x, key=tuple(key))
    return result if out is None else into(out, result, "nd.slice_like")


# ---- gather_nd and scatter_nd ------------------------------------------------------------------
def _nd_key(indices: Any, shape: tuple[int, ...], where: str) -> tuple[np.ndarray, ...]:
    """The fancy index of `indices` (its first axis runs over the first axes of an array of
    `shape`): integers in range, negative ones counting from the end."""
    raw = array(indices, where, "indices")._data
    if raw.ndim < 2 and where == "nd.gather_nd":
        raise ArgumentError(f"{where}: indices must have at least 2 axes (M, ...), not shape {raw.shape}")
    if raw.ndim < 1 or raw.shape[0] > len(shape):
        raise ArgumentError(
            f"{where}: indices of shape {raw.shape} index {raw.shape[0] if raw.ndim else 0} axes, "
            f"but the data has {len(shape)}: its first axis runs over the data's first axes"
        )
    idx = raw.astype(np.int64)
    if raw.dtype.kind == "f" and not np.array_equal(idx, raw):
        raise ArgumentError(f"{where}: indices must be whole numbers")
    for m, n in enumerate(shape[: raw.shape[0]]):
        if idx[m].size and (idx[m].min() < -n or idx[m].max() >= n):
            raise IndexError(f"{where}: an index in indices[{m}] is out of range for an axis of length {n}")
    return tuple(np.mod(idx[m], n) for m, n in enumerate(shape[: raw.shape[0]]))


def gather_nd(data: NDArray, indices: NDArray, *, out: NDArray | None = None) -> NDArray:
    """The elements (or slices) of `data` at `indices`, whose first axis, of length M, holds
    positions on the first M axes of `data`: the result has shape
    ``indices.shape[1:] + data.shape[M:]``. An element taken twice gets both gradients.

    >>> from tape import nd
    >>> nd.gather_nd(nd.array([[1, 2], [3, 4]]), nd.array([[1, 0], [0, 1]]))
    <BLANKLINE>
    [3. 2.]
    <NDArray 2 @cpu(0)>
    """
    x = array(data, "nd.gather_nd")
    result = getitem_op(x, key=_nd_key(indices, x.shape, "nd.gather_nd"))
    return result if out is None else into(out, result, "nd.gather_nd")


def scatter_nd(
    data: NDArray, indices: NDArray, shape: int | Sequence[int], *, out: NDArray | None = None
) -> NDArray:
    """Zeros of `shape` with `data` written at `indices` (as in `gather_nd`): the adjoint of
    `gather_nd`, and differentiable. `data` has shape ``indices.shape[1:] + shape[M:]``.
    Indices that repeat a position are refused: MXNet keeps one of the values, which one is
    not defined.

    >>> from tape import nd
    >>> nd.scatter_nd(nd.array([2, 3]), nd.array([[0, 1], [1, 0]]), shape=(2, 2))
    <BLANKLINE>
    [[0. 2.]
     [3. 0.]]
    <NDArray 2x2 @cpu(0)>
    """
    x = array(data, "nd.scatter_nd")
    dims = int_tuple(shape, "nd.scatter_nd")
    key = _nd_key(indices, dims, "nd.scatter_nd")
    m = len(key)
    want = key[0].shape + dims[m:]
    if x.shape != want:
        raise ArgumentError(
            f"nd.scatter_nd: data has shape {x.shape}, but indices and shape {dims} need data of shape {want}"
        )
    flat = np.ravel_multi_index(tuple(k.ravel() for k in key), dims[:m])
    if np.unique(flat).size != flat.size:
        raise ArgumentError(
            "nd.scatter_nd: indices name a position twice, where the result is not defined: give each "
            "position once (sum the values for a position first)"
        )
    result = scatter_op(x, key=key, shape=dims)
    return result if out is None else into(out, result, "nd.scatter_nd")


# ---- shuffle ------------------------------------------------------------------------------------
# From the generator of nd.random (seeded by nd.random.seed). Not differentiable, as MXNet.
shuffle_op: Primitive = Primitive("shuffle", _random.permutation_like, differentiable=False)


def shuffle(data: NDArray, *, out: NDArray | None = None) -> NDArray:
    """A copy of `data` with its rows (first axis) in random order, drawn from the generator
    of `nd.random`. Not differentiable.

    >>> from tape import nd
    >>> sorted(nd.shuffle(nd.arange(4)).asnumpy().tolist())
    [0.0, 1.0, 2.0, 3.0]
    """
    result = shuffle_op(array(data, "nd.shuffle"))
    return result if out is None else into(out, result, "nd.shuffle")
