"""Section 3 of the contract: marking variables, grad buffers, grad_req, detach."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import variable

from tape import AutogradError, autograd, nd


def square_sum_backward(x: nd.NDArray) -> None:
    with autograd.record():
        y = (x * x).sum()
    y.backward()


# ---- attach_grad ------------------------------------------------------------------------
def test_grad_is_none_until_attached() -> None:
    x = nd.array([1.0])
    assert x.grad is None and x.grad_req is None


def test_attach_grad_allocates_zeros_at_once() -> None:
    x = nd.array([[1.0, 2.0, 3.0]])
    x.attach_grad()
    assert x.grad is not None
    assert x.grad.shape == (1, 3) and x.grad.dtype == np.float32
    np.testing.assert_array_equal(x.grad.asnumpy(), np.zeros((1, 3)))


def test_attach_grad_default_grad_req_is_write() -> None:
    x = nd.array([1.0])
    x.attach_grad()
    assert x.grad_req == "write"


def test_attach_grad_again_gives_a_fresh_zero_buffer() -> None:
    x = variable([1.0, 2.0])
    square_sum_backward(x)
    old = x.grad
    x.attach_grad()
    assert x.grad is not old
    np.testing.assert_array_equal(x.grad.asnumpy(), [0.0, 0.0])
    np.testing.assert_array_equal(old.asnumpy(), [2.0, 4.0])


def test_attach_grad_accepts_default_stype() -> None:
    x = nd.array([1.0])
    x.attach_grad(stype="default")
    assert x.grad is not None


def test_attach_grad_unknown_grad_req_raises() -> None:
    with pytest.raises(ValueError, match=r"grad_req must be one of .*'bogus'"):
        nd.array([1.0]).attach_grad("bogus")


@pytest.mark.parametrize("dtype", ["int32", "int64", "uint8", "bool"])
def test_attach_grad_refuses_integer_and_boolean_arrays(dtype: str) -> None:
    x = nd.array([1, 0], dtype=dtype)
    with pytest.raises(TypeError, match=r"floating-point.*astype\('float32'\)"):
        x.attach_grad()
    assert x.grad is None and x.grad_req is None


def test_attach_grad_works_on_float64() -> None:
    x = nd.array([3.0], dtype="float64")
    x.attach_grad()
    square_sum_backward(x)
    assert x.grad.dtype == np.float64
    np.testing.assert_array_equal(x.grad.asnumpy(), [6.0])


def test_grad_is_the_buffer_itself() -> None:
    x = variable([1.0, 2.0])
    square_sum_backward(x)
    x.grad[:] = 0
    np.testing.assert_array_equal(x.grad.asnumpy(), [0.0, 0.0])


def test_backward_writes_into_the_same_buffer_object() -> None:
    x = variable([1.0, 2.0])
    buffer = x.grad
    square_sum_backward(x)
    assert x.grad is buffer
    np.testing.assert_array_equal(buffer.asnumpy(), [2.0, 4.0])


# ---- grad_req ---------------------------------------------------------------------------
def test_write_overwrites_on_each_backward() -> None:
    x = variable([1.0, 2.0])
    square_sum_backward(x)
    square_sum_backward(x)
    np.testing.assert_array_equal(x.grad.asnumpy(), [2.0, 4.0])


def test_write_leaves_a_variable_the_backward_does_not_reach() -> None:
    x, other = variable([1.0]), variable([5.0])
    square_sum_backward(other)
    square_sum_backward(x)
    np.testing.assert_array_equal(other.grad.asnumpy(), [10.0])


def test_write_sums_several_uses_in_one_graph() -> None:
    x = variable([2.0])
    with autograd.record():
        y = x * 3 + x * x + x
    y.backward()
    np.testing.assert_array_equal(x.grad.asnumpy(), [8.0])


def test_add_accumulates_across_backwards() -> None:
    x = variable([1.0, 2.0], grad_req="add")
    for _ in range(3):
        square_sum_backward(x)
    np.testing.assert_array_equal(x.grad.asnumpy(), [6.0, 12.0])


def test_add_accumulates_until_the_user_zeroes_it() -> None:
    x = variable([1.0], grad_req="add")
    square_sum_backward(x)
    x.grad[:] = 0
    square_sum_backward(x)
    np.testing.assert_array_equal(x.grad.asnumpy(), [2.0])


def test_null_is_recorded_but_receives_nothing() -> None:
    w, b = variable([3.0], grad_req="null"), variable([1.0])
    with autograd.record():
        y = w * b * w
    y.backward()
    np.testing.assert_array_equal(w.grad.asnumpy(), [0.0])
    np.testing.assert_array_equal(b.grad.asnumpy(), [9.0])


def test_backward_raises_when_no_input_needs_a_gradient() -> None:
    w = variable([3.0], grad_req="null")
    with autograd.record():
        y = w * w
    with pytest.raises(AutogradError, match=r"needs a gradient.*attach_grad"):
        y.backward()


# ---- mark_variables ---------------------------------------------------------------------
def test_mark_variables_single_array_uses_the_given_buffer() -> None:
    x, gx = nd.array([2.0]), nd.zeros(1)
    autograd.mark_variables(x, gx)
    square_sum_backward(x)
    assert x.grad is gx
    np.testing.assert_array_equal(gx.asnumpy(), [4.0])


def test_mark_variables_lists_with_one_grad_req_string() -> None:
    xs, gs = [nd.array([1.0]), nd.array([2.0])], [nd.zeros(1), nd.zeros(1)]
    autograd.mark_variables(xs, gs, grad_reqs="add")
    for _ in range(2):
        with autograd.record():
            y = xs[0] * xs[1]
        y.backward()
    np.testing.assert_array_equal(gs[0].asnumpy(), [4.0])
    np.testing.assert_array_equal(gs[1].asnumpy(), [2.0])


def test_mark_variables_grad_reqs_list() -> None:
    xs, gs = [nd.array([1.0]), nd.array([2.0])], [nd.zeros(1), nd.zeros(1)]
    autograd.mark_variables(xs, gs, grad_reqs=["null", "write"])
    with autograd.record():
        y = xs[0] * xs[1]
    y.backward()
    np.testing.assert_array_equal(gs[0].asnumpy(), [0.0])
    np.testing.assert_array_equal(gs[1].asnumpy(), [1.0])


def test_mark_variables_length_mismatch_raises() -> None:
    with pytest.raises(ValueError, match="2 variables, 1 gradients"):
        autograd.mark_variables([nd.zeros(1), nd.zeros(1)], [nd.zeros(1)])


def test_mark_variables_grad_reqs_length_mismatch_raises() -> None:
    with pytest.raises(ValueError, match="1 grad_reqs"):
        autograd.mark_variables([nd.zeros(1), nd.zeros(1)], [nd.zeros(1), nd.zeros(1)], ["write"])


def test_mark_variables_unknown_grad_req_raises() -> None:
    with pytest.raises(ValueError, match="grad_req must be"):
        autograd.mark_variables(nd.zeros(1), nd.zeros(1), "sometimes")


def test_mark_variables_buffer_shape_mismatch_raises() -> None:
    with pytest.raises(ValueError, match=r"shape \(3,\) does not fit .*\(2,\).*zeros_like"):
        autograd.mark_variables(nd.zeros(2), nd.zeros(3))


@pytest.mark.parametrize("dtype", ["int32", "int64", "bool"])
def test_mark_variables_refuses_an_integer_gradient_buffer(dtype: str) -> None:
    x = nd.zeros(2)
    with pytest.raises(
        TypeError, match=r"dtype (int32|int64|bool) as a gradient buffer.*nd\.zeros_like\(x\)"
    ):
        autograd.mark_variables(x, nd.zeros(2, dtype=dtype))
    assert x.grad is None and x.grad_req is None


def test_mark_variables_refuses_integer_variables() -> None:
    with pytest.raises(TypeError, match="floating-point"):
        autograd.mark_variables(nd.zeros(2, dtype="int32"), nd.zeros(2, dtype="int32"))


# ---- marking an intermediate ------------------------------------------------------------
def test_attach_grad_on_intermediate_keeps_the_upstream_graph() -> None:
    x = variable([2.0])
    with autograd.record():
        h = x * x
        h.attach_grad()
        y = h * 3
    y.backward()
    np.testing.assert_array_equal(h.grad.asnumpy(), [3.0])
    np.testing.assert_array_equal(x.grad.asnumpy(), [12.0])


def test_grad_of_a_marked_intermediate() -> None:
    x = variable([2.0])
    with autograd.record():
        h = x * x
        h.attach_grad()
        y = h * h
    gh, gx = autograd.grad(y, [h, x])
    np.testing.assert_array_equal(gh.asnumpy(), [8.0])
    np.testing.assert_array_equal(gx.asnumpy(), [32.0])


def test_marked_intermediate_reused_after_its_graph_was_freed_is_a_variable() -> None:
    x = variable([2.0])
    with autograd.record():
        h = x * x
        h.attach_grad()
        y = h * 2
    y.backward()
    with autograd.record():
        z = h * 3
    z.backward()
    np.testing.assert_array_equal(h.grad.asnumpy(), [3.0])
    np.testing.assert_array_equal(x.grad.asnumpy(), [8.0])  # from the first backward only


def test_attach_grad_on_an_array_of_a_freed_graph_gives_a_fresh_variable() -> None:
    x = variable([2.0])
    with autograd.record():
        h = x * x
        y = h * 2
    y.backward()
    h.attach_grad()
    with autograd.record():
        z = h * h
    z.backward()
    np.testing.assert_array_equal(h.grad.asnumpy(), [8.0])


# ---- detach and stop_gradient -----------------------------------------------------------
def test_detach_shares_memory() -> None:
    x = variable([1.0, 2.0])
    d = x.detach()
    d[:] = 7
    np.testing.assert_array_equal(x.asnumpy(), [7.0, 7.0])


def test_detach_has_no_graph() -> None:
    x = variable([1.0, 2.0])
    with autograd.record():
        d = (x * 2).detach()
    assert d.grad is None
    with pytest.raises(AutogradError, match=r"detach\(\)"):
        d.backward()


def test_detached_factor_is_a_constant() -> None:
    x = variable([3.0])
    with autograd.record():
        y = x.detach() * x
    y.backward()
    np.testing.assert_array_equal(x.grad.asnumpy(), [3.0])


@pytest.mark.parametrize("block", [nd.stop_gradient, nd.BlockGrad])
def test_stop_gradient_blocks_the_gradient(block: object) -> None:
    x = variable([3.0])
    with autograd.record():
        y = block(x * x) * x + x  # type: ignore[operator]
    y.backward()
    np.testing.assert_array_equal(x.grad.asnumpy(), [10.0])


def test_stop_gradient_result_does_not_share_memory_with_its_input() -> None:
    x = nd.array([1.0, 2.0])
    y = nd.stop_gradient(x)
    y[:] = 0
    np.testing.assert_array_equal(x.asnumpy(), [1.0, 2.0])
