"""Deconvolution: values against a loop written here, MXNet's values (written as literals) and
shapes, the adjoint of Convolution, argument errors, and derivatives to second order and beyond."""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import pytest
from conftest import uniform as _x
from conftest import weighted as _weighted

from tape import nd
from tape.errors import ArgumentError
from tape.testing import check_grads


def _deconv_ref(
    x: np.ndarray, w: np.ndarray, stride: Any, dilate: Any, pad: Any, adj: Any, groups: int
) -> np.ndarray:
    """Each input value times its filter, added into the output where a convolution of this
    geometry would have read it from: a loop over every input position and tap."""
    n, c = x.shape[:2]
    per_group, kernel = w.shape[1], w.shape[2:]
    filters = per_group * groups
    full = [
        s * (i - 1) + d * (k - 1) + 1 for i, k, s, d in zip(x.shape[2:], kernel, stride, dilate, strict=True)
    ]
    y = np.zeros((n, filters, *[f + a for f, a in zip(full, adj, strict=True)]))
    cg = c // groups
    for b, ch in itertools.product(range(n), range(c)):
        g = ch // cg
        for pos in itertools.product(*[range(i) for i in x.shape[2:]]):
            for tap in itertools.product(*[range(k) for k in kernel]):
                at = tuple(p * s + t * d for p, s, t, d in zip(pos, stride, tap, dilate, strict=True))
                for f in range(per_group):
                    y[(b, g * per_group + f, *at)] += x[(b, ch, *pos)] * w[(ch, f, *tap)]
    crop = tuple(slice(p, y.shape[2 + i] - p) for i, p in enumerate(pad))
    return y[(slice(None), slice(None), *crop)]


# (data shape, weight shape, stride, dilate, pad, adj, num_group)
CASES = [
    ((2, 3, 5), (3, 2, 3), (1,), (1,), (0,), (0,), 1),
    ((1, 2, 4), (2, 3, 2), (3,), (2,), (1,), (2,), 1),
    ((1, 4, 4, 3), (4, 1, 3, 2), (2, 1), (1, 2), (1, 0), (1, 0), 2),
    ((2, 2, 3, 3), (2, 3, 2, 2), (2, 2), (1, 1), (0, 1), (0, 1), 1),
    ((1, 6, 2, 3), (6, 2, 1, 3), (1, 3), (1, 1), (0, 1), (0, 2), 3),
    ((1, 2, 2, 3, 2), (2, 2, 2, 1, 2), (2, 1, 2), (1, 1, 2), (1, 0, 0), (1, 0, 0), 1),
]


@pytest.mark.parametrize(("dshape", "wshape", "stride", "dilate", "pad", "adj", "groups"), CASES)
def test_deconvolution_matches_a_loop(
    dshape: tuple[int, ...],
    wshape: tuple[int, ...],
    stride: Any,
    dilate: Any,
    pad: Any,
    adj: Any,
    groups: int,
) -> None:
    x, w, b = _x(dshape, 1), _x(wshape, 2), _x((wshape[1] * groups,), 3)
    got = nd.Deconvolution(
        nd.array(x, dtype="float64"), nd.array(w, dtype="float64"), nd.array(b, dtype="float64"),
        kernel=wshape[2:], stride=stride, dilate=dilate, pad=pad, adj=adj, num_filter=wshape[1] * groups,
        num_group=groups, no_bias=False,
    )  # fmt: skip
    want = _deconv_ref(x, w, stride, dilate, pad, adj, groups) + b.reshape((1, -1) + (1,) * (len(dshape) - 2))
    assert got.shape == want.shape
    np.testing.assert_allclose(got.asnumpy(), want, rtol=1e-12, atol=1e-12)


def test_deconvolution_matches_mxnet() -> None:
    # mxnet 1.9.1: nd.Deconvolution(nd.arange(18).reshape((1,2,3,3)), nd.arange(16).reshape((2,2,2,2)) - 5,
    #   kernel=(2,2), stride=(2,2), pad=(1,0), adj=(1,1), num_filter=2, no_bias=True)[0, 0]
    y = nd.Deconvolution(
        nd.arange(18).reshape((1, 2, 3, 3)), nd.arange(16).reshape((2, 2, 2, 2)) - 5, kernel=(2, 2),
        stride=(2, 2), pad=(1, 0), adj=(1, 1), num_filter=2,
    )  # fmt: skip
    assert y.shape == (1, 2, 5, 7) and y.dtype == np.float32
    np.testing.assert_array_equal(
        y.asnumpy()[0, 0],
        [
            [45, 54, 47, 58, 49, 62, 0],
            [21, 36, 19, 36, 17, 36, 0],
            [51, 66, 53, 70, 55, 74, 0],
            [15, 36, 13, 36, 11, 36, 0],
            [57, 78, 59, 82, 61, 86, 0],
        ],
    )


@pytest.mark.parametrize(
    ("kwargs", "shape"),
    [  # the shapes mxnet 1.9.1 gives
        ({"kernel": (3, 2), "stride": (2, 3), "target_shape": (8, 10)}, (1, 3, 8, 10)),
        ({"kernel": (3, 2), "stride": (2, 3), "target_shape": (10, 11), "pad": (5, 5)}, (1, 3, 10, 11)),
        ({"kernel": (3, 2), "stride": (2, 3)}, (1, 3, 11, 11)),
        ({"kernel": (3, 2), "stride": (2, 3), "pad": (1, 1), "adj": (1, 2)}, (1, 3, 10, 11)),
    ],
)
def test_deconvolution_output_shapes_and_target_shape_as_in_mxnet(kwargs: dict[str, Any], shape: Any) -> None:
    y = nd.Deconvolution(nd.ones((1, 2, 5, 4)), nd.ones((2, 3, 3, 2)), num_filter=3, **kwargs)
    assert y.shape == shape


def test_target_shape_chooses_pad_and_adj_as_mxnet_does() -> None:
    # An odd amount to cut: one more before than after (pad rounds up, adj adds one back).
    x, w = nd.array(_x((1, 1, 4), 1)), nd.array(_x((1, 1, 3), 2))
    full = nd.Deconvolution(x, w, kernel=3, stride=2, num_filter=1)  # length 9
    np.testing.assert_allclose(
        nd.Deconvolution(x, w, kernel=3, stride=2, num_filter=1, target_shape=6).asnumpy(),
        full.asnumpy()[..., 2:8],
    )
    np.testing.assert_allclose(
        nd.Deconvolution(x, w, kernel=3, stride=2, num_filter=1, target_shape=7).asnumpy(),
        full.asnumpy()[..., 1:8],
    )


@pytest.mark.parametrize(("dshape", "wshape", "stride", "dilate", "pad", "adj", "groups"), CASES)
def test_deconvolution_is_the_adjoint_of_convolution(
    dshape: tuple[int, ...],
    wshape: tuple[int, ...],
    stride: Any,
    dilate: Any,
    pad: Any,
    adj: Any,
    groups: int,
) -> None:
    # <conv(y), x> == <y, deconv(x)> for the same weight and geometry.
    x, w = nd.array(_x(dshape, 1), dtype="float64"), nd.array(_x(wshape, 2), dtype="float64")
    kw = {"kernel": wshape[2:], "stride": stride, "dilate": dilate, "pad": pad, "num_group": groups}
    y = nd.Deconvolution(x, w, adj=adj, num_filter=wshape[1] * groups, **kw)
    probe = nd.array(_x(y.shape, 3), dtype="float64")
    back = nd.Convolution(probe, w, num_filter=dshape[1], no_bias=True, **kw)
    assert back.shape == x.shape
    np.testing.assert_allclose((back * x).sum().asscalar(), (probe * y).sum().asscalar(), rtol=1e-12)


def test_deconvolution_keeps_float32_and_float64() -> None:
    y = nd.Deconvolution(nd.ones((1, 2, 3, 3)), nd.ones((2, 4, 2, 2)), kernel=(2, 2), num_filter=4)
    assert y.dtype == np.float32
    y = nd.Deconvolution(
        nd.ones((1, 2, 3), dtype="float64"), nd.ones((2, 4, 2), dtype="float64"), kernel=2, num_filter=4
    )
    assert y.dtype == np.float64


def test_deconvolution_writes_into_out() -> None:
    out = nd.zeros((1, 1, 3))
    y = nd.Deconvolution(nd.ones((1, 1, 2)), nd.ones((1, 1, 2)), kernel=2, num_filter=1, out=out)
    assert y is out
    np.testing.assert_array_equal(out.asnumpy(), [[[1, 2, 1]]])


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"kernel": (2, 2), "num_filter": 2}, "weight has shape"),
        ({"kernel": (3,), "num_filter": 3}, "needs data of 3 axes"),
        ({"kernel": (3, 3)}, "num_filter is required"),
        ({"kernel": (3, 3), "num_filter": 3, "no_bias": False}, "bias is required with no_bias=False"),
        ({"kernel": (3, 3), "num_filter": 3, "num_group": 2}, "num_group=2 must divide"),
        ({"kernel": (3, 3), "num_filter": 3, "num_group": 0}, "num_group must be 1 or more"),
        ({"kernel": (3, 3), "num_filter": 3, "stride": (1, 1, 1)}, "stride"),
        (
            {"kernel": (3, 3), "num_filter": 3, "stride": (2, 2), "adj": (2, 0)},
            "adj must be less than its stride",
        ),
        ({"kernel": (3, 3), "num_filter": 3, "adj": (-1, 0)}, "adj must be 0 or more"),
        ({"kernel": (3, 3), "num_filter": 3, "pad": (4, 0)}, "cuts the whole output away"),
        ({"kernel": (3, 3), "num_filter": 3, "target_shape": (9, 7)}, "target_shape"),
        ({"kernel": (3, 3), "num_filter": 3, "target_shape": (5,)}, "target_shape must give 2 lengths"),
        ({"kernel": (3, 3), "num_filter": 3, "layout": "NHWC"}, "layout"),
        ({"kernel": (3, 3), "num_filter": 2.0}, "num_filter must be an int"),
        ({"kernel": "3", "num_filter": 3}, "kernel must be an int or a tuple"),
    ],
)
def test_deconvolution_names_a_wrong_argument(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises((ArgumentError, TypeError), match=message):
        nd.Deconvolution(nd.ones((1, 2, 5, 5)), nd.ones((2, 3, 3, 3)), **kwargs)


def test_deconvolution_refuses_a_bias_with_no_bias_its_default() -> None:
    with pytest.raises(ArgumentError, match="no_bias=True"):
        nd.Deconvolution(nd.ones((1, 1, 3)), nd.ones((1, 1, 2)), nd.zeros(1), kernel=2, num_filter=1)


# ---- derivatives -----------------------------------------------------------------------------
# (op, parameters, data shape, weight shape): each row checked to second order in every input.
DECONVOLUTIONS = [
    (nd.Deconvolution, {"kernel": (3,), "no_bias": False}, (2, 2, 4), (2, 3, 3)),
    (
        nd.Deconvolution,
        {"kernel": (2,), "stride": (3,), "dilate": (2,), "pad": (1,), "adj": (2,)},
        (1, 2, 3),
        (2, 2, 2),
    ),
    (
        nd.Deconvolution,
        {"kernel": (2, 3), "stride": (2, 1), "pad": (1, 1), "no_bias": False},
        (1, 2, 3, 2),
        (2, 2, 2, 3),
    ),
    (
        nd.Deconvolution,
        {"kernel": (2, 2), "stride": (2, 3), "dilate": (2, 1), "adj": (1, 2)},
        (2, 1, 2, 2),
        (1, 2, 2, 2),
    ),
    (
        nd.Deconvolution,
        {"kernel": (2, 2), "num_group": 2, "stride": (1, 2), "no_bias": False},
        (1, 4, 2, 3),
        (4, 1, 2, 2),
    ),
    (
        nd.Deconvolution,
        {"kernel": (3, 2), "stride": (2, 2), "target_shape": (4, 5)},
        (1, 2, 2, 3),
        (2, 1, 3, 2),
    ),
]


@pytest.mark.parametrize(("op", "params", "dshape", "wshape"), DECONVOLUTIONS)
def test_deconvolution_derivatives_to_second_order(
    op: Any, params: dict[str, Any], dshape: tuple[int, ...], wshape: tuple[int, ...]
) -> None:
    filters = wshape[1] * params.get("num_group", 1)
    kw = {"num_filter": filters, **params}
    if params.get("no_bias", True):
        check_grads(_weighted(lambda x, w: op(x, w, **kw)), _x(dshape, 1), _x(wshape, 2), order=2)
    else:
        check_grads(
            _weighted(lambda x, w, b: op(x, w, b, **kw)), _x(dshape, 1), _x(wshape, 2), _x((filters,), 3)
        )


def test_deconvolution_third_derivative() -> None:
    f = lambda x, w: nd.tanh(nd.Deconvolution(x, w, kernel=(2, 2), stride=(2, 1), pad=(1, 0), num_filter=2))
    check_grads(f, _x((1, 1, 3, 2), 4), _x((1, 2, 2, 2), 5), order=3, rtol=1e-4, atol=1e-5)
