"""Layers for images, as MXNet's `UpSampling`, `im2col`, `col2im`, `depth_to_space`,
`space_to_depth` and `Correlation` (channels first: NCHW).

None needs a primitive of its own. `im2col` and `col2im` are conv.py's primitives (each the
other's adjoint) with MXNet's public layout; nearest upsampling is `repeat`, bilinear
upsampling a grouped `Deconvolution`; the block moves are a reshape, a transpose and a
reshape; a correlation is products of shifted slices summed over channels and then over each
window (conv.py's im2col). So every derivative, of every order, is that of the composition.
"""

from __future__ import annotations

import math
from typing import Any

from .._args import array, int_tuple
from ..creation import into
from ..errors import ArgumentError
from ..ndarray import NDArray
from .conv import Geometry, _geometry, _kernel, col2im_op, im2col_op
from .deconv import Deconvolution, whole
from .elementwise import DEFAULT_FLOAT, abs_op
from .join import concat, repeat_op, stack
from .layout import pad_constant_op
from .reduction import sum_op
from .shape import cast_op, reshape_op, transpose_op

__all__ = ["UpSampling", "im2col", "col2im", "depth_to_space", "space_to_depth", "Correlation"]


# ---- arguments -------------------------------------------------------------------------------
def four_axes(x: NDArray, where: str, arg: str = "data") -> None:
    """Refuse an array that is not a batch of images, (N, C, H, W), as MXNet does."""
    if x.ndim != 4:
        raise ArgumentError(f"{where}: {arg} must have 4 axes (N, C, H, W), got shape {x.shape}")


def floating(x: NDArray) -> NDArray:
    """`x`, or an integer or bool array as float32: a sample or a correlation is never an integer."""
    return x if x._data.dtype.kind in "fc" else cast_op(x, dtype=DEFAULT_FLOAT)


# ---- UpSampling ------------------------------------------------------------------------------
_SAMPLE_TYPES = ("nearest", "bilinear")
_MULTI_INPUT_MODES = ("concat", "sum")


def UpSampling(  # noqa: N802 - MXNet's name
    *data: NDArray,
    scale: int | None = None,
    num_filter: int = 0,
    sample_type: str | None = None,
    multi_input_mode: str = "concat",
    num_args: int | None = None,
    workspace: int = 512,
    out: NDArray | None = None,
) -> NDArray:
    """Enlarge images of shape (N, C, H, W) `scale` times along H and W.

    `sample_type='nearest'` repeats each pixel `scale` times along both axes. Given several
    arrays, the first is enlarged `scale` times and each other one to the same size (its
    height and width must divide it), then all are joined along the channels
    (`multi_input_mode='concat'`, the default) or added (`'sum'`, same channels).

    `sample_type='bilinear'`, as in MXNet, takes two arrays, `data` and a `weight` of shape
    (C, 1, k, k) with `k = 2 * scale - scale % 2`, and `num_filter=C`: it is the grouped
    `Deconvolution(data, weight, kernel=(k, k), stride=(scale, scale), pad=(p, p),
    num_filter=C, num_group=C)` with `p = ceil((scale - 1) / 2)`. The weight is a parameter (its
    gradient is computed): fill it with a bilinear kernel for bilinear interpolation.
    `num_args`, if given, must be the number of arrays; `workspace` changes nothing.

    >>> from tape import nd
    >>> nd.UpSampling(nd.array([[[[1, 2], [3, 4]]]]), scale=2, sample_type="nearest")
    <BLANKLINE>
    [[[[1. 1. 2. 2.]
       [1. 1. 2. 2.]
       [3. 3. 4. 4.]
       [3. 3. 4. 4.]]]]
    <NDArray 1x1x4x4 @cpu(0)>
    """
    where = "nd.UpSampling"
    arrays = [array(x, where) for x in data]
    if sample_type not in _SAMPLE_TYPES:
        raise ArgumentError(f"{where}: sample_type must be one of {list(_SAMPLE_TYPES)}, not {sample_type!r}")
    if multi_input_mode not in _MULTI_INPUT_MODES:
        raise ArgumentError(
            f"{where}: multi_input_mode must be one of {list(_MULTI_INPUT_MODES)}, not {multi_input_mode!r}"
        )
    if scale is None:
        raise ArgumentError(f"{where}: scale is required: how many times to enlarge H and W")
    s = whole(scale, where, "scale", 1)
    if not arrays:
        raise ArgumentError(f"{where}: give at least one array to upsample")
    if num_args is not None and whole(num_args, where, "num_args", 1) != len(arrays):
        raise ArgumentError(f"{where}: num_args={num_args}, but {len(arrays)} arrays are given")
    for x in arrays:
        four_axes(x, where)
    if sample_type == "bilinear":
        result = _bilinear(arrays, s, num_filter, where)
    else:
        result = _nearest(arrays, s, multi_input_mode, where)
    return result if out is None else into(out, result, where)


def _nearest(arrays: list[NDArray], scale: int, mode: str, where: str) -> NDArray:
    height, width = arrays[0].shape[2] * scale, arrays[0].shape[3] * scale
    grown = []
    for k, x in enumerate(arrays):
        h, w = x.shape[2:]
        if height % h or width % w:
            raise ArgumentError(
                f"{where}: array {k + 1} has height and width {(h, w)}, which must divide the output's "
                f"{(height, width)} (the first array's times scale)"
            )
        grown.append(repeat_op(repeat_op(x, repeats=height // h, axis=2), repeats=width // w, axis=3))
    if mode == "concat":
        return grown[0] if len(grown) == 1 else concat(*grown, dim=1)
    if any(x.shape != grown[0].shape for x in grown):
        raise ArgumentError(
            f"{where}: multi_input_mode='sum' adds the arrays: each needs the first's channels, "
            f"not {[x.shape[1] for x in arrays]}"
        )
    total = grown[0]
    for x in grown[1:]:
        total = total + x
    return total


def _bilinear(arrays: list[NDArray], scale: int, num_filter: Any, where: str) -> NDArray:
    if len(arrays) != 2:
        raise ArgumentError(
            f"{where}: sample_type='bilinear' takes two arrays, data and weight (a Deconvolution's), "
            f"not {len(arrays)}: for several inputs use sample_type='nearest'"
        )
    data, weight = arrays
    channels, k = data.shape[1], 2 * scale - scale % 2
    if whole(num_filter, where, "num_filter", 0) != channels:
        raise ArgumentError(
            f"{where}: sample_type='bilinear' needs num_filter={channels}, the channels of data, "
            f"not {num_filter}"
        )
    if weight.shape != (channels, 1, k, k):
        raise ArgumentError(
            f"{where}: the weight has shape {weight.shape}, but scale={scale} and data of shape {data.shape} "
            f"need {(channels, 1, k, k)}"
        )
    p = math.ceil((scale - 1) / 2)
    return Deconvolution(
        data,
        weight,
        kernel=(k, k),
        stride=(scale, scale),
        pad=(p, p),
        num_filter=channels,
        num_group=channels,
    )


# ---- im2col and col2im -----------------------------------------------------------------------
def _spatial_kernel(kernel: Any, nk: int | None, where: str) -> tuple[int, ...]:
    got = int_tuple(kernel, where, "kernel")
    if not 1 <= len(got) <= 3 or (nk is not None and len(got) != nk) or any(k < 1 for k in got):
        raise ArgumentError(
            f"{where}: kernel must give one length, 1 or more, per spatial axis of output_size, "
            f"not {kernel!r}"
        )
    return got


def im2col(
    data: NDArray,
    kernel: Any = (),
    stride: Any = (),
    dilate: Any = (),
    pad: Any = (),
    *,
    out: NDArray | None = None,
) -> NDArray:
    """The sliding windows of `data`, of shape (N, C, *spatial) with 1 to 3 spatial axes, as the
    columns of an array of shape (N, C * prod(kernel), L): one column per window position (L of
    them, row-major), each holding its window's values, channel first, then the kernel taps
    row-major. The windows are those of `Convolution` with the same `kernel`, `stride`,
    `dilate` and `pad`. `col2im` is its adjoint. (MXNet 1.9.1 fails on one spatial axis; tape
    takes it.)

    >>> from tape import nd
    >>> nd.im2col(nd.arange(6).reshape((1, 1, 2, 3)), kernel=(2, 2))
    <BLANKLINE>
    [[[0. 1.]
      [1. 2.]
      [3. 4.]
      [4. 5.]]]
    <NDArray 1x4x2 @cpu(0)>
    """
    where = "nd.im2col"
    data = array(data, where)
    geom = _geometry(data.shape, _kernel(kernel, data, where), stride, dilate, pad, False, where)
    nk = len(geom.kernel)
    cols = im2col_op(data, geom=geom)  # (C, *kernel, N, *out)
    cols = transpose_op(cols, axes=(1 + nk, 0, *range(1, 1 + nk), *range(2 + nk, 2 + 2 * nk)))
    n, c = data.shape[:2]
    result = reshape_op(cols, shape=(n, c * math.prod(geom.kernel), math.prod(geom.out)))
    return result if out is None else into(out, result, where)


def col2im(
    data: NDArray,
    output_size: Any = (),
    kernel: Any = (),
    stride: Any = (),
    dilate: Any = (),
    pad: Any = (),
    *,
    out: NDArray | None = None,
) -> NDArray:
    """The adjoint of `im2col`: `data` of shape (N, C * prod(kernel), L) holds one column per
    window of an image of spatial shape `output_size`; each column is added back into the
    window it came from (overlaps summed), giving an array of shape (N, C, *output_size).

    >>> from tape import nd
    >>> nd.col2im(nd.ones((1, 4, 2)), output_size=(2, 3), kernel=(2, 2))
    <BLANKLINE>
    [[[[1. 2. 1.]
       [1. 2. 1.]]]]
    <NDArray 1x1x2x3 @cpu(0)>
    """
    where = "nd.col2im"
    data = array(data, where)
    size = int_tuple(output_size, where, "output_size")
    k = _spatial_kernel(kernel, len(size) if size else None, where)
    if len(size) != len(k) or any(n < 1 for n in size):
        raise ArgumentError(
            f"{where}: output_size must give one length, 1 or more, per axis of kernel {k}, "
            f"not {output_size!r}"
        )
    taps = math.prod(k)
    if data.ndim != 3 or data.shape[1] % taps:
        raise ArgumentError(
            f"{where}: data must have shape (N, C * {taps}, L) for kernel {k}, got {data.shape}"
        )
    n, c = data.shape[0], data.shape[1] // taps
    geom: Geometry = _geometry((n, c, *size), k, stride, dilate, pad, False, where)
    if data.shape[2] != math.prod(geom.out):
        raise ArgumentError(
            f"{where}: data has {data.shape[2]} columns, but output_size={size} has {math.prod(geom.out)} "
            f"windows {geom.out} for this kernel, stride, dilate and pad"
        )
    nk = len(k)
    cols = reshape_op(data, shape=(n, c, *k, *geom.out))
    cols = transpose_op(cols, axes=(1, *range(2, 2 + nk), 0, *range(2 + nk, 2 + 2 * nk)))
    result = col2im_op(cols, geom=geom, shape=(n, c, *size))
    return result if out is None else into(out, result, where)


# ---- depth_to_space and space_to_depth -------------------------------------------------------
def depth_to_space(data: NDArray, block_size: int, *, out: NDArray | None = None) -> NDArray:
    """Move channels into space: `data` of shape (N, C, H, W) becomes (N, C / b², H * b, W * b)
    for `b = block_size`, each block of b x b pixels read from b² consecutive groups of
    C / b² channels (MXNet's order, "DCR"). `space_to_depth` undoes it.

    >>> from tape import nd
    >>> nd.depth_to_space(nd.arange(4).reshape((1, 4, 1, 1)), 2)
    <BLANKLINE>
    [[[[0. 1.]
       [2. 3.]]]]
    <NDArray 1x1x2x2 @cpu(0)>
    """
    where = "nd.depth_to_space"
    x = array(data, where)
    b = whole(block_size, where, "block_size", 1)
    four_axes(x, where)
    n, c, h, w = x.shape
    if c % (b * b):
        raise ArgumentError(f"{where}: the {c} channels of data must be a multiple of block_size² = {b * b}")
    y = reshape_op(x, shape=(n, b, b, c // (b * b), h, w))
    y = transpose_op(y, axes=(0, 3, 4, 1, 5, 2))
    result = reshape_op(y, shape=(n, c // (b * b), h * b, w * b))
    return result if out is None else into(out, result, where)


def space_to_depth(data: NDArray, block_size: int, *, out: NDArray | None = None) -> NDArray:
    """Move space into channels: `data` of shape (N, C, H, W) becomes (N, C * b², H / b, W / b)
    for `b = block_size`: the inverse of `depth_to_space`. H and W must be multiples of b.

    >>> from tape import nd
    >>> nd.space_to_depth(nd.arange(4).reshape((1, 1, 2, 2)), 2).reshape((4,))
    <BLANKLINE>
    [0. 1. 2. 3.]
    <NDArray 4 @cpu(0)>
    """
    where = "nd.space_to_depth"
    x = array(data, where)
    b = whole(block_size, where, "block_size", 1)
    four_axes(x, where)
    n, c, h, w = x.shape
    if h % b or w % b:
        raise ArgumentError(
            f"{where}: the height and width of data, {(h, w)}, must be multiples of block_size {b}"
        )
    y = reshape_op(x, shape=(n, c, h // b, b, w // b, b))
    y = transpose_op(y, axes=(0, 3, 5, 1, 2, 4))
    result = reshape_op(y, shape=(n, c * b * b, h // b, w // b))
    return result if out is None else into(out, result, where)


# ---- Correlation -----------------------------------------------------------------------------
def Correlation(  # noqa: N802 - MXNet's name
    data1: NDArray,
    data2: NDArray,
    kernel_size: int = 1,
    max_displacement: int = 1,
    stride1: int = 1,
    stride2: int = 1,
    pad_size: int = 0,
    is_multiply: bool = True,
    *,
    out: NDArray | None = None,
) -> NDArray:
    """FlowNet's correlation of two feature maps of one shape (N, C, H, W): for each position of
    `data1` (every `stride1`-th, the window of `kernel_size` x `kernel_size` pixels starting
    there) and each displacement (every `stride2`-th up to `max_displacement` along both axes),
    the products of the window with the displaced window of `data2` (with
    `is_multiply=False`, their absolute differences), summed and divided by
    `kernel_size² * C`. Both maps are padded by `pad_size` zeros first. The output has shape
    (N, D², H', W') with `D = 2 * (max_displacement // stride2) + 1` displacements per axis
    (the first axis of the displacement is vertical) and `H' = ceil((H + 2 * pad_size - 2 *
    max_displacement - kernel_size + 1) / stride1)`, and so W'. `kernel_size` must be odd.

    >>> from tape import nd
    >>> nd.Correlation(nd.ones((1, 2, 3, 3)), nd.ones((1, 2, 3, 3)) * 2, pad_size=1).shape
    (1, 9, 3, 3)
    """
    where = "nd.Correlation"
    a, b = floating(array(data1, where, "data1")), floating(array(data2, where, "data2"))
    four_axes(a, where, "data1")
    if b.shape != a.shape:
        raise ArgumentError(f"{where}: data1 and data2 must have one shape, not {a.shape} and {b.shape}")
    k = whole(kernel_size, where, "kernel_size", 1)
    if k % 2 == 0:
        raise ArgumentError(f"{where}: kernel_size must be odd, not {k}")
    reach = whole(max_displacement, where, "max_displacement", 0)
    s1, s2 = whole(stride1, where, "stride1", 1), whole(stride2, where, "stride2", 1)
    p = whole(pad_size, where, "pad_size", 0)
    c, h, w = a.shape[1:]
    spans = [n + 2 * p - 2 * reach - k + 1 for n in (h, w)]
    if min(spans) < 1:
        raise ArgumentError(
            f"{where}: data of height and width {(h, w)} padded by {p} is too small for max_displacement="
            f"{reach} and kernel_size={k}: pad more"
        )
    top = [-(-span // s1) for span in spans]  # ceil, as MXNet
    # The region of data1 that the windows read, and the same region of data2 displaced.
    rows, cols = [(t - 1) * s1 + k for t in top]
    ap, bp = (pad_constant_op(x, width=((0, 0), (0, 0), (p, p), (p, p)), value=0) if p else x for x in (a, b))
    first = ap[:, :, reach : reach + rows, reach : reach + cols]
    radius = reach // s2
    maps = []
    for dy in range(-radius, radius + 1):
        for dx in range(-radius, radius + 1):
            y0, x0 = reach + dy * s2, reach + dx * s2
            second = bp[:, :, y0 : y0 + rows, x0 : x0 + cols]
            pair = first * second if is_multiply else abs_op(first - second)
            maps.append(sum_op(pair, axes=(1,), keepdims=False))
    # Each window summed: conv.py's im2col over the displacements as channels.
    geom = Geometry((k, k), (s1, s1), (1, 1), (0, 0), (top[0], top[1]))
    windows = sum_op(im2col_op(stack(*maps, axis=1), geom=geom), axes=(1, 2), keepdims=False)
    result = transpose_op(windows, axes=(1, 0, 2, 3)) * (1 / (k * k * c))
    return result if out is None else into(out, result, where)
