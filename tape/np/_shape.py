"""Shape functions of `tape.np` with NumPy's signatures, each one of `nd`'s primitives."""

from __future__ import annotations

import builtins
import itertools
import math
from collections.abc import Sequence
from typing import Any

import numpy as onp

from ..ops import join as _join
from ..ops import shape as _shapes
from ..ops._axes import axes_index, axis_index
from ._convert import array_arg, into
from ._ndarray import ndarray

__all__ = [
    "reshape", "ravel", "transpose", "swapaxes", "moveaxis", "expand_dims", "squeeze",
    "concatenate", "stack", "split", "tile", "repeat", "flip", "broadcast_to",
]  # fmt: skip

ShapeLike = int | Sequence[int]


def _array(a: Any, fname: str) -> ndarray:
    return a if a.__class__ is ndarray else array_arg(a, fname, "a")


def new_shape(size: int, shape: Any, fname: str = "reshape") -> tuple[int, ...]:
    """NumPy's `newshape` (ints, at most one -1) for `size` elements, checked."""
    if isinstance(shape, int | onp.integer):
        shape = (shape,)
    if not isinstance(shape, tuple | list) or not builtins.all(
        isinstance(n, int | onp.integer) for n in shape
    ):
        raise TypeError(f"np.{fname}: the new shape must be an int or a tuple of ints, not {shape!r}")
    dims = [int(n) for n in shape]
    unknown = [i for i, n in enumerate(dims) if n == -1]
    known = math.prod(n for n in dims if n != -1)
    if len(unknown) > 1 or builtins.any(n < -1 for n in dims):
        raise ValueError(f"np.{fname}: {tuple(shape)} is not a shape (one -1 at most, no other negatives)")
    if unknown and known and size % known == 0:
        dims[unknown[0]] = size // known
    if math.prod(dims) != size or (unknown and not known):
        raise ValueError(f"np.{fname}: cannot reshape an array of size {size} into shape {tuple(shape)}")
    return tuple(dims)


def reshape(a: Any, newshape: ShapeLike, order: str = "C") -> Any:
    """The same values in shape `newshape` (one -1 is inferred); differentiable.

    >>> from tape import np
    >>> np.reshape(np.arange(6), (2, -1))
    array([[0., 1., 2.],
           [3., 4., 5.]])
    """
    if order != "C":
        raise ValueError(f"np.reshape: tape arrays are C-ordered: order must be 'C', not {order!r}")
    x = _array(a, "reshape")
    return _shapes.reshape_op(x, shape=new_shape(x._data.size, newshape))


def ravel(a: Any, order: str = "C") -> Any:
    """The values as a 1-D array.

    >>> from tape import np
    >>> np.ravel(np.ones((2, 2)))
    array([1., 1., 1., 1.])
    """
    x = _array(a, "ravel")
    return reshape(x, (x._data.size,), order)


def transpose(a: Any, axes: Sequence[int] | None = None) -> Any:
    """The axes permuted by `axes` (reversed by default).

    >>> from tape import np
    >>> np.transpose(np.ones((2, 3, 4)), (1, 0, 2)).shape
    (3, 2, 4)
    """
    x = _array(a, "transpose")
    ndim = x._data.ndim
    if axes is None:
        perm = tuple(range(ndim))[::-1]
    else:
        perm = tuple(axis_index(ndim, i, "np.transpose") for i in axes)
        if sorted(perm) != list(range(ndim)):
            raise ValueError(f"np.transpose: axes {tuple(axes)} are not a permutation of {ndim} axes")
    return _shapes.transpose_op(x, axes=perm)


def swapaxes(a: Any, axis1: int, axis2: int) -> Any:
    """`a` with axes `axis1` and `axis2` exchanged.

    >>> from tape import np
    >>> np.swapaxes(np.ones((2, 3)), 0, 1).shape
    (3, 2)
    """
    x = _array(a, "swapaxes")
    perm = list(range(x._data.ndim))
    i, j = axis_index(len(perm), axis1, "np.swapaxes"), axis_index(len(perm), axis2, "np.swapaxes")
    perm[i], perm[j] = perm[j], perm[i]
    return _shapes.transpose_op(x, axes=tuple(perm))


def moveaxis(a: Any, source: int | Sequence[int], destination: int | Sequence[int]) -> Any:
    """`a` with the axes `source` moved to the positions `destination`, the others in order.

    >>> from tape import np
    >>> np.moveaxis(np.ones((2, 3, 4)), 0, -1).shape
    (3, 4, 2)
    """
    x = _array(a, "moveaxis")
    ndim = x._data.ndim
    src = [source] if isinstance(source, int | onp.integer) else list(source)
    dst = [destination] if isinstance(destination, int | onp.integer) else list(destination)
    if len(src) != len(dst):
        raise ValueError("np.moveaxis: source and destination must name the same number of axes")
    src = [axis_index(ndim, s, "np.moveaxis") for s in src]
    dst = [axis_index(ndim, d, "np.moveaxis") for d in dst]
    rest = [i for i in range(ndim) if i not in src]
    for d, s in sorted(zip(dst, src, strict=True)):
        rest.insert(d, s)
    return _shapes.transpose_op(x, axes=tuple(rest))


def expand_dims(a: Any, axis: int) -> Any:
    """`a` with a new axis of length 1 at `axis`.

    >>> from tape import np
    >>> np.expand_dims(np.ones(3), 0).shape
    (1, 3)
    """
    x = _array(a, "expand_dims")
    shape = list(x._data.shape)
    shape.insert(axis_index(len(shape) + 1, axis, "np.expand_dims"), 1)
    return _shapes.reshape_op(x, shape=tuple(shape))


def squeeze(a: Any, axis: int | Sequence[int] | None = None) -> Any:
    """`a` without its axes of length 1 (all of them, or those in `axis`); may be 0-d.

    >>> from tape import np
    >>> np.squeeze(np.ones((1, 3, 1))).shape, np.squeeze(np.ones((1, 1))).shape
    ((3,), ())
    """
    x = _array(a, "squeeze")
    shape = x._data.shape
    if axis is None:
        drop = {i for i, n in enumerate(shape) if n == 1}
    else:
        drop = set(axes_index(len(shape), axis, "np.squeeze"))
        for i in drop:
            if shape[i] != 1:
                raise ValueError(f"np.squeeze: axis {i} has length {shape[i]}; only length-1 axes can go")
    return _shapes.reshape_op(x, shape=tuple(n for i, n in enumerate(shape) if i not in drop))


def _arrays(seq: Any, fname: str) -> list[ndarray]:
    if isinstance(seq, ndarray) or not isinstance(seq, Sequence) or not seq:
        raise TypeError(f"np.{fname} takes a non-empty list or tuple of arrays")
    return [_array(x, fname) for x in seq]


def concatenate(seq: Sequence[Any], axis: int | None = 0, out: Any = None) -> Any:
    """The arrays of `seq` joined along an existing axis (flattened first with `axis=None`).

    >>> from tape import np
    >>> np.concatenate([np.ones((1, 2)), np.zeros((2, 2))]).shape
    (3, 2)
    """
    xs = _arrays(seq, "concatenate")
    if axis is None:
        xs = [ravel(x) for x in xs]
        axis = 0
    axis = axis_index(xs[0]._data.ndim, axis, "np.concatenate")
    for k, x in enumerate(xs[1:], 2):
        if x._data.ndim != xs[0]._data.ndim or builtins.any(
            p != q for i, (p, q) in enumerate(zip(x.shape, xs[0].shape, strict=True)) if i != axis
        ):
            raise ValueError(
                f"np.concatenate along axis {axis}: array {k} has shape {x.shape}, which does not "
                f"match the first array's {xs[0].shape} on the other axes"
            )
    return into(out, _join.concat_op(*xs, axis=axis), "concatenate")


def stack(arrays: Sequence[Any], axis: int = 0, out: Any = None) -> Any:
    """The arrays (all of one shape) joined along a new axis `axis`.

    >>> from tape import np
    >>> np.stack([np.ones(2), np.zeros(2)], axis=1)
    array([[1., 0.],
           [1., 0.]])
    """
    xs = _arrays(arrays, "stack")
    for k, x in enumerate(xs[1:], 2):
        if x.shape != xs[0].shape:
            raise ValueError(
                f"np.stack: array {k} has shape {x.shape}, the first {xs[0].shape}; all must match"
            )
    return into(out, _join.stack_op(*xs, axis=axis_index(xs[0]._data.ndim + 1, axis, "np.stack")), "stack")


def split(ary: Any, indices_or_sections: int | Sequence[int], axis: int = 0) -> list[Any]:
    """`ary` cut along `axis` into equal sections, or at the given indices.

    >>> from tape import np
    >>> np.split(np.arange(4), 2)
    [array([0., 1.]), array([2., 3.])]
    >>> np.split(np.arange(4), [1, 3])
    [array([0.]), array([1., 2.]), array([3.])]
    """
    x = _array(ary, "split")
    axis = axis_index(x._data.ndim, axis, "np.split")
    n = x._data.shape[axis]
    if isinstance(indices_or_sections, int | onp.integer):
        sections = int(indices_or_sections)
        if sections <= 0 or n % sections:
            raise ValueError(f"np.split: an axis of length {n} does not split into {sections} equal sections")
        return list(_join.split_op(x, num_outputs=sections, axis=axis, squeeze_axis=False))
    bounds = [0, *(builtins.min(int(i), n) for i in indices_or_sections), n]
    lead = (slice(None),) * axis
    keys = [(*lead, slice(lo, builtins.max(lo, hi))) for lo, hi in itertools.pairwise(bounds)]
    return [x[key] for key in keys]


def tile(A: Any, reps: int | Sequence[int]) -> Any:  # noqa: N803 - NumPy's name
    """`A` repeated `reps` times (per axis, with a tuple).

    >>> from tape import np
    >>> np.tile(np.array([1, 2]), 2)
    array([1., 2., 1., 2.])
    """
    x = _array(A, "tile")
    reps_t = (int(reps),) if isinstance(reps, int | onp.integer) else tuple(int(r) for r in reps)
    if len(reps_t) > x._data.ndim:  # NumPy's rule: the shorter of the two gets leading 1s
        x = _shapes.reshape_op(x, shape=(1,) * (len(reps_t) - x._data.ndim) + x.shape)  # type: ignore[assignment]
    return _join.tile_op(x, reps=(1,) * (x._data.ndim - len(reps_t)) + reps_t)


def repeat(a: Any, repeats: int, axis: int | None = None) -> Any:
    """Each element repeated `repeats` times (along `axis`; of the flattened array by default).

    >>> from tape import np
    >>> np.repeat(np.array([1, 2]), 2)
    array([1., 1., 2., 2.])
    """
    x = _array(a, "repeat")
    if not isinstance(repeats, int | onp.integer):
        raise TypeError(f"np.repeat: repeats must be an int, not {type(repeats).__name__}")
    if axis is None:
        x, axis = ravel(x), 0
    return _join.repeat_op(x, repeats=int(repeats), axis=axis_index(x._data.ndim, axis, "np.repeat"))


def flip(m: Any, axis: int | Sequence[int] | None = None) -> Any:
    """`m` with the order of elements reversed along `axis` (every axis by default).

    >>> from tape import np
    >>> np.flip(np.array([1, 2, 3]))
    array([3., 2., 1.])
    """
    x = _array(m, "flip")
    axes = tuple(range(x._data.ndim)) if axis is None else axes_index(x._data.ndim, axis, "np.flip")
    return _join.flip_op(x, axis=axes)


def broadcast_to(array: Any, shape: ShapeLike) -> Any:
    """`array` broadcast to `shape`; the gradient sums over the broadcast axes.

    >>> from tape import np
    >>> np.broadcast_to(np.array([1, 2]), (2, 2))
    array([[1., 2.],
           [1., 2.]])
    """
    x = _array(array, "broadcast_to")
    target = (int(shape),) if isinstance(shape, int | onp.integer) else tuple(int(n) for n in shape)
    try:
        fits = onp.broadcast_shapes(x._data.shape, target) == target
    except ValueError:
        fits = False
    if not fits:
        raise ValueError(f"np.broadcast_to: shape {x.shape} does not broadcast to {target}")
    return _shapes.broadcast_to_op(x, shape=target)
