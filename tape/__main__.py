"""`python -m tape`: fit a small model with tape and check its gradients numerically."""

from __future__ import annotations

import numpy as np

from . import autograd, nd, testing


def main() -> None:
    """Fit linear regression on synthetic data by SGD, then check a gradient numerically."""
    nd.random.seed(0)
    true_w, true_b = nd.array([[2.0], [-3.4]]), 4.2
    features = nd.random.normal(0, 1, shape=(1000, 2))
    labels = nd.dot(features, true_w) + true_b + nd.random.normal(0, 0.01, shape=(1000, 1))
    w, b = nd.random.normal(0, 0.01, shape=(2, 1)), nd.zeros(1)
    w.attach_grad()
    b.attach_grad()
    lr, batch = 0.03, 10
    for epoch in range(3):
        for i in range(0, 1000, batch):
            x, y = features[i : i + batch], labels[i : i + batch]
            with autograd.record():
                loss = ((nd.dot(x, w) + b - y) ** 2 / 2).sum()
            loss.backward()
            assert w.grad is not None and b.grad is not None
            w[:] = w - lr * w.grad / batch
            b[:] = b - lr * b.grad / batch
        train_loss = ((nd.dot(features, w) + b - labels) ** 2 / 2).mean().asscalar()
        print(f"epoch {epoch + 1}, loss {train_loss:.6f}")
    print("w:", np.round(w.asnumpy().ravel(), 3), "b:", np.round(b.asnumpy(), 3))
    testing.check_grads(lambda v: nd.tanh(nd.dot(features[:5], v)).sum(), w, order=2)
    print("gradient check (first and second order) against central differences: passed")


if __name__ == "__main__":
    main()
