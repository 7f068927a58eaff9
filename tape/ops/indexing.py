"""Indexing and selection: `x[key]`, take, pick, one_hot, where, each with its adjoint."""

from __future__ import annotations

import functools
import math
from typing import Any

import numpy as np

from .._args import array, count, loose, operand
from .._graph import record_node
from .._primitive import Primitive
from .._state import flags
from .._versions import note_write
from .._xp import arange, as_data, device_id, is_array, scatter_add, to_device, to_device_of, zeros
from ..creation import into
from ..errors import ArgumentError
from ..ndarray import NDArray, index_key, raw
from ._axes import axis_index
from .shape import reshape_op, unbroadcast

__all__ = ["take", "pick", "one_hot", "where"]


def _is_advanced(key: Any) -> bool:
    parts = key if isinstance(key, tuple) else (key,)
    return any(isinstance(k, list) or is_array(k) for k in parts)


def _getitem(x: np.ndarray, key: Any) -> np.ndarray:
    out: np.ndarray = as_data(x[key])  # a NumPy scalar for one element: an array
    # Legacy MXNet has no 0-d arrays: x[3] on a vector has shape (1,).
    return out.reshape(1) if out.ndim == 0 else out


def _scatter(g: np.ndarray, key: Any, shape: tuple[int, ...]) -> np.ndarray:
    out = zeros(shape, g.dtype, g)
    target_shape = out[key].shape
    if _is_advanced(key):
        scatter_add(out, key, g.reshape(target_shape))  # repeated indices must add up
    else:
        out[key] = g.reshape(target_shape)
    return out


def _getitem_vjp(g: NDArray, ans: NDArray, x: NDArray, key: Any) -> NDArray:
    return scatter_op(g, key=key, shape=x.shape)


def _scatter_vjp(g: NDArray, ans: NDArray, cot: NDArray, key: Any, shape: tuple[int, ...]) -> NDArray:
    picked = getitem_op(g, key=key)
    return picked if picked.shape == cot.shape else reshape_op(picked, shape=cot.shape)


getitem_op: Primitive = Primitive("getitem", _getitem, _getitem_vjp)
scatter_op: Primitive = Primitive("scatter", _scatter, _scatter_vjp)


def getitem(data: NDArray, key: Any) -> NDArray:
    """`data[key]` for ints, slices, steps, Ellipsis, None and integer arrays."""
    return getitem_op(data, key=index_key(key))


# ---- item assignment ---------------------------------------------------------------------------
# `target[key] = value` inside record(), with `value` in a graph (or `target` made by an earlier
# such assignment), is recorded: `target` keeps its identity and memory and becomes the output of
# an `assign` node whose inputs are its previous state and `value`.
def _zero_at(g: np.ndarray, key: Any) -> np.ndarray:
    out: np.ndarray = g.copy()
    out[key] = 0
    return out


zero_at_op: Primitive = Primitive("zero_at", _zero_at, lambda g, ans, x, key: zero_at_op(g, key=key))


def _assigned(old: np.ndarray, value: Any, key: Any) -> np.ndarray:
    out: np.ndarray = old.copy()
    out[key] = _fit(value)
    return out


def _value_vjp(g: NDArray, ans: NDArray, old: NDArray, value: Any, key: Any) -> NDArray:
    picked = getitem_op(g, key=key)
    if picked.shape != value.shape and picked.size == value.size:
        return reshape_op(picked, shape=value.shape)
    return unbroadcast(picked, value)


# The previous state's gradient is g but where the value went; the value's is g there.
assign_op: Primitive = Primitive(
    "assign", _assigned, lambda g, ans, old, value, key: zero_at_op(g, key=key), _value_vjp
)


def _fit(value: Any) -> Any:
    """A one-element array as a 0-d one, which NumPy assigns anywhere: MXNet assigns `a[i]`,
    of shape (1,), to one element, which NumPy 2 refuses. Other values broadcast as they are."""
    if is_array(value) and value.size == 1 and value.ndim:
        return value.reshape(())
    return value


def _on_device_of(value: Any, target: NDArray) -> Any:
    # Values from another device (a NumPy array into a GPU array, say) are copied over, as MXNet does.
    if (target._data.__class__ is np.ndarray and value.__class__ is np.ndarray) or not is_array(value):
        return value
    return to_device_of(value, target._data)


def setitem(target: NDArray, key: Any, value: Any) -> None:
    """`target[key] = value`; recorded inside `record()` when `value` is in a graph.

    >>> from tape import autograd, nd
    >>> x = nd.array([1, 2]); x.attach_grad()
    >>> z = nd.zeros((3,))
    >>> with autograd.record():
    ...     z[1:] = x * 2
    ...     y = (z * z).sum()
    >>> y.backward(); x.grad
    <BLANKLINE>
    [ 8. 16.]
    <NDArray 2 @cpu(0)>
    """
    k = index_key(key)
    node = target._node
    in_graph = isinstance(value, NDArray) and value._node is not None
    # Assigning into an array already recorded, other than by this assignment, stays refused
    # (it would change what earlier ops of the graph read): _check_inplace says so.
    if not (flags.recording and (in_graph or (node is not None and node.op is assign_op))):
        target._check_inplace()
        target._data[k] = _fit(_on_device_of(raw(value), target))
        return
    if in_graph and value.context != target.context:  # its gradient would land on another device
        raise ArgumentError(
            f"x[key] = value: value is on {value.context} and x on {target.context}, and value is in a "
            "graph being recorded: copy it first, value.as_in_context(x.context)"
        )
    # The previous state: the node that made `target` (if any), and memory of its own that no
    # write touches, since assign's backward reads only its shape.
    data = target._data
    before = NDArray(np.broadcast_to(zeros((), data.dtype, data), data.shape), node)
    note_write(data)  # ops recorded earlier that read the old values must not run backward
    data[k] = _fit(raw(value))
    target._node = None
    record_node(assign_op, (before, value), {"key": k}, (target,))


def _indices(index: NDArray | np.ndarray, n: int, mode: str, what: str, arg: str, like: Any) -> np.ndarray:
    """Integer indices (the argument `arg`) into an axis of length `n` of the data `like` (and
    on its device), out-of-range ones treated per `mode`."""
    # Index arrays on another device come to the data's (MXNet would refuse them).
    raw = to_device_of(index._data if isinstance(index, NDArray) else loose(index, what, arg), like)
    idx = raw.astype(np.int64)
    if mode == "clip":
        return np.minimum(np.maximum(idx, 0, out=idx), n - 1, out=idx)
    if mode == "wrap":
        return np.mod(idx, n)
    if mode == "raise":
        if idx.size and (idx.min() < -n or idx.max() >= n):
            raise IndexError(f"{what}: an index is out of range for an axis of length {n}")
        return np.mod(idx, n)
    raise ArgumentError(f"{what}: mode must be 'clip', 'wrap' or 'raise', not {mode!r}")


def _untake(g: np.ndarray, indices: np.ndarray, axis: int, shape: tuple[int, ...]) -> np.ndarray:
    out = zeros(shape, g.dtype, g)
    flat = g.reshape((*g.shape[:axis], indices.size, *g.shape[axis + indices.ndim :]))
    scatter_add(np.moveaxis(out, axis, 0), indices.ravel(), np.moveaxis(flat, axis, 0))
    return out


take_op: Primitive = Primitive(
    "take",
    lambda x, indices, axis: np.take(x, indices, axis=axis),
    lambda g, ans, x, indices, axis: untake_op(g, indices=indices, axis=axis, shape=x.shape),
)
# The adjoint of take: scatter-add the rows back; its own adjoint is take again.
untake_op: Primitive = Primitive(
    "untake",
    _untake,
    lambda g, ans, cot, indices, axis, shape: take_op(g, indices=indices, axis=axis),
)


def _pick_key(index: np.ndarray, axis: int, shape: tuple[int, ...]) -> tuple[np.ndarray, ...]:
    """The fancy index that takes `index` along `axis` and each position of the other axes."""
    device = None if index.__class__ is np.ndarray else device_id(index)
    grids = _grids(shape[:axis] + shape[axis + 1 :], device)
    return (*grids[:axis], index, *grids[axis:])


@functools.lru_cache(maxsize=64)
def _grids(rest: tuple[int, ...], device: int | None) -> tuple[np.ndarray, ...]:
    # Cached: a training loop picks from arrays of one shape every step. Read-only, as shared.
    grids = []
    for i, n in enumerate(rest):
        g = np.arange(n).reshape((n,) + (1,) * (len(rest) - 1 - i))
        if device is None:
            g.flags.writeable = False
        else:
            g = to_device(g, device)
        grids.append(g)
    return tuple(grids)


def _pick(x: np.ndarray, key: tuple[np.ndarray, ...], axis: int, keepdims: bool) -> np.ndarray:
    out: np.ndarray = as_data(x[key])
    if keepdims:
        return out.reshape((*x.shape[:axis], 1, *x.shape[axis + 1 :]))
    return out.reshape(1) if out.ndim == 0 else out


def _unpick(g: np.ndarray, key: tuple[np.ndarray, ...], axis: int, shape: tuple[int, ...]) -> np.ndarray:
    out = zeros(shape, g.dtype, g)
    out[key] = g.reshape(key[axis].shape)  # one position per row: no index repeats
    return out


def _unpick_vjp(
    g: NDArray, ans: NDArray, cot: NDArray, key: tuple[np.ndarray, ...], axis: int, shape: tuple[int, ...]
) -> NDArray:
    picked = pick_op(g, key=key, axis=axis, keepdims=False)
    return picked if picked.shape == cot.shape else reshape_op(picked, shape=cot.shape)


pick_op: Primitive = Primitive(
    "pick",
    _pick,
    lambda g, ans, x, key, axis, keepdims: unpick_op(g, key=key, axis=axis, shape=x.shape),
)
unpick_op: Primitive = Primitive("unpick", _unpick, _unpick_vjp)


def _where(c: np.ndarray, x: Any, y: Any) -> np.ndarray:
    out: np.ndarray = np.where(c != 0, x, y)
    return out


where_op: Primitive = Primitive(
    "where",
    _where,
    None,
    lambda g, ans, c, x, y: unbroadcast(where_op(c, g, 0.0), x),
    lambda g, ans, c, x, y: unbroadcast(where_op(c, 0.0, g), y),
)


def take(
    a: NDArray, indices: NDArray, axis: int = 0, mode: str = "clip", *, out: NDArray | None = None
) -> NDArray:
    """The slices of `a` at `indices` along `axis`: the result has shape
    ``a.shape[:axis] + indices.shape + a.shape[axis + 1:]``.

    Out-of-range indices are clipped (`mode='clip'`), wrapped (`'wrap'`) or refused
    (`'raise'`). Rows taken twice get both gradients.

    >>> from tape import nd
    >>> nd.take(nd.array([[1, 2], [3, 4], [5, 6]]), nd.array([2, 0, 7]))
    <BLANKLINE>
    [[5. 6.]
     [1. 2.]
     [5. 6.]]
    <NDArray 3x2 @cpu(0)>
    """
    a = array(a, "nd.take", "a")
    axis = axis_index(a.ndim, axis, "nd.take")
    result = take_op(
        a, indices=_indices(indices, a.shape[axis], mode, "nd.take", "indices", a._data), axis=axis
    )
    return result if out is None else into(out, result, "nd.take")


def pick(
    data: NDArray,
    index: NDArray,
    axis: int | None = -1,
    keepdims: bool = False,
    mode: str = "clip",
    *,
    out: NDArray | None = None,
) -> NDArray:
    """One element along `axis` per position of the other axes: `data[i, index[i]]` for 2-D.

    `index` has the shape of `data` without `axis`; out-of-range indices are clipped
    (`mode='clip'`) or wrapped (`'wrap'`).

    >>> from tape import nd
    >>> nd.pick(nd.array([[1, 2], [3, 4], [5, 6]]), nd.array([0, 1, 0]))
    <BLANKLINE>
    [1. 4. 5.]
    <NDArray 3 @cpu(0)>
    """
    data = array(data, "nd.pick")
    if axis is None:
        data = reshape_op(data, shape=(data.size,))
        axis = 0
    shape = data._data.shape
    axis = axis_index(len(shape), axis, "nd.pick")
    idx = _indices(index, shape[axis], mode, "nd.pick", "index", data._data)
    rest = shape[:axis] + shape[axis + 1 :]
    if idx.shape != rest:
        if idx.size != math.prod(rest):
            raise ArgumentError(
                f"nd.pick: index of shape {idx.shape} does not fit data of shape {shape} "
                f"along axis {axis}: it needs shape {rest}"
            )
        idx = idx.reshape(rest)
    result = pick_op(data, key=_pick_key(idx, axis, shape), axis=axis, keepdims=keepdims)
    return result if out is None else into(out, result, "nd.pick")


def one_hot(
    indices: NDArray,
    depth: int,
    on_value: float = 1.0,
    off_value: float = 0.0,
    dtype: Any = "float32",
    *,
    out: NDArray | None = None,
) -> NDArray:
    """An array of shape ``indices.shape + (depth,)``: `on_value` at each index, else
    `off_value`; an index outside `[0, depth)` gives a row of `off_value`. Not differentiable.

    >>> from tape import nd
    >>> nd.one_hot(nd.array([1, 0, 3]), 3)
    <BLANKLINE>
    [[0. 1. 0.]
     [1. 0. 0.]
     [0. 0. 0.]]
    <NDArray 3x3 @cpu(0)>
    """
    idx = array(indices, "nd.one_hot", "indices")._data.astype(np.int64)
    hot = idx[..., None] == arange(count(depth, "nd.one_hot", "depth"), idx)
    result = NDArray(np.where(hot, on_value, off_value).astype(np.dtype(dtype)))
    return result if out is None else into(out, result, "nd.one_hot")


def _side(value: Any, arg: str) -> Any:
    """A side of `where`: an NDArray as it is, a NumPy array wrapped, a NumPy scalar as the
    Python number it holds."""
    if isinstance(value, NDArray):
        return value
    value = operand(value, "nd.where", arg)
    return NDArray(value) if isinstance(value, np.ndarray) else value


def where(
    condition: NDArray, x: NDArray | float, y: NDArray | float, *, out: NDArray | None = None
) -> NDArray:
    """Elementwise `x` where `condition` is nonzero, else `y`; the gradient flows to the
    side that was chosen.

    Shapes broadcast as in NumPy; a 1-D `condition` whose length is the first axis of `x`
    picks whole rows, as MXNet allows (any other 1-D condition that is not of `x`'s shape is
    refused, as in MXNet).

    >>> from tape import nd
    >>> nd.where(nd.array([1, 0, 1]), nd.array([1, 2, 3]), nd.array([-1, -2, -3]))
    <BLANKLINE>
    [ 1. -2.  3.]
    <NDArray 3 @cpu(0)>
    """
    c = condition._data if isinstance(condition, NDArray) else loose(condition, "nd.where", "condition")
    x, y = _side(x, "x"), _side(y, "y")
    ref = x if isinstance(x, NDArray) else y
    if isinstance(ref, NDArray) and c.ndim == 1 and c.shape != ref.shape:
        if ref.ndim < 2 or c.shape[0] != ref.shape[0]:
            # NumPy would broadcast a length-1 or last-axis-long condition; MXNet refuses both.
            raise ArgumentError(
                f"nd.where: a 1-D condition takes the shape of the data or the length of its first axis, "
                f"but condition has shape {c.shape} and data {ref.shape}: give one of those, or a "
                f"condition of the data's number of axes to broadcast"
            )
        c = c.reshape(c.shape + (1,) * (ref.ndim - 1))
    if not isinstance(ref, NDArray):  # two numbers: the default float type, as for nd.array
        result = NDArray(np.where(c != 0, x, y).astype(np.float32))
        return result if out is None else into(out, result, "nd.where")
    # A number is a Python number here (see _side): np.float64(0) would make float32 float64.
    result = where_op(NDArray(c), x, y)
    return result if out is None else into(out, result, "nd.where")
