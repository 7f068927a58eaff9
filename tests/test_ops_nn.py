"""softmax, log_softmax, softmax_cross_entropy, Dropout, FullyConnected, Activation."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from tape import autograd, nd
from tape.errors import ArgumentError
from tape.testing import check_grads


def _x(shape: tuple[int, ...] = (3, 4), seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).uniform(-2, 2, shape)


def _np_softmax(x: np.ndarray, axis: int) -> np.ndarray:
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def _weighted(f: Any, shape: tuple[int, ...]) -> Any:
    w = nd.array(np.arange(1, int(np.prod(shape)) + 1).reshape(shape), dtype="float64")
    return lambda *args: f(*args) * w


# ---- softmax and log_softmax -----------------------------------------------------------------
@pytest.mark.parametrize("axis", [-1, 0, 1])
def test_softmax_matches_numpy(axis: int) -> None:
    x = _x((2, 3, 4))
    np.testing.assert_allclose(
        nd.softmax(nd.array(x, dtype="float64"), axis=axis).asnumpy(), _np_softmax(x, axis), rtol=1e-12
    )


@pytest.mark.parametrize("axis", [-1, 0])
def test_log_softmax_matches_numpy(axis: int) -> None:
    x = _x()
    np.testing.assert_allclose(
        nd.log_softmax(nd.array(x, dtype="float64"), axis=axis).asnumpy(),
        np.log(_np_softmax(x, axis)),
        rtol=1e-12,
    )


INTEGER_DATA = {
    "int8": [[100, -100, 0], [1, 2, 3]],  # x - max(x) wraps around in int8
    "uint8": [[255, 0, 7], [1, 2, 3]],  # and in uint8; exp of either is float16
    "int32": [[1, 2, 3], [0, 0, 5]],
    "int64": [[1, 2, 3], [0, 0, 5]],
    "bool": [[1, 0, 1], [0, 0, 0]],
}


@pytest.mark.parametrize("dtype", INTEGER_DATA)
@pytest.mark.parametrize("op", [nd.softmax, nd.log_softmax], ids=["softmax", "log_softmax"])
@pytest.mark.parametrize("temperature", [None, 2.0])
def test_softmax_of_integer_data_is_the_float32_softmax_of_the_same_values(
    op: Any, dtype: str, temperature: float | None
) -> None:
    # The rule for integer inputs of float-valued ops: computed in float32, never in the
    # integer type (int8 and uint8 gave nan and overflow).
    got = op(nd.array(INTEGER_DATA[dtype], dtype=dtype), temperature=temperature)
    want = op(nd.array(INTEGER_DATA[dtype], dtype="float32"), temperature=temperature)
    assert got.dtype == np.float32
    assert np.isfinite(got.asnumpy()).all()
    np.testing.assert_allclose(got.asnumpy(), want.asnumpy(), rtol=1e-6)


def test_softmax_is_stable_for_large_inputs() -> None:
    y = nd.softmax(nd.array([[1000.0, 1000.0], [-1000.0, 0.0]]))
    np.testing.assert_allclose(y.asnumpy(), [[0.5, 0.5], [0.0, 1.0]])
    assert np.isfinite(nd.log_softmax(nd.array([1000.0, -1000.0])).asnumpy()).all()


def test_softmax_temperature_divides_the_input() -> None:
    x = _x()
    np.testing.assert_allclose(
        nd.softmax(nd.array(x, dtype="float64"), temperature=2.5).asnumpy(),
        _np_softmax(x / 2.5, -1),
        rtol=1e-12,
    )


SOFTMAXES = [nd.softmax, nd.log_softmax]


@pytest.mark.parametrize("op", SOFTMAXES, ids=["softmax", "log_softmax"])
@pytest.mark.parametrize("axis", [-1, 0])
def test_softmax_derivatives_to_third_order(op: Any, axis: int) -> None:
    check_grads(_weighted(lambda x: op(x, axis=axis), (3, 4)), _x(), order=3, rtol=1e-4, atol=1e-5)


def test_softmax_with_temperature_differentiates() -> None:
    check_grads(_weighted(lambda x: nd.softmax(x, temperature=0.7), (3, 4)), _x(), order=2)


@pytest.mark.parametrize(("axis", "length"), [(-1, [2, 4, 1]), (0, [2, 3, 1, 3])])
def test_softmax_with_length_matches_numpy_and_to_third_order(axis: int, length: list[int]) -> None:
    x = _x()
    f = lambda d: nd.softmax(d, axis=axis, length=nd.array(length), use_length=True)
    moved = np.moveaxis(x, axis, -1)
    want = np.zeros_like(moved)
    for i, n in enumerate(length):
        want[i, :n] = _np_softmax(moved[i, :n], -1)
    got = f(nd.array(x, dtype="float64")).asnumpy()
    np.testing.assert_allclose(got, np.moveaxis(want, -1, axis), rtol=1e-12)
    check_grads(_weighted(f, (3, 4)), x, order=3, rtol=1e-4, atol=1e-5)


def test_softmax_rows_of_length_zero_are_zeros_as_in_mxnet() -> None:
    y = nd.softmax(nd.array([[1, 2, 3], [4, 5, 6]]), length=nd.array([0, 5]), use_length=True)
    np.testing.assert_allclose(y.asnumpy(), [[0, 0, 0], _np_softmax(np.array([4.0, 5, 6]), -1)], rtol=1e-6)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"length": [2, 3, 1]}, "use_length=True"),
        ({"use_length": True}, "use_length=True"),
        ({"length": [2, 3], "use_length": True}, r"length has shape \(2,\).*shape \(3,\)"),
        ({"length": [2.5, 3, 1], "use_length": True}, "whole numbers"),
        ({"length": [-1, 3, 1], "use_length": True}, "never negative"),
    ],
    ids=["length alone", "use_length alone", "shape", "fraction", "negative"],
)
def test_softmax_refuses_a_length_it_cannot_read(kwargs: dict[str, Any], message: str) -> None:
    if "length" in kwargs:
        kwargs = {**kwargs, "length": nd.array(kwargs["length"])}
    with pytest.raises(ArgumentError, match=message):
        nd.softmax(nd.array(_x()), **kwargs)


def test_softmax_method() -> None:
    x = nd.array(_x())
    np.testing.assert_array_equal(x.softmax(axis=0).asnumpy(), nd.softmax(x, axis=0).asnumpy())
    np.testing.assert_array_equal(x.log_softmax().asnumpy(), nd.log_softmax(x).asnumpy())


# ---- softmax_cross_entropy --------------------------------------------------------------------
def test_softmax_cross_entropy_is_summed_over_the_batch() -> None:
    x, label = _x(), np.array([0, 3, 1])
    got = nd.softmax_cross_entropy(nd.array(x, dtype="float64"), nd.array(label))
    want = -np.log(_np_softmax(x, -1)[np.arange(3), label]).sum()
    assert got.shape == (1,)
    np.testing.assert_allclose(got.asscalar(), want, rtol=1e-12)


def test_softmax_cross_entropy_gradient_is_softmax_minus_one_hot() -> None:
    x, label = _x(), np.array([2, 0, 1])
    v = nd.array(x, dtype="float64")
    v.attach_grad()
    with autograd.record():
        loss = nd.softmax_cross_entropy(v, nd.array(label))
    loss.backward()
    np.testing.assert_allclose(v.grad.asnumpy(), _np_softmax(x, -1) - np.eye(4)[label], rtol=1e-12)


def test_softmax_cross_entropy_derivatives_to_second_order() -> None:
    label = nd.array([1, 1, 3])
    check_grads(lambda x: nd.softmax_cross_entropy(x, label), _x(), order=2)


# ---- Dropout ----------------------------------------------------------------------------------
def test_dropout_is_the_identity_in_predict_mode() -> None:
    x = nd.array(_x())
    np.testing.assert_array_equal(nd.Dropout(x, p=0.5).asnumpy(), x.asnumpy())


def test_dropout_in_record_zeros_and_scales() -> None:
    x = nd.ones((200, 50))
    x.attach_grad()
    with autograd.record():
        y = nd.Dropout(x, p=0.3)
    values = y.asnumpy()
    assert set(np.unique(values).tolist()) == {0.0, np.float32(1 / 0.7)}
    assert 0.25 < (values == 0).mean() < 0.35


def test_dropout_gradient_is_the_mask() -> None:
    x = nd.ones((10, 10))
    x.attach_grad()
    with autograd.record():
        y = nd.Dropout(x, p=0.5)
    y.backward()
    np.testing.assert_array_equal(x.grad.asnumpy(), y.asnumpy())


def test_dropout_under_record_with_train_mode_false_is_identity() -> None:
    x = nd.ones((4, 4))
    with autograd.record(train_mode=False):
        y = nd.Dropout(x, p=0.9)
    np.testing.assert_array_equal(y.asnumpy(), x.asnumpy())


def test_dropout_mode_always_applies_outside_training() -> None:
    y = nd.Dropout(nd.ones((1000,)), p=0.5, mode="always")
    assert (y.asnumpy() == 0).any()


def test_dropout_axes_share_one_draw() -> None:
    with autograd.train_mode():
        y = nd.Dropout(nd.ones((20, 30)), p=0.5, axes=(1,)).asnumpy()
    assert (y == y[:, :1]).all()


def test_dropout_is_reproducible_with_the_seed() -> None:
    with autograd.train_mode():
        nd.random.seed(7)
        a = nd.Dropout(nd.ones((50,)), p=0.5)
        nd.random.seed(7)
        b = nd.Dropout(nd.ones((50,)), p=0.5)
    np.testing.assert_array_equal(a.asnumpy(), b.asnumpy())


def test_dropout_with_p_one_gives_zeros_and_p_zero_the_input() -> None:
    with autograd.train_mode():
        np.testing.assert_array_equal(nd.Dropout(nd.ones(3), p=1.0).asnumpy(), [0, 0, 0])
        np.testing.assert_array_equal(nd.Dropout(nd.ones(3), p=0.0).asnumpy(), [1, 1, 1])


def test_dropout_refuses_a_bad_probability() -> None:
    with pytest.raises(ValueError, match="probability"):
        nd.Dropout(nd.ones(3), p=1.5)


def test_dropout_in_predict_mode_differentiates() -> None:
    def f(x: nd.NDArray) -> nd.NDArray:
        with autograd.predict_mode():  # record() turns training on, and with it the dropping
            return nd.Dropout(x, p=0.5) ** 3

    check_grads(f, _x(), order=2)


# ---- FullyConnected ---------------------------------------------------------------------------
def test_fully_connected_is_x_times_w_transposed_plus_b() -> None:
    x, w, b = _x((5, 3), 1), _x((4, 3), 2), _x((4,), 3)
    got = nd.FullyConnected(
        nd.array(x, dtype="float64"), nd.array(w, dtype="float64"), nd.array(b, dtype="float64"), num_hidden=4
    )
    np.testing.assert_allclose(got.asnumpy(), x @ w.T + b, rtol=1e-12)


def test_fully_connected_flattens_trailing_axes() -> None:
    x, w = _x((2, 3, 2), 4), _x((4, 6), 5)
    got = nd.FullyConnected(
        nd.array(x, dtype="float64"), nd.array(w, dtype="float64"), no_bias=True, num_hidden=4
    )
    np.testing.assert_allclose(got.asnumpy(), x.reshape(2, 6) @ w.T, rtol=1e-12)


def test_fully_connected_without_flatten_applies_to_the_last_axis() -> None:
    x, w, b = _x((2, 3, 6), 6), _x((4, 6), 7), _x((4,), 8)
    got = nd.FullyConnected(
        nd.array(x, dtype="float64"),
        nd.array(w, dtype="float64"),
        nd.array(b, dtype="float64"),
        num_hidden=4,
        flatten=False,
    )
    assert got.shape == (2, 3, 4)
    np.testing.assert_allclose(got.asnumpy(), x @ w.T + b, rtol=1e-12)


@pytest.mark.parametrize("flatten", [True, False])
def test_fully_connected_derivatives_to_second_order(flatten: bool) -> None:
    def f(x: nd.NDArray, w: nd.NDArray, b: nd.NDArray) -> nd.NDArray:
        return nd.FullyConnected(x, w, b, num_hidden=3, flatten=flatten) ** 2

    check_grads(f, _x((2, 2, 2), 9), _x((3, 2 if not flatten else 4), 10), _x((3,), 11), order=2)


def test_fully_connected_checks_num_hidden_and_inputs() -> None:
    with pytest.raises(ValueError, match="num_hidden is 5"):
        nd.FullyConnected(nd.ones((2, 3)), nd.ones((4, 3)), num_hidden=5, no_bias=True)
    with pytest.raises(ValueError, match="3 input features"):
        nd.FullyConnected(nd.ones((2, 3)), nd.ones((4, 2)), num_hidden=4, no_bias=True)


# ---- Activation -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("act", "op"),
    [
        ("relu", nd.relu),
        ("sigmoid", nd.sigmoid),
        ("tanh", nd.tanh),
        ("softrelu", nd.softrelu),
        ("softsign", nd.softsign),
    ],
)
def test_activation_dispatches_to_the_op(act: str, op: Any) -> None:
    x = nd.array(_x())
    np.testing.assert_array_equal(nd.Activation(x, act_type=act).asnumpy(), op(x).asnumpy())


def test_activation_with_unknown_type_lists_the_choices() -> None:
    with pytest.raises(ValueError, match="relu"):
        nd.Activation(nd.ones(2), act_type="gelu")
