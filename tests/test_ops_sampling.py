"""The sampling layers (BilinearSampler, GridGenerator, SpatialTransformer, ROIPooling): values
against loops written here, MXNet's values (written as literals), argument errors, and
derivatives against finite differences to second order (the SAMPLING table): with respect to
both the data and the grid, and through ROI max pooling."""

from __future__ import annotations

import itertools
import math
from typing import Any

import numpy as np
import pytest
from conftest import distinct as _distinct
from conftest import uniform as _x
from conftest import weighted as _weighted

from tape import autograd, nd
from tape.errors import ArgumentError
from tape.testing import check_grads


def _f64(values: Any) -> nd.NDArray:
    return nd.array(values, dtype="float64")


# ---- references: loops over every output position -------------------------------------------
def _sample_ref(x: np.ndarray, grid: np.ndarray) -> np.ndarray:
    n, c, h, w = x.shape
    y = np.zeros((n, c, *grid.shape[2:]))
    for b, i, j in itertools.product(range(n), range(grid.shape[2]), range(grid.shape[3])):
        px, py = (grid[b, 0, i, j] + 1) * (w - 1) / 2, (grid[b, 1, i, j] + 1) * (h - 1) / 2
        for yy, xx in itertools.product(
            (math.floor(py), math.floor(py) + 1), (math.floor(px), math.floor(px) + 1)
        ):
            if 0 <= yy < h and 0 <= xx < w:  # zero outside
                y[b, :, i, j] += x[b, :, yy, xx] * (1 - abs(py - yy)) * (1 - abs(px - xx))
    return y


def _roi_ref(x: np.ndarray, rois: np.ndarray, ph: int, pw: int, scale: float) -> np.ndarray:
    """MXNet's CPU kernel: C's round, inclusive corners, floor/ceil bins clipped to the image."""
    cround = lambda v: int(math.copysign(math.floor(abs(v) + 0.5), v))
    n, c, h, w = x.shape
    y = np.zeros((len(rois), c, ph, pw))
    for r, (b, *corners) in enumerate(rois):
        x1, y1, x2, y2 = (cround(v * scale) for v in corners)
        bh, bw = max(y2 - y1 + 1, 1) / ph, max(x2 - x1 + 1, 1) / pw
        for i, j in itertools.product(range(ph), range(pw)):
            top, bottom = (min(max(math.floor(v) + y1, 0), h) for v in (i * bh, math.ceil((i + 1) * bh)))
            left, right = (min(max(math.floor(v) + x1, 0), w) for v in (j * bw, math.ceil((j + 1) * bw)))
            if 0 <= int(b) < n and bottom > top and right > left:
                y[r, :, i, j] = x[int(b), :, top:bottom, left:right].max(axis=(1, 2))
    return y


# ---- BilinearSampler, GridGenerator, SpatialTransformer ---------------------------------------
def test_bilinear_sampler_matches_a_loop_inside_and_outside_the_image() -> None:
    x, grid = _x((2, 3, 5, 6), 1), _x((2, 2, 4, 7), 2, spread=1.3)
    got = nd.BilinearSampler(_f64(x), _f64(grid))
    np.testing.assert_allclose(got.asnumpy(), _sample_ref(x, grid), rtol=1e-12, atol=1e-14)


def test_bilinear_sampler_values_and_gradients_match_mxnet_on_borders() -> None:
    # mxnet 1.9.1: these values, and the gradients of the output weighted by 1..6
    data = nd.array([[[[1, 2, 3], [4, 5, 6]]]])
    grid = nd.array([[[[-1.5, -1, -0.5, 0.25, 1, 1.2]], [[-1, -1.2, 0.5, 1, 1.5, 0.9]]]])
    data.attach_grad()
    grid.attach_grad()
    with autograd.record():
        y = nd.BilinearSampler(data, grid)
    y.backward(nd.array([[[[1, 2, 3, 4, 5, 6]]]]))
    np.testing.assert_allclose(y.asnumpy().ravel(), [0.5, 0.9, 3.75, 5.25, 4.5, 4.68], rtol=1e-6)
    np.testing.assert_allclose(
        data.grad.asnumpy()[0, 0], [[2.675, 0.375, 0.24], [1.125, 4.125, 9.31]], rtol=1e-6
    )
    np.testing.assert_allclose(
        grid.grad.asnumpy()[0, :, 0],
        [[1, 1.8, 3, 4, -22.5, -35.1], [0.75, 1, 4.5, -10.5, -15, 7.2]],
        rtol=1e-6,
    )


def test_grid_generator_affine_and_warp_match_loops() -> None:
    theta, (h, w) = _x((2, 6), 1), (3, 4)
    got = nd.GridGenerator(_f64(theta), transform_type="affine", target_shape=(h, w)).asnumpy()
    for n, i, j in itertools.product(range(2), range(h), range(w)):
        point = [-1 + 2 * j / (w - 1), -1 + 2 * i / (h - 1), 1]
        np.testing.assert_allclose(got[n, :, i, j], theta[n].reshape(2, 3) @ point, rtol=1e-12)
    flow = _x((2, 2, 3, 4), 2, spread=2)
    got = nd.GridGenerator(_f64(flow), transform_type="warp", target_shape=(9, 9)).asnumpy()  # shape ignored
    for n, i, j in itertools.product(range(2), range(h), range(w)):
        want = [(flow[n, 0, i, j] + j) * 2 / (w - 1) - 1, (flow[n, 1, i, j] + i) * 2 / (h - 1) - 1]
        np.testing.assert_allclose(got[n, :, i, j], want, rtol=1e-12)


def test_spatial_transformer_is_the_sampler_at_the_affine_grid() -> None:
    x, loc = nd.array(_x((2, 3, 5, 6), 1)), nd.array(_x((2, 6), 2))
    y = nd.SpatialTransformer(x, loc, target_shape=(4, 3), transform_type="affine", sampler_type="bilinear")
    grid = nd.GridGenerator(loc, transform_type="affine", target_shape=(4, 3))
    assert y.shape == (2, 3, 4, 3) and y.dtype == np.float32
    np.testing.assert_array_equal(y.asnumpy(), nd.BilinearSampler(x, grid).asnumpy())
    identity = nd.array([[1, 0, 0, 0, 1, 0]] * 2)
    same = nd.SpatialTransformer(
        x, identity, target_shape=(5, 6), transform_type="affine", sampler_type="bilinear"
    )
    np.testing.assert_allclose(same.asnumpy(), x.asnumpy(), rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: nd.BilinearSampler(nd.ones((1, 2, 3, 3)), nd.ones((1, 3, 2, 2))), "grid must have shape"),
        (lambda: nd.BilinearSampler(nd.ones((2, 3, 3)), nd.ones((2, 2, 2, 2))), "4 axes"),
        (lambda: nd.GridGenerator(nd.ones((1, 6)), transform_type="affine"), "target_shape"),
        (
            lambda: nd.GridGenerator(nd.ones((1, 4)), transform_type="affine", target_shape=(2, 2)),
            "\\(N, 6\\)",
        ),
        (lambda: nd.GridGenerator(nd.ones((1, 6)), transform_type="warp"), "\\(N, 2, H, W\\)"),
        (lambda: nd.GridGenerator(nd.ones((1, 6)), transform_type="perspective"), "transform_type"),
        (
            lambda: nd.SpatialTransformer(nd.ones((1, 1, 2, 2)), nd.ones((1, 6)), (2, 2), "affine"),
            "sampler_type",
        ),
        (
            lambda: nd.SpatialTransformer(
                nd.ones((1, 1, 2, 2)), nd.ones((2, 6)), (2, 2), "affine", "bilinear"
            ),
            "loc",
        ),
    ],
)
def test_samplers_name_a_wrong_argument(call: Any, message: str) -> None:
    with pytest.raises((ArgumentError, TypeError), match=message):
        call()


def test_samplers_keep_float32_and_compute_integers_in_float32() -> None:
    ints = lambda shape: nd.array(np.ones(shape), dtype="int32")
    grids = [
        nd.GridGenerator(nd.ones((1, 6)), transform_type="affine", target_shape=(2, 2)),
        nd.GridGenerator(ints((1, 6)), transform_type="affine", target_shape=(2, 2)),
        nd.GridGenerator(ints((1, 2, 2, 2)), transform_type="warp"),
    ]
    assert all(g.dtype == np.float32 for g in grids)
    assert nd.BilinearSampler(ints((1, 1, 2, 2)), grids[0]).dtype == np.float32
    assert (
        nd.SpatialTransformer(ints((1, 1, 2, 2)), ints((1, 6)), (2, 2), "affine", "bilinear").dtype
        == np.float32
    )


# ---- ROIPooling ------------------------------------------------------------------------------
ROIS = [
    [0, 0, 0, 13, 11],
    [1, 3, 5, 11, 9],
    [0, 5, 5, 7, 7],
    [1, 1.5, 2.5, 5.5, 4.4],
    [0, 6, 5, 2, 1],
    [1, -4, -6, 40, 60],
]


@pytest.mark.parametrize(("pooled", "scale"), [((2, 3), 0.5), ((3, 2), 1.0), ((1, 1), 0.25)])
def test_roi_pooling_matches_mxnets_kernel(pooled: tuple[int, int], scale: float) -> None:
    x = _distinct((2, 3, 7, 8))
    got = nd.ROIPooling(_f64(x), nd.array(ROIS), pooled_size=pooled, spatial_scale=scale)
    np.testing.assert_array_equal(got.asnumpy(), _roi_ref(x, np.array(ROIS), *pooled, scale))


def test_roi_pooling_rounds_halves_away_from_zero_as_mxnet() -> None:
    # mxnet 1.9.1 gives these values: 0.5 * 1 rounds to 1, 2.5 to 3 (NumPy's round would give 0 and 2);
    # an empty bin, or a batch index out of range, gives zeros.
    x = nd.arange(36).reshape((1, 1, 6, 6))
    rois = nd.array([[0, 0.5, 0.5, 2.5, 2.5], [0, 4, 4, 9, 9], [0, 3, 2, 1, 1], [5, 0, 0, 3, 3]])
    y = nd.ROIPooling(x, rois, pooled_size=(2, 2), spatial_scale=1.0)
    assert y.dtype == np.float32
    np.testing.assert_array_equal(
        y.asnumpy()[:, 0], [[[14, 15], [20, 21]], [[35, 0], [0, 0]], [[15, 15], [15, 15]], [[0, 0], [0, 0]]]
    )


def test_roi_pooling_gradient_goes_to_each_bins_first_maximum() -> None:
    x = nd.array([[[[1, 3, 3], [2, 3, 0]]]])
    x.attach_grad()
    with autograd.record():
        y = nd.ROIPooling(
            x, nd.array([[0, 0, 0, 2, 1], [0, 1, 0, 2, 0]]), pooled_size=(1, 1), spatial_scale=1.0
        )
    y.backward()
    np.testing.assert_array_equal(x.grad.asnumpy(), [[[[0, 2, 0], [0, 0, 0]]]])


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"pooled_size": 2, "spatial_scale": 1.0}, "pooled_size must be"),
        ({"pooled_size": (2, 2)}, "spatial_scale is required"),
        ({"pooled_size": (2, 2), "spatial_scale": 0.0}, "spatial_scale must be more than 0"),
        ({"pooled_size": (2, 2), "spatial_scale": "1"}, "spatial_scale must be a real number"),
    ],
)
def test_roi_pooling_names_a_wrong_argument(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises((ArgumentError, TypeError), match=message):
        nd.ROIPooling(nd.ones((1, 1, 4, 4)), nd.array([[0, 0, 0, 2, 2]]), **kwargs)
    with pytest.raises(ArgumentError, match="rois must have shape"):
        nd.ROIPooling(nd.ones((1, 1, 4, 4)), nd.array([0, 0, 0, 2, 2]), pooled_size=(2, 2), spatial_scale=1.0)


# ---- derivatives -----------------------------------------------------------------------------
# (op, function, arguments): each row checked to second order in every argument.
SAMPLING = [
    (
        nd.BilinearSampler,
        lambda x, g: nd.BilinearSampler(x, g),
        (_x((2, 2, 4, 5)), _x((2, 2, 3, 3), 1, spread=1.3)),
    ),
    (
        nd.GridGenerator,
        lambda t: nd.GridGenerator(t, transform_type="affine", target_shape=(3, 4)),
        (_x((2, 6)),),
    ),
    (nd.GridGenerator, lambda f: nd.GridGenerator(f, transform_type="warp"), (_x((1, 2, 3, 4)),)),
    (
        nd.SpatialTransformer,
        lambda x, loc: nd.SpatialTransformer(
            x, loc, target_shape=(3, 4), transform_type="affine", sampler_type="bilinear"
        ),
        (_x((1, 2, 4, 5)), _x((1, 6), 1)),
    ),
    (
        nd.ROIPooling,
        lambda x: nd.ROIPooling(x, nd.array(ROIS), pooled_size=(2, 3), spatial_scale=0.5),
        (_distinct((2, 2, 7, 8)),),
    ),
]


@pytest.mark.parametrize(("op", "f", "args"), SAMPLING)
def test_sampling_derivatives_to_second_order(op: Any, f: Any, args: tuple[np.ndarray, ...]) -> None:
    check_grads(_weighted(f), *args, order=2, rtol=1e-4, atol=1e-6)


def test_bilinear_sampler_third_derivative() -> None:
    f = lambda x, g: nd.tanh(nd.BilinearSampler(x, g))
    check_grads(f, _x((1, 2, 3, 4)), _x((1, 2, 2, 3), 1, spread=1.2), order=3, rtol=1e-4, atol=1e-5)
