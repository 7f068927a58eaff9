"""Convolution and pooling, as MXNet's `Convolution` and `Pooling` (channels first: NCW, NCHW).

Both read their windows through im2col: a strided view of the padded input
(`sliding_window_view`), copied once into a matrix of shape (C, *kernel, N, *out), so that a
convolution is one batched matrix product per call. Every primitive here is linear, and its
VJP is its adjoint written with the others, so derivatives of any order come for free:
- `im2col` and `col2im` are each other's adjoint (col2im adds each window back where it came
  from, overlaps summed);
- `gather` (max pooling: each output reads its window's arg-max) and `scatter` (the gradient
  sent back to that arg-max) are each other's adjoint.
A convolution's input gradient is thus col2im of `weight^T @ g` (a transposed convolution),
its weight gradient `g @ cols^T` (a correlation), both recorded when the backward is.

On a GPU the same code runs on CuPy arrays (CuPy 13 has `sliding_window_view`, reached
through NumPy's dispatch); the arrays made from nothing (max pooling's indices among them)
are made on the data's device, and `scatter` adds with `cupyx.scatter_add` where the CPU
counts with `bincount`. Nothing waits for the device.
"""

from __future__ import annotations

import functools
import itertools
import math
import operator
from typing import Any, NamedTuple

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .._args import array, int_tuple, wrong_type
from .._primitive import Primitive
from .._xp import arange, device_id, module_of, scatter_add, to_device, to_device_of, zeros
from ..creation import into
from ..errors import ArgumentError
from ..ndarray import NDArray
from .linalg import batch_dot_op
from .reduction import sum_op
from .shape import reshape_op, transpose_op

__all__ = ["Convolution", "Pooling"]

_ALL = slice(None)
_HOST = np.ndarray


class Geometry(NamedTuple):
    """Where the windows of an input lie: per spatial axis, the window length (`kernel`), the
    step between windows (`stride`), between the taps of one window (`dilate`), the zeros
    added before the input (`pad`), and the number of windows (`out`). More than `pad` may
    be needed after the input (MXNet's 'full' convention): `_padded` adds it."""

    kernel: tuple[int, ...]
    stride: tuple[int, ...]
    dilate: tuple[int, ...]
    pad: tuple[int, ...]
    out: tuple[int, ...]


def _padded(x: np.ndarray, geom: Geometry, value: Any = 0) -> np.ndarray:
    """`x` with `pad` values before each spatial axis and as many after as its windows need."""
    widths = [(0, 0), (0, 0)]
    for n, k, s, d, p, o in zip(x.shape[2:], *geom, strict=True):
        widths.append((p, max(p, s * (o - 1) + d * (k - 1) + 1 - n - p)))
    if not any(before or after for before, after in widths):
        return x  # np.pad would copy it all the same
    return np.pad(x, widths, constant_values=value)


def _windows(xp: np.ndarray, geom: Geometry) -> np.ndarray:
    """The windows of the padded `xp` as a view of shape (N, C, *out, *kernel)."""
    nk = len(geom.kernel)
    spans = [d * (k - 1) + 1 for k, d in zip(geom.kernel, geom.dilate, strict=True)]
    view = sliding_window_view(xp, spans, axis=tuple(range(2, 2 + nk)))
    starts = tuple(slice(0, s * (o - 1) + 1, s) for s, o in zip(geom.stride, geom.out, strict=True))
    taps = tuple(slice(None, None, d) for d in geom.dilate)
    key: tuple[Any, ...] = (_ALL, _ALL, *starts, *taps)
    windows: np.ndarray = view[key]
    return windows


def _im2col(x: np.ndarray, geom: Geometry) -> np.ndarray:
    nk = len(geom.kernel)
    windows = _windows(_padded(x, geom), geom)
    axes = (1, *range(2 + nk, 2 + 2 * nk), 0, *range(2, 2 + nk))  # -> (C, *kernel, N, *out)
    return _contiguous(windows.transpose(axes))


def _contiguous(a: np.ndarray) -> np.ndarray:
    # np.ascontiguousarray does not dispatch to CuPy: a GPU array takes its module's.
    out: np.ndarray = np.ascontiguousarray(a) if a.__class__ is _HOST else module_of(a).ascontiguousarray(a)
    return out


def _col2im(cols: np.ndarray, geom: Geometry, shape: tuple[int, ...]) -> np.ndarray:
    """The adjoint of `_im2col`: each column added back into the window it was read from. One
    strided slice per kernel tap (a few), never a loop over output positions."""
    lengths = shape[:2] + _padded_lengths(shape, geom)
    xp = np.zeros(lengths, cols.dtype) if cols.__class__ is _HOST else zeros(lengths, cols.dtype, cols)
    xp_cn = xp.swapaxes(0, 1)  # a view (C, N, *spatial): the columns' own order
    for tap in itertools.product(*[range(k) for k in geom.kernel]):
        where = tuple(
            slice(t * d, t * d + s * (o - 1) + 1, s)
            for t, d, s, o in zip(tap, geom.dilate, geom.stride, geom.out, strict=True)
        )
        target: tuple[Any, ...] = (_ALL, _ALL, *where)
        source: tuple[Any, ...] = (_ALL, *tap)
        xp_cn[target] += cols[source]
    crop: tuple[Any, ...] = (_ALL, _ALL, *[slice(p, p + n) for p, n in zip(geom.pad, shape[2:], strict=True)])
    return _contiguous(xp[crop])


def _padded_lengths(shape: tuple[int, ...], geom: Geometry) -> tuple[int, ...]:
    """The spatial lengths of `_padded` for an input of `shape`."""
    return tuple(
        max(n + 2 * p, s * (o - 1) + d * (k - 1) + 1)
        for n, k, s, d, p, o in zip(shape[2:], *geom, strict=True)
    )


im2col_op: Primitive = Primitive(
    "im2col",
    _im2col,
    lambda g, ans, x, geom: col2im_op(g, geom=geom, shape=x.shape),
)
col2im_op: Primitive = Primitive(
    "col2im",
    _col2im,
    lambda g, ans, cols, geom, shape: im2col_op(g, geom=geom),
)


def _gather(x: np.ndarray, index: np.ndarray, fill: Any) -> np.ndarray:
    """`x`'s elements at the flat `index` (an array of the result's shape); `fill` where -1
    (`fill=None`: `index` has no -1)."""
    if fill is None:
        taken: np.ndarray = x.reshape(-1)[index]
        return taken
    out: np.ndarray = x.reshape(-1)[np.maximum(index, 0)]
    if out.__class__ is not _HOST:  # CuPy's boolean assignment would wait for the mask's count
        filled: np.ndarray = np.where(index < 0, out.dtype.type(fill), out)
        return filled
    out[index < 0] = fill
    return out


def _scatter(g: np.ndarray, index: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """The adjoint of `_gather`: `g` summed into an array of `shape` at the flat `index`."""
    real = index >= 0
    if g.__class__ is not _HOST:  # a boolean mask would wait for the device (its count): add 0 at 0
        out = zeros(math.prod(shape), g.dtype, g)
        scatter_add(out, np.where(real, index, 0), np.where(real, g, 0))
        return out.reshape(shape)
    total = np.bincount(index[real], weights=g[real], minlength=int(np.prod(shape)))
    return total.astype(g.dtype, copy=False).reshape(shape)


gather_op: Primitive = Primitive(
    "gather",
    _gather,
    lambda g, ans, x, index, fill: scatter_op(g, index=index, shape=x.shape),
)
scatter_op: Primitive = Primitive(
    "scatter_flat",
    _scatter,
    lambda g, ans, cot, index, shape: gather_op(g, index=index, fill=0),
)


def _inside(shape: tuple[int, ...], geom: Geometry) -> bool:
    """Whether every window lies inside an input of `shape`: no padding read at all."""
    return not any(geom.pad) and all(
        s * (o - 1) + d * (k - 1) + 1 <= n
        for n, k, s, d, o in zip(shape[2:], geom.kernel, geom.stride, geom.dilate, geom.out, strict=True)
    )


@functools.lru_cache(maxsize=8)
def _window_offsets(
    shape: tuple[int, ...], geom: Geometry, device: int | None
) -> tuple[np.ndarray, np.ndarray]:
    """For windows inside an array of `shape`: the flat index of each window's first tap, of
    shape (N, C, *out), and each tap's distance from it (flat over the kernel), on GPU `device`
    (None: the CPU). Cached: a network pools the same shapes at every step, and these are the
    costly part of the index."""
    nk = len(geom.kernel)
    step = [int(np.prod(shape[i + 1 :])) for i in range(len(shape))]  # elements per index, by axis
    start = (np.arange(shape[0] * shape[1]) * step[1]).reshape(shape[:2] + (1,) * nk)
    offset = np.zeros((), dtype=start.dtype)
    for i, (k, s, d, o) in enumerate(zip(geom.kernel, geom.stride, geom.dilate, geom.out, strict=True)):
        start = start + (np.arange(o) * (s * step[2 + i])).reshape((o,) + (1,) * (nk - 1 - i))
        offset = np.add.outer(offset, np.arange(k) * (d * step[2 + i]))
    if device is not None:
        return to_device(start, device), to_device(offset.reshape(-1), device)
    start.flags.writeable = offset.flags.writeable = False  # shared by every call
    return start, offset.reshape(-1)


def _argmax_index(x: np.ndarray, geom: Geometry) -> np.ndarray:
    """For each window of `x`, the flat index in `x` of its first maximum (in row-major order
    over the window, as MXNet's CPU kernel picks), or -1 where that is padding."""
    nk = len(geom.kernel)
    if _inside(x.shape, geom):  # the common case: no padding to add, and no -1 to mark
        windows = _windows(x, geom)
        tap = windows.reshape((*windows.shape[: 2 + nk], -1)).argmax(axis=-1)
        start, offset = _window_offsets(x.shape, geom, None if x.__class__ is _HOST else device_id(x))
        found: np.ndarray = start + offset[tap]
        return found
    lowest = np.finfo(x.dtype).min if x.dtype.kind in "fc" else np.iinfo(x.dtype).min
    windows = _windows(_padded(x, geom, lowest), geom)
    taps = np.unravel_index(windows.reshape((*windows.shape[: 2 + nk], -1)).argmax(axis=-1), geom.kernel)
    index = arange(x.shape[0] * x.shape[1], x).reshape(x.shape[:2] + (1,) * nk)
    real: Any = True
    for i, (n, s, d, p, o) in enumerate(
        zip(x.shape[2:], geom.stride, geom.dilate, geom.pad, geom.out, strict=True)
    ):
        starts = (arange(o, x) * s - p).reshape((o,) + (1,) * (nk - 1 - i))
        at = starts + taps[i] * d
        real = real & (at >= 0) & (at < n)
        index = index * n + at
    return np.where(real, index, -1)


# ---- arguments -------------------------------------------------------------------------------
def _per_axis(value: Any, nk: int, default: int, least: int, where: str, arg: str) -> tuple[int, ...]:
    """A per-spatial-axis argument (`stride`, `dilate`, `pad`): () for `default` on each axis,
    else an int or a tuple of `nk` ints, each `least` or more."""
    got = int_tuple(value, where, arg)
    if not got:
        return (default,) * nk
    if len(got) == 1 and nk > 1 and isinstance(value, int | np.integer):
        got = got * nk
    if len(got) != nk:
        raise ArgumentError(
            f"{where}: {arg} {got} has {len(got)} entries, but kernel has {nk} (one per spatial axis)"
        )
    if any(n < least for n in got):
        raise ArgumentError(f"{where}: each entry of {arg} must be {least} or more, not {got}")
    return got


def _kernel(kernel: Any, data: NDArray, where: str) -> tuple[int, ...]:
    got = int_tuple(kernel, where, "kernel")
    if not 1 <= len(got) <= 3:
        raise ArgumentError(
            f"{where}: kernel must be given, one length per spatial axis (1 to 3), not {kernel!r}"
        )
    if data.ndim != 2 + len(got):
        raise ArgumentError(
            f"{where}: a kernel of {len(got)} axes needs data of {2 + len(got)} axes (N, C, spatial...), "
            f"got data of shape {data.shape}"
        )
    if any(k < 1 for k in got):
        raise ArgumentError(f"{where}: each kernel length must be 1 or more, not {got}")
    return got


_LAYOUTS = {1: "NCW", 2: "NCHW", 3: "NCDHW"}


def _layout(layout: Any, nk: int, where: str) -> None:
    if layout is not None and layout != _LAYOUTS[nk]:
        raise ArgumentError(
            f"{where}: only the channels-first layout {_LAYOUTS[nk]!r} is supported, not {layout!r}"
        )


def _out_length(n: int, k: int, s: int, d: int, p: int, full: bool, where: str) -> int:
    span = d * (k - 1) + 1
    if n + 2 * p < span:
        raise ArgumentError(
            f"{where}: a window of length {span} does not fit an axis of length {n} padded by {p} "
            "on each side"
        )
    steps = n + 2 * p - span
    return 1 + (-(-steps // s) if full else steps // s)


def _geometry(
    shape: tuple[int, ...],
    kernel: tuple[int, ...],
    stride: Any,
    dilate: Any,
    pad: Any,
    full: bool,
    where: str,
) -> Geometry:
    nk = len(kernel)
    strides = _per_axis(stride, nk, 1, 1, where, "stride")
    dilates = _per_axis(dilate, nk, 1, 1, where, "dilate")
    pads = _per_axis(pad, nk, 0, 0, where, "pad")
    out = tuple(
        _out_length(n, k, s, d, p, full, where)
        for n, k, s, d, p in zip(shape[2:], kernel, strides, dilates, pads, strict=True)
    )
    return Geometry(kernel, strides, dilates, pads, out)


# ---- Convolution -----------------------------------------------------------------------------
def _check_weights(
    data: NDArray,
    weight: NDArray,
    bias: NDArray | None,
    kernel: tuple[int, ...],
    num_filter: int,
    groups: int,
    where: str = "nd.Convolution",
    transposed: bool = False,
) -> None:
    """Refuse groups, weights or a bias that do not fit `data`: the weight is (num_filter,
    C / groups, *kernel), or (C, num_filter / groups, *kernel) for a `transposed` convolution."""
    channels = data.shape[1]
    if groups < 1 or channels % groups or num_filter % groups:
        raise ArgumentError(
            f"{where}: num_group={groups} must divide both the {channels} input channels and "
            f"num_filter={num_filter}"
        )
    want = (
        (channels, num_filter // groups, *kernel) if transposed else (num_filter, channels // groups, *kernel)
    )
    if weight.shape != want:
        raise ArgumentError(
            f"{where}: weight has shape {weight.shape}, but data of shape {data.shape} with num_filter="
            f"{num_filter}, num_group={groups} and kernel={kernel} needs {want}"
            + (" (input channels first)" if transposed else "")
        )
    if bias is not None and bias.shape != (num_filter,):
        raise ArgumentError(
            f"{where}: bias has shape {bias.shape}, but num_filter={num_filter} needs ({num_filter},)"
        )


def Convolution(  # noqa: N802 - MXNet's name
    data: NDArray,
    weight: NDArray,
    bias: NDArray | None = None,
    kernel: Any = (),
    stride: Any = (),
    dilate: Any = (),
    pad: Any = (),
    num_filter: int | None = None,
    num_group: int = 1,
    workspace: int = 1024,
    no_bias: bool = False,
    cudnn_tune: str | None = None,
    cudnn_off: bool = False,
    layout: str | None = None,
    *,
    out: NDArray | None = None,
) -> NDArray:
    """A convolution layer (a cross-correlation, as in MXNet): `data` of shape (N, C, W) or
    (N, C, H, W), `weight` of shape (num_filter, C / num_group, *kernel), `bias` of shape
    (num_filter,) unless `no_bias=True`.

    `stride`, `dilate` (the step between the taps of a window) and `pad` (zeros on both
    sides) give one int per spatial axis, ones and zeros by default. With `num_group` groups
    the channels are split into that many independent convolutions. The output has shape
    (N, num_filter, *out) with `out = (n + 2 * pad - dilate * (kernel - 1) - 1) // stride + 1`
    on each axis. `workspace`, `cudnn_tune` and `cudnn_off` are accepted and change nothing;
    `layout` may only name the channels-first layout.

    >>> from tape import nd
    >>> x = nd.arange(16).reshape((1, 1, 4, 4))
    >>> nd.Convolution(x, nd.ones((1, 1, 2, 2)), nd.array([0.5]), kernel=(2, 2), stride=(2, 2), num_filter=1)
    <BLANKLINE>
    [[[[10.5 18.5]
       [42.5 50.5]]]]
    <NDArray 1x1x2x2 @cpu(0)>
    >>> nd.Convolution(nd.ones((2, 4, 9)), nd.ones((6, 2, 3)), kernel=3, pad=1, dilate=2, num_filter=6,
    ...                num_group=2, no_bias=True).shape
    (2, 6, 7)
    """
    where = "nd.Convolution"
    data, weight = array(data, where), array(weight, where, "weight")
    k = _kernel(kernel, data, where)
    _layout(layout, len(k), where)
    if num_filter is None:
        raise ArgumentError(
            f"{where}: num_filter is required: the number of output channels, weight.shape[0]"
        )
    filters = operator.index(num_filter) if isinstance(num_filter, int | np.integer) else None
    if filters is None or filters < 1:
        raise wrong_type(where, "num_filter", "an int, 1 or more", num_filter)
    groups = operator.index(num_group) if isinstance(num_group, int | np.integer) else None
    if groups is None:
        raise wrong_type(where, "num_group", "an int", num_group)
    if no_bias and bias is not None:
        raise ArgumentError(f"{where}: bias is given but no_bias=True: drop one of them")
    if not no_bias and bias is None:
        raise ArgumentError(f"{where}: bias is required unless no_bias=True: pass bias=... or no_bias=True")
    b = None if bias is None else array(bias, where, "bias")
    _check_weights(data, weight, b, k, filters, groups)
    geom = _geometry(data.shape, k, stride, dilate, pad, False, where)
    result = _convolve(data, weight, b, geom, groups)
    return result if out is None else into(out, result, where)


def _convolve(data: NDArray, weight: NDArray, bias: NDArray | None, geom: Geometry, groups: int) -> NDArray:
    n, filters = data.shape[0], weight.shape[0]
    taps = int(np.prod(weight.shape[1:]))  # C / groups * prod(kernel)
    positions = n * int(np.prod(geom.out))
    cols = reshape_op(im2col_op(data, geom=geom), shape=(groups, taps, positions))
    w = reshape_op(weight, shape=(groups, filters // groups, taps))
    y = batch_dot_op(w, cols, transpose_a=False, transpose_b=False)  # (groups, F / groups, N * out)
    if bias is not None:
        y = y + reshape_op(bias, shape=(groups, filters // groups, 1))
    y = reshape_op(y, shape=(filters, n, *geom.out))
    return transpose_op(y, axes=(1, 0, *range(2, y.ndim)))


# ---- Pooling ---------------------------------------------------------------------------------
_POOL_TYPES = ("max", "avg", "sum")
_CONVENTIONS = ("valid", "full")


def _divisor(shape: tuple[int, ...], geom: Geometry, count_include_pad: bool) -> np.ndarray:
    """How many elements each window of an average counts, as MXNet does: the window clipped
    to the padded input, or to the input itself without `count_include_pad`; 1 for a window
    of padding alone (its sum is 0, and so is its average)."""
    total = np.ones((), dtype=np.int64)
    for n, k, s, p, o in zip(shape[2:], geom.kernel, geom.stride, geom.pad, geom.out, strict=True):
        start = np.arange(o) * s - p
        end = np.minimum(start + k, n + p)
        if not count_include_pad:
            start, end = np.maximum(start, 0), np.minimum(end, n)
        total = np.multiply.outer(total, np.maximum(end - start, 0))
    return np.maximum(total, 1)


def _pool_args(
    data: NDArray,
    kernel: Any,
    pool_type: str,
    global_pool: bool,
    pooling_convention: str,
    stride: Any,
    pad: Any,
) -> Geometry:
    where = "nd.Pooling"
    if pool_type not in _POOL_TYPES:
        raise ArgumentError(f"{where}: pool_type must be one of {list(_POOL_TYPES)}, not {pool_type!r}")
    if pooling_convention not in _CONVENTIONS:
        raise ArgumentError(
            f"{where}: pooling_convention must be one of {list(_CONVENTIONS)}, not {pooling_convention!r}"
        )
    if global_pool:
        if not 3 <= data.ndim <= 5:
            raise ArgumentError(
                f"{where}: data must have 3 to 5 axes (N, C, spatial...), got shape {data.shape}"
            )
        spatial = data.shape[2:]
        return Geometry(
            spatial, (1,) * len(spatial), (1,) * len(spatial), (0,) * len(spatial), (1,) * len(spatial)
        )
    k = _kernel(kernel, data, where)
    geom = _geometry(data.shape, k, stride, (), pad, pooling_convention == "full", where)
    if any(p >= n for p, n in zip(geom.pad, k, strict=True)):
        raise ArgumentError(
            f"{where}: each pad must be less than its kernel length, got pad={geom.pad} for kernel={k}"
        )
    return geom


def Pooling(  # noqa: N802 - MXNet's name
    data: NDArray,
    kernel: Any = (),
    pool_type: str = "max",
    global_pool: bool = False,
    cudnn_off: bool = False,
    pooling_convention: str = "valid",
    stride: Any = (),
    pad: Any = (),
    p_value: int | None = None,
    count_include_pad: bool | None = None,
    layout: str | None = None,
    *,
    out: NDArray | None = None,
) -> NDArray:
    """Pool each window of `data`, of shape (N, C, W) or (N, C, H, W), into one value: its
    maximum (`pool_type='max'`), average ('avg') or sum ('sum').

    `kernel`, `stride` (ones by default) and `pad` give one int per spatial axis; padding is
    never the maximum and counts in an average unless `count_include_pad=False`. With
    `global_pool=True` each whole channel is one window (`kernel` is ignored). The
    `pooling_convention` 'valid' keeps only whole windows, `out = (n + 2 * pad - kernel) //
    stride + 1`; 'full' rounds up, adding windows that run past the padding: as in MXNet, a
    window of padding alone gives 0, or the dtype's lowest value for 'max'.

    The gradient of a maximum goes to the first maximal element of the window (row-major
    order), as in MXNet. `p_value` ('lp' pooling) is not supported, `cudnn_off` changes
    nothing, and `layout` may only name the channels-first layout.

    >>> from tape import nd
    >>> x = nd.arange(16).reshape((1, 1, 4, 4))
    >>> nd.Pooling(x, kernel=(2, 2), stride=(2, 2), pool_type="max")
    <BLANKLINE>
    [[[[ 5.  7.]
       [13. 15.]]]]
    <NDArray 1x1x2x2 @cpu(0)>
    >>> nd.Pooling(nd.array([[[1, 2, 3, 4]]]), kernel=3, stride=2, pool_type="avg", pooling_convention="full")
    <BLANKLINE>
    [[[2.  3.5]]]
    <NDArray 1x1x2 @cpu(0)>
    """
    where = "nd.Pooling"
    data = array(data, where)
    if p_value is not None:
        raise ArgumentError(f"{where}: p_value is for pool_type='lp', which tape does not support")
    geom = _pool_args(data, kernel, pool_type, global_pool, pooling_convention, stride, pad)
    _layout(layout, len(geom.kernel), where)
    nk = len(geom.kernel)
    if pool_type == "max":
        x = data._data
        lowest = np.finfo(x.dtype).min if x.dtype.kind in "fc" else np.iinfo(x.dtype).min
        fill = None if _inside(x.shape, geom) else lowest  # no window of padding alone
        result = gather_op(data, index=_argmax_index(x, geom), fill=fill)
    else:
        sums = sum_op(im2col_op(data, geom=geom), axes=tuple(range(1, 1 + nk)), keepdims=False)
        result = transpose_op(sums, axes=(1, 0, *range(2, 2 + nk)))  # (C, N, *out) -> (N, C, *out)
        if pool_type == "avg":
            dtype = data._data.dtype if data._data.dtype.kind in "fc" else np.float32
            scale = 1 / _divisor(data.shape, geom, count_include_pad is not False)
            result = result * NDArray(to_device_of(scale.astype(dtype), data._data))
    return result if out is None else into(out, result, where)
