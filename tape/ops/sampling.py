"""Sampling layers, as MXNet's `BilinearSampler`, `GridGenerator`, `SpatialTransformer` and
`ROIPooling` (channels first: NCHW).

Each reads `data` at positions that are constants of the graph, through conv.py's `gather`
(whose adjoint, `scatter`, sends a gradient back to where each value was read), so no
primitive of its own is needed. A bilinear sample is the four neighbours of a point weighted
by its distances to them: the neighbours' indices are constants (the floor of the point), the
weights are tape arithmetic on the grid, so the gradient with respect to the grid, and every
higher derivative, is that of the composition (zero across a pixel border, where the floor
jumps). ROI max pooling gathers the first maximum of each bin, as max `Pooling` does.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .._args import array, int_tuple, wrong_type
from .._xp import arange, empty, to_device_of, to_host
from ..creation import into
from ..errors import ArgumentError
from ..ndarray import NDArray
from .conv import gather_op
from .linalg import dot
from .shape import reshape_op
from .vision import floating, four_axes

__all__ = ["BilinearSampler", "GridGenerator", "SpatialTransformer", "ROIPooling"]


# ---- BilinearSampler -------------------------------------------------------------------------
def _bilinear_sample(data: NDArray, grid: NDArray) -> NDArray:
    n, c, h, w = data.shape
    ho, wo = grid.shape[2:]
    # The source position of each output pixel, in pixels: -1 is the first one, 1 the last.
    x = (grid[:, 0] + 1) * ((w - 1) / 2)
    y = (grid[:, 1] + 1) * ((h - 1) / 2)
    x0, y0 = np.floor(x._data), np.floor(y._data)  # constants: the cell of each point
    fx, fy = x - x0, y - y0
    base = (arange(n * c, x0).reshape(n, c, 1, 1) * (h * w)).astype(np.int64)
    result: NDArray | None = None
    for dy, wy in ((0, 1 - fy), (1, fy)):
        for dx, wx in ((0, 1 - fx), (1, fx)):
            yy, xx = (y0 + dy).astype(np.int64), (x0 + dx).astype(np.int64)
            inside = (yy >= 0) & (yy < h) & (xx >= 0) & (xx < w)  # outside the image: zeros
            index = np.where(inside, yy * w + xx, -1)[:, None]  # (N, 1, Ho, Wo)
            index = np.where(index >= 0, base + index, -1)
            term = gather_op(data, index=index, fill=0) * reshape_op(wy * wx, shape=(n, 1, ho, wo))
            result = term if result is None else result + term
    assert result is not None
    return result


def BilinearSampler(  # noqa: N802 - MXNet's name
    data: NDArray, grid: NDArray, cudnn_off: bool | None = None, *, out: NDArray | None = None
) -> NDArray:
    """Sample `data`, of shape (N, C, H, W), at the points of `grid`, of shape (N, 2, H', W'),
    by bilinear interpolation: an array of shape (N, C, H', W').

    `grid[:, 0]` is the x (column) and `grid[:, 1]` the y (row) of each point, normalised: -1
    is the first pixel and 1 the last, so x is at column `(grid_x + 1) * (W - 1) / 2`. A
    neighbour outside the image counts as 0, as in MXNet. The gradient reaches both `data` and
    `grid` (it jumps where a point crosses a pixel border). `cudnn_off` changes nothing.

    >>> from tape import nd
    >>> grid = nd.array([[[[-1, 0, 1]], [[-1, -1, 1]]]])  # three points: top left, top middle, bottom right
    >>> nd.BilinearSampler(nd.array([[[[1, 2], [3, 4]]]]), grid)
    <BLANKLINE>
    [[[[1.  1.5 4. ]]]]
    <NDArray 1x1x1x3 @cpu(0)>
    """
    where = "nd.BilinearSampler"
    data, grid = floating(array(data, where)), floating(array(grid, where, "grid"))
    four_axes(data, where)
    if grid.ndim != 4 or grid.shape[:2] != (data.shape[0], 2):
        raise ArgumentError(
            f"{where}: grid must have shape (N, 2, H', W') with N={data.shape[0]} as data, got {grid.shape}"
        )
    result = _bilinear_sample(data, grid)
    return result if out is None else into(out, result, where)


# ---- GridGenerator ---------------------------------------------------------------------------
def _axis(n: int, dtype: Any) -> np.ndarray:
    """The normalised coordinates of `n` pixels, -1 to 1 (-1 alone for one pixel, where MXNet
    divides by zero)."""
    return (np.arange(n) * (2 / (n - 1) if n > 1 else 0) - 1).astype(dtype)


def _target_shape(target_shape: Any, where: str) -> tuple[int, int]:
    got = int_tuple(target_shape, where, "target_shape")
    if len(got) != 2 or min(got) < 1:
        raise ArgumentError(
            f"{where}: target_shape must be the output's (H, W), each 1 or more, not {target_shape!r}"
        )
    return got[0], got[1]


def _affine_grid(theta: NDArray, shape: tuple[int, int], where: str) -> NDArray:
    if theta.ndim != 2 or theta.shape[1] != 6:
        raise ArgumentError(
            f"{where}: an affine transform is given as data of shape (N, 6), a 2x3 matrix per sample, "
            f"not {theta.shape}"
        )
    h, w = shape
    dtype = theta._data.dtype
    ys, xs = np.meshgrid(_axis(h, dtype), _axis(w, dtype), indexing="ij")
    points = np.stack([xs.ravel(), ys.ravel(), np.ones(h * w, dtype)])  # (3, H * W): x, y, 1
    grid = dot(reshape_op(theta, shape=(theta.shape[0], 2, 3)), NDArray(to_device_of(points, theta._data)))
    return reshape_op(grid, shape=(theta.shape[0], 2, h, w))


def _warp_grid(flow: NDArray, where: str) -> NDArray:
    if flow.ndim != 4 or flow.shape[1] != 2:
        raise ArgumentError(
            f"{where}: a warp is given as data of shape (N, 2, H, W), a flow (x, y) per pixel, "
            f"not {flow.shape}"
        )
    h, w = flow.shape[2:]
    dtype = flow._data.dtype
    ys, xs = np.meshgrid(np.arange(h, dtype=dtype), np.arange(w, dtype=dtype), indexing="ij")
    # The flow moves each pixel from where it is; the result is normalised as the affine grid.
    scale = np.array([2 / max(w - 1, 1), 2 / max(h - 1, 1)], dtype).reshape(1, 2, 1, 1)
    here, scale = (to_device_of(a, flow._data) for a in (np.stack([xs, ys])[None], scale))
    return (flow + here) * scale - 1


_TRANSFORMS = ("affine", "warp")


def GridGenerator(  # noqa: N802 - MXNet's name
    data: NDArray,
    transform_type: str | None = None,
    target_shape: Any = (0, 0),
    *,
    out: NDArray | None = None,
) -> NDArray:
    """A sampling grid for `BilinearSampler`, of shape (N, 2, H, W) (x, then y, normalised to
    [-1, 1] over the source image).

    `transform_type='affine'`: `data` of shape (N, 6) holds a 2x3 matrix per sample, row-major,
    that maps each output pixel's normalised (x, y, 1) to its source point; `target_shape` is
    the output's (H, W). `'warp'`: `data` of shape (N, 2, H, W) is a flow in pixels, (x, y),
    added to each pixel's own position; `target_shape` is ignored, as in MXNet. Along an axis of
    one pixel, that pixel is at -1 (MXNet divides by zero there).

    >>> from tape import nd
    >>> nd.GridGenerator(nd.array([[1, 0, 0, 0, 1, 0]]), transform_type="affine", target_shape=(2, 3))
    <BLANKLINE>
    [[[[-1.  0.  1.]
       [-1.  0.  1.]]
    <BLANKLINE>
      [[-1. -1. -1.]
       [ 1.  1.  1.]]]]
    <NDArray 1x2x2x3 @cpu(0)>
    """
    where = "nd.GridGenerator"
    data = floating(array(data, where))
    if transform_type not in _TRANSFORMS:
        raise ArgumentError(
            f"{where}: transform_type must be one of {list(_TRANSFORMS)}, not {transform_type!r}"
        )
    if transform_type == "affine":
        result = _affine_grid(data, _target_shape(target_shape, where), where)
    else:
        int_tuple(target_shape, where, "target_shape")  # read by no one, but of its type
        result = _warp_grid(data, where)
    return result if out is None else into(out, result, where)


def SpatialTransformer(  # noqa: N802 - MXNet's name
    data: NDArray,
    loc: NDArray,
    target_shape: Any = (0, 0),
    transform_type: str | None = None,
    sampler_type: str | None = None,
    cudnn_off: bool | None = None,
    *,
    out: NDArray | None = None,
) -> NDArray:
    """A spatial transformer: `data`, of shape (N, C, H, W), sampled bilinearly at the grid of
    the affine transforms `loc`, of shape (N, 6), over an output of `target_shape` (H', W'):
    `BilinearSampler(data, GridGenerator(loc, 'affine', target_shape))`. `transform_type` must
    be 'affine' and `sampler_type` 'bilinear' (the only ones MXNet has); `cudnn_off` changes
    nothing.

    >>> from tape import nd
    >>> flip = nd.array([[-1, 0, 0, 0, 1, 0]])  # x -> -x: a mirror image
    >>> nd.SpatialTransformer(nd.array([[[[1, 2, 3]]]]), flip, target_shape=(1, 3), transform_type="affine",
    ...                       sampler_type="bilinear")
    <BLANKLINE>
    [[[[3. 2. 1.]]]]
    <NDArray 1x1x1x3 @cpu(0)>
    """
    where = "nd.SpatialTransformer"
    data, loc = floating(array(data, where)), floating(array(loc, where, "loc"))
    if transform_type != "affine":
        raise ArgumentError(f"{where}: transform_type must be 'affine', not {transform_type!r}")
    if sampler_type != "bilinear":
        raise ArgumentError(f"{where}: sampler_type must be 'bilinear', not {sampler_type!r}")
    four_axes(data, where)
    if loc.shape != (data.shape[0], 6):
        raise ArgumentError(
            f"{where}: loc must have shape (N, 6), an affine matrix per sample of data, not {loc.shape}"
        )
    grid = _affine_grid(loc, _target_shape(target_shape, where), where)
    result = _bilinear_sample(data, grid)
    return result if out is None else into(out, result, where)


# ---- ROIPooling ------------------------------------------------------------------------------
def _c_round(x: np.ndarray) -> np.ndarray:
    """C's round: halves away from zero (NumPy's rounds them to even)."""
    rounded: np.ndarray = np.sign(x) * np.floor(np.abs(x) + 0.5)
    return rounded


def ROIPooling(  # noqa: N802 - MXNet's name
    data: NDArray,
    rois: NDArray,
    pooled_size: Any = (),
    spatial_scale: float | None = None,
    *,
    out: NDArray | None = None,
) -> NDArray:
    """Max pooling over regions of interest: for each row `[batch_index, x1, y1, x2, y2]` of `rois`
    (shape (R, 5), in the coordinates of the original image), the region of image
    `batch_index` of `data` (N, C, H, W) is split into `pooled_size` (h, w) bins and each bin
    gives its maximum: an array of shape (R, C, h, w).

    As in MXNet: the corners are scaled by `spatial_scale` and rounded (halves away from zero);
    the region runs from (x1, y1) to (x2, y2) inclusive, at least one pixel; bin `i` of the
    region's height `rh` covers rows `floor(i * rh / h)` to `ceil((i + 1) * rh / h)`, clipped
    to the image; an empty bin, or a batch index out of range, gives 0. The gradient goes to
    the first maximum of each bin (row-major); `rois` gets none.

    >>> from tape import nd
    >>> x = nd.arange(16).reshape((1, 1, 4, 4))
    >>> nd.ROIPooling(x, nd.array([[0, 0, 0, 3, 3], [0, 2, 2, 3, 3]]), pooled_size=(2, 2), spatial_scale=1.0)
    <BLANKLINE>
    [[[[ 5.  7.]
       [13. 15.]]]
    <BLANKLINE>
    <BLANKLINE>
     [[[10. 11.]
       [14. 15.]]]]
    <NDArray 2x1x2x2 @cpu(0)>
    """
    where = "nd.ROIPooling"
    data, boxes = array(data, where), array(rois, where, "rois")
    four_axes(data, where)
    if boxes.ndim != 2 or boxes.shape[1] != 5:
        raise ArgumentError(
            f"{where}: rois must have shape (R, 5), rows of [batch_index, x1, y1, x2, y2], not {boxes.shape}"
        )
    pooled = int_tuple(pooled_size, where, "pooled_size")
    if len(pooled) != 2 or min(pooled) < 1:
        raise ArgumentError(
            f"{where}: pooled_size must be the output's (h, w), each 1 or more, not {pooled_size!r}"
        )
    if spatial_scale is None:
        raise ArgumentError(f"{where}: spatial_scale is required: the feature map's size over the image's")
    if not isinstance(spatial_scale, int | float | np.integer | np.floating) or isinstance(
        spatial_scale, bool
    ):
        raise wrong_type(where, "spatial_scale", "a real number", spatial_scale)
    if not spatial_scale > 0:
        raise ArgumentError(f"{where}: spatial_scale must be more than 0, not {spatial_scale}")
    x = data._data
    ftype = x.dtype if x.dtype.kind == "f" else np.dtype(np.float32)
    # MXNet holds spatial_scale as a float32 and computes in the data's type.
    scale = ftype.type(np.float32(spatial_scale))
    # The bins' bounds are read on the host (the ROIs, an index, are copied there once);
    # each bin's arg-max is taken where the data is.
    index = _bin_maxima(x, to_host(boxes._data), (pooled[0], pooled[1]), scale)
    result = gather_op(data, index=index, fill=0)
    return result if out is None else into(out, result, where)


def _bin_maxima(
    x: np.ndarray, rois: np.ndarray, pooled: tuple[int, int], scale: np.floating[Any]
) -> np.ndarray:
    """For each ROI, channel and bin, the flat index in `x` of the bin's first maximum, or -1
    for an empty bin or a batch index out of range: as MXNet's CPU kernel, in its float type."""
    n, c, h, w = x.shape
    ph, pw = pooled
    f = scale.dtype.type
    index = empty((len(rois), c, ph, pw), np.int64, x)
    index[...] = -1
    corners = _c_round(rois[:, 1:5].astype(scale.dtype) * scale).astype(np.int64)  # x1, y1, x2, y2
    channels = arange(c, x)
    for r, ((x1, y1, x2, y2), batch) in enumerate(zip(corners, rois[:, 0], strict=True)):
        b = math.trunc(float(batch))  # C's cast to int
        if not 0 <= b < n:
            continue
        bin_h = f(max(y2 - y1 + 1, 1)) / f(ph)
        bin_w = f(max(x2 - x1 + 1, 1)) / f(pw)
        for i in range(ph):
            top = min(max(int(np.floor(f(i) * bin_h)) + y1, 0), h)
            bottom = min(max(int(np.ceil(f(i + 1) * bin_h)) + y1, 0), h)
            for j in range(pw):
                left = min(max(int(np.floor(f(j) * bin_w)) + x1, 0), w)
                right = min(max(int(np.ceil(f(j + 1) * bin_w)) + x1, 0), w)
                if bottom <= top or right <= left:
                    continue
                window = x[b, :, top:bottom, left:right].reshape(c, -1)
                rows, cols = np.divmod(window.argmax(axis=1), right - left)  # the first maximum
                index[r, :, i, j] = ((b * c + channels) * h + top + rows) * w + left + cols
    return index
