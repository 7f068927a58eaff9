"""Deep Learning from Scratch (Saito): the book's computational graphs and layers.

The book backpropagates by hand with layer classes in NumPy; here those layers are written
in NumPy inside the test and tape's automatic gradients must agree with them.
"""

# ruff: noqa: N803 - the book's names (W, W1) are kept on purpose
from __future__ import annotations

import numpy as np
import pytest

from tape import autograd, nd
from tape.testing import check_grads


def f64(values: object) -> nd.NDArray:
    return nd.array(values, dtype="float64")


# ---- chapter 5.4: buying apples and oranges ------------------------------------------------------
def test_apple_and_orange_shopping_graph() -> None:
    apple, apple_num, orange, orange_num, tax = f64([100]), f64([2]), f64([150]), f64([3]), f64([1.1])
    for v in (apple, apple_num, orange, orange_num, tax):
        v.attach_grad()
    with autograd.record():
        apple_price = apple * apple_num  # mul_apple_layer
        orange_price = orange * orange_num  # mul_orange_layer
        all_price = apple_price + orange_price  # add_apple_orange_layer
        price = all_price * tax  # mul_tax_layer
    price.backward()
    assert price.asscalar() == pytest.approx(715.0, rel=1e-15)
    grads = [v.grad.asscalar() for v in (apple, apple_num, orange, orange_num, tax)]
    np.testing.assert_allclose(grads, [2.2, 110.0, 3.3, 165.0, 650.0], rtol=1e-14)


# ---- chapter 5: the layers, hand-written in NumPy as the book writes them -----------------------
class Affine:
    def __init__(self, W: np.ndarray, b: np.ndarray) -> None:
        self.W, self.b = W, b

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.x = x
        return x @ self.W + self.b

    def backward(self, dout: np.ndarray) -> np.ndarray:
        self.dW = self.x.T @ dout
        self.db = dout.sum(axis=0)
        return dout @ self.W.T


class Relu:
    def forward(self, x: np.ndarray) -> np.ndarray:
        self.mask = x <= 0
        return np.where(self.mask, 0.0, x)

    def backward(self, dout: np.ndarray) -> np.ndarray:
        return np.where(self.mask, 0.0, dout)


class Sigmoid:
    def forward(self, x: np.ndarray) -> np.ndarray:
        self.out = 1 / (1 + np.exp(-x))
        return self.out

    def backward(self, dout: np.ndarray) -> np.ndarray:
        return dout * (1.0 - self.out) * self.out


class SoftmaxWithLoss:
    def forward(self, x: np.ndarray, t: np.ndarray) -> float:
        self.t = t
        e = np.exp(x - x.max(axis=1, keepdims=True))
        self.y = e / e.sum(axis=1, keepdims=True)
        return float(-np.sum(t * np.log(self.y)) / x.shape[0])

    def backward(self) -> np.ndarray:
        return (self.y - self.t) / self.t.shape[0]


def numpy_backprop(
    params: dict[str, np.ndarray], x: np.ndarray, t: np.ndarray, activation: str
) -> tuple[float, dict[str, np.ndarray]]:
    """TwoLayerNet.gradient of the book: forward through the layers, then backward in reverse."""
    layers = [
        Affine(params["W1"], params["b1"]),
        Relu() if activation == "relu" else Sigmoid(),
        Affine(params["W2"], params["b2"]),
    ]
    last = SoftmaxWithLoss()
    h = x
    for layer in layers:
        h = layer.forward(h)
    loss = last.forward(h, t)
    dout = last.backward()
    for layer in reversed(layers):
        dout = layer.backward(dout)
    a1, a2 = layers[0], layers[2]
    assert isinstance(a1, Affine) and isinstance(a2, Affine)
    return loss, {"W1": a1.dW, "b1": a1.db, "W2": a2.dW, "b2": a2.db}


# ---- the same network with tape --------------------------------------------------------------
def softmax(x: nd.NDArray) -> nd.NDArray:
    x = x - x.max(axis=1, keepdims=True)  # guards against overflow; its gradient cancels
    e = nd.exp(x)
    return e / e.sum(axis=1, keepdims=True)


def cross_entropy_error(y: nd.NDArray, t: nd.NDArray) -> nd.NDArray:
    # The book adds 1e-7 inside the log; its hand-written backward (y - t) / N ignores it,
    # so the exact comparison leaves it out.
    return -(t * nd.log(y)).sum() / y.shape[0]


def tape_loss(p: dict[str, nd.NDArray], x: nd.NDArray, t: nd.NDArray, activation: str) -> nd.NDArray:
    a1 = nd.dot(x, p["W1"]) + p["b1"]
    z1 = nd.relu(a1) if activation == "relu" else nd.sigmoid(a1)
    return cross_entropy_error(softmax(nd.dot(z1, p["W2"]) + p["b2"]), t)


def init_network(input_size: int, hidden_size: int, output_size: int, seed: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    weight_init_std = 0.01 if input_size > 100 else 0.5
    return {
        "W1": weight_init_std * rng.standard_normal((input_size, hidden_size)),
        "b1": np.zeros(hidden_size),
        "W2": weight_init_std * rng.standard_normal((hidden_size, output_size)),
        "b2": np.zeros(output_size),
    }


def mnist_like_batch(batch_size: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Pixels in [0, 1] and one-hot labels, as load_mnist(normalize=True, one_hot_label=True)."""
    rng = np.random.default_rng(seed)
    return rng.random((batch_size, 784)), np.eye(10)[rng.integers(0, 10, batch_size)]


def tape_gradients(
    params: dict[str, np.ndarray], x: np.ndarray, t: np.ndarray, activation: str
) -> tuple[float, dict[str, np.ndarray]]:
    p = {k: f64(v) for k, v in params.items()}
    for v in p.values():
        v.attach_grad()
    with autograd.record():
        loss = tape_loss(p, f64(x), f64(t), activation)
    loss.backward()
    return float(loss.asscalar()), {k: v.grad.asnumpy() for k, v in p.items()}


@pytest.mark.parametrize("activation", ["relu", "sigmoid"])
def test_two_layer_net_gradients_match_numpy_backprop(activation: str) -> None:
    params = init_network(784, 100, 10, seed=0)
    params["b1"] = 0.1 * np.random.default_rng(1).standard_normal(100)  # exercise both relu sides
    x, t = mnist_like_batch(100, seed=2)
    want_loss, want = numpy_backprop(params, x, t, activation)
    got_loss, got = tape_gradients(params, x, t, activation)
    assert got_loss == pytest.approx(want_loss, rel=1e-12)
    for key in ("W1", "b1", "W2", "b2"):
        assert got[key].dtype == np.float64 and got[key].shape == params[key].shape
        np.testing.assert_allclose(got[key], want[key], rtol=1e-6, atol=1e-12, err_msg=key)
        assert np.abs(want[key]).max() > 1e-6, f"{key}: a vanishing gradient proves nothing"


def test_sgd_training_follows_numpy_backprop_step_for_step() -> None:
    tape_params = init_network(784, 100, 10, seed=3)
    numpy_params = {k: v.copy() for k, v in tape_params.items()}
    p = {k: f64(v) for k, v in tape_params.items()}
    for v in p.values():
        v.attach_grad()
    lr = 0.1
    losses = []
    for step in range(20):
        x, t = mnist_like_batch(100, seed=100 + step)
        t = np.eye(10)[(x[:, :10].argmax(axis=1))]  # a learnable rule: the brightest of 10 pixels
        with autograd.record():
            loss = tape_loss(p, f64(x), f64(t), "relu")
        loss.backward()
        for key in p:
            p[key][:] = p[key] - lr * p[key].grad
        np_loss, np_grads = numpy_backprop(numpy_params, x, t, "relu")
        for key in numpy_params:
            numpy_params[key] -= lr * np_grads[key]
        assert float(loss.asscalar()) == pytest.approx(np_loss, rel=1e-10)
        losses.append(np_loss)
    for key in p:
        np.testing.assert_allclose(p[key].asnumpy(), numpy_params[key], rtol=1e-6, atol=1e-12, err_msg=key)
    assert losses[-1] < losses[0]


def test_sigmoid_layer_gradient_matches_book_formula() -> None:
    x = np.linspace(-4, 4, 9)
    dout = np.arange(1.0, 10.0)
    layer = Sigmoid()
    layer.forward(x)
    v = f64(x)
    v.attach_grad()
    with autograd.record():
        y = 1 / (1 + nd.exp(-v))  # the book's sigmoid, written with tape's ops
    y.backward(f64(dout))
    np.testing.assert_allclose(v.grad.asnumpy(), layer.backward(dout), rtol=1e-14)


@pytest.mark.parametrize("activation", ["relu", "sigmoid"])
def test_small_two_layer_net_passes_gradient_check_to_second_order(activation: str) -> None:
    # The book's gradient_check, numerical against backprop, on a net small enough to check.
    params = init_network(6, 5, 3, seed=4)
    params["b1"] = np.linspace(-0.5, 0.5, 5)
    x, labels = np.random.default_rng(5).standard_normal((4, 6)), np.array([0, 2, 1, 2])
    t = f64(np.eye(3)[labels])

    def loss(W1: nd.NDArray, b1: nd.NDArray, W2: nd.NDArray, b2: nd.NDArray) -> nd.NDArray:
        return tape_loss({"W1": W1, "b1": b1, "W2": W2, "b2": b2}, f64(x), t, activation)

    check_grads(loss, params["W1"], params["b1"], params["W2"], params["b2"], order=2)
