"""Running sums, moments and counts: cumsum, nanprod, moments, histogram; and the index helpers
ravel_multi_index, unravel_index, shape_array, size_array.

cumsum, nanprod and moments are compositions of differentiable primitives (any order); the
counts and indices are outside the graph, as in MXNet.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from .._args import array, int_tuple, wrong_type
from .._primitive import Primitive
from .._xp import asarray
from ..creation import into
from ..errors import ArgumentError
from ..ndarray import NDArray
from . import arith, indexing, reduction
from ._axes import axes_index, axis_index
from .elementwise import DEFAULT_FLOAT
from .reduction import Axis, axes_of, cumsum_op, mean_op
from .shape import cast_op, reshape_op

__all__ = [
    "cumsum", "nanprod", "moments", "histogram", "ravel_multi_index", "unravel_index", "shape_array",
    "size_array",
]  # fmt: skip


def cumsum(a: NDArray, axis: int | None = None, dtype: Any = None, *, out: NDArray | None = None) -> NDArray:
    """The running sum along `axis` (of the flattened array when `axis` is None), in `dtype` if
    given, else in the dtype of `a` (integers stay integers, as MXNet's).

    >>> from tape import nd
    >>> nd.cumsum(nd.array([[1, 5, 3], [4, 2, 6]]), axis=1)
    <BLANKLINE>
    [[ 1.  6.  9.]
     [ 4.  6. 12.]]
    <NDArray 2x3 @cpu(0)>
    """
    x = array(a, "nd.cumsum", "a")
    if dtype is not None:
        x = x.astype(dtype)
    if axis is None:
        x, ax = reshape_op(x, shape=(x.size,)), 0
    else:
        ax = axis_index(x.ndim, axis, "nd.cumsum")
    result = cumsum_op(x, axis=ax)
    if result._data.dtype != x._data.dtype:  # NumPy sums small integers in int64
        result = cast_op(result, dtype=x._data.dtype)
    return result if out is None else into(out, result, "nd.cumsum")


def nanprod(
    data: NDArray,
    axis: Axis = None,
    keepdims: bool = False,
    exclude: bool = False,
    *,
    out: NDArray | None = None,
) -> NDArray:
    """Product over `axis` (all axes by default), counting NaNs as one (they get a zero
    gradient); exact gradients also where values are 0.

    >>> from tape import nd
    >>> nd.nanprod(nd.array([[1, float("nan")], [2, 3]]), axis=1)
    <BLANKLINE>
    [1. 6.]
    <NDArray 2 @cpu(0)>
    """
    x = array(data, "nd.nanprod")
    axes = axes_of(x.ndim, axis, exclude, "nd.nanprod")
    y = reduction.product(indexing.where(arith.equal_op(x, x), x, 1.0), axes, keepdims)
    result = y if y.ndim else reshape_op(y, shape=(1,))
    return result if out is None else into(out, result, "nd.nanprod")


def moments(data: NDArray, axes: Axis = None, keepdims: bool = False) -> list[NDArray]:
    """The mean and the (biased) variance over `axes`, as the list `[mean, var]`. `axes=None` (or
    `()`) means every axis (MXNet refuses it and asks for them all).

    >>> from tape import nd
    >>> mean, var = nd.moments(nd.array([[1, 5, 3], [4, 2, 6]]), axes=1)
    >>> print(mean.asnumpy(), var.asnumpy())
    [3. 4.] [2.6666667 2.6666667]
    """
    x = array(data, "nd.moments")
    if x._data.dtype.kind not in "fc":  # a mean of integers is not an integer: in float32
        x = x.astype(DEFAULT_FLOAT)
    if axes is None or (isinstance(axes, tuple | list) and not axes):
        chosen = tuple(range(x.ndim))
    else:
        chosen = axes_index(x.ndim, axes, "nd.moments", "axes")
    count = math.prod(x.shape[a] for a in chosen)
    if count == 0:
        raise ArgumentError(
            f"nd.moments: axes {chosen} of shape {x.shape} hold no elements: their mean is undefined"
        )
    mean = mean_op(x, axes=chosen, keepdims=True, count=count)
    var = mean_op((x - mean) ** 2, axes=chosen, keepdims=keepdims, count=count)
    if not keepdims:
        kept = tuple(n for i, n in enumerate(x.shape) if i not in chosen) or (1,)
        mean = reshape_op(mean, shape=kept)
    return [mean, var]


# ---- counts and indices: outside the graph -------------------------------------------------------
def histogram(
    a: NDArray,
    bins: int | NDArray = 10,
    range: tuple[float, float] | None = None,  # noqa: A002 - MXNet's name
) -> tuple[NDArray, NDArray]:
    """The counts of the values of `a` in `bins` (a number of equal bins over `range`, by
    default from the minimum to the maximum, or an array of bin edges), and the bin edges.
    A value on the last edge counts in the last bin, as in NumPy. The counts are float32 for a
    number of bins without `range`, else int64 (MXNet's dtypes); not differentiable.

    >>> from tape import nd
    >>> counts, edges = nd.histogram(nd.array([0, 1, 1, 2, 3, 5]), bins=3, range=(0, 3))
    >>> print(counts.asnumpy(), edges.asnumpy())
    [1 2 2] [0. 1. 2. 3.]
    """
    x = array(a, "nd.histogram", "a")._data
    float_type = x.dtype if x.dtype.kind == "f" else DEFAULT_FLOAT
    if isinstance(bins, NDArray | np.ndarray):
        edges = array(bins, "nd.histogram", "bins")._data
        if edges.ndim != 1 or edges.size < 2 or np.any(np.diff(edges) < 0):
            raise ArgumentError("nd.histogram: bins as an array must be at least 2 rising bin edges")
        counts, _ = np.histogram(x, edges)
        return NDArray(counts.astype(np.int64)), NDArray(edges.astype(float_type))
    if not isinstance(bins, int | np.integer) or isinstance(bins, bool) or bins < 1:
        raise wrong_type(
            "nd.histogram", "bins", "a number of bins, an int of 1 or more, or an array of edges", bins
        )
    if range is not None:
        if not (isinstance(range, tuple | list) and len(range) == 2 and range[0] <= range[1]):
            raise ArgumentError(
                f"nd.histogram: range must be a pair (low, high) with low <= high, not {range!r}"
            )
        counts, edges64 = np.histogram(x, int(bins), (float(range[0]), float(range[1])))
        return NDArray(counts.astype(np.int64)), NDArray(edges64.astype(float_type))
    counts, edges64 = np.histogram(x, int(bins))
    return NDArray(counts.astype(np.float32)), NDArray(edges64.astype(float_type))


def _whole(data: Any, where: str) -> tuple[np.ndarray, NDArray]:
    """The indices in `data` as int64, and `data` itself (whose dtype the result keeps)."""
    x = array(data, where)
    idx = x._data.astype(np.int64)
    if x._data.dtype.kind not in "iub" and not np.array_equal(idx, x._data):
        raise ArgumentError(f"{where}: data must hold whole numbers (indices), not {x._data.ravel()[:4]}")
    return idx, x


def _dims(shape: Any, where: str) -> tuple[int, ...]:
    dims = int_tuple(shape, where)
    if not dims or any(n < 1 for n in dims):
        raise ArgumentError(f"{where}: shape {dims} must have at least one axis, each of length 1 or more")
    return dims


ravel_op: Primitive = Primitive(
    "ravel_multi_index",
    lambda raw, idx, dims: np.ravel_multi_index(tuple(idx), dims).astype(raw.dtype),
    differentiable=False,
)
unravel_op: Primitive = Primitive(
    "unravel_index",
    lambda raw, idx, dims: np.stack(np.unravel_index(idx, dims)).astype(raw.dtype),
    differentiable=False,
)


def ravel_multi_index(data: NDArray, shape: Sequence[int], *, out: NDArray | None = None) -> NDArray:
    """The flat (row-major) positions in an array of `shape` of the multi-indices that are the
    columns of `data`, of shape (len(shape), N); in the dtype of `data`. An index out of range
    raises (MXNet returns a position outside the array).

    >>> from tape import nd
    >>> nd.ravel_multi_index(nd.array([[3, 6, 6], [4, 5, 1]]), shape=(7, 6))
    <BLANKLINE>
    [22. 41. 37.]
    <NDArray 3 @cpu(0)>
    """
    where = "nd.ravel_multi_index"
    dims = _dims(shape, where)
    idx, x = _whole(data, where)
    if idx.ndim != 2 or idx.shape[0] != len(dims):
        raise ArgumentError(
            f"{where}: data of shape {idx.shape} must have shape ({len(dims)}, N), one row per axis of {dims}"
        )
    # CuPy compares an array with arrays and numbers, not with a tuple: dims as an array there.
    if idx.size and (np.any(idx < 0) or np.any(idx.max(axis=1) >= asarray(dims, like=idx))):
        raise ArgumentError(f"{where}: an index in data is out of range for shape {dims}")
    result = ravel_op(x, idx=idx, dims=dims)
    return result if out is None else into(out, result, where)


def unravel_index(data: NDArray, shape: Sequence[int], *, out: NDArray | None = None) -> NDArray:
    """The multi-indices in an array of `shape` of the flat (row-major) positions in `data`: of
    shape ``(len(shape),) + data.shape``, in the dtype of `data`. A position out of range raises.

    >>> from tape import nd
    >>> nd.unravel_index(nd.array([22, 41, 37]), shape=(7, 6))
    <BLANKLINE>
    [[3. 6. 6.]
     [4. 5. 1.]]
    <NDArray 2x3 @cpu(0)>
    """
    where = "nd.unravel_index"
    dims = _dims(shape, where)
    idx, x = _whole(data, where)
    if idx.size and (idx.min() < 0 or idx.max() >= math.prod(dims)):
        raise ArgumentError(
            f"{where}: a position in data is out of range for shape {dims} ({math.prod(dims)} elements)"
        )
    result = unravel_op(x, idx=idx, dims=dims)
    return result if out is None else into(out, result, where)


def shape_array(data: NDArray, *, out: NDArray | None = None) -> NDArray:
    """The shape of `data` as a 1-D int64 array.

    >>> from tape import nd
    >>> nd.shape_array(nd.zeros((2, 3)))
    <BLANKLINE>
    [2 3]
    <NDArray 2 @cpu(0)>
    """
    x = array(data, "nd.shape_array")._data
    result = NDArray(asarray(x.shape, like=x, dtype=np.int64))  # on the device of data, as MXNet
    return result if out is None else into(out, result, "nd.shape_array")


def size_array(data: NDArray, *, out: NDArray | None = None) -> NDArray:
    """The number of elements of `data` as an int64 array of shape (1,).

    >>> from tape import nd
    >>> nd.size_array(nd.zeros((2, 3)))
    <BLANKLINE>
    [6]
    <NDArray 1 @cpu(0)>
    """
    x = array(data, "nd.size_array")._data
    result = NDArray(asarray([x.size], like=x, dtype=np.int64))
    return result if out is None else into(out, result, "nd.size_array")
