"""Transposed convolution, as MXNet's `Deconvolution` (channels first: NCW, NCHW, NCDHW).

A deconvolution is the adjoint of a convolution of the same geometry: each input position
spreads `weight^T @ x` over the window a convolution would have read it from. It is written
with conv.py's primitives, `col2im` of one batched matrix product, so its derivatives of every
order are theirs: the gradient with respect to the data is a convolution (im2col, col2im's
adjoint), with respect to the weight a correlation.
"""

from __future__ import annotations

import math
import operator
from typing import Any

import numpy as np

from .._args import array, int_tuple, wrong_type
from ..creation import into
from ..errors import ArgumentError
from ..ndarray import NDArray
from .conv import Geometry, _check_weights, _kernel, _layout, _per_axis, col2im_op
from .linalg import batch_dot_op
from .shape import reshape_op, transpose_op

__all__ = ["Deconvolution"]

_WHERE = "nd.Deconvolution"


def whole(value: Any, where: str, arg: str, least: int) -> int:
    """An int argument (not a bool), `least` or more: a count, a length, a scale."""
    if not isinstance(value, int | np.integer) or isinstance(value, bool):
        raise wrong_type(where, arg, f"an int, {least} or more", value)
    n = operator.index(value)
    if n < least:
        raise ArgumentError(f"{where}: {arg} must be {least} or more, not {n}")
    return n


def _target(target_shape: Any, nk: int) -> tuple[int, ...] | None:
    """The spatial output lengths asked for, or None: MXNet reads `target_shape` only when it
    has a length that is not 0."""
    got = int_tuple(target_shape, _WHERE, "target_shape")
    if not any(got):
        return None
    if len(got) != nk or any(t < 1 for t in got):
        raise ArgumentError(
            f"{_WHERE}: target_shape must give {nk} lengths, each 1 or more (one per spatial axis), not {got}"
        )
    return got


def _output_geometry(
    spatial: tuple[int, ...],
    kernel: tuple[int, ...],
    stride: Any,
    dilate: Any,
    pad: Any,
    adj: Any,
    target_shape: Any,
) -> tuple[Geometry, tuple[int, ...]]:
    """The geometry of the convolution that this deconvolution is the adjoint of (its windows
    are the input's positions), and the output's spatial lengths."""
    nk = len(kernel)
    strides = _per_axis(stride, nk, 1, 1, _WHERE, "stride")
    dilates = _per_axis(dilate, nk, 1, 1, _WHERE, "dilate")
    pads = _per_axis(pad, nk, 0, 0, _WHERE, "pad")
    adjs = _per_axis(adj, nk, 0, 0, _WHERE, "adj")
    # The full length: every tap of every window, before the padding is cut off.
    full = [
        s * (n - 1) + d * (k - 1) + 1 for n, k, s, d in zip(spatial, kernel, strides, dilates, strict=True)
    ]
    target = _target(target_shape, nk)
    if target is not None:
        # As MXNet: `pad` and `adj` are ignored and chosen to give the target, the odd one cut at the end.
        if any(t > f for t, f in zip(target, full, strict=True)):
            raise ArgumentError(
                f"{_WHERE}: target_shape {target} is longer than the output can be ({tuple(full)} for "
                f"this input, kernel, stride and dilate): give a smaller one"
            )
        pads = tuple((f - t + 1) // 2 for f, t in zip(full, target, strict=True))
        adjs = tuple((f - t) % 2 for f, t in zip(full, target, strict=True))
    elif any(a >= s for a, s in zip(adjs, strides, strict=True)):
        raise ArgumentError(f"{_WHERE}: each entry of adj must be less than its stride {strides}, not {adjs}")
    out = tuple(f - 2 * p + a for f, p, a in zip(full, pads, adjs, strict=True))
    if any(o < 1 for o in out):
        raise ArgumentError(
            f"{_WHERE}: pad={pads} cuts the whole output away (lengths {out}): give a smaller pad"
        )
    return Geometry(kernel, strides, dilates, pads, spatial), out


def Deconvolution(  # noqa: N802 - MXNet's name
    data: NDArray,
    weight: NDArray,
    bias: NDArray | None = None,
    kernel: Any = (),
    stride: Any = (),
    dilate: Any = (),
    pad: Any = (),
    adj: Any = (),
    target_shape: Any = (),
    num_filter: int | None = None,
    num_group: int = 1,
    workspace: int = 512,
    no_bias: bool = True,
    cudnn_tune: str | None = None,
    cudnn_off: bool = False,
    layout: str | None = None,
    *,
    out: NDArray | None = None,
) -> NDArray:
    """A transposed convolution (the adjoint of `Convolution`, "fractionally strided"): `data` of
    shape (N, C, *spatial) with 1 to 3 spatial axes, `weight` of shape (C, num_filter / num_group,
    *kernel) (input channels first, as in MXNet), `bias` of shape (num_filter,) only with
    `no_bias=False` (MXNet's default is `no_bias=True`).

    `stride`, `dilate` and `pad` are those of the convolution it reverses; the output has shape
    (N, num_filter, *out) with `out = stride * (n - 1) + dilate * (kernel - 1) + 1 - 2 * pad + adj`
    on each axis, `adj` (less than `stride`) adding positions at the end. Given `target_shape`
    (the output's spatial lengths), `pad` and `adj` are ignored and chosen to give it, as MXNet
    does. `workspace`, `cudnn_tune` and `cudnn_off` change nothing; `layout` may only name the
    channels-first layout.

    >>> from tape import nd
    >>> nd.Deconvolution(nd.array([[[[1, 2], [3, 4]]]]), nd.ones((1, 1, 2, 2)), kernel=(2, 2), num_filter=1)
    <BLANKLINE>
    [[[[ 1.  3.  2.]
       [ 4. 10.  6.]
       [ 3.  7.  4.]]]]
    <NDArray 1x1x3x3 @cpu(0)>
    >>> nd.Deconvolution(nd.ones((2, 4, 5, 5)), nd.ones((4, 3, 3, 3)), kernel=(3, 3), stride=(2, 2),
    ...                  pad=(1, 1), adj=(1, 1), num_filter=6, num_group=2).shape
    (2, 6, 10, 10)
    """
    data, weight = array(data, _WHERE), array(weight, _WHERE, "weight")
    k = _kernel(kernel, data, _WHERE)
    _layout(layout, len(k), _WHERE)
    if num_filter is None:
        raise ArgumentError(f"{_WHERE}: num_filter is required: the number of output channels")
    filters = whole(num_filter, _WHERE, "num_filter", 1)
    groups = whole(num_group, _WHERE, "num_group", 1)
    if no_bias and bias is not None:
        raise ArgumentError(f"{_WHERE}: bias is given but no_bias=True (the default): pass no_bias=False")
    if not no_bias and bias is None:
        raise ArgumentError(f"{_WHERE}: bias is required with no_bias=False: pass bias=... or no_bias=True")
    b = None if bias is None else array(bias, _WHERE, "bias")
    _check_weights(data, weight, b, k, filters, groups, _WHERE, transposed=True)
    geom, spatial = _output_geometry(data.shape[2:], k, stride, dilate, pad, adj, target_shape)
    result = _deconvolve(data, weight, b, geom, groups, (data.shape[0], filters, *spatial))
    return result if out is None else into(out, result, _WHERE)


def _deconvolve(
    data: NDArray, weight: NDArray, bias: NDArray | None, geom: Geometry, groups: int, shape: tuple[int, ...]
) -> NDArray:
    n, channels = data.shape[:2]
    filters, nk = shape[1], len(geom.kernel)
    taps = filters // groups * math.prod(geom.kernel)
    x = transpose_op(data, axes=(1, 0, *range(2, 2 + nk)))  # (C, N, *in): the columns' order
    x = reshape_op(x, shape=(groups, channels // groups, n * math.prod(geom.out)))
    w = reshape_op(weight, shape=(groups, channels // groups, taps))
    cols = batch_dot_op(w, x, transpose_a=True, transpose_b=False)  # (groups, taps, N * in)
    cols = reshape_op(cols, shape=(filters, *geom.kernel, n, *geom.out))
    y = col2im_op(cols, geom=geom, shape=shape)
    if bias is not None:
        y = y + reshape_op(bias, shape=(1, filters) + (1,) * nk)
    return y
