"""Section 2 of the contract: what is recorded, what leaves the tape, and in-place rules."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from conftest import grad_array, variable

from tape import AutogradError, autograd, nd
from tape.testing import check_grads


def grad_of(x: nd.NDArray, f: object) -> np.ndarray:
    with autograd.record():
        y = f(x)  # type: ignore[operator]
    y.backward()
    assert x.grad is not None
    return x.grad.asnumpy()


def assert_not_recorded(y: nd.NDArray) -> None:
    with pytest.raises(AutogradError, match="never recorded"):
        y.backward()


# ---- what is taped ----------------------------------------------------------------------
def test_ops_on_plain_arrays_are_not_taped_inside_record() -> None:
    a = nd.array([1.0, 2.0])
    with autograd.record():
        y = (a * 2 + 1).exp()
    assert_not_recorded(y)


def test_ops_on_a_variable_outside_record_are_not_taped() -> None:
    x = variable([1.0, 2.0])
    y = x * 2
    assert_not_recorded(y)


def test_op_is_taped_when_one_input_is_a_variable() -> None:
    x, c = variable([1.0, 2.0]), nd.array([3.0, 4.0])
    with autograd.record():
        y = c * x
    y.backward()
    np.testing.assert_array_equal(x.grad.asnumpy(), [3.0, 4.0])


def test_op_is_taped_when_one_input_is_a_taped_result() -> None:
    x = variable([2.0])
    with autograd.record():
        h = x * x
        y = nd.array([5.0]) + h
    y.backward()
    np.testing.assert_array_equal(x.grad.asnumpy(), [4.0])


def test_plain_branch_inside_record_stays_out_of_the_graph() -> None:
    x = variable([2.0])
    with autograd.record():
        plain = nd.array([3.0]) * 2
        y = x * plain
    assert_not_recorded(plain)
    y.backward()
    np.testing.assert_array_equal(x.grad.asnumpy(), [6.0])


def test_ops_inside_pause_are_not_taped() -> None:
    x = variable([2.0])
    with autograd.record():
        with autograd.pause():
            y = x * x
    assert_not_recorded(y)


# ---- Python control flow ----------------------------------------------------------------
def readme_f(a: nd.NDArray) -> nd.NDArray:
    b = a * 2
    while b.norm().asscalar() < 1000:
        b = b * 2
    c = b if b.sum().asscalar() > 0 else 100 * b
    return c


@pytest.mark.parametrize("value", [0.37, -1.5, 3.0, -0.001])
def test_control_flow_tapes_the_executed_trace(value: float) -> None:
    a = variable([value])
    with autograd.record():
        d = readme_f(a)
    d.backward()
    # f is linear in a along the executed path, so the gradient is d / a.
    np.testing.assert_allclose(a.grad.asnumpy(), (d / a).asnumpy(), rtol=1e-6)


def test_loop_trip_count_depends_on_values() -> None:
    small, large = variable([0.01]), variable([100.0])
    with autograd.record():
        d_small, d_large = readme_f(small), readme_f(large)
    autograd.backward([d_small, d_large])
    assert small.grad.asscalar() > large.grad.asscalar() > 0


# ---- differentiable views ---------------------------------------------------------------
def test_integer_index_is_differentiable() -> None:
    g = grad_of(variable([1.0, 2.0, 3.0]), lambda x: x[1] * 5)
    np.testing.assert_array_equal(g, [0.0, 5.0, 0.0])


def test_negative_index_on_matrix_row_is_differentiable() -> None:
    g = grad_of(variable([[1.0, 2.0], [3.0, 4.0]]), lambda x: x[-1] * x[-1])
    np.testing.assert_array_equal(g, [[0.0, 0.0], [6.0, 8.0]])


def test_two_integer_indices_are_differentiable() -> None:
    g = grad_of(variable([[1.0, 2.0], [3.0, 4.0]]), lambda x: x[1, 0] * 3)
    np.testing.assert_array_equal(g, [[0.0, 0.0], [3.0, 0.0]])


def test_slice_is_differentiable() -> None:
    g = grad_of(variable([1.0, 2.0, 3.0, 4.0]), lambda x: x[1:3] * x[1:3])
    np.testing.assert_array_equal(g, [0.0, 4.0, 6.0, 0.0])


def test_slice_with_step_is_differentiable() -> None:
    g = grad_of(variable(np.arange(6.0)), lambda x: x[::2] * 2)
    np.testing.assert_array_equal(g, [2.0, 0.0, 2.0, 0.0, 2.0, 0.0])


def test_negative_step_is_differentiable() -> None:
    g = grad_of(variable([1.0, 2.0, 3.0]), lambda x: x[::-1] * nd.array([1.0, 10.0, 100.0]))
    np.testing.assert_array_equal(g, [100.0, 10.0, 1.0])


def test_ellipsis_is_differentiable() -> None:
    g = grad_of(variable(np.ones((2, 3))), lambda x: x[..., 1] * 7)
    np.testing.assert_array_equal(g, [[0.0, 7.0, 0.0], [0.0, 7.0, 0.0]])


def test_none_index_is_differentiable() -> None:
    x = variable([1.0, 2.0])
    g = grad_of(x, lambda x: x[None, :] * nd.array([[3.0, 4.0]]))
    assert x[None, :].shape == (1, 2)
    np.testing.assert_array_equal(g, [3.0, 4.0])


def test_integer_array_index_is_differentiable() -> None:
    g = grad_of(variable([1.0, 2.0, 3.0]), lambda x: x[nd.array([2, 0])] * nd.array([10.0, 1.0]))
    np.testing.assert_array_equal(g, [1.0, 0.0, 10.0])


def test_repeated_indices_add_up() -> None:
    g = grad_of(variable([1.0, 2.0, 3.0]), lambda x: x[nd.array([1, 1, 1, 0])])
    np.testing.assert_array_equal(g, [1.0, 3.0, 0.0])


def test_repeated_rows_of_a_matrix_add_up() -> None:
    g = grad_of(variable(np.zeros((3, 2))), lambda x: x[[0, 2, 0]] * 2)
    np.testing.assert_array_equal(g, [[4.0, 4.0], [0.0, 0.0], [2.0, 2.0]])


def test_reshape_is_differentiable() -> None:
    g = grad_of(variable(np.arange(6.0)), lambda x: x.reshape((2, 3)) * nd.array([[1.0], [2.0]]))
    np.testing.assert_array_equal(g, [1.0, 1.0, 1.0, 2.0, 2.0, 2.0])


def test_transpose_property_is_differentiable() -> None:
    g = grad_of(variable([[1.0, 2.0, 3.0]]), lambda x: x.T * nd.array([[1.0], [2.0], [3.0]]))
    np.testing.assert_array_equal(g, [[1.0, 2.0, 3.0]])


def test_copy_is_differentiable_and_owns_its_memory() -> None:
    x = variable([1.0, 2.0])
    with autograd.record():
        c = x.copy()
        y = c * c
    y.backward()
    np.testing.assert_array_equal(x.grad.asnumpy(), [2.0, 4.0])
    c[:] = 0
    np.testing.assert_array_equal(x.asnumpy(), [1.0, 2.0])


def test_astype_is_differentiable_and_casts_the_gradient_back() -> None:
    x = variable([1.0, 2.0])
    with autograd.record():
        y = x.astype("float64") * 3
    assert y.dtype == np.float64
    y.backward()
    assert x.grad.dtype == np.float32
    np.testing.assert_array_equal(x.grad.asnumpy(), [3.0, 3.0])


# ---- leaving the tape -------------------------------------------------------------------
def test_asnumpy_gives_an_independent_copy() -> None:
    x = variable([1.0, 2.0])
    with autograd.record():
        y = x * 1
    values = y.asnumpy()
    assert isinstance(values, np.ndarray)
    values[0] = 100
    np.testing.assert_array_equal(y.asnumpy(), [1.0, 2.0])


def test_nd_array_of_asnumpy_leaves_the_tape() -> None:
    x = variable([1.0, 2.0])
    with autograd.record():
        y = nd.array((x * 2).asnumpy())
    assert_not_recorded(y)


def test_asscalar_value_is_a_constant_to_the_tape() -> None:
    x = variable([3.0])
    with autograd.record():
        y = x * (x * x).asscalar()
    y.backward()
    np.testing.assert_array_equal(x.grad.asnumpy(), [9.0])


# ---- in-place mutation ------------------------------------------------------------------
@pytest.mark.parametrize("op", ["+=", "-=", "*=", "/="])
def test_augmented_assignment_on_graph_array_inside_record_raises(op: str) -> None:
    x = variable([1.0, 2.0])
    with autograd.record():
        y = x * 2
        with pytest.raises(AutogradError, match=r"in-place operations .* not allowed while recording"):
            exec(f"y {op} 1", {}, {"y": y})
    np.testing.assert_array_equal(y.asnumpy(), [2.0, 4.0])


def test_slice_assignment_on_variable_inside_record_raises() -> None:
    x = variable([1.0, 2.0])
    with autograd.record(), pytest.raises(AutogradError, match="in-place"):
        x[:] = 5
    np.testing.assert_array_equal(x.asnumpy(), [1.0, 2.0])


def test_index_assignment_on_graph_array_inside_record_raises() -> None:
    x = variable([1.0, 2.0, 3.0])
    with autograd.record():
        y = x + 1
        with pytest.raises(AutogradError, match="in-place"):
            y[nd.array([0, 2])] = nd.array([7.0, 8.0])
        with pytest.raises(AutogradError, match="in-place"):
            y[1] = 0


def test_writing_a_recorded_value_into_a_plain_array_is_recorded() -> None:
    # As MXNet: z[:] = x * 2 makes z part of the graph (z keeps its identity and memory).
    x = variable([1.0, 2.0])
    z = nd.zeros(2)
    same = z
    with autograd.record():
        z[:] = x * 2
        y = (z * z).sum()
    y.backward()
    assert z is same
    np.testing.assert_array_equal(z.asnumpy(), [2.0, 4.0])
    np.testing.assert_array_equal(grad_array(x), [8.0, 16.0])


def test_a_partial_assignment_of_a_recorded_value_is_recorded() -> None:
    # As PyTorch: the untouched elements are constants, the written ones carry the gradient.
    x = variable([1.0, 2.0, 3.0])
    z = nd.array([5.0, 5.0, 5.0])
    with autograd.record():
        z[1:] = x[:2] * 3
        y = (z * nd.array([1.0, 10.0, 100.0])).sum()
    y.backward()
    np.testing.assert_array_equal(z.asnumpy(), [5.0, 3.0, 6.0])
    np.testing.assert_array_equal(grad_array(x), [30.0, 300.0, 0.0])


def test_element_by_element_assignment_in_a_loop_is_recorded() -> None:
    # D2L's corr2d: Y[i, j] = (X[i:i+h, j:j+w] * K).sum(), one element at a time.
    X = nd.arange(9).reshape((3, 3))
    K = variable([[1.0, 2.0], [3.0, 4.0]])
    Y = nd.zeros((2, 2))
    with autograd.record():
        for i in range(2):
            for j in range(2):
                Y[i, j] = (X[i : i + 2, j : j + 2] * K).sum()
        loss = Y.sum()
    loss.backward()
    xs = X.asnumpy()
    expected_y = [[(xs[i : i + 2, j : j + 2] * K.asnumpy()).sum() for j in range(2)] for i in range(2)]
    np.testing.assert_allclose(Y.asnumpy(), expected_y)
    windows = sum(xs[i : i + 2, j : j + 2] for i in range(2) for j in range(2))
    np.testing.assert_allclose(grad_array(K), windows)


def test_overwriting_a_recorded_assignment_takes_the_gradient_away() -> None:
    x = variable([1.0, 2.0])
    z = nd.zeros(2)
    with autograd.record():
        z[:] = x * 2
        z[0] = 7  # a constant over x's first element
        y = z.sum()
    y.backward()
    np.testing.assert_array_equal(grad_array(x), [0.0, 2.0])


def test_a_recorded_assignment_checks_the_gradient_numerically() -> None:
    def f(a: nd.NDArray) -> nd.NDArray:
        z = nd.zeros((2, 3), dtype="float64")
        z[0] = a * a
        z[1, 1:] = a[1:] * 3
        return z * z

    check_grads(f, nd.array([0.5, -1.0, 2.0], dtype="float64"), order=2)


def test_inplace_on_plain_arrays_inside_record_is_fine() -> None:
    a = nd.array([1.0, 2.0])
    with autograd.record():
        a += 1
        a *= 2
        a[0] = 10
        a[nd.array([1])] = nd.array([5.0])
    np.testing.assert_array_equal(a.asnumpy(), [10.0, 5.0])


def test_augmented_assignment_on_plain_array_keeps_the_same_object() -> None:
    a = nd.array([1.0, 2.0])
    same = a
    a += nd.array([1.0, 1.0])
    assert a is same
    np.testing.assert_array_equal(same.asnumpy(), [2.0, 3.0])


def test_sgd_slice_update_outside_record_keeps_the_variable_marked() -> None:
    w = variable([1.0, 2.0])
    for _ in range(2):
        with autograd.record():
            loss = (w * w).sum()
        loss.backward()
        w[:] = w - 0.25 * w.grad
    assert w.grad_req == "write"
    np.testing.assert_allclose(w.asnumpy(), [0.25, 0.5])
    np.testing.assert_allclose(w.grad.asnumpy(), [1.0, 2.0])


def test_sgd_isub_update_outside_record_keeps_the_variable_marked() -> None:
    w = variable([1.0, 2.0])
    original = w
    for _ in range(2):
        with autograd.record():
            loss = (w * w).sum()
        loss.backward()
        w -= 0.25 * w.grad
    assert w is original and w.grad_req == "write"
    np.testing.assert_allclose(w.asnumpy(), [0.25, 0.5])


def test_running_total_of_losses_inside_record_is_recorded() -> None:
    x = variable([1.0, 2.0])
    total = nd.zeros(1)
    with autograd.record():
        total += (x * 3).sum()
    total.backward()
    np.testing.assert_array_equal(total.asnumpy(), [9.0])
    np.testing.assert_array_equal(x.grad.asnumpy(), [3.0, 3.0])


def test_second_running_total_update_inside_record_raises_as_total_is_now_in_a_graph() -> None:
    x = variable([1.0, 2.0])
    total = nd.zeros(1)
    with autograd.record():
        total += x.sum()
        with pytest.raises(AutogradError, match="in-place"):
            total += x.sum()


def test_running_total_leaves_the_original_plain_array_untouched() -> None:
    x = variable([1.0])
    start = nd.zeros(1)
    total = start
    with autograd.record():
        total += x * 4
    assert total is not start
    np.testing.assert_array_equal(start.asnumpy(), [0.0])


def test_inplace_update_outside_record_writes_into_the_same_memory() -> None:
    x = nd.array([1.0, 2.0])
    x.attach_grad()
    with autograd.record():
        y = (x * x).sum()
    y.backward()
    g = x.grad
    assert g is not None
    g *= 0.5  # an optimizer scaling the gradient buffer in place
    assert x.grad is g
    np.testing.assert_array_equal(x.grad.asnumpy(), [1.0, 2.0])


@pytest.mark.parametrize(
    ("dtype", "update"),
    [
        ("int32", lambda a: a.__iadd__(0.75)),
        ("int64", lambda a: a.__isub__(nd.array([0.5, 0.5, 0.5]))),
        ("uint8", lambda a: a.__imul__(np.float64(1.5))),
        ("int32", lambda a: a.__itruediv__(2)),
        ("bool", lambda a: a.__iadd__(1)),
    ],
    ids=["int += float", "int -= float array", "uint8 *= np.float64", "int /= int", "bool += int"],
)
def test_inplace_update_refuses_to_cut_a_wider_result_into_the_array(dtype: str, update: Any) -> None:
    # It used to truncate without a word: int32 [1, 2, 3] += 0.75 stayed [1, 2, 3]. NumPy's
    # in-place operators refuse it too (casting="same_kind").
    a = nd.array([1, 0, 1], dtype=dtype)
    with pytest.raises(TypeError, match=r"out of place, x = x [-+*/] y, or convert x first, x = x\.astype"):
        update(a)
    assert a.dtype == np.dtype(dtype)
    np.testing.assert_array_equal(a.asnumpy(), np.array([1, 0, 1], dtype=dtype))


def test_inplace_update_casts_a_float64_result_into_a_float32_array_in_place() -> None:
    # An SGD step with a float64 learning-rate product: same kind, so p keeps float32 and memory.
    p = nd.array([1.0, 2.0])
    memory = p._data
    p -= np.float64(0.5) * nd.array([2.0, 2.0], dtype="float64")
    assert p.dtype == np.float32 and p._data is memory
    np.testing.assert_array_equal(p.asnumpy(), [0.0, 1.0])


def test_inplace_update_of_an_integer_array_by_an_integer_stays_exact() -> None:
    a = nd.array([1, 2, 3], dtype="int32")
    a += 2
    a *= nd.array([1, 2, 3], dtype="int64")  # int64 into int32: the same kind, as in NumPy
    assert a.dtype == np.int32
    np.testing.assert_array_equal(a.asnumpy(), [3, 8, 15])


def test_inplace_update_cannot_grow_the_array() -> None:
    a = nd.ones((3,))
    with pytest.raises(ValueError):
        a += nd.ones((2, 3))
