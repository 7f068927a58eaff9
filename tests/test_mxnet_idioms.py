"""Idioms of real MXNet programs (issue 12): each runs unchanged, with MXNet 1.9.1's results.

The expected values were measured on MXNet 1.9.1; the programs themselves stay outside the repo.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from conftest import variable

import tape
import tape as mx
from tape import AutogradError, autograd, nd
from tape.errors import ArgumentError, MXNetError


# ---- the truncated-backprop state: an array of a freed graph is a constant -------------------
def test_the_state_carried_between_minibatches_is_a_constant() -> None:
    w = variable([0.5, 0.5])
    state = nd.zeros((2,))
    grads = []
    for x in ([1.0, 2.0], [3.0, 4.0], [5.0, 6.0]):
        with autograd.record():
            state = nd.tanh(state + w * nd.array(x))
            loss = state.sum()
        loss.backward()  # frees this minibatch's graph: `state` is a constant in the next one
        grads.append(w.grad.asnumpy().copy())
    # the last minibatch alone: d/dw sum(tanh(s + w x)) = (1 - tanh^2) x, with s held fixed
    s_prev = np.tanh(np.tanh(np.array([0.5, 1.0], np.float32)) + 0.5 * np.array([3.0, 4.0], np.float32))
    expected = (1 - np.tanh(s_prev + 0.5 * np.array([5.0, 6.0])) ** 2) * np.array([5.0, 6.0])
    np.testing.assert_allclose(grads[-1], expected, rtol=1e-4)


def test_a_second_backward_of_a_freed_head_still_names_retain_graph() -> None:
    x = variable([1.0])
    with autograd.record():
        y = nd.exp(x)
    y.backward()
    with pytest.raises(AutogradError, match=r"freed.*retain_graph=True"):
        y.backward()


def test_the_outputs_of_a_multi_output_op_leave_the_freed_graph_together() -> None:
    x = variable([1.0, 2.0])
    with autograd.record():
        a, b = nd.split(x * 2, num_outputs=2, axis=0)
        y = a * 3
    y.backward()
    with autograd.record():
        z = b * x  # b is a constant now, as in MXNet
    z.backward()
    np.testing.assert_array_equal(x.grad.asnumpy(), [4.0, 4.0])


# ---- one element assigned from a one-element array (NumPy 2 refuses it, MXNet does not) ------
def test_one_element_arrays_assign_to_one_element() -> None:
    a, b = nd.array([1, 2, 3]), nd.array([10, 20, 30])
    c = nd.zeros(3)
    for i in range(3):
        c[i] = a[i] + b[i]
    t = nd.zeros(2)
    t[1] += 1
    x = nd.arange(9).reshape((3, 3))
    y = nd.zeros((2, 2))
    y[0, 0] = x[1, 1]
    r = nd.zeros(2)
    r[1] = (x * 2).mean()
    np.testing.assert_array_equal(c.asnumpy(), [11, 22, 33])
    np.testing.assert_array_equal(t.asnumpy(), [0, 1])
    assert y.asnumpy()[0, 0] == 4 and r.asnumpy()[1] == 8


def test_corr2d_assigns_one_element_at_a_time_inside_record() -> None:
    X, K = nd.arange(9).reshape((3, 3)), nd.array([[0, 1], [2, 3]])
    K.attach_grad()
    with autograd.record():
        Y = nd.zeros((2, 2))
        for i in range(2):
            for j in range(2):
                Y[i, j] = (X[i : i + 2, j : j + 2] * K).sum()
    Y.backward()
    np.testing.assert_array_equal(Y.asnumpy(), [[19, 25], [37, 43]])
    np.testing.assert_array_equal(K.grad.asnumpy(), [[8, 12], [20, 24]])


# ---- MXNetError ------------------------------------------------------------------------------
def try_gpu() -> tape.Context:
    """D2L's idiom, verbatim but for the import."""
    try:
        ctx = mx.gpu()
        _ = nd.zeros((1,), ctx=ctx)
    except mx.base.MXNetError:
        ctx = mx.cpu()
    return ctx


@pytest.mark.usefixtures("without_cupy")  # a machine without a GPU (tests/on_gpu/ has one)
def test_try_gpu_falls_back_to_the_cpu() -> None:
    assert try_gpu() == mx.cpu()


def test_mxnet_error_is_the_one_class_everywhere() -> None:
    assert mx.base.MXNetError is tape.MXNetError is MXNetError
    assert issubclass(MXNetError, RuntimeError)  # as in MXNet


def test_graph_errors_are_mxnet_errors_and_runtime_errors() -> None:
    with pytest.raises(MXNetError) as e:
        nd.ones(2).backward()
    assert isinstance(e.value, AutogradError) and isinstance(e.value, RuntimeError)


@pytest.mark.parametrize(
    "refused",
    [
        lambda: nd.sum(nd.ones((2, 3)), axis=5),
        lambda: nd.concat(nd.ones((2, 3)), nd.ones((3, 3)), dim=1),
        lambda: nd.dot(nd.ones((2, 3)), nd.ones((2, 3))),
        lambda: nd.ones((2, 3)).reshape((7,)),
        lambda: nd.split(nd.ones((2, 3)), 4, axis=1),
    ],
    ids=["sum axis", "concat", "dot", "reshape", "split"],
)
def test_op_errors_that_mxnet_raises_as_mxnet_error_are_both(refused: object) -> None:
    with pytest.raises(ValueError) as e:  # the type tape has always raised
        refused()  # type: ignore[operator]
    assert isinstance(e.value, MXNetError)


@pytest.mark.usefixtures("without_cupy")  # a machine without a GPU (tests/on_gpu/ has one)
@pytest.mark.parametrize(
    "refused",
    [lambda: nd.ones(2, ctx=mx.gpu(0)), lambda: nd.ones(2, ctx=mx.cpu()).as_in_context(mx.gpu(0))],
    ids=["ctx", "as_in_context"],
)
def test_a_gpu_that_is_not_there_raises_a_value_error_and_an_mxnet_error(refused: object) -> None:
    with pytest.raises(ValueError) as e:
        refused()  # type: ignore[operator]
    assert isinstance(e.value, MXNetError)


# ---- out= --------------------------------------------------------------------------------
def test_out_is_written_and_returned() -> None:
    a, b = nd.array([1, 2]), nd.array([3, 4])
    c = nd.zeros(2)
    assert nd.elemwise_add(a, b, out=c) is c
    np.testing.assert_array_equal(c.asnumpy(), [4, 6])
    m = nd.zeros((1, 1))
    assert nd.dot(nd.array([[1, 2]]), nd.array([[3], [4]]), out=m) is m
    assert m.asnumpy()[0, 0] == 11
    y = nd.zeros(2)
    nd.exp(nd.array([0, 1]), out=y)
    np.testing.assert_allclose(y.asnumpy(), [1, np.e], rtol=1e-6)


def test_out_may_be_an_input() -> None:
    x = nd.array([1.0, 4.0])
    nd.sqrt(x, out=x)
    np.testing.assert_array_equal(x.asnumpy(), [1.0, 2.0])


def test_out_of_the_wrong_shape_or_type_is_refused_by_name() -> None:
    with pytest.raises(ArgumentError, match=r"nd.exp: out has shape \(3,\)"):
        nd.exp(nd.ones(2), out=nd.zeros(3))
    with pytest.raises(TypeError, match="out"):
        nd.exp(nd.ones(2), out=np.zeros(2))  # type: ignore[arg-type]


def test_out_inside_record_is_a_recorded_assignment() -> None:
    # As `z[:] = ...`: the plain array `out` becomes part of the graph.
    x = variable([1.0, 2.0])
    z = nd.zeros(2)
    with autograd.record():
        nd.elemwise_mul(x, x, out=z)
        y = (z * 3).sum()
    y.backward()
    np.testing.assert_array_equal(x.grad.asnumpy(), [6.0, 12.0])


def test_out_that_a_recorded_op_read_makes_its_backward_raise() -> None:
    # As `h[:] = ...` on an array in the graph: recorded, and the op that read the old values
    # refuses its backward (never a silently wrong gradient).
    x = variable([1.0, 2.0])
    with autograd.record():
        h = x * 2
        u = (h * h).sum()
        nd.exp(x, out=h)
        v = h.sum()
    v.backward(retain_graph=True)
    np.testing.assert_allclose(x.grad.asnumpy(), np.exp([1.0, 2.0]), rtol=1e-6)
    with pytest.raises(AutogradError, match="modified in place"):
        u.backward()


# ---- MXNet's other names -------------------------------------------------------------------
def test_mxnet_aliases_are_the_same_functions() -> None:
    assert nd.Reshape is nd.reshape and nd.SwapAxis is nd.swapaxes
    assert nd.uniform is nd.random.uniform and nd.normal is nd.random.normal
    assert nd.SwapAxis(nd.ones((2, 3)), dim1=0, dim2=1).shape == (3, 2)
    assert nd.uniform(0, 1, shape=(2,)).shape == nd.normal(0, 1, shape=(2,)).shape == (2,)


@pytest.mark.parametrize(
    "call",
    [
        lambda: nd.ones(2) + nd.ones(3),  # the operator's unrecorded path
        lambda: nd.add(nd.ones(2), nd.ones(3)),  # a primitive of two arrays
        lambda: nd.exp(nd.ones(2)) * nd.ones((3, 1, 4)),
        lambda: nd.one_hot(nd.array([0, 1]), -1),
    ],
)
def test_numpy_value_errors_inside_ops_are_mxnet_errors_too(call: Any) -> None:
    with pytest.raises(mx.base.MXNetError) as info:
        call()
    assert isinstance(info.value, ValueError)


def test_numpy_value_errors_while_recording_are_mxnet_errors_too() -> None:
    x = nd.ones(2)
    x.attach_grad()
    with autograd.record(), pytest.raises(mx.base.MXNetError, match="add: operands could not be broadcast"):
        x + nd.ones(3)


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda o: nd.zeros((2, 2), out=o), 0.0),
        (lambda o: nd.ones((2, 2), out=o), 1.0),
        (lambda o: nd.full((2, 2), 7, out=o), 7.0),
    ],
)
def test_creation_functions_honour_out(make: Any, expected: float) -> None:
    o = nd.array([[5.0, 5.0], [5.0, 5.0]])
    assert make(o) is o
    np.testing.assert_array_equal(o.asnumpy(), np.full((2, 2), expected))
    with pytest.raises(ValueError, match="out has shape"):
        make(nd.zeros((3,)))
