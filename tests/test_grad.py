"""Section 5 of the contract: autograd.grad."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import variable

from tape import AutogradError, autograd, nd


def test_grad_returns_a_list_for_one_variable() -> None:
    x = variable([1.0, 2.0])
    with autograd.record():
        y = x * x
    result = autograd.grad(y, x)
    assert isinstance(result, list) and len(result) == 1
    np.testing.assert_array_equal(result[0].asnumpy(), [2.0, 4.0])


def test_grad_returns_one_array_per_variable_in_order() -> None:
    x, w = variable([2.0]), variable([5.0])
    with autograd.record():
        y = x * w * w
    gw, gx = autograd.grad(y, [w, x])
    np.testing.assert_array_equal(gw.asnumpy(), [20.0])
    np.testing.assert_array_equal(gx.asnumpy(), [25.0])


def test_grad_never_touches_grad_buffers() -> None:
    x = variable([1.0, 2.0])
    x.grad[:] = 7
    with autograd.record():
        y = x * x
    autograd.grad(y, x)
    np.testing.assert_array_equal(x.grad.asnumpy(), [7.0, 7.0])


def test_grad_with_head_gradient() -> None:
    x = variable([1.0, 2.0])
    with autograd.record():
        y = x * 3
    (g,) = autograd.grad(y, x, head_grads=nd.array([1.0, 10.0]))
    np.testing.assert_array_equal(g.asnumpy(), [3.0, 30.0])


def test_grad_result_is_not_the_head_gradient_object() -> None:
    x = variable([1.0, 2.0])
    head_grad = nd.array([1.0, 1.0])
    with autograd.record():
        y = x + 0
    (g,) = autograd.grad(y, x, head_grads=head_grad)
    g[:] = 5
    np.testing.assert_array_equal(head_grad.asnumpy(), [1.0, 1.0])


def test_grad_result_shares_no_memory_with_a_reshaped_head_gradient() -> None:
    x = variable([1.0, 2.0])
    head_grad = nd.array([1.0, 1.0])
    with autograd.record():
        y = x.reshape((2, 1)).reshape((2,))
    (g,) = autograd.grad(y, x, head_grads=head_grad)
    g[:] = 5
    np.testing.assert_array_equal(head_grad.asnumpy(), [1.0, 1.0])


def test_grad_results_are_distinct_arrays_when_the_gradients_coincide() -> None:
    a, b = variable([1.0]), variable([2.0])
    with autograd.record():
        z = (a + b) * 2
    ga, gb = autograd.grad(z, [a, b])
    ga[:] = 0
    np.testing.assert_array_equal(gb.asnumpy(), [2.0])


def test_grad_of_the_same_variable_twice_gives_two_arrays() -> None:
    x = variable([1.0])
    with autograd.record():
        y = x * 3
    g1, g2 = autograd.grad(y, [x, x])
    assert g1 is not g2
    np.testing.assert_array_equal(g2.asnumpy(), [3.0])


def test_grad_copies_stay_differentiable_with_create_graph() -> None:
    a, b = variable([1.0]), variable([2.0])
    with autograd.record():
        z = (a + b) * (a + b)
        ga, gb = autograd.grad(z, [a, b], create_graph=True)  # both 2 (a + b)
        total = ga + gb
    (d,) = autograd.grad(total, a)
    np.testing.assert_array_equal(d.asnumpy(), [4.0])


def test_grad_of_several_heads_sums_them() -> None:
    x = variable([2.0])
    with autograd.record():
        y, z = x * x, x * 3
    (g,) = autograd.grad([y, z], x)
    np.testing.assert_array_equal(g.asnumpy(), [7.0])


def test_grad_frees_the_graph_by_default() -> None:
    x = variable([1.0])
    with autograd.record():
        y = x * x
    autograd.grad(y, x)
    with pytest.raises(AutogradError, match="retain_graph=True"):
        y.backward()


def test_grad_retain_graph_keeps_the_graph() -> None:
    x = variable([1.0])
    with autograd.record():
        y = x * x
    autograd.grad(y, x, retain_graph=True)
    y.backward()
    np.testing.assert_array_equal(x.grad.asnumpy(), [2.0])


def test_grad_retain_graph_defaults_to_create_graph() -> None:
    x = variable([3.0])
    with autograd.record():
        y = x * x
        autograd.grad(y, x, create_graph=True)
    y.backward()
    np.testing.assert_array_equal(x.grad.asnumpy(), [6.0])


def test_grad_empty_variable_list_raises() -> None:
    x = variable([1.0])
    with autograd.record():
        y = x * x
    with pytest.raises(ValueError, match="variables is empty"):
        autograd.grad(y, [])


def test_grad_unmarked_variable_raises_with_its_index() -> None:
    x, plain = variable([1.0]), nd.array([2.0])
    with autograd.record():
        y = x * plain
    with pytest.raises(AutogradError, match=r"variable 2 is not marked.*attach_grad\(\)"):
        autograd.grad(y, [x, plain])


def test_grad_unreachable_variable_raises_with_its_index() -> None:
    x, other = variable([1.0]), variable([2.0])
    with autograd.record():
        y = x * x
    with pytest.raises(AutogradError, match="variable 1 is not reachable"):
        autograd.grad(y, [other, x])


def test_grad_non_ndarray_variable_raises_with_its_index() -> None:
    x = variable([1.0])
    with autograd.record():
        y = x * x
    with pytest.raises(TypeError, match="variable 2 is a float"):
        autograd.grad(y, [x, 1.0])  # type: ignore[list-item]


def test_grad_of_a_never_recorded_head_raises() -> None:
    x = variable([1.0])
    with pytest.raises(AutogradError, match="never recorded"):
        autograd.grad(nd.ones(1), x)


def test_grad_without_create_graph_gives_plain_arrays() -> None:
    x = variable([2.0])
    with autograd.record():
        y = x * x * x
        (g,) = autograd.grad(y, x)
    with pytest.raises(AutogradError, match=r"without create_graph=True.*pass create_graph=True"):
        g.backward()


def test_second_and_third_derivatives_of_cube() -> None:
    x = variable([1.0, 2.0, -3.0])
    with autograd.record():
        y = x**3
        (dy,) = autograd.grad(y, x, create_graph=True)
        (d2y,) = autograd.grad(dy, x, create_graph=True)
        (d3y,) = autograd.grad(d2y, x, create_graph=True)
    xs = np.array([1.0, 2.0, -3.0])
    np.testing.assert_allclose(dy.asnumpy(), 3 * xs**2)
    np.testing.assert_allclose(d2y.asnumpy(), 6 * xs)
    np.testing.assert_allclose(d3y.asnumpy(), [6.0, 6.0, 6.0])


def test_backward_of_a_created_graph_fills_grad() -> None:
    x = variable([2.0])
    with autograd.record():
        y = x * x * x
        (dy,) = autograd.grad(y, x, create_graph=True)
    dy.backward()
    np.testing.assert_allclose(x.grad.asnumpy(), [12.0])


def test_mixed_second_derivative() -> None:
    x, w = variable([2.0]), variable([3.0])
    with autograd.record():
        y = x * x * w
        (dx,) = autograd.grad(y, x, create_graph=True)  # 2 x w
    gx, gw = autograd.grad(dx, [x, w])
    np.testing.assert_allclose(gx.asnumpy(), [6.0])
    np.testing.assert_allclose(gw.asnumpy(), [4.0])


def test_second_derivative_through_a_marked_intermediate() -> None:
    x = variable([2.0])
    with autograd.record():
        h = x * x
        h.attach_grad()
        y = h * h  # x**4
        (dx,) = autograd.grad(y, x, create_graph=True)  # 4 x**3
    (d2x,) = autograd.grad(dx, x)
    np.testing.assert_allclose(d2x.asnumpy(), [48.0])


def test_grad_of_a_variable_not_on_any_path_with_a_gradient_is_zero() -> None:
    x = variable([2.0])
    with autograd.record():
        y = nd.stop_gradient(x * 1) * 0 + x.detach()
        z = y + x * 0
    (g,) = autograd.grad(z, x)
    np.testing.assert_array_equal(g.asnumpy(), [0.0])
