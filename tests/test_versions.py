"""An array that a recorded graph needs, written in place before its backward: an error, never a
wrong gradient. Writes that no live graph needs, and the ordinary training loop, stay free."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import variable

from tape import AutogradError, autograd, nd


def test_writing_a_variable_outside_record_before_backward_raises() -> None:
    x = variable([1.0, 2.0, 3.0])
    with autograd.record():
        y = x * x
    x[:] = 10  # outside record
    with pytest.raises(AutogradError, match=r"input 1 of 'multiply' was modified in place"):
        y.backward()


def test_the_error_names_the_fix() -> None:
    x = variable([1.0, 2.0])
    with autograd.record():
        y = nd.exp(x)
    x += 1
    with pytest.raises(AutogradError, match=r"out of place.*x = x \+ 1.*x.copy\(\)"):
        y.backward()


def test_a_parameter_update_between_two_backwards_of_a_retained_graph_raises() -> None:
    w = variable([0.5, -0.5])
    with autograd.record():
        loss = (w * w).sum()
    loss.backward(retain_graph=True)
    w[:] = w - 0.1 * w.grad
    with pytest.raises(AutogradError, match="modified in place"):
        loss.backward()


def test_writing_a_plain_constant_after_it_was_recorded_raises() -> None:
    x = variable([1.0, 2.0])
    c = nd.array([3.0, 4.0])
    with autograd.record():
        y = x * c
    c[0] = 100  # c is not in the graph, but multiply's backward reads it: dy/dx = c
    with pytest.raises(AutogradError, match=r"input 2 of 'multiply'"):
        y.backward()


def test_writing_through_a_detached_alias_raises() -> None:
    x = variable([1.0, 2.0])
    with autograd.record():
        y = x * x
    x.detach()[:] = 0  # the same memory
    with pytest.raises(AutogradError, match="modified in place"):
        y.backward()


def test_writing_through_a_view_of_the_memory_raises() -> None:
    x = variable([[1.0, 2.0], [3.0, 4.0]])
    with autograd.record():
        y = nd.sin(x)
    x.detach().reshape((4,))[1:] = 0  # a NumPy view of x's memory
    with pytest.raises(AutogradError, match=r"input 1 of 'sin'"):
        y.backward()


def test_writing_the_output_that_a_backward_reads_raises() -> None:
    # exp's backward is g * ans: overwriting ans after the record, then using it, must raise.
    x = variable([0.0, 1.0])
    with autograd.record():
        y = nd.exp(x)
    y[:] = 0
    with autograd.record():
        z = y * 2
    with pytest.raises(AutogradError, match=r"the output of 'exp' was modified in place"):
        z.backward()


def test_grad_checks_too() -> None:
    x = variable([1.0, 2.0])
    with autograd.record():
        y = x**3
    x[1] = 5
    with pytest.raises(AutogradError, match=r"'power'"):
        autograd.grad(y, [x])


def test_the_training_loop_updates_in_place_without_error() -> None:
    w = variable([1.0, -1.0])
    b = variable([0.0])
    x = nd.array([[1.0, 2.0], [3.0, 4.0]])
    for _ in range(5):
        with autograd.record():
            loss = ((nd.dot(x, w) + b) ** 2).sum()
        loss.backward()
        w[:] = w - 0.01 * w.grad  # D2L's update
        b -= 0.01 * b.grad  # and the in-place operator form
    assert np.isfinite(w.asnumpy()).all()


def test_writes_to_arrays_no_live_graph_needs_are_free() -> None:
    x = variable([1.0, 2.0])
    scratch = nd.zeros((2,))
    with autograd.record():
        y = x * 2
        scratch[0] = 7  # a plain array inside record: allowed, and in no graph
    scratch += 1
    z = x.copy()  # a copy has its own memory
    z[:] = 0
    y.backward()
    np.testing.assert_array_equal(x.grad.asnumpy(), [2.0, 2.0])


def test_a_write_before_recording_does_not_count() -> None:
    x = variable([1.0, 2.0])
    x[:] = 3
    with autograd.record():
        y = x * x
    y.backward()
    np.testing.assert_array_equal(x.grad.asnumpy(), [6.0, 6.0])


def test_a_write_after_the_backward_does_not_count() -> None:
    x = variable([1.0, 2.0])
    with autograd.record():
        y = x * x
    y.backward(retain_graph=True)
    first = x.grad.asnumpy().copy()
    x.grad[:] = 0  # zeroing the gradient buffer is not a write to the graph's arrays
    y.backward()
    np.testing.assert_array_equal(x.grad.asnumpy(), first)


def test_writing_the_head_itself_before_its_backward_raises() -> None:
    x = variable([0.0, 1.0])
    with autograd.record():
        y = nd.exp(x)
    y[:] = 0  # exp's backward reads y
    with pytest.raises(AutogradError, match=r"the output of 'exp'"):
        y.backward()


def test_a_gradient_buffer_used_in_a_graph_then_overwritten_by_a_backward_raises() -> None:
    x, w = variable([1.0, 2.0]), variable([3.0, 4.0])
    with autograd.record():
        y = (x * w).sum()
    y.backward()  # x.grad = w
    with autograd.record():
        z = (w * x.grad).sum()  # x.grad as a constant: dz/dw = x.grad
    with autograd.record():
        y2 = (x * x).sum()
    y2.backward()  # overwrites x.grad in place
    with pytest.raises(AutogradError, match=r"input 2 of 'multiply'"):
        z.backward()


def test_a_view_of_a_gradient_buffer_in_a_graph_sees_its_overwrite_too() -> None:
    x, w = variable([1.0, 2.0]), variable([3.0, 4.0])
    with autograd.record():
        y = (x * w).sum()
    y.backward()
    with autograd.record():
        z = (w * x.grad.reshape((2,))).sum()
    with autograd.record():
        y2 = (x * x).sum()
    y2.backward()
    with pytest.raises(AutogradError, match="modified in place"):
        z.backward()
