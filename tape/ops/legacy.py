"""The names MXNet 1.9.1 deprecates but still has, with their own signatures: BatchNorm_v1,
Pooling_v1, Crop, concatenate, onehot_encode, SoftmaxActivation, fill_element_0index.

Each is a thin wrapper over the op that replaced it (and so as differentiable as it); the
deprecated names with the same signature as their replacement (`Convolution_v1`, `Pad`, `crop`,
`choose_element_0index`) are aliases, in tape/nd.py.
"""

from __future__ import annotations

import operator
from collections.abc import Sequence
from typing import Any

import numpy as np

from .._args import array, int_tuple, wrong_type
from .._xp import arange
from ..creation import into
from ..errors import ArgumentError
from ..ndarray import NDArray
from . import conv, indexing, join, layers, nn
from ._axes import axis_index
from .indexing import getitem_op, where_op
from .shape import cast_op, copy_op, reshape_op

__all__ = [
    "BatchNorm_v1", "Pooling_v1", "Crop", "concatenate", "onehot_encode", "SoftmaxActivation",
    "fill_element_0index",
]  # fmt: skip


def _out(out: Any, where: str) -> None:
    if out is not None and not isinstance(out, NDArray):
        raise wrong_type(where, "out", "an NDArray (or None)", out)


def BatchNorm_v1(  # noqa: N802 - MXNet's name
    data: NDArray,
    gamma: NDArray,
    beta: NDArray,
    eps: float = 1e-3,
    momentum: float = 0.9,
    fix_gamma: bool = True,
    use_global_stats: bool = False,
    output_mean_var: bool = False,
    *,
    moving_mean: NDArray | None = None,
    moving_var: NDArray | None = None,
    out: NDArray | None = None,
) -> NDArray:
    """`BatchNorm` over axis 1 under its old name and signature, without the moving statistics
    among the arguments: give them as `moving_mean=` and `moving_var=` (updated in place in
    training mode), or leave them out for fresh ones, zeros and ones (MXNet 1.9.1's
    `nd.BatchNorm_v1` cannot be called: it asks for five arrays and takes three).

    >>> from tape import autograd, nd
    >>> with autograd.train_mode():
    ...     nd.BatchNorm_v1(nd.array([[1, 2], [3, 6]]), nd.ones((2,)), nd.zeros((2,)), eps=0)
    <BLANKLINE>
    [[-1. -1.]
     [ 1.  1.]]
    <NDArray 2x2 @cpu(0)>
    """
    where = "nd.BatchNorm_v1"
    x = array(data, where)
    g, b = array(gamma, where, "gamma"), array(beta, where, "beta")
    _out(out, where)
    if x.ndim < 2:
        raise ArgumentError(f"{where}: data of shape {x.shape} has no axis 1 of channels")
    c = x.shape[1]
    # Fresh statistics on the device of data (`*_like` dispatches to CuPy for GPU data).
    d = x._data
    mm = (
        NDArray(np.zeros_like(d, shape=c))
        if moving_mean is None
        else array(moving_mean, where, "moving_mean")
    )
    mv = NDArray(np.ones_like(d, shape=c)) if moving_var is None else array(moving_var, where, "moving_var")
    result = layers.BatchNorm(x, g, b, mm, mv, eps, momentum, fix_gamma, use_global_stats, output_mean_var)
    return result if out is None else into(out, result, where)


def Pooling_v1(  # noqa: N802 - MXNet's name
    data: NDArray,
    kernel: Any = (),
    pool_type: str = "max",
    global_pool: bool = False,
    pooling_convention: str = "valid",
    stride: Any = (),
    pad: Any = (),
    *,
    out: NDArray | None = None,
) -> NDArray:
    """`Pooling` under its old name and argument order (`pooling_convention` before `stride`).

    >>> from tape import nd
    >>> nd.Pooling_v1(nd.arange(16).reshape((1, 1, 4, 4)), kernel=(2, 2), stride=(2, 2), pool_type="max")
    <BLANKLINE>
    [[[[ 5.  7.]
       [13. 15.]]]]
    <NDArray 1x1x2x2 @cpu(0)>
    """
    x = array(data, "nd.Pooling_v1")
    _out(out, "nd.Pooling_v1")
    result = conv.Pooling(
        x, kernel, pool_type, global_pool, pooling_convention=pooling_convention, stride=stride, pad=pad
    )
    return result if out is None else into(out, result, "nd.Pooling_v1")


def Crop(  # noqa: N802 - MXNet's name
    *data: NDArray,
    offset: Sequence[int] = (0, 0),
    h_w: Sequence[int] = (0, 0),
    num_args: int | None = None,
    center_crop: bool = False,
    out: NDArray | None = None,
) -> NDArray:
    """A window of height and width `h_w` of `data[0]`, of shape (N, C, H, W), or of the height
    and width of a second array when one is given; at `offset` (top, left), or in the centre
    with `center_crop=True`. Differentiable. (`slice`, or `crop`, cuts any axes.)

    >>> from tape import nd
    >>> x = nd.arange(20).reshape((1, 1, 4, 5))
    >>> nd.Crop(x, h_w=(2, 3), center_crop=True)
    <BLANKLINE>
    [[[[ 6.  7.  8.]
       [11. 12. 13.]]]]
    <NDArray 1x1x2x3 @cpu(0)>
    """
    where = "nd.Crop"
    arrays = [array(d, where, f"data[{k}]") for k, d in enumerate(data)]
    _out(out, where)
    if not 1 <= len(arrays) <= 2 or (num_args is not None and num_args != len(arrays)):
        raise ArgumentError(f"{where} takes one array and h_w, or two arrays (num_args=2), not {len(arrays)}")
    x = arrays[0]
    if x.ndim != 4:
        raise ArgumentError(f"{where}: data[0] must be 4-D, (N, C, H, W), not shape {x.shape}")
    h, w = arrays[1].shape[2:4] if len(arrays) == 2 else int_tuple(h_w, where, "h_w")
    top, left = int_tuple(offset, where, "offset")
    if center_crop:
        top, left = (x.shape[2] - h) // 2, (x.shape[3] - w) // 2
    if min(h, w, top, left) < 0 or (h, w) == (0, 0) or top + h > x.shape[2] or left + w > x.shape[3]:
        raise ArgumentError(
            f"{where}: a window of {h}x{w} at offset ({top}, {left}) does not fit in data of shape {x.shape}"
        )
    result = getitem_op(x, key=(slice(None), slice(None), slice(top, top + h), slice(left, left + w)))
    return result if out is None else into(out, result, where)


def concatenate(arrays: Sequence[NDArray], axis: int = 0, always_copy: bool = True) -> NDArray:
    """Join a list of arrays along `axis` (axis 0 by default). One array comes back itself
    with `always_copy=False`, else as a copy. (`concat` takes the arrays as arguments.)

    >>> from tape import nd
    >>> nd.concatenate([nd.ones((1, 2)), nd.zeros((2, 2))]).shape
    (3, 2)
    """
    where = "nd.concatenate"
    if not isinstance(arrays, list | tuple) or not arrays:
        raise wrong_type(where, "arrays", "a non-empty list of NDArrays", arrays)
    xs = [array(a, where, f"arrays[{k}]") for k, a in enumerate(arrays)]
    ax = axis_index(xs[0].ndim, axis, where)
    if len(xs) == 1:
        return xs[0] if not always_copy else copy_op(xs[0])
    return join.concat(*xs, dim=ax)


def onehot_encode(indices: NDArray, out: NDArray) -> NDArray:
    """Write the one-hot rows of `indices` into `out`, of shape (len(indices), depth), and
    return it; an index outside `[0, depth)` gives a row of zeros. (`one_hot` makes a new array.)

    >>> from tape import nd
    >>> nd.onehot_encode(nd.array([1, 0, 3]), nd.zeros((3, 4)))
    <BLANKLINE>
    [[0. 1. 0. 0.]
     [1. 0. 0. 0.]
     [0. 0. 0. 1.]]
    <NDArray 3x4 @cpu(0)>
    """
    idx = array(indices, "nd.onehot_encode", "indices")
    if not isinstance(out, NDArray):
        raise wrong_type("nd.onehot_encode", "out", "an NDArray, which receives the result", out)
    if out.ndim != 2 or idx.shape != out.shape[:1]:
        raise ArgumentError(
            f"nd.onehot_encode: out of shape {out.shape} must be (N, depth) for indices of shape "
            f"{idx.shape}, (N,)"
        )
    hot = indexing.one_hot(idx, out.shape[1], dtype=out._data.dtype)
    return into(out, hot, "nd.onehot_encode")


def SoftmaxActivation(data: NDArray, mode: str = "instance", *, out: NDArray | None = None) -> NDArray:  # noqa: N802
    """`softmax` under its old name: along the last axis (`mode='instance'`) or along axis 1, the
    channels (`mode='channel'`).

    >>> from tape import nd
    >>> nd.SoftmaxActivation(nd.array([[1, 1], [0, 2]]))
    <BLANKLINE>
    [[0.5        0.5       ]
     [0.11920292 0.880797  ]]
    <NDArray 2x2 @cpu(0)>
    """
    x = array(data, "nd.SoftmaxActivation")
    if mode not in ("instance", "channel"):
        raise ArgumentError(f"nd.SoftmaxActivation: mode must be 'instance' or 'channel', not {mode!r}")
    if mode == "channel" and x.ndim < 2:
        raise ArgumentError(
            f"nd.SoftmaxActivation: mode='channel' needs an axis 1, but data has shape {x.shape}"
        )
    _out(out, "nd.SoftmaxActivation")
    result = nn.softmax(x, axis=-1 if mode == "instance" else 1)
    return result if out is None else into(out, result, "nd.SoftmaxActivation")


def fill_element_0index(lhs: NDArray, mhs: NDArray, rhs: NDArray, *, out: NDArray | None = None) -> NDArray:
    """A copy of the matrix `lhs` with `mhs[i]` at `[i, rhs[i]]` in each row `i`; a row whose
    index is out of range stays as it is. Differentiable in `lhs` and `mhs` (not in MXNet).

    >>> from tape import nd
    >>> nd.fill_element_0index(nd.array([[1, 2, 3], [1, 5, 0]]), nd.array([9, 8]), nd.array([2, 0]))
    <BLANKLINE>
    [[1. 2. 9.]
     [8. 5. 0.]]
    <NDArray 2x3 @cpu(0)>
    """
    where = "nd.fill_element_0index"
    x = array(lhs, where, "lhs")
    values = array(mhs, where, "mhs")
    idx = array(rhs, where, "rhs")._data
    _out(out, where)
    if x.ndim != 2 or values.shape != x.shape[:1] or idx.shape != x.shape[:1]:
        raise ArgumentError(
            f"{where}: lhs must be a matrix (N, M) and mhs and rhs vectors (N,), not shapes {x.shape}, "
            f"{values.shape} and {idx.shape}"
        )
    positions = idx.astype(np.int64)
    if idx.dtype.kind == "f" and not np.array_equal(positions, idx):
        raise ArgumentError(f"{where}: rhs must hold whole numbers (column indices)")
    hit = positions[:, None] == arange(x.shape[1], like=positions)  # no hit for an index out of range
    if values._data.dtype != x._data.dtype:
        values = cast_op(values, dtype=x._data.dtype)
    result = where_op(NDArray(hit), reshape_op(values, shape=(operator.index(x.shape[0]), 1)), x)
    return result if out is None else into(out, result, where)
