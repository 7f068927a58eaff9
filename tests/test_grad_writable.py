"""autograd.grad returns writable arrays, and `.grad` buffers stay right, also where a
reduction's backward spreads its gradient as a read-only broadcast view (above 16,384 elements)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from tape import autograd, nd

SHAPE = (200, 100)  # 20,000 elements: above the size where a reduction's gradient is a view
Head = Callable[[nd.NDArray], nd.NDArray]
HEADS: list[tuple[str, Head, float]] = [
    ("sum", lambda x: x.sum(), 1.0),
    ("mean", lambda x: x.mean(), 1.0 / 20_000),
    ("scaled-sum", lambda x: 3 * x.sum(), 3.0),
]
IDS = [h[0] for h in HEADS]


def _variable(seed: int = 0) -> nd.NDArray:
    x = nd.array(np.random.default_rng(seed).standard_normal(SHAPE))
    x.attach_grad()
    return x


@pytest.mark.parametrize(("head", "value"), [h[1:] for h in HEADS], ids=IDS)
def test_grad_of_a_large_reduction_is_writable_and_right(head: Head, value: float) -> None:
    x = _variable()
    with autograd.record():
        y = head(x)
    (g,) = autograd.grad(y, [x])
    assert g._data.flags.writeable
    np.testing.assert_allclose(g.asnumpy(), np.full(SHAPE, value), rtol=1e-6)
    g[:] = 0  # the caller's to change
    assert g.asnumpy().sum() == 0


@pytest.mark.parametrize(("head", "value"), [h[1:] for h in HEADS], ids=IDS)
def test_grad_for_several_variables_of_large_reductions_are_writable_and_unshared(
    head: Head, value: float
) -> None:
    x, w = _variable(0), _variable(1)
    with autograd.record():
        y = head(x) + head(w)
    gx, gw = autograd.grad(y, [x, w])
    assert gx._data.flags.writeable and gw._data.flags.writeable
    assert not np.shares_memory(gx._data, gw._data)
    gx[:] = 0
    np.testing.assert_allclose(gw.asnumpy(), np.full(SHAPE, value), rtol=1e-6)


def test_grad_with_create_graph_of_a_large_reduction_is_writable_and_still_differentiable() -> None:
    x = _variable()
    with autograd.record():
        (g,) = autograd.grad((x * x).mean(), [x], create_graph=True)
        z = (g * g).sum()  # sum of (2x / n)^2: its gradient is 8x / n^2
    assert g._data.flags.writeable
    z.backward()
    np.testing.assert_allclose(x.grad.asnumpy(), 8 * x.asnumpy() / 20_000**2, rtol=1e-5)


@pytest.mark.parametrize("grad_req", ["write", "add"])
@pytest.mark.parametrize(("head", "value"), [h[1:] for h in HEADS], ids=IDS)
def test_backward_of_large_reductions_fills_writable_buffers_right(
    head: Head, value: float, grad_req: str
) -> None:
    x = nd.array(np.random.default_rng(0).standard_normal(SHAPE))
    x.attach_grad(grad_req)
    for _ in range(2):
        with autograd.record():
            y = head(x)
        y.backward()
    assert x.grad is not None and x.grad._data.flags.writeable
    want = value * (2 if grad_req == "add" else 1)
    np.testing.assert_allclose(x.grad.asnumpy(), np.full(SHAPE, want), rtol=1e-6)
    x.grad[:] = 0  # zeroing the buffer, as a training loop does, works
    assert x.grad.asnumpy().sum() == 0
