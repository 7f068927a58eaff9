"""BatchNorm, LayerNorm, InstanceNorm, Embedding, LeakyReLU, SequenceMask.

Expected values are literals computed with MXNet 1.9.1 (float64 unless said); derivatives are
checked against finite differences to second order (the LAYERS table).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from tape import autograd, nd
from tape.errors import ArgumentError
from tape.testing import check_grads

# The data of the MXNet literals: shape (2, 3, 4).
X = np.arange(24).reshape(2, 3, 4) * 0.1 + np.sin(np.arange(24)).reshape(2, 3, 4)
GAMMA, BETA = [1.5, 2.0, 0.5], [0.1, -0.2, 0.3]
MOVING_MEAN, MOVING_VAR = [0.2, 0.1, -0.1], [1.0, 2.0, 0.5]


def _f64(values: Any) -> nd.NDArray:
    return nd.array(values, dtype="float64")


def _x(shape: tuple[int, ...], seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).uniform(-1, 1, shape)


def _weighted(f: Any) -> Any:
    """`f`'s result squared and weighted: a normalised output sums to a constant, so the plain
    sum would check nothing."""

    def g(*args: nd.NDArray) -> nd.NDArray:
        y = f(*args)
        w = nd.array(np.linspace(0.5, 1.5, y.size).reshape(y.shape), dtype="float64")
        return y * y * w

    return g


def _moving() -> tuple[nd.NDArray, nd.NDArray]:
    return _f64(MOVING_MEAN), _f64(MOVING_VAR)


# ---- BatchNorm --------------------------------------------------------------------------------
def test_batchnorm_in_predict_mode_uses_the_moving_statistics_as_mxnet() -> None:
    mm, mv = _moving()
    y = nd.BatchNorm(_f64(X), _f64(GAMMA), _f64(BETA), mm, mv, fix_gamma=False)
    want = [
        [[-0.19985011, 1.21165079], [-0.84585484, -0.99024075], [1.63464405, 1.29752153]],
        [[0.79479331, 2.37911128], [1.51373519, 0.70289463], [2.42834673, 2.44509577]],
    ]
    np.testing.assert_allclose(y.asnumpy()[:, :, :2], want, rtol=1e-7)
    np.testing.assert_array_equal(mm.asnumpy(), MOVING_MEAN)
    np.testing.assert_array_equal(mv.asnumpy(), MOVING_VAR)


def test_batchnorm_training_step_matches_mxnet_output_gradients_and_moving_statistics() -> None:
    x, gamma, beta = _f64(X), _f64(GAMMA), _f64(BETA)
    mm, mv = _moving()
    for p in (x, gamma, beta):
        p.attach_grad()
    with autograd.record():
        y = nd.BatchNorm(x, gamma, beta, mm, mv, fix_gamma=False, momentum=0.8, eps=1e-2)
    y.backward(nd.array(np.linspace(-1, 1, 24).reshape(2, 3, 4), dtype="float64"))
    np.testing.assert_allclose(
        y.asnumpy()[:, :, :2],
        [
            [[-2.12312572, -0.34494016], [-2.89417960, -3.14244395], [0.37445346, 0.13000922]],
            [[-0.87009034, 1.12580731], [1.16301728, -0.23118244], [0.94995952, 0.96210409]],
        ],
        rtol=1e-7,
    )
    np.testing.assert_allclose(mm.asnumpy(), [0.39540943, 0.23028583, 0.24879984], rtol=1e-7)
    np.testing.assert_allclose(mv.asnumpy(), [0.92414564, 1.73336241, 0.58858276], rtol=1e-7)
    np.testing.assert_allclose(
        x.grad.asnumpy()[:, :, :2],
        [
            [[-0.08599759, -0.83822461], [-0.28963954, 0.04116630], [-0.35909856, -0.23230781]],
            [[1.23904654, 0.37461222], [0.29570654, 1.17767969], [-0.01827237, 0.02218070]],
        ],
        rtol=1e-6,
        atol=1e-8,
    )
    np.testing.assert_allclose(gamma.grad.asnumpy(), [3.27453531, 3.16553649, 2.62772266], rtol=1e-7)
    np.testing.assert_allclose(beta.grad.asnumpy(), np.linspace(-1, 1, 24).reshape(2, 3, 4).sum(axis=(0, 2)))


def test_batchnorm_fix_gamma_ignores_gamma_and_gives_it_no_gradient() -> None:
    x, gamma = _f64(X), _f64(GAMMA)
    x.attach_grad()
    gamma.attach_grad()
    with autograd.record():
        y = nd.BatchNorm(x, gamma, _f64(BETA), *_moving())
    y.backward()
    with autograd.record():
        ones = nd.BatchNorm(_f64(X), nd.ones(3, dtype="float64"), _f64(BETA), *_moving(), fix_gamma=False)
    np.testing.assert_allclose(y.asnumpy(), ones.asnumpy(), rtol=1e-12)
    np.testing.assert_array_equal(gamma.grad.asnumpy(), [0, 0, 0])


def test_batchnorm_in_train_mode_without_recording_uses_batch_statistics() -> None:
    mm, mv = _moving()
    with autograd.train_mode():
        y = nd.BatchNorm(_f64(X), _f64(GAMMA), _f64(BETA), mm, mv, eps=0)
    standard = (X - X.mean(axis=(0, 2), keepdims=True)) / X.std(axis=(0, 2), keepdims=True)
    np.testing.assert_allclose(y.asnumpy(), standard + np.reshape(BETA, (3, 1)), rtol=1e-12)
    np.testing.assert_allclose(
        mm.asnumpy(), 0.9 * np.array(MOVING_MEAN) + 0.1 * X.mean(axis=(0, 2)), rtol=1e-12
    )
    np.testing.assert_allclose(
        mv.asnumpy(), 0.9 * np.array(MOVING_VAR) + 0.1 * X.var(axis=(0, 2)), rtol=1e-12
    )


def test_batchnorm_use_global_stats_in_training_uses_and_keeps_the_moving_statistics() -> None:
    mm, mv = _moving()
    with autograd.record():
        y = nd.BatchNorm(_f64(X), _f64(GAMMA), _f64(BETA), mm, mv, use_global_stats=True)
    want = [
        [-0.09990007, 0.84110053, 1.00884312, 0.34099954],
        [-0.52292742, -0.59512038, -0.04406218, 0.68860163],
        [2.96928810, 2.29504307, 1.08548779, 0.58257413],
    ]
    np.testing.assert_allclose(y.asnumpy()[0], want, rtol=1e-7, atol=1e-8)
    np.testing.assert_array_equal(mm.asnumpy(), MOVING_MEAN)
    np.testing.assert_array_equal(mv.asnumpy(), MOVING_VAR)


def test_batchnorm_along_the_last_axis_as_mxnet() -> None:
    with autograd.train_mode():
        y = nd.BatchNorm(
            _f64(X), _f64([1, 2, 3, 4]), _f64([0, 0, 0, 1]), nd.zeros(4), nd.ones(4), fix_gamma=False, axis=-1
        )
    want = [
        [-0.95361099, -0.49991324, -0.54465136, -3.29056400],
        [-1.27658152, -3.22524486, -3.53873418, 1.51593270],
        [0.66608052, 0.22140979, -3.02475502, -5.08072115],
    ]
    np.testing.assert_allclose(y.asnumpy()[0], want, rtol=1e-7, atol=1e-8)


def test_batchnorm_of_float32_data_stays_float32_and_integers_become_float32() -> None:
    args = (nd.ones(3), nd.zeros(3), nd.zeros(3), nd.ones(3))
    assert nd.BatchNorm(nd.array(X), *args).dtype == np.float32
    assert nd.BatchNorm(nd.array(X, dtype="int32"), *args).dtype == np.float32


# ---- LayerNorm and InstanceNorm -----------------------------------------------------------------
def test_layernorm_over_the_last_axis_as_mxnet() -> None:
    y = nd.LayerNorm(_f64(X), _f64([1.5, 2, 0.5, 1]), _f64([0.1, 0.2, 0.3, 0.4]))
    want = [
        [-2.04498218, 1.66218301, 0.85816258, -0.01742854],
        [-1.08570003, -1.66305465, 0.37260340, 1.97678722],
        [2.05809035, 1.38680660, -0.04193234, -0.81493219],
    ]
    np.testing.assert_allclose(y.asnumpy()[0], want, rtol=1e-7, atol=1e-8)


def test_layernorm_over_another_axis_with_eps_as_mxnet() -> None:
    y = nd.LayerNorm(_f64(X), _f64(GAMMA), _f64(BETA), axis=1, eps=0.01)
    want = [
        [-0.65853759, 0.76935897, 2.11074558, -0.43210494],
        [-1.96709046, -2.94867378, -1.91808059, 2.48213516],
        [0.99461848, 0.76404879, 0.05927162, -0.19316547],
    ]
    np.testing.assert_allclose(y.asnumpy()[0], want, rtol=1e-7, atol=1e-8)


def test_instancenorm_as_mxnet_in_float32() -> None:
    y = nd.InstanceNorm(nd.array(X), nd.array(GAMMA), nd.array(BETA), eps=0.01)
    want = [
        [-1.99066436, 1.16886711, 1.73208451, -0.51028675],
        [-1.76607859, -2.04554892, 0.08768474, 2.92394257],
        [0.94555926, 0.59345710, -0.03819305, -0.30082303],
    ]
    assert y.dtype == np.float32
    np.testing.assert_allclose(y.asnumpy()[0], want, rtol=1e-5, atol=1e-6)


# ---- Embedding ----------------------------------------------------------------------------------
def test_embedding_takes_rows_and_sums_the_gradient_of_repeated_indices() -> None:
    weight = nd.array(np.arange(12).reshape(4, 3), dtype="float64")
    weight.attach_grad()
    with autograd.record():
        y = nd.Embedding(nd.array([[0, 2], [3, 3]]), weight, input_dim=4, output_dim=3)
    y.backward(nd.array(np.arange(12).reshape(2, 2, 3), dtype="float64"))
    np.testing.assert_array_equal(y.asnumpy(), [[[0, 1, 2], [6, 7, 8]], [[9, 10, 11], [9, 10, 11]]])
    np.testing.assert_array_equal(weight.grad.asnumpy(), [[0, 1, 2], [0, 0, 0], [3, 4, 5], [15, 17, 19]])


@pytest.mark.parametrize(
    ("indices", "message"),
    [([0, 4], r"from 0 to input_dim - 1 = 3, not 0\.\.4"), ([-1, 2], "not -1..2"), ([1.5], "whole numbers")],
    ids=["past the end", "negative", "fraction"],
)
def test_embedding_refuses_an_index_mxnet_would_clip(indices: list[float], message: str) -> None:
    with pytest.raises(ArgumentError, match=rf"^nd\.Embedding: data holds row indices.*{message}"):
        nd.Embedding(nd.array(indices), nd.ones((4, 3)), input_dim=4, output_dim=3)


def test_embedding_refuses_a_weight_of_another_shape() -> None:
    with pytest.raises(ArgumentError, match=r"^nd\.Embedding: weight has shape \(4, 3\), but input_dim=5"):
        nd.Embedding(nd.array([0]), nd.ones((4, 3)), input_dim=5, output_dim=3)


# ---- LeakyReLU ----------------------------------------------------------------------------------
LEAKY_VALUES = {
    "leaky": [-0.60000002, -0.15000001, 0.25, 0.5, 2.0],
    "elu": [-0.25939943, -0.11804081, 0.25, 0.5, 2.0],
    "selu": [-1.52016647, -0.69175819, 0.26267526, 0.52535051, 2.10140204],
    "gelu": [-0.04550028, -0.15426877, 0.14967658, 0.34573123, 1.95449972],
}


@pytest.mark.parametrize("act_type", LEAKY_VALUES)
def test_leaky_relu_as_mxnet(act_type: str) -> None:
    y = nd.LeakyReLU(_f64([-2, -0.5, 0.25, 0.5, 2]), act_type=act_type, slope=0.3)
    np.testing.assert_allclose(y.asnumpy(), LEAKY_VALUES[act_type], rtol=1e-6)


def test_prelu_takes_one_slope_per_channel_as_mxnet() -> None:
    y = nd.LeakyReLU(_f64(np.arange(-6, 6).reshape(2, 3, 2) + 0.5), _f64([0.1, 0.2, 0.3]), act_type="prelu")
    want = [[[-0.55, -0.45], [-0.7, -0.5], [-0.45, -0.15]], [[0.5, 1.5], [2.5, 3.5], [4.5, 5.5]]]
    np.testing.assert_allclose(y.asnumpy(), want, rtol=1e-12)


def test_elu_of_large_values_has_a_finite_gradient() -> None:
    x = _f64([1000.0, -1000.0])
    x.attach_grad()
    with autograd.record():
        y = nd.LeakyReLU(x, act_type="elu", slope=0.5)
    y.backward()
    np.testing.assert_array_equal(x.grad.asnumpy(), [1.0, 0.0])


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"act_type": "rrelu"}, "act_type must be one of"),
        ({"act_type": "prelu"}, "pass gamma"),
        ({"act_type": "prelu", "gamma": nd.ones(2)}, r"gamma has shape \(2,\).*\(3,\)"),
        ({"act_type": "leaky", "gamma": nd.ones(3)}, "gamma is read only with act_type='prelu'"),
        ({"slope": "0.1"}, "slope must be a real number"),
    ],
    ids=["rrelu", "prelu without gamma", "gamma shape", "gamma without prelu", "slope type"],
)
def test_leaky_relu_refuses_arguments_it_cannot_use(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises((ArgumentError, TypeError), match=rf"^nd\.LeakyReLU: .*{message}"):
        nd.LeakyReLU(nd.ones((2, 3, 2)), **kwargs)


# ---- SequenceMask -------------------------------------------------------------------------------
def test_sequence_mask_along_time_first_as_mxnet() -> None:
    y = nd.SequenceMask(
        nd.array(np.arange(1, 25).reshape(4, 3, 2)), nd.array([1, 4, 2]), use_sequence_length=True, value=-1
    )
    want = [
        [[1, 2], [3, 4], [5, 6]],
        [[-1, -1], [9, 10], [11, 12]],
        [[-1, -1], [15, 16], [-1, -1]],
        [[-1, -1], [21, 22], [-1, -1]],
    ]
    np.testing.assert_array_equal(y.asnumpy(), want)


def test_sequence_mask_along_axis_1_with_a_length_past_the_end_as_mxnet() -> None:
    y = nd.SequenceMask(
        nd.array(np.arange(1, 13).reshape(3, 4)), nd.array([1, 5, 0]), use_sequence_length=True, axis=1
    )
    np.testing.assert_array_equal(y.asnumpy(), [[1, 0, 0, 0], [5, 6, 7, 8], [0, 0, 0, 0]])


def test_sequence_mask_without_lengths_is_the_data() -> None:
    x = nd.array(X)
    np.testing.assert_array_equal(nd.SequenceMask(x).asnumpy(), x.asnumpy())


def test_sequence_mask_of_integers_keeps_the_dtype() -> None:
    y = nd.SequenceMask(
        nd.array([[1, 2], [3, 4]], dtype="int32"), nd.array([1, 2]), use_sequence_length=True, value=-7
    )
    assert y.dtype == np.int32
    np.testing.assert_array_equal(y.asnumpy(), [[1, 2], [-7, 4]])


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"sequence_length": [1, 2, 3]}, "use_sequence_length=True"),
        ({"use_sequence_length": True}, "use_sequence_length=True"),
        ({"sequence_length": [1, 2], "use_sequence_length": True}, r"sequence_length has shape \(2,\)"),
        ({"sequence_length": [1, 2.5, 3], "use_sequence_length": True}, "whole numbers"),
        ({"sequence_length": [1, -2, 3], "use_sequence_length": True}, "never negative"),
        ({"axis": 2}, "axis is the time axis"),
    ],
    ids=["length alone", "use alone", "shape", "fraction", "negative", "axis"],
)
def test_sequence_mask_refuses_what_it_cannot_read(kwargs: dict[str, Any], message: str) -> None:
    if "sequence_length" in kwargs:
        kwargs = {**kwargs, "sequence_length": nd.array(kwargs["sequence_length"])}
    with pytest.raises(ArgumentError, match=rf"^nd\.SequenceMask: .*{message}"):
        nd.SequenceMask(nd.ones((4, 3, 2)), **kwargs)


# ---- arguments of the norms ---------------------------------------------------------------------
@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: nd.BatchNorm(nd.ones((2, 3)), nd.ones(2), nd.ones(3), nd.ones(3), nd.ones(3)),
            r"gamma has shape \(2,\)",
        ),
        (
            lambda: nd.BatchNorm(nd.ones((2, 3)), nd.ones(3), nd.ones(3), nd.ones(3), nd.ones(4)),
            "moving_var has shape",
        ),
        (
            lambda: nd.BatchNorm(nd.ones((2, 3)), *[nd.ones(3)] * 4, momentum=1.5),
            r"momentum must be \[0.0, 1.0\]",
        ),
        (lambda: nd.BatchNorm(nd.ones((2, 3)), *[nd.ones(3)] * 4, eps=-1), "eps must be 0.0 or more"),
        (lambda: nd.BatchNorm(nd.ones((2, 3)), *[nd.ones(3)] * 4, output_mean_var=True), "output_mean_var"),
        (lambda: nd.LayerNorm(nd.ones((2, 3)), nd.ones(2), nd.ones(3)), r"gamma has shape \(2,\)"),
        (lambda: nd.LayerNorm(nd.ones((2, 3)), nd.ones(3), nd.ones(3), eps="1"), "eps must be a real number"),
        (lambda: nd.InstanceNorm(nd.ones((2, 3)), nd.ones(3), nd.ones(3)), "3 axes or more"),
        (lambda: nd.InstanceNorm(nd.ones((2, 3, 4)), nd.ones(3), nd.ones(4)), r"beta has shape \(4,\)"),
    ],
    ids=[
        "gamma",
        "moving_var",
        "momentum",
        "eps",
        "output_mean_var",
        "ln gamma",
        "ln eps",
        "in axes",
        "in beta",
    ],
)
def test_norms_refuse_arguments_naming_them(call: Any, message: str) -> None:
    with pytest.raises((ArgumentError, TypeError), match=rf"^nd\.\w+Norm: .*{message}"):
        call()


# ---- derivatives --------------------------------------------------------------------------------
def _batchnorm_training(x: nd.NDArray, g: nd.NDArray, b: nd.NDArray) -> nd.NDArray:
    with autograd.train_mode():
        return nd.BatchNorm(x, g, b, nd.zeros(3), nd.ones(3), fix_gamma=False, eps=0.1)


def _batchnorm_global(x: nd.NDArray, g: nd.NDArray, b: nd.NDArray) -> nd.NDArray:
    mm, mv = nd.array([0.1, -0.2, 0.3], dtype="float64"), nd.array([0.5, 1.5, 2.0], dtype="float64")
    return nd.BatchNorm(x, g, b, mm, mv, fix_gamma=False, use_global_stats=True)


NORM_ARGS = ((2, 3, 4), (3,), (3,))
LAYERS = [
    (nd.BatchNorm, _batchnorm_training, NORM_ARGS),
    (nd.BatchNorm, _batchnorm_global, NORM_ARGS),
    (nd.BatchNorm, lambda x, b: _batchnorm_training(x, x[0, :, 0], b), ((2, 3, 4), (3,))),
    (nd.LayerNorm, lambda x, g, b: nd.LayerNorm(x, g, b, eps=0.1), ((2, 3, 4), (4,), (4,))),
    (nd.LayerNorm, lambda x, g, b: nd.LayerNorm(x, g, b, axis=1), NORM_ARGS),
    (nd.InstanceNorm, lambda x, g, b: nd.InstanceNorm(x, g, b, eps=0.1), ((2, 3, 2, 3), (3,), (3,))),
    (
        nd.Embedding,
        lambda w: nd.Embedding(nd.array([[0, 2], [3, 3]]), w, input_dim=4, output_dim=3),
        ((4, 3),),
    ),
    (nd.LeakyReLU, lambda x: nd.LeakyReLU(x, act_type="leaky", slope=0.3), ((3, 4),)),
    (nd.LeakyReLU, lambda x: nd.LeakyReLU(x, act_type="elu", slope=0.7), ((3, 4),)),
    (nd.LeakyReLU, lambda x: nd.LeakyReLU(x, act_type="selu"), ((3, 4),)),
    (nd.LeakyReLU, lambda x: nd.LeakyReLU(x, act_type="gelu"), ((3, 4),)),
    (nd.LeakyReLU, lambda x, g: nd.LeakyReLU(x, g, act_type="prelu"), ((2, 3, 2), (3,))),
    (
        nd.SequenceMask,
        lambda x: nd.SequenceMask(x, nd.array([2, 0, 3]), use_sequence_length=True, value=0.5),
        ((3, 3, 2),),
    ),
    (
        nd.SequenceMask,
        lambda x: nd.SequenceMask(x, nd.array([1, 3]), use_sequence_length=True, axis=1),
        ((2, 3),),
    ),
]


@pytest.mark.parametrize(("op", "f", "shapes"), LAYERS)
def test_layer_derivatives_to_second_order(op: Any, f: Any, shapes: tuple[tuple[int, ...], ...]) -> None:
    check_grads(
        _weighted(f), *[_x(shape, seed) for seed, shape in enumerate(shapes)], order=2, rtol=1e-4, atol=1e-6
    )


def test_batchnorm_training_third_derivative() -> None:
    check_grads(
        _weighted(_batchnorm_training),
        *[_x(s, k) for k, s in enumerate(NORM_ARGS)],
        order=3,
        rtol=1e-3,
        atol=1e-5,
    )
