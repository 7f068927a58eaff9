"""A backward may hand a fresh gradient's memory to a `.grad` buffer instead of copying it.

That is only allowed where no one could tell: these tests hold on to every array that a user
could hold, and check that the buffer never ends up sharing memory with any of them.
"""

from __future__ import annotations

import numpy as np
import pytest
from conftest import variable

from tape import autograd, nd


def test_a_fresh_unshared_gradient_is_adopted_not_copied() -> None:
    w = variable(np.ones((3, 4)))
    x = nd.array(np.arange(6.0).reshape(2, 3))
    buffer = w.grad
    before = id(w.grad._data)  # white box: an id holds no reference, so nothing is pinned
    with autograd.record():
        y = nd.dot(x, w).sum()
    y.backward()
    assert w.grad is buffer  # the buffer object stays; only its memory is new
    assert id(w.grad._data) != before
    np.testing.assert_array_equal(w.grad.asnumpy(), np.repeat(x.asnumpy().sum(0)[:, None], 4, 1))


def test_a_buffer_held_as_a_numpy_array_is_written_in_place() -> None:
    w = variable(np.ones((3, 4)))
    x = nd.array(np.arange(6.0).reshape(2, 3))
    held = np.asarray(w.grad)  # shares the buffer's memory
    with autograd.record():
        y = nd.dot(x, w).sum()
    y.backward()
    np.testing.assert_array_equal(held, w.grad.asnumpy())
    assert np.shares_memory(held, np.asarray(w.grad))


def test_the_head_gradient_is_never_adopted() -> None:
    x = variable([1.0, 2.0])
    head = nd.array([3.0, 4.0])
    with autograd.record():
        y = x + 0  # add's VJP passes the head gradient itself through
    y.backward(head)
    head[:] = 0
    np.testing.assert_array_equal(x.grad.asnumpy(), [3.0, 4.0])


def test_one_gradient_sent_to_two_variables_is_not_shared_by_their_buffers() -> None:
    a, b = variable([1.0, 2.0]), variable([3.0, 4.0])
    with autograd.record():
        z = (a + b) * 2  # add's VJP gives both inputs the same fresh gradient
    z.backward()
    a.grad[:] = 0
    np.testing.assert_array_equal(b.grad.asnumpy(), [2.0, 2.0])
    np.testing.assert_array_equal(a.grad.asnumpy(), [0.0, 0.0])


class KeepsItsGradient(autograd.Function):
    """Identity whose backward returns an array it also keeps."""

    def forward(self, x: nd.NDArray) -> nd.NDArray:
        return x * 1

    def backward(self, dy: nd.NDArray) -> nd.NDArray:
        self.kept = dy * 5
        return self.kept


class KeepsItsMemory(autograd.Function):
    """Identity whose backward wraps, without a copy, a NumPy array it also keeps."""

    def forward(self, x: nd.NDArray) -> nd.NDArray:
        return x * 1

    def backward(self, dy: nd.NDArray) -> nd.NDArray:
        self.kept = np.array(dy.asnumpy() * 5)
        return nd.NDArray(self.kept)


@pytest.mark.parametrize("function", [KeepsItsGradient, KeepsItsMemory])
def test_a_gradient_or_memory_a_function_keeps_is_not_adopted(function: type) -> None:
    x = variable([1.0, 2.0])
    f = function()
    with autograd.record():
        y = f(x) * 1
    y.backward()
    f.kept[:] = 0
    np.testing.assert_array_equal(x.grad.asnumpy(), [5.0, 5.0])


def test_gradient_of_another_dtype_is_cast_into_the_buffer() -> None:
    w = variable(np.ones(3, dtype=np.float32))
    with autograd.record():
        y = (w.astype("float64") * 2).sum()
    y.backward()
    assert w.grad.dtype == np.float32
    np.testing.assert_array_equal(w.grad.asnumpy(), [2.0, 2.0, 2.0])


def test_buffers_stay_right_over_many_steps() -> None:
    w = variable(np.ones((4, 3)))
    x = nd.array(np.arange(8.0).reshape(2, 4))
    want = np.repeat(np.arange(8.0).reshape(2, 4).sum(0)[:, None], 3, 1)
    grads = []
    for _ in range(3):
        with autograd.record():
            y = nd.dot(x, w).sum()
        y.backward()
        grads.append(w.grad.asnumpy())
        w -= 0.0 * w.grad
    for g in grads:
        np.testing.assert_array_equal(g, want)


def test_add_requests_accumulate_into_the_same_memory() -> None:
    w = variable(np.ones((3, 4)), grad_req="add")
    x = nd.array(np.arange(6.0).reshape(2, 3))
    held = np.asarray(w.grad)
    for _ in range(2):
        with autograd.record():
            y = nd.dot(x, w).sum()
        y.backward()
    np.testing.assert_array_equal(held, 2 * np.repeat(x.asnumpy().sum(0)[:, None], 4, 1))
