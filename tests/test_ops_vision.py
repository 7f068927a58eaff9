"""The vision layers (UpSampling, im2col, col2im, depth_to_space, space_to_depth, Correlation):
values against loops written here, MXNet's values (written as literals), argument errors, and
derivatives against finite differences to second order (the VISION table)."""

from __future__ import annotations

import itertools
import math
from typing import Any

import numpy as np
import pytest
from conftest import uniform as _x
from conftest import weighted as _weighted

from tape import nd
from tape.errors import ArgumentError
from tape.testing import check_grads


def _f64(values: Any) -> nd.NDArray:
    return nd.array(values, dtype="float64")


# ---- references: loops over every output position -------------------------------------------
def _upsample_ref(x: np.ndarray, height: int, width: int) -> np.ndarray:
    y = np.zeros((*x.shape[:2], height, width))
    for i, j in itertools.product(range(height), range(width)):
        y[:, :, i, j] = x[:, :, i * x.shape[2] // height, j * x.shape[3] // width]
    return y


def _im2col_ref(x: np.ndarray, kernel: Any, stride: Any, dilate: Any, pad: Any) -> np.ndarray:
    xp = np.pad(x, [(0, 0), (0, 0), *[(p, p) for p in pad]])
    out = [(xp.shape[2 + i] - dilate[i] * (kernel[i] - 1) - 1) // stride[i] + 1 for i in range(len(kernel))]
    cols = np.zeros((x.shape[0], x.shape[1] * math.prod(kernel), math.prod(out)))
    for col, pos in enumerate(itertools.product(*[range(o) for o in out])):
        for row, (c, *tap) in enumerate(itertools.product(range(x.shape[1]), *[range(k) for k in kernel])):
            at = tuple(p * s + t * d for p, s, t, d in zip(pos, stride, tap, dilate, strict=True))
            cols[:, row, col] = xp[(slice(None), c, *at)]
    return cols


def _correlation_ref(
    a: np.ndarray, b: np.ndarray, k: int, reach: int, s1: int, s2: int, p: int, mul: bool
) -> Any:
    """MXNet's CPU kernel, loop for loop."""
    ap, bp = (np.pad(x, [(0, 0), (0, 0), (p, p), (p, p)]) for x in (a, b))
    n, c, hp, wp = ap.shape
    border = reach + (k - 1) // 2
    th, tw = math.ceil((hp - 2 * border) / s1), math.ceil((wp - 2 * border) / s1)
    radius = reach // s2
    grid = 2 * radius + 1
    y = np.zeros((n, grid * grid, th, tw))
    for i, j, t in itertools.product(range(th), range(tw), range(grid * grid)):
        y1, x1 = i * s1 + reach, j * s1 + reach
        dy, dx = (t // grid - radius) * s2, (t % grid - radius) * s2
        first = ap[:, :, y1 : y1 + k, x1 : x1 + k]
        second = bp[:, :, y1 + dy : y1 + dy + k, x1 + dx : x1 + dx + k]
        pair = first * second if mul else np.abs(first - second)
        y[:, t, i, j] = pair.sum(axis=(1, 2, 3)) / (k * k * c)
    return y


# ---- UpSampling ------------------------------------------------------------------------------
@pytest.mark.parametrize(("shape", "scale"), [((2, 3, 2, 3), 2), ((1, 1, 3, 1), 3), ((1, 2, 2, 2), 1)])
def test_nearest_upsampling_matches_a_loop(shape: tuple[int, ...], scale: int) -> None:
    x = _x(shape)
    y = nd.UpSampling(_f64(x), scale=scale, sample_type="nearest")
    np.testing.assert_array_equal(y.asnumpy(), _upsample_ref(x, shape[2] * scale, shape[3] * scale))


def test_nearest_upsampling_of_several_arrays_concatenates_or_sums_as_mxnet() -> None:
    # mxnet 1.9.1: each array is enlarged to the first's size times scale.
    a, b = nd.arange(8).reshape((2, 1, 2, 2)), nd.arange(6).reshape((2, 3, 1, 1))
    y = nd.UpSampling(a, b, scale=2, sample_type="nearest", num_args=2)
    assert y.shape == (2, 4, 4, 4) and y.dtype == np.float32
    np.testing.assert_array_equal(y.asnumpy()[:, :1], _upsample_ref(a.asnumpy(), 4, 4))
    np.testing.assert_array_equal(y.asnumpy()[:, 1:], _upsample_ref(b.asnumpy(), 4, 4))
    s = nd.UpSampling(a, nd.ones((2, 1, 1, 1)), scale=2, sample_type="nearest", multi_input_mode="sum")
    np.testing.assert_array_equal(s.asnumpy(), _upsample_ref(a.asnumpy(), 4, 4) + 1)


def test_bilinear_upsampling_is_mxnets_grouped_deconvolution() -> None:
    x, w = nd.array(_x((1, 2, 3, 3), 1)), nd.array(_x((2, 1, 4, 4), 2))
    y = nd.UpSampling(x, w, scale=2, sample_type="bilinear", num_filter=2)
    want = nd.Deconvolution(x, w, kernel=(4, 4), stride=(2, 2), pad=(1, 1), num_filter=2, num_group=2)
    assert y.shape == (1, 2, 6, 6)
    np.testing.assert_array_equal(y.asnumpy(), want.asnumpy())
    # mxnet 1.9.1: nd.UpSampling(nd.arange(8).reshape((2,1,2,2)), nd.ones((1,1,4,4)), scale=2,
    #   sample_type='bilinear', num_filter=1)[0, 0]
    z = nd.UpSampling(
        nd.arange(8).reshape((2, 1, 2, 2)),
        nd.ones((1, 1, 4, 4)),
        scale=2,
        sample_type="bilinear",
        num_filter=1,
    )
    np.testing.assert_array_equal(z.asnumpy()[0, 0], [[0, 1, 1, 1], [2, 6, 6, 4], [2, 6, 6, 4], [2, 5, 5, 3]])
    assert nd.UpSampling(x, nd.ones((2, 1, 5, 5)), scale=3, sample_type="bilinear", num_filter=2).shape == (
        1,
        2,
        9,
        9,
    )


@pytest.mark.parametrize(
    ("args", "kwargs", "message"),
    [
        (1, {"scale": 2}, "sample_type must be one of"),
        (1, {"sample_type": "nearest"}, "scale is required"),
        (1, {"scale": 0, "sample_type": "nearest"}, "scale must be 1 or more"),
        (1, {"scale": 2.0, "sample_type": "nearest"}, "scale must be an int"),
        (1, {"scale": 2, "sample_type": "nearest", "num_args": 2}, "num_args=2, but 1 arrays"),
        (2, {"scale": 2, "sample_type": "nearest", "multi_input_mode": "max"}, "multi_input_mode"),
        (1, {"scale": 2, "sample_type": "bilinear", "num_filter": 2}, "takes two arrays"),
        (2, {"scale": 2, "sample_type": "bilinear"}, "needs num_filter=2"),
        (2, {"scale": 2, "sample_type": "bilinear", "num_filter": 2}, "need \\(2, 1, 4, 4\\)"),
    ],
)
def test_upsampling_names_a_wrong_argument(args: int, kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises((ArgumentError, TypeError), match=message):
        nd.UpSampling(*[nd.ones((1, 2, 2, 2))] * args, **kwargs)


def test_upsampling_refuses_what_mxnet_refuses() -> None:
    with pytest.raises(ArgumentError, match="4 axes"):
        nd.UpSampling(nd.ones((1, 2, 3)), scale=2, sample_type="nearest")
    with pytest.raises(ArgumentError, match="must divide"):
        nd.UpSampling(nd.ones((1, 1, 3, 3)), nd.ones((1, 1, 2, 2)), scale=1, sample_type="nearest")
    with pytest.raises(ArgumentError, match="each needs the first's channels"):
        nd.UpSampling(
            nd.ones((1, 1, 2, 2)),
            nd.ones((1, 2, 2, 2)),
            scale=1,
            sample_type="nearest",
            multi_input_mode="sum",
        )


# ---- im2col and col2im -----------------------------------------------------------------------
IM2COL_CASES = [
    ((2, 3, 5), (2,), (2,), (1,), (1,)),
    ((1, 2, 4, 5), (2, 3), (2, 1), (1, 2), (1, 1)),
    ((2, 1, 5, 4), (3, 2), (1, 3), (2, 1), (0, 2)),
    ((1, 2, 3, 4, 3), (2, 2, 2), (1, 2, 1), (1, 1, 2), (1, 0, 1)),
]


@pytest.mark.parametrize(("shape", "kernel", "stride", "dilate", "pad"), IM2COL_CASES)
def test_im2col_matches_a_loop_and_col2im_is_its_adjoint(
    shape: tuple[int, ...], kernel: Any, stride: Any, dilate: Any, pad: Any
) -> None:
    x = _x(shape, 1)
    kw = {"kernel": kernel, "stride": stride, "dilate": dilate, "pad": pad}
    cols = nd.im2col(_f64(x), **kw)
    np.testing.assert_array_equal(cols.asnumpy(), _im2col_ref(x, kernel, stride, dilate, pad))
    probe = _x(cols.shape, 2)
    back = nd.col2im(_f64(probe), output_size=shape[2:], **kw)
    assert back.shape == shape
    np.testing.assert_allclose((back.asnumpy() * x).sum(), (probe * cols.asnumpy()).sum(), rtol=1e-12)


def test_im2col_and_col2im_match_mxnet() -> None:
    # mxnet 1.9.1: nd.im2col(nd.arange(24).reshape((1,2,3,4)), kernel=(2,2), stride=(1,2), pad=(1,0))[0, :2]
    x = nd.arange(24).reshape((1, 2, 3, 4))
    cols = nd.im2col(x, kernel=(2, 2), stride=(1, 2), pad=(1, 0))
    assert cols.shape == (1, 8, 8) and cols.dtype == np.float32
    np.testing.assert_array_equal(
        cols.asnumpy()[0, :2], [[0, 0, 0, 2, 4, 6, 8, 10], [0, 0, 1, 3, 5, 7, 9, 11]]
    )
    # each pixel lies in two windows here, so col2im(im2col(x)) is 2 x (as mxnet 1.9.1 gives)
    back = nd.col2im(cols, output_size=(3, 4), kernel=(2, 2), stride=(1, 2), pad=(1, 0))
    np.testing.assert_array_equal(back.asnumpy(), 2 * x.asnumpy())


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"output_size": (3, 4), "kernel": (2, 2)}, "has 8 columns, but output_size"),
        ({"output_size": 3, "kernel": (2, 2)}, "per spatial axis of output_size"),
        ({"output_size": (3, 4), "kernel": (3, 3)}, "data must have shape"),
        ({"output_size": (3, 4), "kernel": (2, 2), "stride": (0, 1)}, "stride must be 1 or more"),
    ],
)
def test_col2im_names_a_wrong_argument(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises((ArgumentError, TypeError), match=message):
        nd.col2im(nd.ones((1, 8, 8)), **kwargs)


# ---- depth_to_space and space_to_depth -------------------------------------------------------
def test_depth_to_space_matches_a_loop_and_space_to_depth_undoes_it() -> None:
    x, b = _x((2, 12, 2, 3)), 2
    y = nd.depth_to_space(_f64(x), b).asnumpy()
    assert y.shape == (2, 3, 4, 6)
    for n, c, h, w, i, j in itertools.product(range(2), range(3), range(2), range(3), range(b), range(b)):
        assert y[n, c, h * b + i, w * b + j] == x[n, (i * b + j) * 3 + c, h, w]
    np.testing.assert_array_equal(nd.space_to_depth(nd.array(y, dtype="float64"), b).asnumpy(), x)


def test_depth_to_space_matches_mxnet() -> None:
    # mxnet 1.9.1: nd.depth_to_space(nd.arange(48).reshape((1,8,2,3)), 2)[0, 0, :2]
    y = nd.depth_to_space(nd.arange(48).reshape((1, 8, 2, 3)), 2)
    assert y.shape == (1, 2, 4, 6) and y.dtype == np.float32
    np.testing.assert_array_equal(y.asnumpy()[0, 0, :2], [[0, 12, 1, 13, 2, 14], [24, 36, 25, 37, 26, 38]])


@pytest.mark.parametrize(
    ("f", "shape", "message"),
    [
        (nd.depth_to_space, (1, 6, 2, 2), "multiple of block_size"),
        (nd.space_to_depth, (1, 2, 3, 4), "multiples of block_size"),
        (nd.space_to_depth, (2, 4, 4), "4 axes"),
    ],
)
def test_block_moves_name_a_wrong_argument(f: Any, shape: tuple[int, ...], message: str) -> None:
    with pytest.raises(ArgumentError, match=message):
        f(nd.ones(shape), 2)
    with pytest.raises(TypeError, match="block_size must be an int"):
        f(nd.ones((1, 4, 2, 2)), 2.0)


# ---- Correlation -----------------------------------------------------------------------------
CORRELATIONS = [(1, 1, 1, 1, 0, True), (3, 2, 2, 1, 2, True), (1, 4, 1, 2, 3, False), (3, 1, 3, 1, 0, True)]


@pytest.mark.parametrize(("k", "reach", "s1", "s2", "pad", "mul"), CORRELATIONS)
def test_correlation_matches_mxnets_kernel(k: int, reach: int, s1: int, s2: int, pad: int, mul: bool) -> None:
    a, b = _x((2, 3, 7, 8), 1), _x((2, 3, 7, 8), 2)
    got = nd.Correlation(
        _f64(a),
        _f64(b),
        kernel_size=k,
        max_displacement=reach,
        stride1=s1,
        stride2=s2,
        pad_size=pad,
        is_multiply=mul,
    )
    want = _correlation_ref(a, b, k, reach, s1, s2, pad, mul)
    assert got.shape == want.shape
    np.testing.assert_allclose(got.asnumpy(), want, rtol=1e-12, atol=1e-14)


def test_correlation_matches_mxnet() -> None:
    # mxnet 1.9.1 gives shape (2, 25, 3, 3) for these parameters and (2, 9, 5, 6) by default
    a = nd.ones((2, 3, 7, 8))
    y = nd.Correlation(a, a, kernel_size=3, max_displacement=2, stride1=2, stride2=1, pad_size=2)
    assert y.shape == (2, 25, 3, 3) and y.dtype == np.float32
    assert nd.Correlation(a, a).shape == (2, 9, 5, 6)
    ints = nd.array(np.ones((1, 2, 3, 3)), dtype="int32")
    assert nd.Correlation(ints, ints).dtype == np.float32  # an average: never cut to integers


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"kernel_size": 2}, "kernel_size must be odd"),
        ({"max_displacement": 3}, "too small"),
        ({"stride1": 0}, "stride1 must be 1 or more"),
        ({"pad_size": -1}, "pad_size must be 0 or more"),
    ],
)
def test_correlation_names_a_wrong_argument(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ArgumentError, match=message):
        nd.Correlation(nd.ones((1, 2, 4, 4)), nd.ones((1, 2, 4, 4)), **kwargs)
    with pytest.raises(ArgumentError, match="one shape"):
        nd.Correlation(nd.ones((1, 2, 4, 4)), nd.ones((1, 2, 4, 5)))


# ---- derivatives -----------------------------------------------------------------------------
# (op, function, arguments): each row checked to second order in every argument.
VISION = [
    (nd.UpSampling, lambda x: nd.UpSampling(x, scale=2, sample_type="nearest"), (_x((1, 2, 2, 3)),)),
    (
        nd.UpSampling,
        lambda x, y: nd.UpSampling(x, y, scale=2, sample_type="nearest"),
        (_x((1, 1, 2, 2)), _x((1, 2, 1, 1), 1)),
    ),
    (
        nd.UpSampling,
        lambda x, y: nd.UpSampling(x, y, scale=1, sample_type="nearest", multi_input_mode="sum"),
        (_x((1, 2, 2, 4)), _x((1, 2, 1, 2), 1)),
    ),
    (
        nd.UpSampling,
        lambda x, w: nd.UpSampling(x, w, scale=2, sample_type="bilinear", num_filter=2),
        (_x((1, 2, 2, 3)), _x((2, 1, 4, 4), 1)),
    ),
    (
        nd.im2col,
        lambda x: nd.im2col(x, kernel=(2, 3), stride=(2, 1), dilate=(1, 2), pad=(1, 1)),
        (_x((1, 2, 4, 5)),),
    ),
    (
        nd.col2im,
        lambda c: nd.col2im(c, output_size=(4, 5), kernel=(2, 2), stride=(2, 2), pad=(1, 0)),
        (_x((1, 8, 6)),),
    ),
    (nd.depth_to_space, lambda x: nd.depth_to_space(x, 2), (_x((1, 8, 2, 3)),)),
    (nd.space_to_depth, lambda x: nd.space_to_depth(x, 2), (_x((1, 2, 4, 6)),)),
    (
        nd.Correlation,
        lambda a, b: nd.Correlation(
            a, b, kernel_size=3, max_displacement=2, stride1=2, stride2=2, pad_size=2
        ),
        (_x((1, 2, 5, 6)), _x((1, 2, 5, 6), 1)),
    ),
    (
        nd.Correlation,
        lambda a, b: nd.Correlation(a, b, is_multiply=False),
        (_x((1, 2, 4, 4)), _x((1, 2, 4, 4), 1)),
    ),
]


@pytest.mark.parametrize(("op", "f", "args"), VISION)
def test_vision_derivatives_to_second_order(op: Any, f: Any, args: tuple[np.ndarray, ...]) -> None:
    check_grads(_weighted(f), *args, order=2, rtol=1e-4, atol=1e-6)
