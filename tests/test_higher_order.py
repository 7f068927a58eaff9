"""Contract section 5: derivatives of any order through every differentiable op.

MXNet 1.9.1 fails most of these (no second derivative of x**3, of dot, of softmax...).
Derivatives are taken the way a user takes them: `autograd.grad(..., create_graph=True)`
repeated inside `record()`.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
from conftest import variable64 as var

from tape import autograd, nd
from tape.testing import check_grads

Fn = Callable[[nd.NDArray], nd.NDArray]


def derivatives(f: Fn, x: nd.NDArray, n: int) -> list[np.ndarray]:
    """[f'(x), f''(x), ..., f^(n)(x)], elementwise, by repeated autograd.grad."""
    out = []
    with autograd.record():
        y = f(x)
        for _ in range(n):
            (y,) = autograd.grad(y, [x], create_graph=True)
            out.append(y.asnumpy())
    return out


# ---- closed forms -------------------------------------------------------------------------
def test_third_derivative_of_cube_is_six() -> None:
    x = var([-2.0, 0.0, 0.5, 3.0])
    d1, d2, d3 = derivatives(lambda x: x**3, x, 3)
    xs = x.asnumpy()
    np.testing.assert_allclose(d1, 3 * xs**2)
    np.testing.assert_allclose(d2, 6 * xs)
    np.testing.assert_allclose(d3, [6.0, 6.0, 6.0, 6.0])


def test_derivatives_of_square_beyond_its_degree_are_zero_also_at_zero() -> None:
    x = var([0.0, 1.5])
    d1, d2, d3, d4 = derivatives(lambda x: x**2, x, 4)
    np.testing.assert_array_equal(d1, [0.0, 3.0])
    np.testing.assert_array_equal(d2, [2.0, 2.0])
    np.testing.assert_array_equal(d3, [0.0, 0.0])
    np.testing.assert_array_equal(d4, [0.0, 0.0])


def test_mixed_partial_of_product_is_one() -> None:
    x, y = var([2.0]), var([5.0])
    with autograd.record():
        z = x * y
        (dz_dx,) = autograd.grad(z, [x], create_graph=True)  # = y
        (d2z_dxdy,) = autograd.grad(dz_dx, [y], create_graph=True)
    assert dz_dx.asscalar() == 5.0
    assert d2z_dxdy.asscalar() == 1.0


def test_mixed_partials_commute() -> None:
    x, y = var([0.7]), var([-1.3])
    f = lambda x, y: nd.sin(x * y) * nd.exp(y)
    with autograd.record():
        gx, gy = autograd.grad(f(x, y), [x, y], create_graph=True)
        (dxy,) = autograd.grad(gx, [y])
    with autograd.record():
        gx, gy = autograd.grad(f(x, y), [x, y], create_graph=True)
        (dyx,) = autograd.grad(gy, [x])
    a, b = 0.7, -1.3
    closed = np.exp(b) * (np.cos(a * b) * (1 + b) - a * b * np.sin(a * b))
    np.testing.assert_allclose(dxy.asnumpy(), [closed], rtol=1e-12)
    np.testing.assert_allclose(dyx.asnumpy(), [closed], rtol=1e-12)


# Derivatives of tanh as polynomials in t = tanh(x): t^(n+1) = d/dt(t^(n)) * (1 - t^2).
TANH_DERIVATIVES: list[Callable[[np.ndarray], np.ndarray]] = [
    lambda t: 1 - t**2,
    lambda t: -2 * t + 2 * t**3,
    lambda t: -2 + 8 * t**2 - 6 * t**4,
    lambda t: 16 * t - 40 * t**3 + 24 * t**5,
    lambda t: 16 - 136 * t**2 + 240 * t**4 - 120 * t**6,
    lambda t: -272 * t + 1232 * t**3 - 1680 * t**5 + 720 * t**7,
]


def test_tanh_derivatives_to_sixth_order_match_closed_forms() -> None:
    x = var([-1.5, -0.3, 0.0, 0.4, 2.0])
    t = np.tanh(x.asnumpy())
    for n, (got, closed) in enumerate(zip(derivatives(nd.tanh, x, 6), TANH_DERIVATIVES, strict=True), 1):
        np.testing.assert_allclose(got, closed(t), rtol=1e-10, atol=1e-10, err_msg=f"order {n}")


def test_tanh_derivatives_at_zero() -> None:
    got = [d[0] for d in derivatives(nd.tanh, var([0.0]), 6)]
    np.testing.assert_allclose(got, [1, 0, -2, 0, 16, 0], atol=1e-12)


def test_sin_derivatives_to_eighth_order_cycle_through_cos_and_sin() -> None:
    x = var([-2.0, 0.0, np.pi / 4, 1.0, 3.0])
    xs = x.asnumpy()
    cycle = [np.cos(xs), -np.sin(xs), -np.cos(xs), np.sin(xs)]
    for n, got in enumerate(derivatives(nd.sin, x, 8), 1):
        np.testing.assert_allclose(got, cycle[(n - 1) % 4], rtol=1e-12, atol=1e-15, err_msg=f"order {n}")


def test_sin_derivatives_at_zero() -> None:
    got = [d[0] for d in derivatives(nd.sin, var([0.0]), 8)]
    assert got == [1.0, 0.0, -1.0, 0.0, 1.0, 0.0, -1.0, 0.0]


def test_exp_and_sigmoid_second_derivatives_use_the_recorded_output() -> None:
    x = var([-1.0, 0.0, 2.0])
    s = 1 / (1 + np.exp(-x.asnumpy()))
    np.testing.assert_allclose(derivatives(nd.exp, x, 3)[2], np.exp(x.asnumpy()), rtol=1e-12)
    np.testing.assert_allclose(derivatives(nd.sigmoid, x, 2)[1], s * (1 - s) * (1 - 2 * s), rtol=1e-12)


# ---- algorithms that need second derivatives -------------------------------------------------
def test_newton_method_with_automatic_second_derivative_converges() -> None:
    x = var([2.0])
    for _ in range(10):
        with autograd.record():
            y = x**4 - 2 * x**2
            (g,) = autograd.grad(y, [x], create_graph=True)
        (h,) = autograd.grad(g, [x])
        x[:] = x - g / h
    assert abs(x.asscalar() - 1.0) < 1e-12


def test_double_backprop_through_the_square_of_a_gradient() -> None:
    # z = (dy/dx)^3 + y with y = x^2: z = 8x^3 + x^2, dz/dx = 24x^2 + 2x = 100 at x = 2.
    x = var([2.0])
    with autograd.record():
        y = x**2
        (gx,) = autograd.grad(y, [x], create_graph=True)
        z = gx**3 + y
    z.backward()
    assert x.grad is not None
    assert x.grad.asscalar() == pytest.approx(100.0, rel=1e-14)


def _mlp_loss(w1: nd.NDArray, w2: nd.NDArray, x: nd.NDArray, y: nd.NDArray) -> nd.NDArray:
    h = nd.tanh(nd.dot(x, w1))
    return ((nd.dot(h, w2) - y) ** 2).mean()


def test_hessian_vector_product_of_mlp_loss_matches_finite_differences() -> None:
    rng = np.random.default_rng(0)
    x = nd.array(rng.standard_normal((8, 4)), dtype="float64")
    y = nd.array(rng.standard_normal((8, 2)), dtype="float64")
    w1_0, w2_0 = rng.standard_normal((4, 5)) * 0.5, rng.standard_normal((5, 2)) * 0.5
    v1, v2 = rng.standard_normal((4, 5)), rng.standard_normal((5, 2))
    w1, w2 = var(w1_0), var(w2_0)
    with autograd.record():
        g1, g2 = autograd.grad(_mlp_loss(w1, w2, x, y), [w1, w2], create_graph=True)
        gv = (g1 * nd.array(v1, dtype="float64")).sum() + (g2 * nd.array(v2, dtype="float64")).sum()
    hv1, hv2 = autograd.grad(gv, [w1, w2])

    def gradient_at(a: np.ndarray, b: np.ndarray) -> list[np.ndarray]:
        p, q = var(a), var(b)
        with autograd.record():
            loss = _mlp_loss(p, q, x, y)
        return [g.asnumpy() for g in autograd.grad(loss, [p, q])]

    h = 1e-5
    plus, minus = gradient_at(w1_0 + h * v1, w2_0 + h * v2), gradient_at(w1_0 - h * v1, w2_0 - h * v2)
    np.testing.assert_allclose(hv1.asnumpy(), (plus[0] - minus[0]) / (2 * h), rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(hv2.asnumpy(), (plus[1] - minus[1]) / (2 * h), rtol=1e-6, atol=1e-8)


# ---- piecewise-linear ops: second derivatives are connected zeros --------------------------------
@pytest.mark.parametrize(
    "f", [nd.relu, nd.abs, nd.sign, lambda x: nd.clip(x, -1.0, 1.0)], ids=["relu", "abs", "sign", "clip"]
)
def test_second_derivative_of_piecewise_linear_op_is_zero(f: Fn) -> None:
    x = var([-2.0, -0.5, 0.5, 2.0])
    with autograd.record():
        (g,) = autograd.grad(f(x), [x], create_graph=True)
        (h,) = autograd.grad(g, [x], create_graph=True)
        (h3,) = autograd.grad(h, [x])
    assert h.shape == h3.shape == (4,)
    np.testing.assert_array_equal(h.asnumpy(), np.zeros(4))
    np.testing.assert_array_equal(h3.asnumpy(), np.zeros(4))


def test_relu_in_a_product_has_the_right_second_derivative() -> None:
    # d2/dx2 (x * relu(x)) = 2 step(x): the zero from relu'' must not wipe out the rest.
    x = var([-1.5, 0.5, 2.0])
    d1, d2 = derivatives(lambda x: x * nd.relu(x), x, 2)
    np.testing.assert_array_equal(d1, [0.0, 1.0, 4.0])
    np.testing.assert_array_equal(d2, [0.0, 2.0, 2.0])


# ---- second derivatives through structural ops, against central differences ---------------------
RNG = np.random.default_rng(42)
A = RNG.standard_normal((3, 4))
B = RNG.standard_normal((4, 2))


def test_second_order_through_dot() -> None:
    check_grads(lambda a, b: nd.tanh(nd.dot(a, b)), A, B, order=2)


def test_second_order_through_dot_with_transposes() -> None:
    check_grads(lambda a, b: nd.sin(nd.dot(a, b, transpose_a=True, transpose_b=True)), A.T, B.T, order=2)


def test_dot_second_derivative_is_the_bilinear_cross_term() -> None:
    # f = sum(a . b): d/da = ones . b^T; its derivative along b is exact, a matrix of ones-sums.
    a, b = var(A), var(B)
    with autograd.record():
        (ga,) = autograd.grad(nd.dot(a, b), [a], create_graph=True)
        (gb,) = autograd.grad((ga * ga).sum(), [b])
    # sum(ga^2) = 3 * sum_k (sum_j b_kj)^2, so d/db_kj = 6 * sum_j b_kj.
    np.testing.assert_allclose(gb.asnumpy(), 6 * np.repeat(B.sum(axis=1, keepdims=True), 2, axis=1))


def test_second_order_through_handwritten_softmax() -> None:
    def softmax(x: nd.NDArray) -> nd.NDArray:
        e = nd.exp(x)
        return e / e.sum(axis=1, keepdims=True)

    check_grads(lambda x: softmax(x) * nd.array([[1.0, 2.0, 3.0, 4.0]], dtype="float64"), A, order=2)


def test_second_order_through_softmax_op() -> None:
    weights = nd.array([[1.0, -2.0, 3.0, 0.5]], dtype="float64")
    check_grads(lambda x: nd.softmax(x) * weights, A, order=2)
    check_grads(lambda x: nd.softmax(x, axis=0) * weights, A, order=2)


def test_second_order_through_log_softmax_op() -> None:
    check_grads(lambda x: nd.log_softmax(x) ** 2, A, order=2)


def test_second_order_through_broadcasting_add() -> None:
    row, col = RNG.standard_normal((1, 4)), RNG.standard_normal((3, 1))
    check_grads(lambda a, r, c: nd.tanh(a + r + c), A, row, col, order=2)


def test_second_order_through_sum_and_mean_over_axes() -> None:
    check_grads(lambda a: nd.sin(a.sum(axis=1)) * nd.exp(a.mean(axis=0, keepdims=True)).sum(), A, order=3)


def test_second_order_through_reshape_twice() -> None:
    check_grads(lambda a: nd.tanh(a.reshape((2, 6))).reshape((-1,)) * nd.arange(12), A, order=3)


def test_second_order_through_basic_indexing() -> None:
    check_grads(lambda a: nd.sin(a[1]).sum() * a[:, 2:].sum() + (a[::2, 1] ** 3).sum(), A, order=2)


def test_second_order_through_integer_array_indexing_with_repeats() -> None:
    idx = nd.array([0, 2, 2, 1])
    check_grads(lambda a: nd.exp(a[idx]) * a[idx, idx], A, order=2)


def test_second_order_through_transpose_broadcast_to_and_max() -> None:
    check_grads(lambda a: nd.tanh(a.T) * a.max(axis=1).broadcast_to((4, 3)), A, order=2)


def test_gradient_of_hessian_vector_product_is_third_order_exact() -> None:
    # f = sum(x^4): Hv = 12 x^2 v; d/dx <Hv, u> = 24 x v u.
    x = var([1.0, -2.0, 0.5])
    v, u = np.array([1.0, 2.0, 3.0]), np.array([0.5, -1.0, 2.0])
    with autograd.record():
        (g,) = autograd.grad((x**4).sum(), [x], create_graph=True)
        (hv,) = autograd.grad((g * nd.array(v, dtype="float64")).sum(), [x], create_graph=True)
        (t,) = autograd.grad((hv * nd.array(u, dtype="float64")).sum(), [x])
    xs = x.asnumpy()
    np.testing.assert_allclose(hv.asnumpy(), 12 * xs**2 * v)
    np.testing.assert_allclose(t.asnumpy(), 24 * xs * v * u)


# ---- second order through the shape, indexing and nn ops ----------------------------------------
LABELS = nd.array([0, 3, 1])
ROWS = nd.array([2, 0, 2])
W_FC = RNG.standard_normal((2, 4))
B_FC = RNG.standard_normal(2)

SECOND_ORDER_CASES: list[tuple[str, Fn]] = [
    ("pick", lambda a: nd.exp(nd.pick(a, LABELS)) * nd.pick(a, ROWS)),
    ("take", lambda a: nd.tanh(nd.take(a, ROWS)) * nd.take(a, ROWS)),
    ("concat", lambda a: nd.sin(nd.concat(a, a * a, dim=0))),
    ("stack", lambda a: nd.tanh(nd.stack(a, nd.exp(a), axis=1))),
    ("where", lambda a: nd.where(a > 0, a**3, nd.sin(a))),
    ("split", lambda a: nd.split(a, 2, axis=1)[0] * nd.exp(nd.split(a, 2, axis=1)[1])),
    ("slice_axis", lambda a: nd.slice_axis(a, axis=1, begin=1, end=3) ** 3),
    ("tile", lambda a: nd.sin(nd.tile(a, (2, 1))) * nd.tile(a, (2, 1))),
    ("repeat", lambda a: nd.exp(nd.repeat(a, 2, axis=0)) * nd.repeat(a, 2, axis=0)),
    ("flip", lambda a: nd.flip(a, axis=1) * nd.tanh(a)),
    ("prod", lambda a: nd.prod(a, axis=1)),
    ("softmax_cross_entropy", lambda a: nd.softmax_cross_entropy(a, LABELS)),
    ("FullyConnected", lambda a: nd.tanh(nd.FullyConnected(a, nd.array(W_FC), nd.array(B_FC), num_hidden=2))),
]


@pytest.mark.parametrize("f", [c[1] for c in SECOND_ORDER_CASES], ids=[c[0] for c in SECOND_ORDER_CASES])
def test_second_order_through_op(f: Fn) -> None:
    check_grads(f, A, order=2)


def test_second_order_of_fully_connected_in_weight_and_bias() -> None:
    fc = lambda x, w, b: nd.sigmoid(nd.FullyConnected(x, w, b, num_hidden=2)) ** 2
    check_grads(fc, A, W_FC, B_FC, order=2)
