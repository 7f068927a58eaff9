"""Joining and cutting: concat, stack, split, slices, tile, repeat, flip."""

from __future__ import annotations

import builtins
from collections.abc import Sequence

import numpy as np

from .._args import array, count, int_tuple
from .._primitive import Primitive
from .._xp import zeros
from ..creation import into
from ..errors import ArgumentError
from ..ndarray import NDArray, wrap
from ._axes import axes_index, axis_index
from ._variadic import MultiOutput, Variadic
from .indexing import getitem_op
from .shape import reshape_op, sum_to_op

__all__ = ["concat", "stack", "split", "slice", "slice_axis", "tile", "repeat", "flip", "reverse"]

Axes = int | Sequence[int]
# The public `slice` below shadows the builtin inside this module.
_py_slice = builtins.slice


def _along(axis: int, index: int | builtins.slice) -> tuple[builtins.slice | int, ...]:
    """The index that picks `index` along `axis` and everything along the other axes."""
    return (_py_slice(None),) * axis + (index,)


def _concat_vjp(
    parents: tuple[int, ...], g: NDArray, ans: NDArray, xs: tuple[NDArray, ...], axis: int
) -> list[NDArray | None]:
    # The offsets of all the inputs, once per backward: the slice of each parent is then O(1).
    starts = [0]
    for x in xs:
        starts.append(starts[-1] + x.shape[axis])
    return [getitem_op(g, key=_along(axis, _py_slice(starts[k], starts[k + 1]))) for k in parents]


def _stack_vjp(
    parents: tuple[int, ...], g: NDArray, ans: NDArray, xs: tuple[NDArray, ...], axis: int
) -> list[NDArray | None]:
    return [getitem_op(g, key=_along(axis, k)) for k in parents]


concat_op: Variadic = Variadic("concat", lambda *xs, axis: np.concatenate(xs, axis=axis), _concat_vjp)
stack_op: Variadic = Variadic("stack", lambda *xs, axis: np.stack(xs, axis=axis), _stack_vjp)


def _split(x: np.ndarray, num_outputs: int, axis: int, squeeze_axis: bool) -> list[np.ndarray]:
    parts = np.split(x, num_outputs, axis=axis)
    return [p.reshape(p.shape[:axis] + p.shape[axis + 1 :] or (1,)) for p in parts] if squeeze_axis else parts


def _split_vjp(
    grads: list[NDArray | None], x: NDArray, num_outputs: int, axis: int, squeeze_axis: bool
) -> NDArray:
    piece = (*x.shape[:axis], x.shape[axis] // num_outputs, *x.shape[axis + 1 :])
    # An output the backward never reached contributes zeros.
    parts = [
        wrap(zeros(piece, x._data.dtype, x._data), x.__class__)
        if g is None
        else reshape_op(g, shape=piece)
        if squeeze_axis
        else g
        for g in grads
    ]
    return concat_op(*parts, axis=axis)


split_op: MultiOutput = MultiOutput("split", _split, _split_vjp)


def _tile_vjp(g: NDArray, ans: NDArray, x: NDArray, reps: tuple[int, ...]) -> NDArray:
    # Axis i of the result is (reps[i], x.shape[i]) laid out flat: sum over the copies.
    pairs = tuple(v for r, n in zip(reps, x.shape, strict=True) for v in (r, n))
    kept = tuple(v for n in x.shape for v in (1, n))
    return reshape_op(sum_to_op(reshape_op(g, shape=pairs), shape=kept), shape=x.shape)


def _repeat_vjp(g: NDArray, ans: NDArray, x: NDArray, repeats: int, axis: int) -> NDArray:
    split = (*x.shape[:axis], x.shape[axis], repeats, *x.shape[axis + 1 :])
    kept = (*x.shape[:axis], x.shape[axis], 1, *x.shape[axis + 1 :])
    return reshape_op(sum_to_op(reshape_op(g, shape=split), shape=kept), shape=x.shape)


tile_op: Primitive = Primitive("tile", lambda x, reps: np.tile(x, reps), _tile_vjp)
repeat_op: Primitive = Primitive(
    "repeat", lambda x, repeats, axis: np.repeat(x, repeats, axis=axis), _repeat_vjp
)
flip_op: Primitive = Primitive(
    "flip", lambda x, axis: np.flip(x, axis), lambda g, ans, x, axis: flip_op(g, axis=axis)
)


def _arrays(data: tuple[NDArray, ...], what: str) -> tuple[NDArray, ...]:
    """The arrays given to `what` as `*data`: NDArrays, NumPy arrays wrapped; at least one."""
    if not data:
        raise ArgumentError(f"{what} needs at least one array")
    if all(isinstance(d, NDArray) for d in data):
        return data
    return tuple(array(d, what, f"data[{k}]") for k, d in enumerate(data))


def concat(*data: NDArray, dim: int = 1, num_args: int | None = None, out: NDArray | None = None) -> NDArray:
    """Join arrays along axis `dim` (axis 1 by default, as MXNet).

    >>> from tape import nd
    >>> nd.concat(nd.ones((2, 1)), nd.zeros((2, 2)))
    <BLANKLINE>
    [[1. 0. 0.]
     [1. 0. 0.]]
    <NDArray 2x3 @cpu(0)>
    >>> nd.concat(nd.ones((1, 2)), nd.zeros((1, 2)), dim=0).shape
    (2, 2)
    """
    data = _arrays(data, "nd.concat")
    axis = axis_index(data[0].ndim, dim, "nd.concat", "dim")
    for k, d in enumerate(data[1:], 2):
        if d.ndim != data[0].ndim or any(
            a != b for i, (a, b) in enumerate(zip(d.shape, data[0].shape, strict=True)) if i != axis
        ):
            raise ArgumentError(
                f"nd.concat along axis {axis}: array {k} has shape {d.shape}, which does not match "
                f"the first array's {data[0].shape} on the other axes"
            )
    result = concat_op(*data, axis=axis)
    return result if out is None else into(out, result, "nd.concat")


def stack(*data: NDArray, axis: int = 0, num_args: int | None = None, out: NDArray | None = None) -> NDArray:
    """Join arrays of one shape along a new axis `axis`.

    >>> from tape import nd
    >>> nd.stack(nd.array([1, 2]), nd.array([3, 4]), axis=1)
    <BLANKLINE>
    [[1. 3.]
     [2. 4.]]
    <NDArray 2x2 @cpu(0)>
    """
    data = _arrays(data, "nd.stack")
    for k, d in enumerate(data[1:], 2):
        if d.shape != data[0].shape:
            raise ArgumentError(f"nd.stack: array {k} has shape {d.shape} but the first has {data[0].shape}")
    result = stack_op(*data, axis=axis_index(data[0].ndim + 1, axis, "nd.stack"))
    return result if out is None else into(out, result, "nd.stack")


def split(
    data: NDArray, num_outputs: int, axis: int = 1, squeeze_axis: bool = False
) -> list[NDArray] | NDArray:
    """Cut `data` into `num_outputs` equal parts along `axis` (axis 1 by default).

    Returns a list of arrays, or the one array when `num_outputs` is 1, as MXNet does.
    With `squeeze_axis` (parts of length 1 only) the cut axis is removed.

    >>> from tape import nd
    >>> a, b = nd.split(nd.arange(6).reshape((2, 3, 1)), num_outputs=3, axis=1)[:2]
    >>> a.shape
    (2, 1, 1)
    >>> [p.shape for p in nd.split(nd.zeros((4, 2)), 2, axis=1, squeeze_axis=True)]
    [(4,), (4,)]
    """
    data = array(data, "nd.split")
    num_outputs = count(num_outputs, "nd.split", "num_outputs")
    ax = axis_index(data.ndim, axis, "nd.split")
    if num_outputs < 1 or data.shape[ax] % num_outputs:
        raise ArgumentError(
            f"nd.split: axis {ax} of length {data.shape[ax]} cannot be cut into {num_outputs} equal parts"
        )
    if squeeze_axis and data.shape[ax] != num_outputs:
        raise ArgumentError(
            f"nd.split with squeeze_axis=True needs parts of length 1: axis {ax} has length "
            f"{data.shape[ax]}, so use num_outputs={data.shape[ax]}"
        )
    parts = split_op(data, num_outputs=num_outputs, axis=ax, squeeze_axis=squeeze_axis)
    return parts[0] if num_outputs == 1 else parts


def slice(  # noqa: A001 - MXNet's name
    data: NDArray,
    begin: Sequence[int | None],
    end: Sequence[int | None],
    step: Sequence[int | None] | None = None,
    *,
    out: NDArray | None = None,
) -> NDArray:
    """The part of `data` from `begin` to `end` (exclusive) on the first axes; None means the
    whole axis. `step` may be negative, as in Python.

    >>> from tape import nd
    >>> x = nd.arange(12).reshape((3, 4))
    >>> nd.slice(x, begin=(0, 1), end=(2, 3))
    <BLANKLINE>
    [[1. 2.]
     [5. 6.]]
    <NDArray 2x2 @cpu(0)>
    >>> nd.slice(x, begin=(None, None), end=(None, None), step=(-1, 2)).shape
    (3, 2)
    """
    data = array(data, "nd.slice")
    if len(begin) != len(end) or len(begin) > data.ndim:
        raise ArgumentError(
            f"nd.slice: begin {tuple(begin)} and end {tuple(end)} must have the same length, at most "
            f"the number of dimensions ({data.ndim})"
        )
    steps = list(step or ()) + [None] * (len(begin) - len(step or ()))
    key = tuple(_py_slice(b, e, s) for b, e, s in zip(begin, end, steps, strict=True))
    result = getitem_op(data, key=key)
    return result if out is None else into(out, result, "nd.slice")


def slice_axis(
    data: NDArray, axis: int, begin: int, end: int | None, *, out: NDArray | None = None
) -> NDArray:
    """The part of `data` from `begin` to `end` (exclusive; None for the end) along `axis`.

    >>> from tape import nd
    >>> nd.slice_axis(nd.arange(6).reshape((2, 3)), axis=1, begin=1, end=None)
    <BLANKLINE>
    [[1. 2.]
     [4. 5.]]
    <NDArray 2x2 @cpu(0)>
    """
    data = array(data, "nd.slice_axis")
    result = getitem_op(
        data, key=_along(axis_index(data.ndim, axis, "nd.slice_axis"), _py_slice(begin, end, None))
    )
    return result if out is None else into(out, result, "nd.slice_axis")


def tile(data: NDArray, reps: int | Sequence[int], *, out: NDArray | None = None) -> NDArray:
    """Repeat the whole array `reps[i]` times along axis i (as NumPy's `tile`).

    >>> from tape import nd
    >>> nd.tile(nd.array([[1, 2]]), (2, 2))
    <BLANKLINE>
    [[1. 2. 1. 2.]
     [1. 2. 1. 2.]]
    <NDArray 2x4 @cpu(0)>
    """
    r = int_tuple(reps, "nd.tile", "reps")
    x = array(data, "nd.tile")
    if len(r) > x.ndim:
        x = reshape_op(x, shape=(1,) * (len(r) - x.ndim) + x.shape)
    r = (1,) * (x.ndim - len(r)) + r
    result = tile_op(x, reps=r)
    return result if out is None else into(out, result, "nd.tile")


def repeat(data: NDArray, repeats: int, axis: int | None = None, *, out: NDArray | None = None) -> NDArray:
    """Repeat each element `repeats` times along `axis` (of the flattened array by default).

    >>> from tape import nd
    >>> nd.repeat(nd.array([[1, 2], [3, 4]]), repeats=2, axis=1)
    <BLANKLINE>
    [[1. 1. 2. 2.]
     [3. 3. 4. 4.]]
    <NDArray 2x4 @cpu(0)>
    """
    data = array(data, "nd.repeat")
    repeats = count(repeats, "nd.repeat", "repeats")
    if axis is None:
        result = repeat_op(reshape_op(data, shape=(data.size,)), repeats=repeats, axis=0)
        return result if out is None else into(out, result, "nd.repeat")
    result = repeat_op(data, repeats=repeats, axis=axis_index(data.ndim, axis, "nd.repeat"))
    return result if out is None else into(out, result, "nd.repeat")


def flip(data: NDArray, axis: Axes, *, out: NDArray | None = None) -> NDArray:
    """Reverse the order of the elements along `axis` (an int or a tuple).

    >>> from tape import nd
    >>> nd.flip(nd.array([[1, 2], [3, 4]]), axis=1)
    <BLANKLINE>
    [[2. 1.]
     [4. 3.]]
    <NDArray 2x2 @cpu(0)>
    """
    data = array(data, "nd.flip")
    result = flip_op(data, axis=axes_index(data.ndim, axis, "nd.flip"))
    return result if out is None else into(out, result, "nd.flip")


reverse = flip
