"""Dive into Deep Learning (MXNet edition), chapters 3-4 from scratch, as its readers write them.

Only the import line differs from the book: `from tape import autograd, nd`. Fashion-MNIST is
replaced by small generated data that the same models can learn, and gluon's DataLoader by a
few lines that shuffle minibatches.
"""

# ruff: noqa: N803, E741 - the book's names (X, W1, l) are kept on purpose
from __future__ import annotations

import random
from collections.abc import Callable, Iterator

import numpy as np

from tape import autograd, nd

Batches = Iterator[tuple[nd.NDArray, nd.NDArray]]


# ---- the book's helpers (d2l.sgd, squared_loss, softmax, cross_entropy, dropout) -----------------
def sgd(params: list[nd.NDArray], lr: float, batch_size: int) -> None:
    for param in params:
        param[:] = param - lr * param.grad / batch_size


def linreg(X: nd.NDArray, w: nd.NDArray, b: nd.NDArray) -> nd.NDArray:
    return nd.dot(X, w) + b


def squared_loss(y_hat: nd.NDArray, y: nd.NDArray) -> nd.NDArray:
    return (y_hat - y.reshape(y_hat.shape)) ** 2 / 2


def softmax(X: nd.NDArray) -> nd.NDArray:
    X_exp = X.exp()
    partition = X_exp.sum(axis=1, keepdims=True)
    return X_exp / partition  # the broadcast mechanism is applied here


def cross_entropy(y_hat: nd.NDArray, y: nd.NDArray) -> nd.NDArray:
    return -nd.pick(y_hat, y).log()


def accuracy(y_hat: nd.NDArray, y: nd.NDArray) -> float:
    return float((y_hat.argmax(axis=1) == y.astype("float32")).mean().asscalar())


def dropout(X: nd.NDArray, drop_prob: float) -> nd.NDArray:
    assert 0 <= drop_prob <= 1
    keep_prob = 1 - drop_prob
    if keep_prob == 0:  # in this case, all elements are dropped out
        return X.zeros_like()
    mask = nd.random.uniform(0, 1, X.shape) < keep_prob
    return mask * X / keep_prob


def l2_penalty(w: nd.NDArray) -> nd.NDArray:
    return (w**2).sum() / 2


def shuffled_batches(features: nd.NDArray, labels: nd.NDArray, batch_size: int, seed: int) -> Batches:
    """What gluon's DataLoader(..., shuffle=True) yields."""
    order = np.random.default_rng(seed).permutation(len(features))
    for i in range(0, len(order), batch_size):
        j = nd.array(order[i : i + batch_size])
        yield features[j], labels[j]


def gaussian_blobs(
    centers: np.ndarray, n_per_class: int, std: float, seed: int
) -> tuple[nd.NDArray, nd.NDArray]:
    rng = np.random.default_rng(seed)
    X = np.concatenate([c + std * rng.standard_normal((n_per_class, centers.shape[1])) for c in centers])
    y = np.repeat(np.arange(len(centers)), n_per_class)
    return nd.array(X), nd.array(y, dtype="int32")


# ---- 3.2 linear regression from scratch ----------------------------------------------------------
def test_linear_regression_from_scratch_recovers_true_parameters() -> None:
    nd.random.seed(1)
    random.seed(1)
    num_inputs, num_examples = 2, 1000
    true_w, true_b = [2, -3.4], 4.2
    features = nd.random.normal(scale=1, shape=(num_examples, num_inputs))
    labels = true_w[0] * features[:, 0] + true_w[1] * features[:, 1] + true_b
    labels += nd.random.normal(scale=0.01, shape=labels.shape)

    def data_iter(batch_size: int, features: nd.NDArray, labels: nd.NDArray) -> Batches:
        num_examples = len(features)
        indices = list(range(num_examples))
        random.shuffle(indices)  # the examples are read at random, in no particular order
        for i in range(0, num_examples, batch_size):
            j = nd.array(indices[i : min(i + batch_size, num_examples)])
            yield features.take(j), labels.take(j)

    w = nd.random.normal(scale=0.01, shape=(num_inputs, 1))
    b = nd.zeros(shape=(1,))
    w.attach_grad()
    b.attach_grad()
    lr, num_epochs, batch_size = 0.03, 3, 10
    net, loss = linreg, squared_loss
    epoch_losses = []
    for _ in range(num_epochs):
        for X, y in data_iter(batch_size, features, labels):
            with autograd.record():
                l = loss(net(X, w, b), y)  # minibatch loss in X and y
            l.backward()  # gradient of the loss with respect to [w, b]
            sgd([w, b], lr, batch_size)
        epoch_losses.append(float(loss(net(features, w, b), labels).mean().asscalar()))
    np.testing.assert_allclose(w.asnumpy().ravel(), true_w, atol=0.01)
    np.testing.assert_allclose(b.asnumpy(), [true_b], atol=0.01)
    assert epoch_losses[-1] < 1e-4  # noise variance / 2 is 5e-5


# ---- 3.6 softmax regression from scratch ---------------------------------------------------------
def test_pick_selects_the_predicted_probability_of_each_label() -> None:
    y_hat = nd.array([[0.1, 0.3, 0.6], [0.3, 0.2, 0.5]])
    y = nd.array([0, 2], dtype="int32")
    np.testing.assert_allclose(nd.pick(y_hat, y).asnumpy(), [0.1, 0.5])
    assert accuracy(y_hat, y) == 0.5


def test_handwritten_softmax_rows_are_probabilities() -> None:
    X = nd.random.normal(shape=(2, 5))
    X_prob = softmax(X)
    assert (X_prob.asnumpy() > 0).all()
    np.testing.assert_allclose(X_prob.sum(axis=1).asnumpy(), [1.0, 1.0], rtol=1e-6)


def test_softmax_regression_from_scratch_learns_gaussian_blobs() -> None:
    nd.random.seed(2)
    num_inputs, num_outputs = 8, 4
    centers = 2.0 * np.random.default_rng(0).standard_normal((num_outputs, num_inputs))
    train_X, train_y = gaussian_blobs(centers, 150, std=1.0, seed=1)
    test_X, test_y = gaussian_blobs(centers, 50, std=1.0, seed=2)

    W = nd.random.normal(scale=0.01, shape=(num_inputs, num_outputs))
    b = nd.zeros(num_outputs)
    W.attach_grad()
    b.attach_grad()

    def net(X: nd.NDArray) -> nd.NDArray:
        return softmax(nd.dot(X.reshape((-1, num_inputs)), W) + b)

    def evaluate_accuracy(X: nd.NDArray, y: nd.NDArray) -> float:
        return accuracy(net(X), y)

    num_epochs, lr, batch_size = 5, 0.1, 32
    before = evaluate_accuracy(test_X, test_y)
    epoch_loss = []
    for epoch in range(num_epochs):
        train_l_sum, n = 0.0, 0
        for X, y in shuffled_batches(train_X, train_y, batch_size, seed=epoch):
            with autograd.record():
                y_hat = net(X)
                l = cross_entropy(y_hat, y).sum()
            l.backward()
            sgd([W, b], lr, batch_size)
            train_l_sum += float(l.asscalar())
            n += y.size
        epoch_loss.append(train_l_sum / n)
    test_acc = evaluate_accuracy(test_X, test_y)
    assert test_acc > 0.9, f"accuracy {test_acc} (chance is 0.25, {before} before training)"
    assert epoch_loss[-1] < epoch_loss[0] / 2


# ---- 4.6 dropout from scratch ----------------------------------------------------------------
def test_dropout_keeps_everything_at_zero_and_nothing_at_one() -> None:
    X = nd.arange(16).reshape((2, 8))
    np.testing.assert_array_equal(dropout(X, 0).asnumpy(), X.asnumpy())
    np.testing.assert_array_equal(dropout(X, 1).asnumpy(), np.zeros((2, 8)))


def test_dropout_scales_kept_units_and_blocks_gradient_of_dropped_ones() -> None:
    nd.random.seed(3)
    X = nd.ones((100, 100))
    X.attach_grad()
    with autograd.record():
        Y = dropout(X, 0.5)
    Y.backward()
    out, grad = Y.asnumpy(), X.grad.asnumpy()
    assert set(np.unique(out)) == {0.0, 2.0}
    assert 0.45 < (out == 0).mean() < 0.55
    np.testing.assert_array_equal(grad, out)  # d(mask * x / keep)/dx = mask / keep


def _mlp(params: list[nd.NDArray], drop_probs: tuple[float, float]) -> Callable[[nd.NDArray], nd.NDArray]:
    W1, b1, W2, b2, W3, b3 = params
    num_inputs = W1.shape[0]

    def net(X: nd.NDArray) -> nd.NDArray:
        X = X.reshape((-1, num_inputs))
        H1 = (nd.dot(X, W1) + b1).relu()
        if autograd.is_training():  # use dropout only when training the model
            H1 = dropout(H1, drop_probs[0])
        H2 = (nd.dot(H1, W2) + b2).relu()
        if autograd.is_training():
            H2 = dropout(H2, drop_probs[1])
        return nd.dot(H2, W3) + b3

    return net


def test_mlp_with_dropout_and_weight_decay_learns_xor_blobs() -> None:
    nd.random.seed(4)
    # Four blobs whose class is the XOR of the quadrant: no linear model separates them.
    corners = np.array([[2.0, 2.0], [-2.0, -2.0], [2.0, -2.0], [-2.0, 2.0]])
    X4, y4 = gaussian_blobs(corners, 100, std=0.6, seed=5)
    train_X, train_y = X4, nd.array(y4.asnumpy() // 2, dtype="int32")
    X4, y4 = gaussian_blobs(corners, 50, std=0.6, seed=6)
    test_X, test_y = X4, nd.array(y4.asnumpy() // 2, dtype="int32")

    num_inputs, num_outputs, num_hiddens1, num_hiddens2 = 2, 2, 32, 32
    W1 = nd.random.normal(scale=0.5, shape=(num_inputs, num_hiddens1))
    b1 = nd.zeros(num_hiddens1)
    W2 = nd.random.normal(scale=0.3, shape=(num_hiddens1, num_hiddens2))
    b2 = nd.zeros(num_hiddens2)
    W3 = nd.random.normal(scale=0.3, shape=(num_hiddens2, num_outputs))
    b3 = nd.zeros(num_outputs)
    params = [W1, b1, W2, b2, W3, b3]
    for param in params:
        param.attach_grad()
    net = _mlp(params, (0.2, 0.5))
    lambd, lr, batch_size = 1e-3, 0.2, 20

    for epoch in range(30):
        for X, y in shuffled_batches(train_X, train_y, batch_size, seed=epoch):
            with autograd.record():
                l = cross_entropy(softmax(net(X)), y).sum() + lambd * (l2_penalty(W1) + l2_penalty(W2))
            l.backward()
            sgd(params, lr, batch_size)

    assert not autograd.is_training()
    np.testing.assert_array_equal(net(test_X).asnumpy(), net(test_X).asnumpy())  # no dropout now
    test_acc = accuracy(net(test_X), test_y)
    assert test_acc > 0.9, f"accuracy {test_acc}, chance is 0.5"


# ---- 4.5 weight decay from scratch -------------------------------------------------------------
def _fit_high_dimensional_linear_regression(lambd: float) -> tuple[float, float, float]:
    """D2L's overfitting demo: 20 examples, 200 features. Returns (|w|, train, test loss)."""
    n_train, n_test, num_inputs = 20, 100, 200
    true_w, true_b = nd.ones((num_inputs, 1)) * 0.01, 0.05
    nd.random.seed(5)
    features = nd.random.normal(shape=(n_train + n_test, num_inputs))
    labels = nd.dot(features, true_w) + true_b
    labels += nd.random.normal(scale=0.01, shape=labels.shape)
    train_features, test_features = features[:n_train, :], features[n_train:, :]
    train_labels, test_labels = labels[:n_train], labels[n_train:]

    w = nd.random.normal(scale=1, shape=(num_inputs, 1))
    b = nd.zeros(shape=(1,))
    w.attach_grad()
    b.attach_grad()
    batch_size, num_epochs, lr = 1, 100, 0.003
    for epoch in range(num_epochs):
        for X, y in shuffled_batches(train_features, train_labels, batch_size, seed=epoch):
            with autograd.record():
                # the L2 norm penalty term has been added
                l = squared_loss(linreg(X, w, b), y) + lambd * l2_penalty(w)
            l.backward()
            sgd([w, b], lr, batch_size)
    train_l = squared_loss(linreg(train_features, w, b), train_labels).mean().asscalar()
    test_l = squared_loss(linreg(test_features, w, b), test_labels).mean().asscalar()
    return float(w.norm().asscalar()), float(train_l), float(test_l)


def test_weight_decay_shrinks_weights_and_reduces_overfitting() -> None:
    norm0, train0, test0 = _fit_high_dimensional_linear_regression(lambd=0)
    norm3, _, test3 = _fit_high_dimensional_linear_regression(lambd=3)
    assert train0 < 1e-3 < test0  # without decay: memorises the 20 examples
    assert norm3 < norm0 / 10
    assert test3 < test0 / 10
