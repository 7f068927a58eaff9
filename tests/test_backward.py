"""Section 4 of the contract: head gradients, several heads, modes during backward, freeing."""

from __future__ import annotations

import gc
import weakref

import numpy as np
import pytest
from conftest import grad_array as grad
from conftest import variable

import tape
from tape import AutogradError, autograd, nd
from tape._primitive import Primitive
from tape.ops.indexing import where_op


def test_autograd_error_is_a_runtime_error() -> None:
    assert issubclass(AutogradError, RuntimeError)
    assert tape.AutogradError is AutogradError


# ---- head gradients ---------------------------------------------------------------------
def test_default_head_gradient_is_ones() -> None:
    x = variable([1.0, 2.0, 3.0])
    with autograd.record():
        y = x * x
    y.backward()
    np.testing.assert_array_equal(grad(x), [2.0, 4.0, 6.0])


def test_explicit_head_gradient() -> None:
    x = variable([1.0, 2.0])
    with autograd.record():
        y = x * x
    y.backward(nd.array([10.0, 100.0]))
    np.testing.assert_array_equal(grad(x), [20.0, 400.0])


def test_head_gradient_of_same_size_other_shape_is_accepted() -> None:
    x = variable([[1.0], [2.0], [3.0], [4.0]])
    with autograd.record():
        y = x * 2
    y.backward(nd.array([1.0, 2.0, 3.0, 4.0]))
    np.testing.assert_array_equal(grad(x), [[2.0], [4.0], [6.0], [8.0]])


def test_head_gradient_of_other_size_raises_naming_both_shapes() -> None:
    x = variable([[1.0], [2.0]])
    with autograd.record():
        y = x * 2
    with pytest.raises(ValueError, match=r"\(3,\).*\(2, 1\)"):
        y.backward(nd.array([1.0, 2.0, 3.0]))


def test_heads_and_head_grads_of_different_lengths_raise() -> None:
    x = variable([1.0])
    with autograd.record():
        y, z = x * 2, x * 3
    with pytest.raises(ValueError, match="2 heads but 1 head gradients"):
        autograd.backward([y, z], [nd.ones(1)])


def test_none_head_gradient_in_a_list_means_ones() -> None:
    x = variable([1.0])
    with autograd.record():
        y, z = x * 2, x * 3
    autograd.backward([y, z], [None, nd.array([10.0])])
    np.testing.assert_array_equal(grad(x), [32.0])


def test_distinct_heads_are_summed() -> None:
    x = variable([1.0, 2.0])
    with autograd.record():
        y, z = x * 2, x * x
    autograd.backward([y, z])
    np.testing.assert_array_equal(grad(x), [4.0, 6.0])


def test_same_head_twice_is_summed() -> None:
    x = variable([1.0, 2.0])
    with autograd.record():
        y = x * x
    autograd.backward([y, y], [nd.array([1.0, 1.0]), nd.array([2.0, 2.0])])
    np.testing.assert_array_equal(grad(x), [6.0, 12.0])


def test_head_that_depends_on_another_head_gets_both_contributions() -> None:
    x = variable([2.0])
    with autograd.record():
        y = x * x
        z = y * 3
    autograd.backward([y, z])
    np.testing.assert_array_equal(grad(x), [16.0])


def test_chains_that_split_and_rejoin_sum_every_path() -> None:
    # Single-parent chains are walked without the gradient tables; a node with two consumers
    # must still wait for both before its own chain goes on.
    x = variable([0.5, -1.0])
    with autograd.record():
        y = nd.tanh(x * 2)
        a = nd.sin(nd.exp(y))
        b = nd.cos(y) * 3
        z = nd.tanh(a + b) + y
    z.backward()
    xv = np.array([0.5, -1.0])
    t = np.tanh(2 * xv)
    s = np.sin(np.exp(t)) + 3 * np.cos(t)
    dz_dt = (1 - np.tanh(s) ** 2) * (np.cos(np.exp(t)) * np.exp(t) - 3 * np.sin(t)) + 1
    np.testing.assert_allclose(grad(x), dz_dt * (1 - t**2) * 2, rtol=1e-5)


def test_variable_as_its_own_head_gets_the_head_gradient() -> None:
    x = variable([1.0, 2.0])
    x.backward(nd.array([5.0, 6.0]))
    np.testing.assert_array_equal(grad(x), [5.0, 6.0])


def test_single_head_may_be_given_as_a_tuple() -> None:
    x = variable([1.0])
    with autograd.record():
        y = x * 4
    autograd.backward((y,), (nd.ones(1),))
    np.testing.assert_array_equal(grad(x), [4.0])


def test_empty_heads_raise() -> None:
    with pytest.raises(ValueError, match="heads is empty"):
        autograd.backward([])


def test_head_gradient_of_another_float_type_is_cast_to_the_head_type() -> None:
    x = variable([1.0])
    with autograd.record():
        y = x * 2
    (g,) = autograd.grad(y, x, head_grads=nd.array([3.0], dtype="float64"))
    assert g.dtype == np.float32
    np.testing.assert_array_equal(g.asnumpy(), [6.0])


def test_head_that_is_not_an_ndarray_raises() -> None:
    with pytest.raises(TypeError, match="heads must be NDArrays"):
        autograd.backward([3.0])  # type: ignore[list-item]


def test_head_gradient_is_not_mutated_by_backward() -> None:
    x = variable([1.0, 2.0])
    head_grad = nd.array([1.0, 1.0])
    with autograd.record():
        y = x + x + x
    y.backward(head_grad)
    np.testing.assert_array_equal(head_grad.asnumpy(), [1.0, 1.0])


# ---- where backward runs, and the modes during it ---------------------------------------
def test_backward_inside_record_block() -> None:
    x = variable([3.0])
    with autograd.record():
        y = x * x
        y.backward()
        assert autograd.is_recording()
    np.testing.assert_array_equal(grad(x), [6.0])


class FlagSpy(autograd.Function):
    """Identity whose backward notes the mode flags it runs under."""

    seen: list[tuple[bool, bool]]

    def forward(self, x: nd.NDArray) -> nd.NDArray:
        self.seen = []
        return x * 1

    def backward(self, dy: nd.NDArray) -> nd.NDArray:
        self.seen.append((autograd.is_recording(), autograd.is_training()))
        return dy


@pytest.mark.parametrize("train", [True, False])
def test_backward_runs_with_recording_off_and_training_as_asked(train: bool) -> None:
    x, spy = variable([1.0]), FlagSpy()
    with autograd.record(train_mode=not train):
        y = spy(x)
    y.backward(train_mode=train)
    assert spy.seen == [(False, train)]
    assert (autograd.is_recording(), autograd.is_training()) == (False, False)


@pytest.mark.parametrize("create_graph", [True, False])
def test_grad_runs_with_recording_equal_to_create_graph(create_graph: bool) -> None:
    x, spy = variable([1.0]), FlagSpy()
    with autograd.record():
        y = spy(x)
        autograd.grad(y, x, create_graph=create_graph, train_mode=False)
        assert (autograd.is_recording(), autograd.is_training()) == (True, True)
    assert spy.seen == [(create_graph, False)]


def test_modes_are_restored_when_a_backward_fails() -> None:
    class Broken(autograd.Function):
        def forward(self, x: nd.NDArray) -> nd.NDArray:
            return x * 1

        def backward(self, dy: nd.NDArray) -> nd.NDArray:
            raise KeyError("broken backward")

    x = variable([1.0])
    with autograd.record(train_mode=False):
        y = Broken()(x)
        with pytest.raises(KeyError):
            y.backward(train_mode=True)
        assert (autograd.is_recording(), autograd.is_training()) == (True, False)


# ---- freeing ----------------------------------------------------------------------------
def test_retain_graph_allows_a_second_backward() -> None:
    x = variable([1.0, 2.0])
    with autograd.record():
        y = x * x
    y.backward(retain_graph=True)
    y.backward(nd.array([10.0, 10.0]))
    np.testing.assert_array_equal(grad(x), [20.0, 40.0])


def test_second_backward_over_a_freed_graph_names_retain_graph() -> None:
    x = variable([1.0])
    with autograd.record():
        y = x * x
    y.backward()
    with pytest.raises(AutogradError, match=r"freed.*retain_graph=True"):
        y.backward()


def test_an_array_of_a_freed_graph_is_a_constant_in_a_new_record() -> None:
    # Truncated backprop: the state carried from one minibatch to the next (MXNet does the same).
    x = variable([1.0])
    with autograd.record():
        h = x * x
        y = h * 2
    y.backward()
    with autograd.record():
        z = h * 3 + x
    z.backward()
    np.testing.assert_array_equal(grad(x), [1.0])


def test_backward_through_a_graph_recorded_before_the_free_raises() -> None:
    x = variable([1.0])
    with autograd.record():
        h = x * x
        y = h * 2
    h.backward()
    with pytest.raises(AutogradError, match=r"freed.*retain_graph=True"):
        y.backward()


def test_a_graph_recorded_on_a_freed_array_does_not_reach_back() -> None:
    x = variable([3.0])
    with autograd.record():
        h = x * x
    h.backward()
    with autograd.record():
        z = nd.exp(h) * x
    z.backward()
    np.testing.assert_allclose(grad(x), np.exp([9.0]), rtol=1e-6)


def test_freeing_keeps_variables_marked() -> None:
    x = variable([2.0])
    with autograd.record():
        y = x * x
    y.backward()
    with autograd.record():
        z = x * x * x
    z.backward()
    assert x.grad_req == "write"
    np.testing.assert_array_equal(grad(x), [12.0])


def test_backward_of_a_never_recorded_array_names_record_and_attach_grad() -> None:
    with pytest.raises(AutogradError, match=r"never recorded.*attach_grad\(\).*autograd\.record\(\)"):
        nd.ones(2).backward()


def test_never_recorded_and_freed_errors_differ() -> None:
    x = variable([1.0])
    with autograd.record():
        y = x * x
    y.backward()
    with pytest.raises(AutogradError) as freed:
        y.backward()
    with pytest.raises(AutogradError) as never:
        (x * 2).backward()
    assert str(freed.value) != str(never.value)
    assert "retain_graph" not in str(never.value)


def test_unreferenced_graph_is_released_without_backward() -> None:
    x = variable(np.ones(3))
    gc.disable()
    try:
        with autograd.record():
            h = x * 2
            y = (h * h).sum()
        ref = weakref.ref(h)
        del h
        assert ref() is not None  # still held by y's graph
        del y
        assert ref() is None
    finally:
        gc.enable()


def test_graph_freed_by_backward_releases_intermediates() -> None:
    x = variable(np.ones(3))
    gc.disable()
    try:
        with autograd.record():
            h = x * 2
            y = (h * h).sum()
        ref = weakref.ref(h)
        del h
        y.backward()
        assert ref() is None
    finally:
        gc.enable()


def test_long_chain_backward_needs_no_recursion() -> None:
    x = variable([1.0])
    with autograd.record():
        y = x
        for _ in range(20000):
            y = y * 1.0
    y.backward()
    np.testing.assert_array_equal(grad(x), [1.0])


# ---- inputs that no gradient flows to -----------------------------------------------------
# A primitive's VJP of None marks such an input (where's condition). The public ops never put
# one in a graph, so these use the primitive itself: they reach the walk's branches for it.
def test_marked_input_without_a_vjp_gets_a_zero_gradient_on_a_chain() -> None:
    c = variable([1.0, 0.0])
    c.grad[:] = 7
    with autograd.record():
        y = where_op(c, 2.0, 3.0) * 2
    y.backward()
    np.testing.assert_array_equal(grad(c), [0.0, 0.0])


def test_marked_input_without_a_vjp_beside_one_with_a_vjp() -> None:
    c, x = variable([1.0, 0.0]), variable([5.0, 6.0])
    c.grad[:] = 7
    with autograd.record():
        y = where_op(c, x, 0.0)
    y.backward()
    np.testing.assert_array_equal(grad(c), [0.0, 0.0])
    np.testing.assert_array_equal(grad(x), [1.0, 0.0])


def test_grad_of_an_input_without_a_vjp_is_zeros() -> None:
    c, x = variable([1.0, 0.0]), variable([5.0, 6.0])
    with autograd.record():
        y = where_op(c, x, 0.0)
    (gc_only,) = autograd.grad(y, [c], retain_graph=True)
    gc_both, gx = autograd.grad(y, [c, x])
    np.testing.assert_array_equal(gc_only.asnumpy(), [0.0, 0.0])
    np.testing.assert_array_equal(gc_both.asnumpy(), [0.0, 0.0])
    np.testing.assert_array_equal(gx.asnumpy(), [1.0, 0.0])


def test_input_without_a_vjp_that_other_ops_also_use() -> None:
    # where's node runs first (the last parent of the sum), while c still waits for `c * 2`.
    c = variable([1.0, 0.0])
    with autograd.record():
        y = c * 2 + where_op(c, 2.0, 3.0)
    y.backward()
    np.testing.assert_array_equal(grad(c), [2.0, 2.0])


def test_marked_output_of_a_multi_output_op_gets_its_gradient() -> None:
    x = variable([1.0, 2.0, 3.0, 4.0])
    with autograd.record():
        a, b = nd.split(x, num_outputs=2, axis=0)
        a.attach_grad()  # an intermediate: the graph above it stays
        y = (a * 3 + b).sum()
    y.backward()
    np.testing.assert_array_equal(grad(a), [3.0, 3.0])
    np.testing.assert_array_equal(grad(x), [3.0, 3.0, 1.0, 1.0])


def test_a_primitive_names_itself() -> None:
    assert repr(where_op) == "<Primitive where>"


def test_only_a_differentiable_op_of_one_array_can_be_float_valued() -> None:
    with pytest.raises(ValueError, match="float_valued"):
        Primitive("pair", np.add, lambda g, ans, x, y: g, lambda g, ans, x, y: g, float_valued=True)
