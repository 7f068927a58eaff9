"""Whole convolutional programs on the bundled digits (8x8 images, reshaped to (N, 1, 8, 8)).

- Deep Learning from Scratch's `SimpleConvNet` (conv, ReLU, pool, affine, ReLU, affine,
  softmax with loss), written with tape's nd ops: its gradients equal those of the book's
  hand-written NumPy layers (im2col and col2im written here as the book writes them), and
  trained with tape it learns the digits.
- A LeNet-style net with `nd.BatchNorm` (moving statistics, then predict mode), trained with
  `nd.sgd_mom_update`.
- Top-5 and top-1 accuracy of a trained model through `nd.topk`, against NumPy's argsort.
"""

# ruff: noqa: N803 - the book's names (W1, FN, FH) are kept on purpose
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from tape import autograd, demo, nd

FN, FH, PAD, POOL, HIDDEN, CLASSES = 16, 3, 1, 2, 50, 10


# ---- the book's layers, in NumPy -------------------------------------------------------------
def im2col(x: np.ndarray, fh: int, fw: int, stride: int = 1, pad: int = 0) -> np.ndarray:
    """(N, C, H, W) -> (N * out_h * out_w, C * fh * fw): one row per window, as in the book."""
    n, c, h, w = x.shape
    out_h, out_w = (h + 2 * pad - fh) // stride + 1, (w + 2 * pad - fw) // stride + 1
    img = np.pad(x, [(0, 0), (0, 0), (pad, pad), (pad, pad)])
    col = np.zeros((n, c, fh, fw, out_h, out_w), x.dtype)
    for y in range(fh):
        for x_ in range(fw):
            col[:, :, y, x_] = img[:, :, y : y + stride * out_h : stride, x_ : x_ + stride * out_w : stride]
    return col.transpose(0, 4, 5, 1, 2, 3).reshape(n * out_h * out_w, -1)


def col2im(
    col: np.ndarray, shape: tuple[int, ...], fh: int, fw: int, stride: int = 1, pad: int = 0
) -> np.ndarray:
    """The adjoint of `im2col`: each row added back into the window it came from."""
    n, c, h, w = shape
    out_h, out_w = (h + 2 * pad - fh) // stride + 1, (w + 2 * pad - fw) // stride + 1
    col6 = col.reshape(n, out_h, out_w, c, fh, fw).transpose(0, 3, 4, 5, 1, 2)
    img = np.zeros((n, c, h + 2 * pad + stride - 1, w + 2 * pad + stride - 1), col.dtype)
    for y in range(fh):
        for x_ in range(fw):
            img[:, :, y : y + stride * out_h : stride, x_ : x_ + stride * out_w : stride] += col6[:, :, y, x_]
    return img[:, :, pad : h + pad, pad : w + pad]


class Convolution:
    def __init__(self, W: np.ndarray, b: np.ndarray, stride: int = 1, pad: int = 0) -> None:
        self.W, self.b, self.stride, self.pad = W, b, stride, pad

    def forward(self, x: np.ndarray) -> np.ndarray:
        FN, _, FH, FW = self.W.shape
        n, _, h, w = x.shape
        out_h, out_w = (h + 2 * self.pad - FH) // self.stride + 1, (w + 2 * self.pad - FW) // self.stride + 1
        self.x, self.col = x, im2col(x, FH, FW, self.stride, self.pad)
        self.col_W = self.W.reshape(FN, -1).T
        out = self.col @ self.col_W + self.b
        return out.reshape(n, out_h, out_w, -1).transpose(0, 3, 1, 2)

    def backward(self, dout: np.ndarray) -> np.ndarray:
        FN, C, FH, FW = self.W.shape
        dout = dout.transpose(0, 2, 3, 1).reshape(-1, FN)
        self.db = dout.sum(axis=0)
        self.dW = (self.col.T @ dout).transpose(1, 0).reshape(FN, C, FH, FW)
        return col2im(dout @ self.col_W.T, self.x.shape, FH, FW, self.stride, self.pad)


class Pooling:
    def __init__(self, pool_h: int, pool_w: int, stride: int) -> None:
        self.pool_h, self.pool_w, self.stride = pool_h, pool_w, stride

    def forward(self, x: np.ndarray) -> np.ndarray:
        n, c, h, w = x.shape
        out_h, out_w = (h - self.pool_h) // self.stride + 1, (w - self.pool_w) // self.stride + 1
        col = im2col(x, self.pool_h, self.pool_w, self.stride).reshape(-1, self.pool_h * self.pool_w)
        self.x, self.arg_max = x, np.argmax(col, axis=1)
        return np.max(col, axis=1).reshape(n, out_h, out_w, c).transpose(0, 3, 1, 2)

    def backward(self, dout: np.ndarray) -> np.ndarray:
        dout = dout.transpose(0, 2, 3, 1)
        size = self.pool_h * self.pool_w
        dmax = np.zeros((dout.size, size))
        dmax[np.arange(self.arg_max.size), self.arg_max] = dout.reshape(-1)
        dcol = dmax.reshape(*dout.shape, size).reshape(dout.shape[0] * dout.shape[1] * dout.shape[2], -1)
        return col2im(dcol, self.x.shape, self.pool_h, self.pool_w, self.stride)


class Affine:
    def __init__(self, W: np.ndarray, b: np.ndarray) -> None:
        self.W, self.b = W, b

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.shape, self.x = x.shape, x.reshape(x.shape[0], -1)
        return self.x @ self.W + self.b

    def backward(self, dout: np.ndarray) -> np.ndarray:
        self.dW, self.db = self.x.T @ dout, dout.sum(axis=0)
        return (dout @ self.W.T).reshape(self.shape)


class Relu:
    def forward(self, x: np.ndarray) -> np.ndarray:
        self.mask = x <= 0
        return np.where(self.mask, 0.0, x)

    def backward(self, dout: np.ndarray) -> np.ndarray:
        return np.where(self.mask, 0.0, dout)


def numpy_gradient(
    p: dict[str, np.ndarray], x: np.ndarray, t: np.ndarray
) -> tuple[float, dict[str, np.ndarray]]:
    """SimpleConvNet.gradient of the book: forward through the layers, then backward in reverse."""
    conv = Convolution(p["W1"], p["b1"], 1, PAD)
    affine1, affine2 = Affine(p["W2"], p["b2"]), Affine(p["W3"], p["b3"])
    layers = [conv, Relu(), Pooling(POOL, POOL, POOL), affine1, Relu(), affine2]
    h = x
    for layer in layers:
        h = layer.forward(h)
    e = np.exp(h - h.max(axis=1, keepdims=True))
    y = e / e.sum(axis=1, keepdims=True)
    rows = np.arange(len(t))
    loss = float(-np.log(y[rows, t]).mean())  # the book adds 1e-7 in the log; its backward ignores it
    dout = y
    dout[rows, t] -= 1
    dout /= len(t)
    for layer in reversed(layers):
        dout = layer.backward(dout)
    names = ("W1", "b1", "W2", "b2", "W3", "b3")
    return loss, dict(
        zip(names, (conv.dW, conv.db, affine1.dW, affine1.db, affine2.dW, affine2.db), strict=True)
    )


# ---- the same network with tape ----------------------------------------------------------------
def init_params(seed: int, dtype: Any = np.float64) -> dict[str, np.ndarray]:
    """He initialisation (the book's weight_init_std='relu'); small random biases, so that no
    ReLU sits exactly at its kink on the blank background of the digits."""
    rng = np.random.default_rng(seed)
    flat = FN * (8 // POOL) ** 2
    params = {
        "W1": rng.standard_normal((FN, 1, FH, FH)) * np.sqrt(2 / FH**2),
        "b1": 0.01 * rng.standard_normal(FN),
        "W2": rng.standard_normal((flat, HIDDEN)) * np.sqrt(2 / flat),
        "b2": 0.01 * rng.standard_normal(HIDDEN),
        "W3": rng.standard_normal((HIDDEN, CLASSES)) * np.sqrt(2 / HIDDEN),
        "b3": np.zeros(CLASSES),
    }
    return {k: v.astype(dtype) for k, v in params.items()}


def scores(p: dict[str, nd.NDArray], x: nd.NDArray) -> nd.NDArray:
    h = nd.Convolution(x, p["W1"], p["b1"], kernel=(FH, FH), pad=(PAD, PAD), num_filter=FN)
    h = nd.Pooling(nd.relu(h), kernel=(POOL, POOL), stride=(POOL, POOL), pool_type="max")
    h = nd.relu(nd.dot(h.reshape((h.shape[0], -1)), p["W2"]) + p["b2"])
    return nd.dot(h, p["W3"]) + p["b3"]


def loss_of(p: dict[str, nd.NDArray], x: nd.NDArray, t: nd.NDArray) -> nd.NDArray:
    return -nd.pick(nd.log_softmax(scores(p, x)), t).mean()


def images(x: np.ndarray) -> np.ndarray:
    return x.reshape(-1, 1, 8, 8)


def accuracy(predict: Callable[[nd.NDArray], nd.NDArray], x: np.ndarray, y: np.ndarray) -> float:
    return float(np.mean(predict(nd.array(images(x))).argmax(axis=1).asnumpy() == y))


def train_simple_convnet(epochs: int, seed: int = 0) -> tuple[dict[str, nd.NDArray], list[float]]:
    """Minibatch SGD with momentum (hand-written, as in the book's optimizer), float32."""
    data, rng = demo.load_digits(), np.random.default_rng(seed)
    p = {k: nd.array(v) for k, v in init_params(seed, np.float32).items()}
    velocity = {k: nd.zeros(v.shape) for k, v in p.items()}
    for v in p.values():
        v.attach_grad()
    losses = []
    x_all, n = images(data.x_train), len(data.x_train)
    for _ in range(epochs):
        order = rng.permutation(n)
        for b in range(0, n, 32):
            idx = order[b : b + 32]
            x, t = nd.array(x_all[idx]), nd.array(data.y_train[idx])
            with autograd.record():
                loss = loss_of(p, x, t)
            loss.backward()
            for k, v in p.items():
                velocity[k][:] = 0.9 * velocity[k] - 0.05 * v.grad
                v += velocity[k]
            losses.append(float(loss.asscalar()))
    return p, losses


@pytest.fixture  # per test (0.2 s): it trains on the test's default context (tests/on_gpu/)
def trained() -> tuple[dict[str, nd.NDArray], list[float]]:
    return train_simple_convnet(epochs=5)


# ---- (a) SimpleConvNet ---------------------------------------------------------------------------
def test_simple_convnet_gradients_equal_the_books_numpy_backprop() -> None:
    data = demo.load_digits()
    x, t = images(data.x_train[:40]).astype(np.float64), data.y_train[:40]
    params = init_params(seed=1)
    want_loss, want = numpy_gradient({k: v.copy() for k, v in params.items()}, x, t)
    p = {k: nd.array(v, dtype="float64") for k, v in params.items()}
    for v in p.values():
        v.attach_grad()
    with autograd.record():
        loss = loss_of(p, nd.array(x, dtype="float64"), nd.array(t, dtype="float64"))
    loss.backward()
    assert float(loss.asscalar()) == pytest.approx(want_loss, rel=1e-13)
    for key, v in p.items():
        assert v.grad is not None and v.grad.dtype == np.float64 and v.grad.shape == params[key].shape
        np.testing.assert_allclose(v.grad.asnumpy(), want[key], rtol=1e-10, atol=1e-14, err_msg=key)
        assert np.abs(want[key]).max() > 1e-4, f"{key}: a vanishing gradient proves nothing"


def test_books_im2col_and_col2im_are_adjoint() -> None:
    # The hand-written reference must itself be right: <im2col(x), c> == <x, col2im(c)>.
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 3, 7, 6))
    for stride, pad in ((1, 0), (1, 1), (2, 1)):
        cols = im2col(x, 3, 2, stride, pad)
        c = rng.standard_normal(cols.shape)
        assert np.vdot(cols, c) == pytest.approx(np.vdot(x, col2im(c, x.shape, 3, 2, stride, pad)), rel=1e-12)


def test_simple_convnet_learns_the_digits(trained: tuple[dict[str, nd.NDArray], list[float]]) -> None:
    p, losses = trained
    data = demo.load_digits()
    # Measured over seeds 0 to 11, 5 epochs: 96.7% to 99.2% test accuracy (chance is 10%), and
    # the loss of the last 20 batches at most 0.05 times that of the first 20.
    assert accuracy(lambda x: scores(p, x), data.x_test, data.y_test) > 0.93
    assert np.mean(losses[-20:]) < 0.2 * np.mean(losses[:20])


# ---- (b) LeNet-style, with BatchNorm and sgd_mom_update ----------------------------------------
class LeNet:
    """conv-BN-ReLU-pool twice, then dense-ReLU-dense; BatchNorm learns gamma and beta."""

    def __init__(self, seed: int) -> None:
        rng = np.random.default_rng(seed)

        def he(*shape: int) -> nd.NDArray:
            return nd.array(rng.standard_normal(shape) * np.sqrt(2 / np.prod(shape[1:])))

        self.params = {
            "c1": he(8, 1, 3, 3), "g1": nd.ones(8), "be1": nd.zeros(8),
            "c2": he(16, 8, 3, 3), "g2": nd.ones(16), "be2": nd.zeros(16),
            "f1": he(64, 64), "fb1": nd.zeros(64), "f2": he(10, 64), "fb2": nd.zeros(10),
        }  # fmt: skip
        self.moving = {k: (nd.zeros(n), nd.ones(n)) for k, n in (("1", 8), ("2", 16))}
        self.mom = {k: nd.zeros(v.shape) for k, v in self.params.items()}
        for v in self.params.values():
            v.attach_grad()

    def scores(self, x: nd.NDArray) -> nd.NDArray:
        p, h = self.params, x
        for i, filters in (("1", 8), ("2", 16)):
            h = nd.Convolution(h, p["c" + i], kernel=(3, 3), pad=(1, 1), num_filter=filters, no_bias=True)
            h = nd.BatchNorm(h, p["g" + i], p["be" + i], *self.moving[i], fix_gamma=False)
            h = nd.Pooling(nd.relu(h), kernel=(2, 2), stride=(2, 2), pool_type="max")
        h = nd.relu(nd.FullyConnected(h, p["f1"], p["fb1"], num_hidden=64))
        return nd.FullyConnected(h, p["f2"], p["fb2"], num_hidden=10)

    def step(self, x: nd.NDArray, t: nd.NDArray, lr: float) -> float:
        with autograd.record():  # training mode: batch statistics, moving ones updated
            loss = nd.softmax_cross_entropy(self.scores(x), t) / x.shape[0]
        loss.backward()
        for k, v in self.params.items():
            assert v.grad is not None
            nd.sgd_mom_update(v, v.grad, self.mom[k], lr=lr, momentum=0.9, wd=1e-4, out=v)
        return float(loss.asscalar())


def test_lenet_with_batchnorm_and_sgd_mom_update_learns_the_digits() -> None:
    data, rng = demo.load_digits(), np.random.default_rng(0)
    net = LeNet(seed=0)
    x_all, n, losses = images(data.x_train), len(data.x_train), []
    for _ in range(5):
        order = rng.permutation(n)
        for b in range(0, n - 31, 32):  # whole batches: BatchNorm's statistics need a few images
            idx = order[b : b + 32]
            losses.append(net.step(nd.array(x_all[idx]), nd.array(data.y_train[idx]), lr=0.02))
    # Measured over seeds 0 to 11: the last 20 batches' loss at most 0.034 times the first 10's.
    assert np.mean(losses[-20:]) < 0.2 * np.mean(losses[:10])
    mean1, var1 = (a.asnumpy() for a in net.moving["1"])
    assert np.abs(mean1).max() > 1e-3 and np.abs(var1 - 1).max() > 1e-3  # the moving statistics moved
    # Predict mode (outside record): the moving statistics, left as they are, and each image
    # scored on its own, whatever else is in the batch.
    x_test = nd.array(images(data.x_test))
    predicted = net.scores(x_test)
    np.testing.assert_array_equal(net.moving["1"][0].asnumpy(), mean1)
    np.testing.assert_allclose(
        net.scores(x_test[:5]).asnumpy(), predicted[:5].asnumpy(), rtol=1e-5, atol=1e-5
    )
    # Measured: 95.8% to 98.6% over seeds 0 to 11.
    assert np.mean(predicted.argmax(axis=1).asnumpy() == data.y_test) > 0.93


# ---- (c) top-k accuracy with nd.topk ------------------------------------------------------------
def test_top5_and_top1_accuracy_through_topk_equal_numpy_argsort(
    trained: tuple[dict[str, nd.NDArray], list[float]],
) -> None:
    p, _ = trained
    data = demo.load_digits()
    s = scores(p, nd.array(images(data.x_test)))
    labels = nd.array(data.y_test)
    top5 = nd.topk(s, k=5)  # indices, largest first, as float32
    top5_acc = float((top5 == labels.reshape((-1, 1))).sum(axis=1).mean().asscalar())
    top1_acc = float((nd.topk(s, k=1).reshape((-1,)) == labels).mean().asscalar())

    raw = s.asnumpy()
    order = np.argsort(-raw, axis=1, kind="stable")[:, :5]
    np.testing.assert_array_equal(top5.asnumpy(), order)
    want5 = np.mean((order == data.y_test[:, None]).any(axis=1))
    want1 = np.mean(order[:, 0] == data.y_test)
    assert top5_acc == pytest.approx(want5, abs=1e-7) and top1_acc == pytest.approx(want1, abs=1e-7)
    assert want1 == np.mean(raw.argmax(axis=1) == data.y_test)
    # Measured over seeds 0 to 11: top-5 accuracy 100% for every one.
    assert 0.93 < top1_acc <= top5_acc and top5_acc > 0.99
    # The mask form marks the same five classes per row.
    mask = nd.topk(s, k=5, ret_typ="mask").asnumpy()
    assert (mask.sum(axis=1) == 5).all() and (np.take_along_axis(mask, order, axis=1) == 1).all()
