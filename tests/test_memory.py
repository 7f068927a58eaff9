"""Memory: training does not leak, and graphs are freed by reference counting alone (no cycles)."""

from __future__ import annotations

import gc
import tracemalloc
import weakref
from collections.abc import Iterator

import numpy as np
import pytest

from tape import autograd, nd


@pytest.fixture
def no_cycle_collector() -> Iterator[None]:
    """Run the test with the cycle collector off: whatever dies, dies by refcount."""
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def tiny_model() -> tuple[list[nd.NDArray], nd.NDArray, nd.NDArray]:
    rng = np.random.default_rng(0)
    w, b = nd.array(rng.standard_normal((3, 1)) * 0.1), nd.zeros(1)
    for p in (w, b):
        p.attach_grad()
    x = nd.array(rng.standard_normal((8, 3)))
    y = nd.dot(x, nd.array([[1.0], [-2.0], [0.5]])) + 0.3
    return [w, b], x, y


def train_step(params: list[nd.NDArray], x: nd.NDArray, y: nd.NDArray, lr: float = 0.05) -> float:
    w, b = params
    with autograd.record():
        loss = ((nd.dot(x, w) + b - y) ** 2).mean()
    loss.backward()
    for p in params:
        assert p.grad is not None
        p[:] = p - lr * p.grad
    return float(loss.asscalar())


@pytest.mark.slow
def test_ten_thousand_training_steps_do_not_grow_memory() -> None:
    params, x, y = tiny_model()
    for _ in range(200):  # warm-up: allocator pools, lazy imports, caches
        train_step(params, x, y)
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for _ in range(10_000):
            loss = train_step(params, x, y)
        gc.collect()
        growth = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert growth < 2 * 2**20, f"memory grew by {growth} bytes over 10,000 steps"
    assert loss < 0.01  # it did train


def test_training_steps_leave_no_garbage_for_the_cycle_collector() -> None:
    params, x, y = tiny_model()
    train_step(params, x, y)
    gc.collect()
    gc.disable()
    try:
        for _ in range(50):
            train_step(params, x, y)
        unreachable = gc.collect()
    finally:
        gc.enable()
    assert unreachable == 0


@pytest.mark.usefixtures("no_cycle_collector")
def test_unused_graph_is_freed_when_dropped() -> None:
    x = nd.array([1.0, 2.0])
    x.attach_grad()
    with autograd.record():
        h = nd.tanh(x * 2)
        y = (h * h).sum()
    probe = weakref.ref(h)
    del h
    assert probe() is not None  # the graph of y still holds it
    del y
    assert probe() is None


@pytest.mark.usefixtures("no_cycle_collector")
def test_intermediate_is_freed_after_backward_and_drop() -> None:
    x = nd.array([1.0, 2.0])
    x.attach_grad()
    with autograd.record():
        h = nd.exp(x)
        y = (h * x).sum()
    probe = weakref.ref(h)
    del h
    y.backward()
    del y
    assert probe() is None


@pytest.mark.usefixtures("no_cycle_collector")
def test_backward_without_retain_graph_releases_saved_inputs_at_once() -> None:
    x = nd.array([1.0, 2.0])
    x.attach_grad()
    with autograd.record():
        h = nd.sin(x)
        y = (h * 3).sum()
    probe = weakref.ref(h)
    del h
    y.backward()
    # y itself is still referenced, but its graph no longer holds the intermediate.
    assert probe() is None
    assert y.shape == (1,)


@pytest.mark.usefixtures("no_cycle_collector")
def test_retained_graph_is_freed_when_dropped() -> None:
    x = nd.array([0.5])
    x.attach_grad()
    with autograd.record():
        h = x * x
        y = nd.sin(h)
    probe = weakref.ref(h)
    del h
    y.backward(retain_graph=True)
    y.backward(retain_graph=True)
    assert probe() is not None
    del y
    assert probe() is None


@pytest.mark.usefixtures("no_cycle_collector")
def test_higher_order_graphs_are_freed_when_dropped() -> None:
    x = nd.array([0.3, -0.7])
    x.attach_grad()
    with autograd.record():
        h = nd.tanh(x)
        (d1,) = autograd.grad(h, [x], create_graph=True)
        (d2,) = autograd.grad(d1, [x], create_graph=True)
    probes = [weakref.ref(a) for a in (h, d1, d2)]
    d2.backward()
    del h, d1, d2
    assert [p() for p in probes] == [None, None, None]


@pytest.mark.usefixtures("no_cycle_collector")
def test_custom_function_graph_is_freed_when_dropped() -> None:
    class Cube(autograd.Function):
        def forward(self, x: nd.NDArray) -> nd.NDArray:
            self.save_for_backward(x)
            return x * x * x

        def backward(self, dy: nd.NDArray) -> nd.NDArray:
            (x,) = self.saved_tensors
            return dy * 3 * x * x

    x = nd.array([2.0])
    x.attach_grad()
    with autograd.record():
        h = x * 1
        y = Cube()(h)
    probes = [weakref.ref(h), weakref.ref(y)]
    del h, y
    assert [p() for p in probes] == [None, None]


@pytest.mark.usefixtures("no_cycle_collector")
def test_marked_variable_does_not_keep_a_later_graph_alive() -> None:
    x = nd.array([1.0])
    x.attach_grad()
    with autograd.record():
        y = x * 5
    probe = weakref.ref(y)
    del y
    assert probe() is None
    assert x.grad is not None  # the variable itself stays marked
