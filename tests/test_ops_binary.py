"""Binary ops: values against NumPy, broadcasting, scalars on either side, second derivatives."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import mutually_broadcastable_shapes

from tape import autograd, nd
from tape.testing import check_grads

# name, op, NumPy reference, interval of lhs values, interval of rhs values
BINARY: list[tuple[str, Callable[..., Any], Callable[..., Any], tuple[float, float], tuple[float, float]]] = [
    ("add", nd.add, np.add, (-2, 2), (-2, 2)),
    ("subtract", nd.subtract, np.subtract, (-2, 2), (-2, 2)),
    ("multiply", nd.multiply, np.multiply, (-2, 2), (-2, 2)),
    ("divide", nd.divide, np.divide, (-2, 2), (0.5, 2)),
    ("power", nd.power, np.power, (0.5, 2), (-2, 2)),
    ("maximum", nd.maximum, np.maximum, (-2, 2), (-2, 2)),
    ("minimum", nd.minimum, np.minimum, (-2, 2), (-2, 2)),
    ("modulo", nd.modulo, np.mod, (0.1, 0.9), (1.1, 2)),
]
IDS = [b[0] for b in BINARY]
SHAPES = [((3, 1), (1, 4)), ((2, 3), (3,)), ((2, 3), (2, 3)), ((1,), (2, 2))]


def _args(lhs: tuple[float, float], rhs: tuple[float, float], shapes: Any, seed: int = 0) -> tuple[Any, Any]:
    rng = np.random.default_rng(seed)
    return rng.uniform(*lhs, shapes[0]), rng.uniform(*rhs, shapes[1])


@pytest.mark.parametrize("shapes", SHAPES, ids=str)
@pytest.mark.parametrize(("name", "op", "ref", "lhs", "rhs"), BINARY, ids=IDS)
def test_value_matches_numpy_with_broadcasting(
    name: str, op: Any, ref: Any, lhs: Any, rhs: Any, shapes: Any
) -> None:
    a, b = _args(lhs, rhs, shapes)
    y = op(nd.array(a), nd.array(b))
    assert y.dtype == np.float32
    np.testing.assert_allclose(y.asnumpy(), ref(a.astype(np.float32), b.astype(np.float32)), rtol=1e-6)


@pytest.mark.parametrize("shapes", SHAPES, ids=str)
@pytest.mark.parametrize(("name", "op", "ref", "lhs", "rhs"), BINARY, ids=IDS)
def test_derivatives_to_second_order_with_broadcasting(
    name: str, op: Any, ref: Any, lhs: Any, rhs: Any, shapes: Any
) -> None:
    a, b = _args(lhs, rhs, shapes, seed=1)
    check_grads(op, a, b, order=2)


@pytest.mark.parametrize(("name", "op", "ref", "lhs", "rhs"), BINARY, ids=IDS)
def test_scalar_on_the_right(name: str, op: Any, ref: Any, lhs: Any, rhs: Any) -> None:
    a, _ = _args(lhs, rhs, ((2, 3), (1,)), seed=2)
    s = float(np.mean(rhs)) + 0.123
    np.testing.assert_allclose(
        op(nd.array(a), s).asnumpy(), ref(a.astype(np.float32), np.float32(s)), rtol=1e-6
    )
    check_grads(lambda x: op(x, s), a, order=2)


@pytest.mark.parametrize(("name", "op", "ref", "lhs", "rhs"), BINARY, ids=IDS)
def test_scalar_on_the_left(name: str, op: Any, ref: Any, lhs: Any, rhs: Any) -> None:
    _, b = _args(lhs, rhs, ((1,), (2, 3)), seed=3)
    s = float(np.mean(lhs)) + 0.123
    np.testing.assert_allclose(
        op(s, nd.array(b)).asnumpy(), ref(np.float32(s), b.astype(np.float32)), rtol=1e-6
    )
    check_grads(lambda y: op(s, y), b, order=2)


def test_operators_with_scalars_on_both_sides_match_the_functions() -> None:
    x = nd.array([1.5, 2.5])
    for got, want in [
        (2 - x, nd.subtract(2, x)),
        (x**2, nd.power(x, 2)),
        (2**x, nd.power(2, x)),
        (3 / x, nd.divide(3, x)),
        (x % 1, nd.modulo(x, 1)),
    ]:
        np.testing.assert_array_equal(got.asnumpy(), want.asnumpy())


def test_maximum_and_minimum_give_a_tie_to_the_left_as_mxnet_does() -> None:
    x, y = nd.array([1.0]), nd.array([1.0])
    x.attach_grad()
    y.attach_grad()
    with autograd.record():
        z = nd.maximum(x, y) + 10 * nd.minimum(x, y)
    z.backward()
    assert x.grad.asscalar() == 11.0 and y.grad.asscalar() == 0.0


# ---- comparisons --------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("op", "ref"),
    [
        (nd.equal, np.equal),
        (nd.not_equal, np.not_equal),
        (nd.greater, np.greater),
        (nd.greater_equal, np.greater_equal),
        (nd.lesser, np.less),
        (nd.lesser_equal, np.less_equal),
    ],
    ids=lambda v: getattr(v, "__name__", str(v)),
)
def test_comparisons_give_float32_zeros_and_ones(op: Any, ref: Any) -> None:
    a, b = np.array([[1, 2, 3]]), np.array([[2], [3]])
    y = op(nd.array(a), nd.array(b))
    assert y.dtype == np.float32
    np.testing.assert_array_equal(y.asnumpy(), ref(a, b).astype(np.float32))


def test_comparisons_are_never_recorded() -> None:
    x = nd.array([1.0, 2.0])
    x.attach_grad()
    with autograd.record():
        y = x > 1
    assert y._node is None


# ---- same-shape and n-ary forms -----------------------------------------------------------
ELEMWISE = [
    (nd.elemwise_add, np.add),
    (nd.elemwise_sub, np.subtract),
    (nd.elemwise_mul, np.multiply),
    (nd.elemwise_div, np.divide),
]


@pytest.mark.parametrize(("op", "ref"), ELEMWISE, ids=lambda v: getattr(v, "__name__", str(v)))
def test_elemwise_ops_match_numpy_and_differentiate(op: Any, ref: Any) -> None:
    a, b = np.random.default_rng(4).uniform(0.5, 2, (2, 2, 3))
    np.testing.assert_allclose(
        op(nd.array(a), nd.array(b)).asnumpy(), ref(a, b).astype(np.float32), rtol=1e-6
    )
    check_grads(op, a, b, order=2)


def test_elemwise_add_refuses_to_broadcast() -> None:
    with pytest.raises(ValueError, match=r"one shape.*\(2, 3\).*\(3,\)"):
        nd.elemwise_add(nd.ones((2, 3)), nd.ones((3,)))


def test_add_n_sums_all_arrays_and_differentiates() -> None:
    a, b, c = np.random.default_rng(5).uniform(-1, 1, (3, 2, 2))
    np.testing.assert_allclose(
        nd.add_n(nd.array(a), nd.array(b), nd.array(c)).asnumpy(), a + b + c, rtol=1e-6
    )
    check_grads(lambda x, y, z: nd.add_n(x, y, z) ** 2, a, b, c, order=2)


def test_add_n_of_one_array_is_a_copy() -> None:
    x = nd.ones((2,))
    y = nd.add_n(x)
    y[:] = 3
    np.testing.assert_array_equal(x.asnumpy(), [1, 1])


def test_broadcast_aliases_are_the_broadcasting_ops() -> None:
    a, b = nd.array([[1], [2]]), nd.array([10, 20, 30])
    np.testing.assert_array_equal(nd.broadcast_add(a, b).asnumpy(), (a + b).asnumpy())
    np.testing.assert_array_equal(nd.broadcast_minus(a, b).asnumpy(), (a - b).asnumpy())
    np.testing.assert_array_equal(nd.broadcast_greater(a, b).asnumpy(), (a > b).asnumpy())


# ---- zeros_like / ones_like ---------------------------------------------------------------
def test_zeros_like_and_ones_like_keep_shape_and_dtype() -> None:
    x = nd.array([[1, 2]], dtype="float64")
    for f, v in ((nd.zeros_like, 0), (nd.ones_like, 1)):
        y = f(x)
        assert y.shape == (1, 2) and y.dtype == np.float64
        np.testing.assert_array_equal(y.asnumpy(), [[v, v]])


def test_zeros_like_has_a_zero_gradient() -> None:
    check_grads(lambda x: nd.ones_like(x) * x + nd.zeros_like(x), np.array([1.0, 2.0]), order=2)


@settings(max_examples=25, deadline=None)
@given(
    shapes=mutually_broadcastable_shapes(num_shapes=2, min_dims=1, max_dims=3, max_side=3),
    which=st.sampled_from(["add", "subtract", "multiply", "divide", "maximum"]),
)
def test_any_broadcastable_shapes_differentiate_to_second_order(shapes: Any, which: str) -> None:
    op = getattr(nd, which)
    (sa, sb), out = shapes
    rng = np.random.default_rng(len(sa) * 10 + len(sb))
    a = rng.uniform(0.5, 1.5, sa) * rng.choice([-1, 1], sa)
    b = rng.uniform(0.5, 1.5, sb)
    y = op(nd.array(a, dtype="float64"), nd.array(b, dtype="float64"))
    assert y.shape == (out or (1,))
    check_grads(lambda p, q: op(p, q) ** 2, a, b, order=2)


def test_power_gradient_in_the_exponent_is_zero_where_the_base_is_zero() -> None:
    x = nd.array([0.0, 2.0], dtype="float64")
    y = nd.array([2.0, 2.0], dtype="float64")
    x.attach_grad()
    y.attach_grad()
    with np.errstate(divide="ignore", invalid="ignore"), autograd.record():
        z = x**y
    z.backward()
    assert y.grad is not None
    np.testing.assert_allclose(y.grad.asnumpy(), [0.0, 4 * np.log(2.0)])
