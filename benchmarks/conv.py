"""(g) Convolutions: one `Convolution` layer, and one SGD step of a small LeNet.

tape is written as an MXNet user writes it: ``nd.Convolution``, ``nd.Pooling``, ``nd.relu``,
``nd.FullyConnected``, ``-nd.pick(nd.log_softmax(s), y).mean()``, ``backward()`` and
``p -= lr * p.grad``. NumPy is the same algorithm written by hand, as well as it goes: im2col
through a strided view (`sliding_window_view`) copied once into a (C * kh * kw, N * H * W)
matrix, one matrix product per convolution, col2im as one strided add per kernel tap; max
pooling takes the arg-max of each window of a strided view and sends the gradient back
through the same arg-max. PyTorch's CPU ``conv2d`` is a peer when it is installed.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from ._harness import Case, Fn, make_peers, optional

NAME = "conv"
LR = 0.01


# ---- hand-written NumPy ------------------------------------------------------------------------
def im2col(x: np.ndarray, k: int, pad: int) -> np.ndarray:
    """(N, C, H, W) -> (C * k * k, N * Ho * Wo) for stride 1: the columns of every window."""
    n, c = x.shape[:2]
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad))) if pad else x
    win = sliding_window_view(xp, (k, k), axis=(2, 3))  # (N, C, Ho, Wo, k, k), a view
    ho, wo = win.shape[2:4]
    return np.ascontiguousarray(win.transpose(1, 4, 5, 0, 2, 3)).reshape(c * k * k, n * ho * wo)


def col2im(cols: np.ndarray, shape: tuple[int, ...], k: int, pad: int) -> np.ndarray:
    """The adjoint of `im2col`: each column added back where it was read, one add per tap."""
    n, c, h, w = shape
    ho, wo = h + 2 * pad - k + 1, w + 2 * pad - k + 1
    c6 = cols.reshape(c, k, k, n, ho, wo)
    xp = np.zeros((n, c, h + 2 * pad, w + 2 * pad), cols.dtype)
    xcn = xp.transpose(1, 0, 2, 3)
    for i in range(k):
        for j in range(k):
            xcn[:, :, i : i + ho, j : j + wo] += c6[:, i, j]
    return xp[:, :, pad : pad + h, pad : pad + w] if pad else xp


class NumpyConv:
    """A convolution layer (stride 1) with its hand-written backward."""

    def __init__(self, w: np.ndarray, b: np.ndarray, pad: int) -> None:
        self.w, self.b, self.pad, self.k = w, b, pad, w.shape[2]

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.shape = x.shape
        self.cols = im2col(x, self.k, self.pad)
        f = self.w.shape[0]
        y = self.w.reshape(f, -1) @ self.cols + self.b[:, None]  # (F, N * Ho * Wo)
        return y.reshape(f, x.shape[0], *self._out()).transpose(1, 0, 2, 3)  # a view, no copy

    def _out(self) -> tuple[int, int]:
        h, w = self.shape[2:]
        return h + 2 * self.pad - self.k + 1, w + 2 * self.pad - self.k + 1

    def backward(self, dy: np.ndarray, need_dx: bool = True) -> np.ndarray | None:
        f = self.w.shape[0]
        g = np.ascontiguousarray(dy.transpose(1, 0, 2, 3)).reshape(f, -1)
        self.dw = (g @ self.cols.T).reshape(self.w.shape)
        self.db = g.sum(axis=1)
        if not need_dx:  # the first layer: nobody needs the gradient of the images
            return None
        return col2im(self.w.reshape(f, -1).T @ g, self.shape, self.k, self.pad)


class NumpyMaxPool:
    """Max pooling over k x k windows with stride k, through the arg-max of each window."""

    def __init__(self, k: int) -> None:
        self.k = k

    def forward(self, x: np.ndarray) -> np.ndarray:
        k = self.k
        self.shape = x.shape
        win = sliding_window_view(x, (k, k), axis=(2, 3))[:, :, ::k, ::k]  # (N, C, Ho, Wo, k, k)
        flat = win.reshape(-1, k * k)  # the one copy of the windows, a row each
        # The flat position of each window's maximum (`max(axis=-1)` over 4 taps is 10x slower).
        self.at = np.arange(0, flat.size, k * k) + flat.argmax(axis=1)
        return flat.reshape(-1)[self.at].reshape(win.shape[:4])

    def backward(self, dy: np.ndarray) -> np.ndarray:
        k = self.k
        n, c, ho, wo = dy.shape
        dwin = np.zeros(dy.size * k * k, dy.dtype)
        dwin[self.at] = dy.reshape(-1)  # each window's gradient goes to its maximum
        dx = dwin.reshape(n, c, ho, wo, k, k).transpose(0, 1, 2, 4, 3, 5).reshape(n, c, ho * k, wo * k)
        h, w = self.shape[2:]
        if (h, w) == dx.shape[2:]:
            return dx
        out = np.zeros(self.shape, dy.dtype)
        out[:, :, : ho * k, : wo * k] = dx
        return out


# ---- data --------------------------------------------------------------------------------------
def _layer_data(quick: bool) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(2)
    n, size = (8, 16) if quick else (32, 32)
    return {
        "x": rng.standard_normal((n, 3, size, size)).astype(np.float32),
        "w": (rng.standard_normal((16, 3, 3, 3)) * 0.2).astype(np.float32),
        "b": rng.standard_normal(16).astype(np.float32),
        "dy": rng.standard_normal((n, 16, size, size)).astype(np.float32),
    }


def _lenet_data(quick: bool) -> tuple[np.ndarray, np.ndarray, list[np.ndarray]]:
    rng = np.random.default_rng(3)
    n = 8 if quick else 32

    def he(*shape: int) -> np.ndarray:
        fan_in = int(np.prod(shape[1:]))
        return (rng.standard_normal(shape) * np.sqrt(2 / fan_in)).astype(np.float32)

    x = rng.standard_normal((n, 1, 28, 28)).astype(np.float32)
    labels = rng.integers(0, 10, n)
    params = [
        he(6, 1, 5, 5), np.zeros(6, np.float32),
        he(16, 6, 5, 5), np.zeros(16, np.float32),
        he(120, 400), np.zeros(120, np.float32),
        he(10, 120), np.zeros(10, np.float32),
    ]  # fmt: skip
    return x, labels, params


# ---- the convolution layer ---------------------------------------------------------------------
def tape_layer(d: dict[str, np.ndarray]) -> Fn:
    from tape import autograd, nd

    x, w, b = (nd.array(d[k], dtype=np.float32) for k in "xwb")
    dy = nd.array(d["dy"], dtype=np.float32)
    for p in (x, w, b):
        p.attach_grad()

    def run() -> Any:
        with autograd.record():
            y = nd.Convolution(x, w, b, kernel=(3, 3), pad=(1, 1), num_filter=16)
        y.backward(dy)
        return [x.grad, w.grad, b.grad]

    return run


def numpy_layer(d: dict[str, np.ndarray]) -> Fn:
    layer = NumpyConv(d["w"], d["b"], pad=1)

    def run() -> Any:
        layer.forward(d["x"])
        dx = layer.backward(d["dy"])
        assert dx is not None
        return [dx, layer.dw, layer.db]

    return run


def torch_layer(d: dict[str, np.ndarray]) -> Fn | None:
    torch = optional("torch")
    if torch is None:
        return None
    torch.set_num_threads(1)
    x, w, b = (torch.tensor(d[k], requires_grad=True) for k in "xwb")
    dy = torch.tensor(d["dy"])

    def run() -> Any:
        for p in (x, w, b):
            p.grad = None
        torch.nn.functional.conv2d(x, w, b, padding=1).backward(dy)
        return [p.grad.numpy() for p in (x, w, b)]

    return run


# ---- the LeNet step ----------------------------------------------------------------------------
def tape_lenet(x0: np.ndarray, labels: np.ndarray, params: list[np.ndarray]) -> Fn:
    from tape import autograd, nd

    ps = [nd.array(p, dtype=np.float32) for p in params]
    for p in ps:
        p.attach_grad()
    x, y = nd.array(x0, dtype=np.float32), nd.array(labels, dtype=np.float32)

    def run() -> Any:
        w1, b1, w2, b2, w3, b3, w4, b4 = ps
        with autograd.record():
            h = nd.relu(nd.Convolution(x, w1, b1, kernel=(5, 5), pad=(2, 2), num_filter=6))
            h = nd.Pooling(h, kernel=(2, 2), stride=(2, 2), pool_type="max")
            h = nd.relu(nd.Convolution(h, w2, b2, kernel=(5, 5), num_filter=16))
            h = nd.Pooling(h, kernel=(2, 2), stride=(2, 2), pool_type="max")
            h = nd.relu(nd.FullyConnected(h, w3, b3, num_hidden=120))
            s = nd.FullyConnected(h, w4, b4, num_hidden=10)
            loss = -nd.pick(nd.log_softmax(s), y).mean()
        loss.backward()
        for p in ps:
            p -= LR * p.grad
        return [p.grad for p in ps]

    return run


def numpy_lenet(x: np.ndarray, labels: np.ndarray, params: list[np.ndarray]) -> Fn:
    w1, b1, w2, b2, w3, b3, w4, b4 = (p.copy() for p in params)
    conv1, conv2 = NumpyConv(w1, b1, pad=2), NumpyConv(w2, b2, pad=0)
    pool1, pool2 = NumpyMaxPool(2), NumpyMaxPool(2)
    n = len(x)
    rows = np.arange(n)

    def run() -> Any:
        # forward: Conv, ReLU, Pool, Conv, ReLU, Pool, Affine, ReLU, Affine, SoftmaxWithLoss
        a1 = np.maximum(conv1.forward(x), 0)
        p1 = pool1.forward(a1)
        a2 = np.maximum(conv2.forward(p1), 0)
        p2 = pool2.forward(a2).reshape(n, -1)
        a3 = np.maximum(p2 @ w3.T + b3, 0)
        s = a3 @ w4.T + b4
        s -= s.max(axis=1, keepdims=True)
        e = np.exp(s)
        prob = e / e.sum(axis=1, keepdims=True)
        # backward
        ds = prob
        ds[rows, labels] -= 1
        ds /= n
        dw4, db4 = ds.T @ a3, ds.sum(axis=0)
        da3 = (ds @ w4) * (a3 > 0)
        dw3, db3 = da3.T @ p2, da3.sum(axis=0)
        dp2 = (da3 @ w3).reshape(n, 16, 5, 5)
        da2 = pool2.backward(dp2) * (a2 > 0)
        dp1 = conv2.backward(da2)
        assert dp1 is not None
        da1 = pool1.backward(dp1) * (a1 > 0)
        conv1.backward(da1, need_dx=False)
        grads = [conv1.dw, conv1.db, conv2.dw, conv2.db, dw3, db3, dw4, db4]
        for p, g in zip((w1, b1, w2, b2, w3, b3, w4, b4), grads, strict=True):
            p -= LR * g
        return grads

    return run


def torch_lenet(x: np.ndarray, labels: np.ndarray, params: list[np.ndarray]) -> Fn | None:
    torch = optional("torch")
    if torch is None:
        return None
    torch.set_num_threads(1)
    ps = [torch.tensor(p, requires_grad=True) for p in params]
    tx, ty = torch.tensor(x), torch.tensor(labels)
    f = torch.nn.functional

    def run() -> Any:
        w1, b1, w2, b2, w3, b3, w4, b4 = ps
        h = f.max_pool2d(torch.relu(f.conv2d(tx, w1, b1, padding=2)), 2)
        h = f.max_pool2d(torch.relu(f.conv2d(h, w2, b2)), 2)
        s = f.linear(torch.relu(f.linear(h.flatten(1), w3, b3)), w4, b4)
        loss = f.cross_entropy(s, ty)
        for p in ps:
            p.grad = None
        loss.backward()
        with torch.no_grad():
            for p in ps:
                p -= LR * p.grad
        return [p.grad.numpy() for p in ps]

    return run


def cases(quick: bool) -> list[Any]:
    d = _layer_data(quick)
    n, c, size = d["x"].shape[:3]
    x, labels, params = _lenet_data(quick)
    return [
        Case(
            name=f"g. Convolution {n}x{c}x{size}x{size} -> 16, 3x3 pad 1 f32",
            tape=tape_layer(d),
            numpy=numpy_layer(d),
            target=1.2,
            unit="call",
            peers=make_peers({"torch": torch_layer}, d),
            rtol=1e-3,
            atol=1e-3,
        ),
        Case(
            name=f"g. LeNet SGD step, batch {len(x)} f32",
            tape=tape_lenet(x, labels, params),
            numpy=numpy_lenet(x, labels, params),
            target=1.2,
            unit="step",
            peers=make_peers({"torch": torch_lenet}, x, labels, params),
            rtol=2e-3,
            atol=2e-5,
        ),
    ]
