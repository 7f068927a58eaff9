"""Robustness: very deep graphs, non-finite values, integer arrays, and distinct misuse errors."""

from __future__ import annotations

import sys
import warnings
from collections.abc import Callable

import numpy as np
import pytest
from conftest import grad_array as grad_of
from conftest import variable64 as variable

from tape import AutogradError, autograd, nd

DEPTH = 100_000


# ---- deep graphs: the backward walk is iterative, never recursive --------------------------
def test_recursion_limit_is_the_default_while_these_tests_run() -> None:
    # The deep-graph tests below prove nothing if someone raised the limit.
    assert sys.getrecursionlimit() <= 1000


@pytest.mark.slow
def test_backward_through_a_100000_op_chain() -> None:
    x = variable([1.0, 2.0])
    with autograd.record():
        y = x
        for _ in range(DEPTH):
            y = y + 1
    y.backward()
    np.testing.assert_array_equal(grad_of(x), [1.0, 1.0])
    np.testing.assert_array_equal(y.asnumpy(), [DEPTH + 1.0, DEPTH + 2.0])


@pytest.mark.slow
def test_autograd_grad_through_a_100000_op_chain() -> None:
    x = variable([1.0])
    with autograd.record():
        y = x
        for _ in range(DEPTH):
            y = y * 1.00001
    (g,) = autograd.grad(y, [x])
    np.testing.assert_allclose(g.asnumpy(), [1.00001**DEPTH], rtol=1e-9)


@pytest.mark.slow
def test_dropping_an_unused_100000_op_graph_does_not_crash() -> None:
    # Freeing a deep chain of nodes must not overflow the C stack either.
    x = variable([1.0])
    with autograd.record():
        y = x
        for _ in range(DEPTH):
            y = y * 1.0
    del y
    with autograd.record():
        z = x * 3
    z.backward()
    np.testing.assert_array_equal(grad_of(x), [3.0])


@pytest.mark.slow
def test_second_order_through_a_deep_chain() -> None:
    # d/dx of grad(sin∘...∘sin) with create_graph, 10,000 deep: the recorded backward is deep too.
    depth = 10_000
    x = variable([0.5])
    with autograd.record():
        y = x
        for _ in range(depth):
            y = nd.sin(y)
        (g,) = autograd.grad(y, [x], create_graph=True)
    g.backward()
    # Reference by forward-mode recursion on value, first and second derivative.
    v, d1, d2 = 0.5, 1.0, 0.0
    for _ in range(depth):
        v, d1, d2 = np.sin(v), np.cos(v) * d1, np.cos(v) * d2 - np.sin(v) * d1 * d1
    np.testing.assert_allclose(g.asnumpy(), [d1], rtol=1e-9)
    np.testing.assert_allclose(grad_of(x), [d2], rtol=1e-7)


# ---- NaN and inf: NumPy's values, never an exception ----------------------------------------
SPECIAL = [np.nan, np.inf, -np.inf, 0.0, -0.0, 1.0, -2.0]

# tape op, the same in NumPy, its derivative in NumPy
Unary = tuple[
    Callable[[nd.NDArray], nd.NDArray], Callable[[np.ndarray], np.ndarray], Callable[[np.ndarray], np.ndarray]
]
UNARY: dict[str, Unary] = {
    "log": (nd.log, np.log, lambda a: 1 / a),
    "sqrt": (nd.sqrt, np.sqrt, lambda a: 1 / (2 * np.sqrt(a))),
    "exp": (nd.exp, np.exp, np.exp),
    "tanh": (nd.tanh, np.tanh, lambda a: 1 - np.tanh(a) ** 2),
    "sin": (nd.sin, np.sin, np.cos),
    "reciprocal": (lambda x: 1 / x, lambda a: 1 / a, lambda a: -1 / (a * a)),
    "square": (lambda x: x * x, lambda a: a * a, lambda a: 2 * a),
}


@pytest.mark.parametrize("name", sorted(UNARY))
def test_non_finite_values_propagate_as_numpy_does(name: str) -> None:
    op, forward, derivative = UNARY[name]
    a = np.array(SPECIAL)
    x = variable(a)
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        with autograd.record():
            y = op(x)
        y.backward()
        want_value = forward(a)
        want_grad = derivative(a)
    np.testing.assert_array_equal(y.asnumpy(), want_value)
    np.testing.assert_array_equal(grad_of(x), want_grad)


def test_relu_of_nan_gives_nan_and_a_nan_gradient() -> None:
    x = variable([np.nan, np.inf, -np.inf, 1.0])
    with autograd.record():
        y = nd.relu(x)
    y.backward()
    np.testing.assert_array_equal(y.asnumpy(), np.maximum([np.nan, np.inf, -np.inf, 1.0], 0))
    # As MXNet's relu: a NaN input keeps its NaN in the gradient (a mask x > 0 would give a silent 0).
    np.testing.assert_array_equal(grad_of(x), [np.nan, 1.0, 0.0, 1.0])


def test_nan_in_a_reduction_reaches_only_its_own_gradient() -> None:
    x = variable([[np.nan, 1.0], [2.0, 3.0]])
    with autograd.record():
        y = (x * x).sum(axis=1)
    y.backward()
    np.testing.assert_array_equal(y.asnumpy(), [np.nan, 13.0])
    np.testing.assert_array_equal(grad_of(x), [[np.nan, 2.0], [4.0, 6.0]])


def test_inf_head_gradient_flows_through() -> None:
    x = variable([1.0, 2.0])
    with autograd.record():
        y = x * 3
    y.backward(nd.array([np.inf, np.nan], dtype="float64"))
    np.testing.assert_array_equal(grad_of(x), [np.inf, np.nan])


# ---- integer arrays ------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", ["int32", "int64", "uint8", "bool"])
def test_attach_grad_on_an_integer_array_says_to_convert(dtype: str) -> None:
    x = nd.array([1, 2, 3], dtype=dtype)
    with pytest.raises(TypeError, match="astype"):
        x.attach_grad()
    assert x.grad is None


def test_mark_variables_on_an_integer_array_says_to_convert() -> None:
    x = nd.array([1, 2], dtype="int32")
    with pytest.raises(TypeError, match="floating"):
        autograd.mark_variables(x, nd.zeros(2, dtype="int32"))


def test_integer_constant_in_a_float_graph_gives_a_float_gradient() -> None:
    x = variable([1.0, 2.0], dtype="float32")
    k = nd.array([3, 4], dtype="int32")
    with autograd.record():
        y = x * k
    y.backward()
    assert x.grad is not None and x.grad.dtype == np.float32
    np.testing.assert_array_equal(grad_of(x), [3.0, 4.0])


# ---- misuse: one distinct message per mistake ------------------------------------------------
def _message(action: Callable[[], object], error: type[Exception]) -> str:
    with pytest.raises(error) as info:
        action()
    return str(info.value)


def _never_recorded() -> None:
    nd.ones(2).backward()


def _freed_graph() -> None:
    x = variable([1.0])
    with autograd.record():
        y = x * x
    y.backward()
    y.backward()


def _inplace_while_recording() -> None:
    x = variable([1.0])
    with autograd.record():
        y = x * 2
        y += 1


def _not_marked() -> None:
    x, z = variable([1.0]), nd.array([2.0])
    with autograd.record():
        y = x * z
    autograd.grad(y, [x, z])


def _unreachable() -> None:
    x, w = variable([1.0]), variable([2.0])
    with autograd.record():
        y = x * 2
    autograd.grad(y, [x, w])


def _nothing_needs_a_gradient() -> None:
    x = nd.array([1.0])
    x.attach_grad(grad_req="null")
    with autograd.record():
        y = x * 2
    y.backward()


def _function_called_twice() -> None:
    class Double(autograd.Function):
        def forward(self, x: nd.NDArray) -> nd.NDArray:
            return x * 2

        def backward(self, dy: nd.NDArray) -> nd.NDArray:
            return dy * 2

    f = Double()
    f(nd.ones(1))
    f(nd.ones(1))


def _through_argmax() -> None:
    x = variable([1.0, 3.0])
    with autograd.record():
        i = x.argmax()
    i.backward()


def _through_detach() -> None:
    x = variable([1.0])
    with autograd.record():
        y = (x * 2).detach()
    y.backward()


def _through_stop_gradient() -> None:
    x = variable([1.0])
    with autograd.record():
        y = nd.stop_gradient(x * 2)
    y.backward()


def _second_order_without_create_graph() -> None:
    x = variable([1.0])
    with autograd.record():
        (dy,) = autograd.grad(x**3, [x])
    autograd.grad(dy, [x])


GRAPH_MISTAKES: dict[str, tuple[Callable[[], None], str]] = {
    "never recorded": (_never_recorded, "record()"),
    "backward through argmax": (_through_argmax, "nd.pick"),
    "backward through detach()": (_through_detach, "before detach()"),
    "backward through stop_gradient": (_through_stop_gradient, "computed without it"),
    "second order without create_graph": (_second_order_without_create_graph, "create_graph=True"),
    "freed graph": (_freed_graph, "retain_graph=True"),
    "in-place while recording": (_inplace_while_recording, "in-place"),
    "variable not marked": (_not_marked, "attach_grad()"),
    "variable unreachable": (_unreachable, "not reachable"),
    "nothing needs a gradient": (_nothing_needs_a_gradient, "attach_grad()"),
    "Function called twice": (_function_called_twice, "new"),
}


@pytest.mark.parametrize("mistake", sorted(GRAPH_MISTAKES))
def test_each_graph_mistake_raises_autograd_error_naming_the_fix(mistake: str) -> None:
    action, fix = GRAPH_MISTAKES[mistake]
    assert fix in _message(action, AutogradError)


def test_graph_mistakes_have_distinct_messages() -> None:
    messages = {name: _message(action, AutogradError) for name, (action, _) in GRAPH_MISTAKES.items()}
    assert len(set(messages.values())) == len(messages), messages


def test_variable_errors_name_the_culprit_by_position() -> None:
    assert "variable 2" in _message(_not_marked, AutogradError)
    assert "variable 2" in _message(_unreachable, AutogradError)


def test_value_mistakes_are_value_errors_with_distinct_messages() -> None:
    x = variable([1.0, 2.0])
    with autograd.record():
        y = x * 2
    messages = {
        _message(lambda: y.backward(nd.ones(3)), ValueError),
        _message(lambda: autograd.backward([y, y], [nd.ones(2)]), ValueError),
        _message(lambda: autograd.grad(y, []), ValueError),
        _message(lambda: x.attach_grad(grad_req="sometimes"), ValueError),
    }
    assert len(messages) == 4
