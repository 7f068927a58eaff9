"""Unary elementwise ops: values against NumPy (or `math`), derivatives to second order."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from tape import autograd, nd
from tape.testing import check_grads

Ref = Callable[[np.ndarray], np.ndarray]


def _vec(f: Callable[[float], float]) -> Ref:
    return lambda x: np.vectorize(f, otypes=[np.float64])(x)


# name, op, reference, and an interval of arguments away from kinks and domain edges
UNARY: list[tuple[str, Callable[..., Any], Ref, float, float]] = [
    ("exp", nd.exp, np.exp, -2, 2),
    ("expm1", nd.expm1, np.expm1, -2, 2),
    ("log", nd.log, np.log, 0.3, 3),
    ("log2", nd.log2, np.log2, 0.3, 3),
    ("log10", nd.log10, np.log10, 0.3, 3),
    ("log1p", nd.log1p, np.log1p, -0.5, 3),
    ("sqrt", nd.sqrt, np.sqrt, 0.3, 3),
    ("rsqrt", nd.rsqrt, lambda x: 1 / np.sqrt(x), 0.3, 3),
    ("cbrt", nd.cbrt, np.cbrt, 0.3, 3),
    ("rcbrt", nd.rcbrt, lambda x: 1 / np.cbrt(x), 0.3, 3),
    ("square", nd.square, np.square, -2, 2),
    ("reciprocal", nd.reciprocal, np.reciprocal, 0.3, 3),
    ("sin", nd.sin, np.sin, -3, 3),
    ("cos", nd.cos, np.cos, -3, 3),
    ("tan", nd.tan, np.tan, -1.2, 1.2),
    ("arcsin", nd.arcsin, np.arcsin, -0.8, 0.8),
    ("arccos", nd.arccos, np.arccos, -0.8, 0.8),
    ("arctan", nd.arctan, np.arctan, -3, 3),
    ("sinh", nd.sinh, np.sinh, -2, 2),
    ("cosh", nd.cosh, np.cosh, -2, 2),
    ("tanh", nd.tanh, np.tanh, -2, 2),
    ("arcsinh", nd.arcsinh, np.arcsinh, -3, 3),
    ("arccosh", nd.arccosh, np.arccosh, 1.2, 3),
    ("arctanh", nd.arctanh, np.arctanh, -0.8, 0.8),
    ("degrees", nd.degrees, np.degrees, -3, 3),
    ("radians", nd.radians, np.radians, -180, 180),
    ("sigmoid", nd.sigmoid, lambda x: 1 / (1 + np.exp(-x)), -4, 4),
    ("relu", nd.relu, lambda x: np.maximum(x, 0), -2, 2),
    ("softrelu", nd.softrelu, lambda x: np.log1p(np.exp(x)), -4, 4),
    ("softsign", nd.softsign, lambda x: x / (1 + np.abs(x)), -3, 3),
    ("abs", nd.abs, np.abs, -2, 2),
    ("sign", nd.sign, np.sign, -2, 2),
    ("negative", nd.negative, np.negative, -2, 2),
    ("floor", nd.floor, np.floor, -3, 3),
    ("ceil", nd.ceil, np.ceil, -3, 3),
    ("trunc", nd.trunc, np.trunc, -3, 3),
    ("fix", nd.fix, np.trunc, -3, 3),
    ("erf", nd.erf, _vec(math.erf), -2, 2),
    ("gamma", nd.gamma, _vec(math.gamma), 0.4, 4),
    ("gammaln", nd.gammaln, _vec(math.lgamma), 0.4, 6),
]
IDS = [u[0] for u in UNARY]


def _away_from_kinks(x: np.ndarray) -> np.ndarray:
    # Keep every point at least 0.05 from an integer, a half-integer and zero.
    frac = x - np.floor(x)
    x = np.where(np.abs(frac - 0.5) < 0.05, x + 0.1, x)
    frac = x - np.floor(x)
    return np.where((frac < 0.05) | (frac > 0.95), x + 0.2, x)


@pytest.mark.parametrize(("name", "op", "ref", "lo", "hi"), UNARY, ids=IDS)
def test_value_matches_numpy_in_float32(name: str, op: Any, ref: Ref, lo: float, hi: float) -> None:
    x = np.random.default_rng(0).uniform(lo, hi, (3, 4)).astype(np.float32)
    y = op(nd.array(x))
    assert y.dtype == np.float32 and y.shape == (3, 4)
    np.testing.assert_allclose(y.asnumpy(), ref(x.astype(np.float64)), rtol=2e-6, atol=1e-6)


@pytest.mark.parametrize(("name", "op", "ref", "lo", "hi"), UNARY, ids=IDS)
def test_value_matches_numpy_in_float64(name: str, op: Any, ref: Ref, lo: float, hi: float) -> None:
    x = np.random.default_rng(1).uniform(lo, hi, (5,))
    y = op(nd.array(x, dtype="float64"))
    assert y.dtype == np.float64
    np.testing.assert_allclose(y.asnumpy(), ref(x), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize(("name", "op", "ref", "lo", "hi"), UNARY, ids=IDS)
def test_first_and_second_derivatives_match_finite_differences(
    name: str, op: Any, ref: Ref, lo: float, hi: float
) -> None:
    x = _away_from_kinks(np.random.default_rng(2).uniform(lo, hi, (2, 3)))
    check_grads(op, x, order=2)


THIRD_ORDER = [nd.exp, nd.tanh, nd.sigmoid, nd.erf, nd.gammaln, nd.arctan]


@pytest.mark.parametrize("op", THIRD_ORDER, ids=lambda f: f.__name__)
def test_third_derivative_matches_finite_differences(op: Any) -> None:
    check_grads(op, np.array([0.3, 0.9, 1.4]), order=3, rtol=1e-4, atol=1e-5)


# ---- kinks: derivatives of piecewise ops stay connected zeros -----------------------------
def _second_derivative(op: Any, values: list[float]) -> tuple[np.ndarray, np.ndarray]:
    x = nd.array(values)
    x.attach_grad()
    with autograd.record():
        (first,) = autograd.grad(op(x), x, create_graph=True)
    (second,) = autograd.grad(first, x)
    return first.asnumpy(), second.asnumpy()


def test_relu_second_derivative_is_zero() -> None:
    first, second = _second_derivative(nd.relu, [-1.0, 2.0])
    np.testing.assert_array_equal(first, [0.0, 1.0])
    np.testing.assert_array_equal(second, [0.0, 0.0])


def test_abs_second_derivative_is_zero() -> None:
    first, second = _second_derivative(nd.abs, [-1.0, 2.0])
    np.testing.assert_array_equal(first, [-1.0, 1.0])
    np.testing.assert_array_equal(second, [0.0, 0.0])


def test_clip_second_derivative_is_zero() -> None:
    first, second = _second_derivative(lambda x: nd.clip(x, 0, 1), [-1.0, 0.5, 2.0])
    np.testing.assert_array_equal(first, [0.0, 1.0, 0.0])
    np.testing.assert_array_equal(second, [0.0, 0.0, 0.0])


def test_sign_first_and_second_derivatives_are_zero() -> None:
    first, second = _second_derivative(nd.sign, [-1.0, 2.0])
    np.testing.assert_array_equal(first, [0.0, 0.0])
    np.testing.assert_array_equal(second, [0.0, 0.0])


def test_relu_gradient_at_zero_is_zero() -> None:
    first, _ = _second_derivative(nd.relu, [0.0])
    np.testing.assert_array_equal(first, [0.0])


# ---- rounding follows MXNet, not NumPy ----------------------------------------------------
def test_round_sends_halves_away_from_zero() -> None:
    y = nd.round(nd.array([-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 0.49999997]))
    np.testing.assert_array_equal(y.asnumpy(), [-3, -2, -1, 1, 2, 3, 0])


def test_rint_sends_halves_down() -> None:
    y = nd.rint(nd.array([-2.5, -1.5, 0.5, 1.5, 2.5, 1.6]))
    np.testing.assert_array_equal(y.asnumpy(), [-3, -2, 0, 1, 2, 2])


def test_rounding_ops_have_zero_gradient() -> None:
    for op in (nd.floor, nd.ceil, nd.round, nd.rint, nd.trunc, nd.fix):
        first, _ = _second_derivative(op, [0.3, -1.7])
        np.testing.assert_array_equal(first, [0.0, 0.0])


# ---- stability and special functions -------------------------------------------------------
def test_sigmoid_and_softrelu_do_not_overflow() -> None:
    x = nd.array([-1000.0, 1000.0])
    np.testing.assert_array_equal(nd.sigmoid(x).asnumpy(), [0.0, 1.0])
    np.testing.assert_array_equal(nd.softrelu(x).asnumpy(), [0.0, 1000.0])


def test_clip_matches_finite_differences_inside_and_outside_the_bounds() -> None:
    # Values on both sides of both bounds, none within the finite-difference step of one.
    x = nd.array([[-2.0, -0.7, 0.1], [0.3, 0.9, 3.0]], dtype="float64")
    check_grads(lambda a: nd.clip(a, -0.5, 0.5), x, order=2)


def test_clip_limits_values_to_the_bounds() -> None:
    np.testing.assert_array_equal(nd.clip(nd.array([-3, 0.25, 7]), -1, 1).asnumpy(), [-1, 0.25, 1])


def test_clip_with_bounds_in_the_wrong_order_raises() -> None:
    with pytest.raises(ValueError, match="a_min <= a_max"):
        nd.clip(nd.ones(2), 1, 0)


def test_digamma_known_values() -> None:
    euler = 0.5772156649015329
    y = nd.digamma(nd.array([1.0, 0.5, 4.0], dtype="float64")).asnumpy()
    np.testing.assert_allclose(y, [-euler, -euler - 2 * math.log(2), 1 + 1 / 2 + 1 / 3 - euler], rtol=1e-13)


def test_digamma_satisfies_recurrence_and_reflection_for_negative_arguments() -> None:
    x = np.array([-3.7, -0.4, 0.2, 2.9, 17.3, 250.6])
    psi = nd.digamma(nd.array(x, dtype="float64")).asnumpy()
    psi_next = nd.digamma(nd.array(x + 1, dtype="float64")).asnumpy()
    np.testing.assert_allclose(psi_next - psi, 1 / x, rtol=1e-10)
    psi_reflected = nd.digamma(nd.array(1 - x, dtype="float64")).asnumpy()
    np.testing.assert_allclose(psi_reflected - psi, np.pi / np.tan(np.pi * x), rtol=1e-9, atol=1e-9)


def test_digamma_is_the_derivative_of_gammaln() -> None:
    x = np.array([0.3, 1.7, 6.2, 40.0])
    h = 1e-6
    numeric = (_vec(math.lgamma)(x + h) - _vec(math.lgamma)(x - h)) / (2 * h)
    np.testing.assert_allclose(nd.digamma(nd.array(x, dtype="float64")).asnumpy(), numeric, rtol=1e-7)


def test_trigamma_at_one_is_pi_squared_over_six() -> None:
    x = nd.array([1.0, 0.5], dtype="float64")
    x.attach_grad()
    with autograd.record():
        y = nd.digamma(x)
    y.backward()
    np.testing.assert_allclose(x.grad.asnumpy(), [math.pi**2 / 6, math.pi**2 / 2], rtol=1e-12)


def test_digamma_derivatives_to_third_order() -> None:
    check_grads(nd.digamma, np.array([0.7, 2.5, 11.0]), order=3, rtol=1e-4, atol=1e-5)


def test_gamma_of_negative_non_integers_and_its_derivatives() -> None:
    x = np.array([-0.5, -1.5, -2.3])
    np.testing.assert_allclose(
        nd.gamma(nd.array(x, dtype="float64")).asnumpy(), _vec(math.gamma)(x), rtol=1e-13
    )
    check_grads(nd.gamma, x, order=2, rtol=1e-4)


def test_gamma_functions_at_poles_do_not_raise() -> None:
    assert np.isnan(nd.gamma(nd.array([-2.0])).asnumpy()).all()
    assert np.isinf(nd.gammaln(nd.array([0.0])).asnumpy()).all()
    assert not np.isfinite(nd.digamma(nd.array([0.0, -1.0])).asnumpy()).any()


def test_erf_is_odd_and_saturates() -> None:
    y = nd.erf(nd.array([-6.0, -0.5, 0.5, 6.0], dtype="float64")).asnumpy()
    np.testing.assert_allclose(y, [-1.0, -math.erf(0.5), math.erf(0.5), 1.0], rtol=1e-15)


FLUENT = [
    "exp", "expm1", "log", "log2", "log10", "log1p", "sqrt", "rsqrt", "cbrt", "rcbrt", "square",
    "reciprocal", "floor", "ceil", "round", "rint", "fix", "trunc", "relu", "sigmoid", "softrelu", "sin",
    "cos", "tan", "arcsin", "arccos", "arctan", "sinh", "cosh", "tanh", "arcsinh", "arctanh", "degrees",
    "radians", "abs", "sign", "erf", "gamma", "gammaln", "digamma",
]  # fmt: skip


@pytest.mark.parametrize("name", FLUENT)
def test_fluent_method_equals_nd_function(name: str) -> None:
    x = nd.array([[0.3, 1.2], [2.5, 0.7]])
    np.testing.assert_array_equal(getattr(x, name)().asnumpy(), getattr(nd, name)(x).asnumpy())
