"""Convolution and Pooling: values against loops written here, MXNet's conventions (its values
written as literals), shapes, argument errors, and derivatives to second order and beyond."""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import pytest
from conftest import distinct as _distinct
from conftest import uniform as _x
from conftest import weighted as _weighted

from tape import autograd, nd
from tape.testing import check_grads


# ---- references: plain loops over every output position -------------------------------------
def _conv_ref(
    x: np.ndarray, w: np.ndarray, b: np.ndarray | None, stride: Any, dilate: Any, pad: Any, groups: int
) -> np.ndarray:
    n, c = x.shape[:2]
    f, kernel = w.shape[0], w.shape[2:]
    xp = np.pad(x, [(0, 0), (0, 0), *[(p, p) for p in pad]])
    out = [(xp.shape[2 + i] - dilate[i] * (kernel[i] - 1) - 1) // stride[i] + 1 for i in range(len(kernel))]
    y = np.zeros((n, f, *out))
    per_group, cg = f // groups, c // groups
    for i, j in itertools.product(range(n), range(f)):
        g = j // per_group
        for pos in itertools.product(*[range(o) for o in out]):
            window = tuple(
                slice(p * s, p * s + d * (k - 1) + 1, d)
                for p, s, d, k in zip(pos, stride, dilate, kernel, strict=True)
            )
            y[(i, j, *pos)] = np.sum(xp[(i, slice(g * cg, (g + 1) * cg), *window)] * w[j])
        if b is not None:
            y[i, j] += b[j]
    return y


def _pool_ref(
    x: np.ndarray, kernel: Any, stride: Any, pad: Any, pool_type: str, full: bool, include_pad: bool
) -> np.ndarray:
    spatial = x.shape[2:]
    steps = [spatial[i] + 2 * pad[i] - kernel[i] for i in range(len(kernel))]
    out = [(-(-s // st) if full else s // st) + 1 for s, st in zip(steps, stride, strict=True)]
    y = np.zeros((*x.shape[:2], *out))
    for pos in itertools.product(*[range(o) for o in out]):
        starts = [p * s - q for p, s, q in zip(pos, stride, pad, strict=True)]
        ends = [min(st + k, n + q) for st, k, n, q in zip(starts, kernel, spatial, pad, strict=True)]
        inside = tuple(slice(max(st, 0), min(e, n)) for st, e, n in zip(starts, ends, spatial, strict=True))
        window = x[(slice(None), slice(None), *inside)].reshape(*x.shape[:2], -1)
        counted = (
            np.prod([e - st for st, e in zip(starts, ends, strict=True)]) if include_pad else window.shape[-1]
        )
        if pool_type == "max":  # padding is never the maximum; a window of padding alone is the lowest
            top = window.max(axis=-1) if window.shape[-1] else np.full(x.shape[:2], np.finfo(x.dtype).min)
            y[(slice(None), slice(None), *pos)] = top
        else:
            total = window.sum(axis=-1)
            y[(slice(None), slice(None), *pos)] = total / max(counted, 1) if pool_type == "avg" else total
    return y


# ---- Convolution: values and shapes -----------------------------------------------------------
# (data shape, weight shape, stride, dilate, pad, num_group, no_bias)
CONV_CASES = [
    ((2, 3, 7), (4, 3, 3), (1,), (1,), (0,), 1, False),
    ((1, 2, 9), (2, 2, 2), (2,), (3,), (2,), 1, True),
    ((2, 4, 8), (6, 2, 3), (3,), (1,), (1,), 2, False),
    ((2, 3, 6, 5), (4, 3, 3, 3), (1, 1), (1, 1), (0, 0), 1, False),
    ((1, 2, 7, 8), (3, 2, 2, 3), (2, 3), (1, 1), (1, 2), 1, False),
    ((2, 4, 9, 7), (4, 1, 3, 2), (2, 1), (2, 3), (1, 0), 4, True),
    ((1, 6, 6, 6), (4, 3, 1, 1), (1, 1), (1, 1), (0, 0), 2, False),
    ((1, 2, 5, 4, 6), (3, 2, 2, 3, 2), (1, 2, 1), (2, 1, 1), (1, 1, 0), 1, False),
]


@pytest.mark.parametrize(("dshape", "wshape", "stride", "dilate", "pad", "groups", "no_bias"), CONV_CASES)
def test_convolution_matches_a_loop(
    dshape: tuple[int, ...],
    wshape: tuple[int, ...],
    stride: Any,
    dilate: Any,
    pad: Any,
    groups: int,
    no_bias: bool,
) -> None:
    x, w, b = _x(dshape, 1), _x(wshape, 2), _x(wshape[:1], 3)
    bias = None if no_bias else nd.array(b, dtype="float64")
    got = nd.Convolution(
        nd.array(x, dtype="float64"), nd.array(w, dtype="float64"), bias, kernel=wshape[2:], stride=stride,
        dilate=dilate, pad=pad, num_filter=wshape[0], num_group=groups, no_bias=no_bias,
    )  # fmt: skip
    want = _conv_ref(x, w, None if no_bias else b, stride, dilate, pad, groups)
    assert got.shape == want.shape
    np.testing.assert_allclose(got.asnumpy(), want, rtol=1e-12, atol=1e-12)


def test_convolution_matches_mxnet() -> None:
    # mxnet 1.9.1: nd.Convolution(nd.arange(2*7).reshape((1,2,7)), nd.arange(2*2*2).reshape((2,2,2)) - 3,
    #   nd.array([1, -1]), kernel=(2,), stride=(2,), dilate=(2,), pad=(1,), num_filter=2)
    got = nd.Convolution(
        nd.arange(14).reshape((1, 2, 7)), nd.arange(8).reshape((2, 2, 2)) - 3, nd.array([1, -1]),
        kernel=(2,), stride=(2,), dilate=(2,), pad=(1,), num_filter=2,
    )  # fmt: skip
    np.testing.assert_allclose(got.asnumpy(), [[[-1.0, -16.0, -28.0, -26.0], [33.0, 70.0, 90.0, 40.0]]])


def test_convolution_keeps_float32_and_has_mxnet_output_shapes() -> None:
    y = nd.Convolution(
        nd.ones((2, 3, 28, 28)), nd.ones((8, 3, 5, 5)), nd.zeros(8), kernel=(5, 5), num_filter=8
    )
    assert y.shape == (2, 8, 24, 24) and y.dtype == np.float32
    y = nd.Convolution(
        nd.ones((1, 4, 10, 11)), nd.ones((6, 2, 3, 2)), kernel=(3, 2), stride=(2, 3), dilate=(2, 1),
        pad=(1, 2), num_filter=6, num_group=2, no_bias=True,
    )  # fmt: skip
    assert y.shape == (1, 6, (10 + 2 - 5) // 2 + 1, (11 + 4 - 2) // 3 + 1)


def test_convolution_writes_into_out() -> None:
    out = nd.zeros((1, 1, 2))
    y = nd.Convolution(nd.ones((1, 1, 3)), nd.ones((1, 1, 2)), kernel=2, num_filter=1, no_bias=True, out=out)
    assert y is out
    np.testing.assert_array_equal(out.asnumpy(), [[[2, 2]]])


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"kernel": (2, 2), "num_filter": 2, "no_bias": True}, "weight has shape"),
        ({"kernel": (3,), "num_filter": 2, "no_bias": True}, "needs data of 3 axes"),
        ({"kernel": (3, 3), "no_bias": True}, "num_filter is required"),
        ({"kernel": (3, 3), "num_filter": 2}, "bias is required unless no_bias=True"),
        ({"kernel": (3, 3), "num_filter": 2, "num_group": 2, "no_bias": True}, "num_group=2 must divide"),
        ({"kernel": (3, 3), "num_filter": 2, "stride": (1, 1, 1), "no_bias": True}, "stride"),
        ({"kernel": (3, 3), "num_filter": 2, "stride": (0, 1), "no_bias": True}, "stride must be 1 or more"),
        ({"kernel": (3, 3), "num_filter": 2, "pad": (-1, 0), "no_bias": True}, "pad must be 0 or more"),
        ({"kernel": (3, 3), "num_filter": 2, "dilate": (4, 1), "no_bias": True}, "does not fit"),
        ({"kernel": (3, 3), "num_filter": 2, "layout": "NHWC", "no_bias": True}, "layout"),
        ({"kernel": "3", "num_filter": 2, "no_bias": True}, "kernel must be an int or a tuple"),
    ],
)
def test_convolution_names_a_wrong_argument(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises((ValueError, TypeError), match=message):
        nd.Convolution(nd.ones((1, 3, 5, 5)), nd.ones((2, 3, 3, 3)), **kwargs)


def test_convolution_refuses_a_bias_with_no_bias() -> None:
    with pytest.raises(ValueError, match="no_bias=True"):
        nd.Convolution(
            nd.ones((1, 1, 3)), nd.ones((1, 1, 2)), nd.zeros(1), kernel=2, num_filter=1, no_bias=True
        )


# ---- Convolution: derivatives -----------------------------------------------------------------
# (op, parameters, data shape, weight shape): each row checked to second order in every input.
CONVOLUTIONS = [
    (nd.Convolution, {"kernel": (3,)}, (2, 2, 6), (3, 2, 3)),
    (nd.Convolution, {"kernel": (2,), "stride": (2,), "dilate": (2,), "pad": (1,)}, (1, 2, 7), (2, 2, 2)),
    (nd.Convolution, {"kernel": (2, 2), "pad": (1, 0)}, (1, 2, 3, 4), (2, 2, 2, 2)),
    (nd.Convolution, {"kernel": (2, 3), "stride": (2, 1), "dilate": (1, 2)}, (2, 1, 5, 6), (2, 1, 2, 3)),
    (nd.Convolution, {"kernel": (2, 2), "num_group": 2, "stride": (1, 2)}, (1, 4, 4, 5), (4, 2, 2, 2)),
    (
        nd.Convolution,
        {"kernel": (2, 2), "no_bias": True, "pad": (1, 1), "stride": (2, 2)},
        (1, 2, 4, 4),
        (3, 2, 2, 2),
    ),
]


@pytest.mark.parametrize(("op", "params", "dshape", "wshape"), CONVOLUTIONS)
def test_convolution_derivatives_to_second_order(
    op: Any, params: dict[str, Any], dshape: tuple[int, ...], wshape: tuple[int, ...]
) -> None:
    kw = {"num_filter": wshape[0], **params}
    if params.get("no_bias"):
        check_grads(_weighted(lambda x, w: op(x, w, **kw)), _x(dshape, 1), _x(wshape, 2), order=2)
    else:
        check_grads(
            _weighted(lambda x, w, b: op(x, w, b, **kw)), _x(dshape, 1), _x(wshape, 2), _x(wshape[:1], 3)
        )


def test_convolution_third_derivative() -> None:
    f = lambda x, w: nd.tanh(
        nd.Convolution(x, w, kernel=(2, 2), stride=(2, 1), pad=(1, 1), num_filter=2, no_bias=True)
    )
    check_grads(f, _x((1, 1, 3, 4), 4), _x((2, 1, 2, 2), 5), order=3, rtol=1e-4, atol=1e-5)


# ---- Pooling: values and shapes ---------------------------------------------------------------
# (data shape, kernel, stride, pad, pooling_convention)
POOL_CASES = [
    ((2, 3, 7), (2,), (2,), (0,), "valid"),
    ((1, 2, 8), (3,), (2,), (1,), "full"),
    ((2, 2, 6, 5), (2, 2), (2, 2), (0, 0), "valid"),
    ((1, 2, 7, 6), (3, 2), (2, 1), (1, 1), "valid"),
    ((1, 1, 7, 6), (3, 3), (2, 2), (1, 1), "full"),
    ((1, 2, 5, 9), (2, 4), (3, 2), (1, 0), "full"),
]


@pytest.mark.parametrize("pool_type", ["max", "avg", "sum"])
@pytest.mark.parametrize("include_pad", [True, False])
@pytest.mark.parametrize(("dshape", "kernel", "stride", "pad", "convention"), POOL_CASES)
def test_pooling_matches_a_loop(
    dshape: tuple[int, ...],
    kernel: Any,
    stride: Any,
    pad: Any,
    convention: str,
    pool_type: str,
    include_pad: bool,
) -> None:
    x = _x(dshape)
    got = nd.Pooling(
        nd.array(x, dtype="float64"), kernel=kernel, stride=stride, pad=pad, pool_type=pool_type,
        pooling_convention=convention, count_include_pad=include_pad,
    )  # fmt: skip
    want = _pool_ref(x, kernel, stride, pad, pool_type, convention == "full", include_pad)
    assert got.shape == want.shape
    np.testing.assert_allclose(got.asnumpy(), want, rtol=1e-12, atol=1e-12)


def test_pooling_defaults_to_max_with_stride_1() -> None:
    x = nd.array(_x((1, 2, 5, 5)))
    assert nd.Pooling(x, kernel=(3, 3)).shape == (1, 2, 3, 3)
    np.testing.assert_allclose(
        nd.Pooling(x, kernel=(3, 3))[0, 0, 0, 0].asscalar(), x[0, 0, :3, :3].max().asscalar()
    )


@pytest.mark.parametrize(("pool_type", "reduce"), [("max", np.max), ("avg", np.mean), ("sum", np.sum)])
def test_global_pooling_reduces_each_channel_and_ignores_kernel(pool_type: str, reduce: Any) -> None:
    x = _x((2, 3, 4, 5))
    y = nd.Pooling(nd.array(x, dtype="float64"), kernel=(2, 2), pool_type=pool_type, global_pool=True)
    assert y.shape == (2, 3, 1, 1)
    np.testing.assert_allclose(y.asnumpy()[..., 0, 0], reduce(x, axis=(2, 3)), rtol=1e-12)
    assert nd.Pooling(nd.array(x[:, :, 0]), pool_type=pool_type, global_pool=True).shape == (2, 3, 1)


@pytest.mark.parametrize("include_pad", [True, False])
def test_average_pooling_counts_as_mxnet_does(include_pad: bool) -> None:
    # mxnet 1.9.1, float32 and float64 alike: the windows clipped to the padded input (or to the
    # input itself), and 0 for the windows of the 'full' convention that hold padding alone.
    x = nd.array(np.arange(1, 26).reshape(1, 1, 5, 5))
    y = nd.Pooling(
        x, kernel=(2, 2), stride=(2, 2), pad=(1, 1), pool_type="avg", pooling_convention="full",
        count_include_pad=include_pad,
    )  # fmt: skip
    want = (
        [0.25, 1.25, 2.25, 4.25, 10, 12, 9.25, 20, 22]
        if include_pad
        else [1, 2.5, 4.5, 8.5, 10, 12, 18.5, 20, 22]
    )
    np.testing.assert_allclose(y.asnumpy()[0, 0, :3, :3].ravel(), want)
    np.testing.assert_array_equal(y.asnumpy()[0, 0, 3], 0)
    np.testing.assert_array_equal(y.asnumpy()[0, 0, :, 3], 0)
    z = nd.Pooling(
        nd.array([[[1, 2, 3, 4]]]), kernel=3, stride=2, pad=1, pool_type="avg", pooling_convention="full",
        count_include_pad=include_pad,
    )  # fmt: skip
    np.testing.assert_allclose(z.asnumpy().ravel(), [1, 3, 2] if include_pad else [1.5, 3, 4])


def test_max_pooling_of_padding_alone_is_the_lowest_value_as_in_mxnet() -> None:
    x = nd.array(np.arange(1, 26).reshape(1, 1, 5, 5), dtype="float64")
    y = nd.Pooling(x, kernel=(2, 2), stride=(2, 2), pad=(1, 1), pool_type="max", pooling_convention="full")
    np.testing.assert_array_equal(y.asnumpy()[0, 0, :3, :3], [[1, 3, 5], [11, 13, 15], [21, 23, 25]])
    np.testing.assert_array_equal(y.asnumpy()[0, 0, 3], np.finfo(np.float64).min)
    x.attach_grad()
    with autograd.record():
        y = nd.Pooling(
            x, kernel=(2, 2), stride=(2, 2), pad=(1, 1), pool_type="max", pooling_convention="full"
        )
    y.backward()
    assert x.grad.asnumpy().sum() == 9  # the 7 windows of padding alone send nothing back


def test_max_pooling_gradient_goes_to_the_first_maximum_as_in_mxnet() -> None:
    # mxnet 1.9.1 gives these gradients: the first maximum of each window in row-major order.
    for data, kernel, stride, want in [
        ([[[[1, 3], [3, 1]]]], (2, 2), (1, 1), [[[[0, 1], [0, 0]]]]),
        ([[[[1, 1], [1, 1]]]], (2, 2), (1, 1), [[[[1, 0], [0, 0]]]]),
        ([[[[1, 2, 2, 1]]]], (1, 2), (1, 1), [[[[0, 2, 1, 0]]]]),
        ([[[1, 3, 3, 1]]], (4,), (1,), [[[0, 1, 0, 0]]]),
    ]:
        x = nd.array(data)
        x.attach_grad()
        with autograd.record():
            y = nd.Pooling(x, kernel=kernel, stride=stride, pool_type="max")
        y.backward()
        np.testing.assert_array_equal(x.grad.asnumpy(), want)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"kernel": (2, 2), "pool_type": "lp"}, "pool_type must be one of"),
        ({"kernel": (2, 2), "pooling_convention": "same"}, "pooling_convention must be one of"),
        ({"kernel": (2, 2), "pad": (2, 2)}, "pad must be less than its kernel"),
        ({"kernel": (2,)}, "needs data of 3 axes"),
        ({"kernel": (), "pool_type": "avg"}, "kernel must be given"),
        ({"kernel": (9, 2)}, "does not fit"),
        ({"kernel": (2, 2), "stride": (1, 0)}, "stride must be 1 or more"),
        ({"kernel": (2, 2), "p_value": 2}, "p_value"),
        ({"kernel": (2, 2), "layout": "NHWC"}, "layout"),
    ],
)
def test_pooling_names_a_wrong_argument(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        nd.Pooling(nd.ones((1, 1, 5, 5)), **kwargs)


def test_pooling_refuses_a_list_as_data() -> None:
    with pytest.raises(TypeError, match=r"nd.Pooling: data must be an NDArray"):
        nd.Pooling([[[1.0, 2.0]]], kernel=2)  # type: ignore[arg-type]


# ---- Pooling: derivatives ---------------------------------------------------------------------
# (op, parameters, data shape); data with distinct values, so max pooling has no ties.
POOLINGS = [
    (nd.Pooling, {"kernel": (2,), "stride": (2,), "pool_type": "max"}, (2, 2, 7)),
    (nd.Pooling, {"kernel": (3, 2), "stride": (1, 2), "pad": (1, 1), "pool_type": "max"}, (1, 2, 4, 5)),
    (
        nd.Pooling,
        {"kernel": (2, 2), "stride": (2, 2), "pool_type": "max", "pooling_convention": "full"},
        (1, 1, 5, 5),
    ),
    (nd.Pooling, {"kernel": (3,), "stride": (2,), "pad": (1,), "pool_type": "avg"}, (2, 1, 7)),
    (
        nd.Pooling,
        {"kernel": (3, 3), "stride": (2, 2), "pad": (1, 1), "pool_type": "avg", "count_include_pad": False},
        (1, 2, 5, 6),
    ),
    (
        nd.Pooling,
        {"kernel": (2, 3), "stride": (2, 2), "pool_type": "sum", "pooling_convention": "full"},
        (1, 2, 5, 6),
    ),
    (nd.Pooling, {"kernel": (1, 1), "pool_type": "avg", "global_pool": True}, (2, 2, 3, 4)),
]


@pytest.mark.parametrize(("op", "params", "shape"), POOLINGS)
def test_pooling_derivatives_to_second_order(op: Any, params: dict[str, Any], shape: tuple[int, ...]) -> None:
    check_grads(_weighted(lambda x: op(x, **params)), _distinct(shape), order=2)


def test_pooling_of_a_convolution_third_derivative() -> None:
    def f(x: nd.NDArray, w: nd.NDArray) -> nd.NDArray:
        y = nd.Convolution(x, w, kernel=(2, 2), num_filter=2, no_bias=True)
        return nd.tanh(nd.Pooling(y, kernel=(2, 2), pool_type="avg", stride=(1, 2)))

    check_grads(f, _x((1, 1, 4, 5), 6), _x((2, 1, 2, 2), 7), order=3, rtol=1e-4, atol=1e-5)


# ---- a LeNet-style network, end to end ---------------------------------------------------------
def _lenet(x: nd.NDArray, params: dict[str, nd.NDArray], label: nd.NDArray) -> nd.NDArray:
    y = nd.Convolution(x, params["w1"], params["b1"], kernel=(5, 5), pad=(2, 2), num_filter=6)
    y = nd.Pooling(nd.relu(y), kernel=(2, 2), stride=(2, 2), pool_type="max")
    y = nd.Convolution(y, params["w2"], params["b2"], kernel=(5, 5), num_filter=16)
    y = nd.Pooling(nd.relu(y), kernel=(2, 2), stride=(2, 2), pool_type="avg")
    y = nd.relu(nd.FullyConnected(y, params["w3"], params["b3"], num_hidden=32))
    y = nd.FullyConnected(y, params["w4"], params["b4"], num_hidden=10)
    return nd.softmax_cross_entropy(y, label)


def test_lenet_forward_and_backward_match_finite_differences() -> None:
    rng = np.random.default_rng(8)
    shapes = {
        "w1": (6, 1, 5, 5), "b1": (6,), "w2": (16, 6, 5, 5), "b2": (16,),
        "w3": (32, 16 * 5 * 5), "b3": (32,), "w4": (10, 32), "b4": (10,),
    }  # fmt: skip
    params = {k: nd.array(rng.normal(0, 0.3, s), dtype="float64") for k, s in shapes.items()}
    x = nd.array(rng.uniform(0, 1, (1, 1, 28, 28)), dtype="float64")
    label = nd.array([3])
    for p in params.values():
        p.attach_grad()
    x.attach_grad()
    with autograd.record():
        loss = _lenet(x, params, label)
    loss.backward()
    assert loss.shape == (1,) and np.isfinite(loss.asscalar())
    eps = 1e-6
    checked = 0
    for name, arr in [("x", x), *params.items()]:
        data = arr.asnumpy()
        grad = arr.grad.asnumpy()
        for flat in rng.choice(data.size, size=3, replace=False):
            index = np.unravel_index(flat, data.shape)
            moved = []
            for step in (eps, -eps):
                copy = data.copy()
                copy[index] += step
                trial = {k: (nd.array(copy, dtype="float64") if k == name else v) for k, v in params.items()}
                xin = nd.array(copy, dtype="float64") if name == "x" else x
                moved.append(_lenet(xin, trial, label).asscalar())
            numeric = (moved[0] - moved[1]) / (2 * eps)
            np.testing.assert_allclose(grad[index], numeric, rtol=1e-5, atol=1e-8, err_msg=f"{name}{index}")
            checked += 1
    assert checked == 27
