"""autograd.jacobian, hessian, vjp, jvp, hvp: closed forms, finite differences, no trace left."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from tape import AutogradError, autograd, nd
from tape import np as tnp

RNG = np.random.default_rng(7)
A = RNG.standard_normal((3, 4))
S = RNG.standard_normal((4, 4))
X0 = RNG.standard_normal(4)


def arr(values: Any, dtype: Any = np.float64) -> nd.NDArray:
    return nd.array(np.asarray(values), dtype=dtype)


def value(a: Any) -> np.ndarray:
    return a.asnumpy()


def fd_jacobian(f: Any, x: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """Central differences of the NumPy function f, shaped f(x).shape + x.shape."""
    y = np.asarray(f(x))
    out = np.zeros(y.shape + x.shape)
    for i in np.ndindex(x.shape):
        dx = np.zeros_like(x)
        dx[i] = eps
        out[(..., *i)] = (np.asarray(f(x + dx)) - np.asarray(f(x - dx))) / (2 * eps)
    return out


def rosenbrock(x: Any) -> Any:
    return (100 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2).sum()


def rosenbrock_hessian(x: np.ndarray) -> np.ndarray:
    n = len(x)
    h = np.zeros((n, n))
    for i in range(n - 1):
        h[i, i] += 1200 * x[i] ** 2 - 400 * x[i + 1] + 2
        h[i + 1, i + 1] += 200
        h[i, i + 1] = h[i + 1, i] = -400 * x[i]
    return h


def logsumexp(x: Any) -> Any:
    m = x.max()
    return nd.log(nd.exp(x - m).sum()) + m


# ---- closed forms ---------------------------------------------------------------------------
def test_jacobian_of_a_linear_map_is_its_matrix() -> None:
    j = autograd.jacobian(lambda x: nd.dot(arr(A), x), arr(X0))
    assert j.shape == (3, 4)
    np.testing.assert_allclose(value(j), A, rtol=1e-12)


def test_jacobian_of_an_elementwise_map_is_diagonal() -> None:
    j = autograd.jacobian(nd.sin, arr(X0))
    np.testing.assert_allclose(value(j), np.diag(np.cos(X0)), rtol=1e-12)


def test_jacobian_of_softmax() -> None:
    x = arr(X0)
    p = np.exp(X0) / np.exp(X0).sum()
    j = autograd.jacobian(nd.softmax, x)
    np.testing.assert_allclose(value(j), np.diag(p) - np.outer(p, p), rtol=1e-10, atol=1e-14)


def test_hessian_of_a_quadratic_form_is_the_symmetric_part() -> None:
    h = autograd.hessian(lambda x: nd.dot(x, nd.dot(arr(S), x)), arr(X0))
    np.testing.assert_allclose(value(h), S + S.T, rtol=1e-12)


def test_hessian_of_rosenbrock() -> None:
    x = np.array([0.3, -1.2, 0.8, 1.5])
    h = autograd.hessian(rosenbrock, arr(x))
    np.testing.assert_allclose(value(h), rosenbrock_hessian(x), rtol=1e-12)


def test_gradient_and_hessian_of_log_sum_exp() -> None:
    p = np.exp(X0) / np.exp(X0).sum()
    _, g = autograd.vjp(logsumexp, arr(X0), arr([1.0]))
    np.testing.assert_allclose(value(g), p, rtol=1e-12)
    h = autograd.hessian(logsumexp, arr(X0))
    np.testing.assert_allclose(value(h), np.diag(p) - np.outer(p, p), rtol=1e-10, atol=1e-14)


def test_jacobian_against_finite_differences_with_broadcasting() -> None:
    w, b = RNG.standard_normal((3, 4)), RNG.standard_normal((2, 1, 1))

    def f(x: Any) -> Any:
        return nd.broadcast_add(nd.tanh(nd.dot(x, arr(w.T))), arr(b)) * x[:, :3].sum()

    def f_np(x: np.ndarray) -> np.ndarray:
        return (np.tanh(x @ w.T) + b) * x[:, :3].sum()

    x = RNG.standard_normal((2, 4))
    j = autograd.jacobian(f, arr(x))
    assert j.shape == (2, 2, 3, 2, 4)
    np.testing.assert_allclose(value(j), fd_jacobian(f_np, x), rtol=1e-6, atol=1e-8)


# ---- products agree with the full matrices --------------------------------------------------
def test_vjp_jvp_hvp_are_products_with_the_matrices() -> None:
    x, v3, v4 = arr(X0), RNG.standard_normal(3), RNG.standard_normal(4)

    def f(z: Any) -> Any:
        return nd.tanh(nd.dot(arr(A), z * z))

    j = value(autograd.jacobian(f, x))
    y, vj = autograd.vjp(f, x, arr(v3))
    np.testing.assert_allclose(value(y), np.tanh(A @ (X0 * X0)), rtol=1e-12)
    np.testing.assert_allclose(value(vj), v3 @ j, rtol=1e-10)
    _, jv = autograd.jvp(f, x, arr(v4))
    np.testing.assert_allclose(value(jv), j @ v4, rtol=1e-10)
    _, hv = autograd.hvp(rosenbrock, x, arr(v4))
    np.testing.assert_allclose(value(hv), rosenbrock_hessian(X0) @ v4, rtol=1e-10)


def test_tuple_inputs_give_one_result_per_input() -> None:
    x, y = arr([1.0, 2.0]), arr([3.0, 5.0])
    jx, jy = autograd.jacobian(lambda a, b: a * b, (x, y))
    np.testing.assert_allclose(value(jx), np.diag([3.0, 5.0]))
    np.testing.assert_allclose(value(jy), np.diag([1.0, 2.0]))
    _, (gx, gy) = autograd.vjp(lambda a, b: (a * b).sum(), (x, y), arr([1.0]))
    np.testing.assert_allclose(value(gx), [3.0, 5.0])
    np.testing.assert_allclose(value(gy), [1.0, 2.0])
    _, t = autograd.jvp(lambda a, b: a * b, (x, y), (arr([1.0, 0.0]), arr([0.0, 1.0])))
    np.testing.assert_allclose(value(t), [3.0, 2.0])  # y0 * 1 + x1 * 1
    (hxx, hxy), (hyx, hyy) = autograd.hessian(lambda a, b: (a * a * b).sum(), (x, y))
    np.testing.assert_allclose(value(hxx), np.diag([6.0, 10.0]))
    np.testing.assert_allclose(value(hxy), np.diag([2.0, 4.0]))
    np.testing.assert_allclose(value(hyx), np.diag([2.0, 4.0]))
    np.testing.assert_allclose(value(hyy), np.zeros((2, 2)))


# ---- composition, dtypes, interfaces --------------------------------------------------------
def test_create_graph_composes_a_hessian_from_jacobians() -> None:
    def grad_f(z: Any) -> Any:
        return autograd.vjp(rosenbrock, z, arr([1.0]), create_graph=True)[1]

    x = np.array([0.3, -1.2, 0.8])
    h = autograd.jacobian(grad_f, arr(x))
    np.testing.assert_allclose(value(h), rosenbrock_hessian(x), rtol=1e-12)


def test_third_derivative_through_a_hessian_with_create_graph() -> None:
    # d/dx of the Hessian of sum(x^4) is diag-of-diag 24 x.
    x = arr([1.0, 2.0])
    t = autograd.jacobian(lambda z: autograd.hessian(lambda u: (u**4).sum(), z, create_graph=True), x)
    expected = np.zeros((2, 2, 2))
    expected[0, 0, 0], expected[1, 1, 1] = 24.0, 48.0
    np.testing.assert_allclose(value(t), expected)


def test_an_intermediate_input_with_create_graph_stays_connected() -> None:
    x = arr([1.0, 2.0])
    x.attach_grad()
    with autograd.record():
        h = x * x
        j = autograd.jacobian(lambda z: z**3, h, create_graph=True)  # 3 h^2 on the diagonal
        total = j.sum()
    total.backward()  # d/dx of 3 h^2 = 6 h * 2x, with h = x^2
    np.testing.assert_allclose(value(x.grad), [12.0, 96.0])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dtypes_are_kept(dtype: Any) -> None:
    x = arr(X0, dtype)
    assert autograd.jacobian(nd.tanh, x).dtype == dtype
    assert autograd.hessian(lambda z: (z**3).sum(), x).dtype == dtype
    assert autograd.jvp(nd.tanh, x, arr(X0, dtype))[1].dtype == dtype
    assert autograd.hvp(lambda z: (z**3).sum(), x, arr(X0, dtype))[1].dtype == dtype


def test_np_arrays_give_np_arrays() -> None:
    x = tnp.array([1.0, 2.0, 3.0])
    j = autograd.jacobian(tnp.sin, x)
    assert isinstance(j, tnp.ndarray) and j.shape == (3, 3)
    h = autograd.hessian(lambda z: (z**3).sum(), x)
    assert isinstance(h, tnp.ndarray)
    np.testing.assert_allclose(value(h), np.diag(6 * np.array([1.0, 2.0, 3.0])), rtol=1e-6)
    y, hv = autograd.hvp(lambda z: (z**3).sum(), x, tnp.ones(3))
    assert y.shape == () and isinstance(hv, tnp.ndarray)


# ---- a tall Jacobian is built by columns ----------------------------------------------------
C = RNG.standard_normal((3, 4))


def tall(x: Any, y: Any) -> Any:
    """24 outputs of four inputs (two 2-vectors, broadcast), so the Jacobian is built a column
    at a time; `y` enters through a sum."""
    return nd.tanh(nd.broadcast_mul(x.reshape((2, 1, 1)), nd.array(C, dtype=x.dtype)) * y.sum())


def tall_np(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    return np.tanh(x.reshape(2, 1, 1) * C * y.sum())


def test_a_tall_jacobian_is_built_by_columns_and_matches_finite_differences(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import tape.functional

    def no_rows(*args: Any) -> Any:
        raise AssertionError("built by rows")

    monkeypatch.setattr(tape.functional, "_rows", no_rows)
    x, y = RNG.standard_normal(2), RNG.standard_normal(2)
    jx, jy = autograd.jacobian(tall, (arr(x), arr(y)))
    assert jx.shape == jy.shape == (2, 3, 4, 2)
    np.testing.assert_allclose(value(jx), fd_jacobian(lambda u: tall_np(u, y), x), rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(value(jy), fd_jacobian(lambda u: tall_np(x, u), y), rtol=1e-6, atol=1e-9)


def test_columns_and_rows_give_the_same_jacobian(monkeypatch: pytest.MonkeyPatch) -> None:
    import tape.functional

    x, y = arr(RNG.standard_normal(2)), arr(RNG.standard_normal(2))
    by_columns = [value(j) for j in autograd.jacobian(tall, (x, y))]
    monkeypatch.setattr(tape.functional, "COLUMN_COST", 10**9)
    by_rows = [value(j) for j in autograd.jacobian(tall, (x, y))]
    for c, r in zip(by_columns, by_rows, strict=True):
        np.testing.assert_allclose(c, r, rtol=1e-14, atol=1e-15)


def test_a_tall_jacobian_with_create_graph_differentiates_again() -> None:
    # f(x) = x0 * w (eight outputs of one input): J = w, and d(sum J * x0)/dx0 = sum w.
    w = arr(np.arange(1.0, 9.0))
    x = arr([3.0])
    x.attach_grad()
    with autograd.record():
        j = autograd.jacobian(lambda z: z**2 * w, x, create_graph=True)  # 2 x0 w, shape (8, 1)
        total = j.sum()
    total.backward()
    assert j.shape == (8, 1)
    np.testing.assert_allclose(value(j)[:, 0], 6.0 * np.arange(1.0, 9.0))
    np.testing.assert_allclose(value(x.grad), [2.0 * 36.0])


def test_a_tall_jacobian_keeps_float32_and_zeros_for_an_unused_input() -> None:
    x, unused = arr([1.0], np.float32), arr([2.0, 3.0], np.float32)
    jx, ju = autograd.jacobian(lambda a, b: nd.exp(a * nd.ones(12, dtype="float32")), (x, unused))
    assert jx.dtype == ju.dtype == np.float32 and ju.shape == (12, 2)
    np.testing.assert_allclose(value(jx), np.full((12, 1), np.e), rtol=1e-6)
    np.testing.assert_array_equal(value(ju), np.zeros((12, 2)))


# ---- no trace -------------------------------------------------------------------------------
def test_modes_marks_and_grad_buffers_are_left_as_they_were() -> None:
    x = arr([1.0, 2.0])
    x.attach_grad("add")
    x.grad[:] = 5
    with autograd.record(), autograd.predict_mode():
        autograd.jacobian(lambda z: nd.Dropout(z, 0.5) * z, x)  # predict mode: no dropout
        assert autograd.is_recording() and not autograd.is_training()
    assert not autograd.is_recording()
    np.testing.assert_array_equal(value(x.grad), [5.0, 5.0])
    assert x.grad_req == "add"
    plain = arr([1.0, 2.0])
    autograd.hessian(lambda z: (z**3).sum(), plain)
    assert plain.grad_req is None and plain.grad is None


def test_training_mode_is_the_callers() -> None:
    seen = []

    def f(z: Any) -> Any:
        seen.append(autograd.is_training())
        return z * 2

    autograd.jacobian(f, arr([1.0]))
    with autograd.train_mode():
        autograd.jacobian(f, arr([1.0]))
    assert seen == [False, True]


def test_results_without_create_graph_are_plain_writable_arrays() -> None:
    j = autograd.jacobian(nd.exp, arr([0.0, 1.0]))
    j[0, 0] = 7  # writable
    _, g = autograd.vjp(nd.exp, arr([0.0, 1.0]), arr([1.0, 1.0]))
    for result in (j, g):
        with pytest.raises(AutogradError, match="create_graph"):
            result.backward()


# ---- edges and errors -----------------------------------------------------------------------
def test_an_output_that_ignores_the_input_has_zero_derivatives() -> None:
    np.testing.assert_array_equal(
        value(autograd.jacobian(lambda z: arr([1.0, 2.0]), arr([3.0]))), np.zeros((2, 1))
    )
    np.testing.assert_array_equal(value(autograd.hvp(lambda z: arr([1.0]), arr([3.0]), arr([1.0]))[1]), [0.0])


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: autograd.jacobian(nd.exp, [1.0, 2.0]), TypeError, "input 1 must be an array"),
        (lambda: autograd.jacobian(nd.exp, nd.array([1, 2], dtype="int32")), TypeError, "int32"),
        (lambda: autograd.hessian(nd.exp, arr([1.0, 2.0])), ValueError, "size 1"),
        (lambda: autograd.vjp(nd.exp, arr([1.0, 2.0]), arr([1.0])), ValueError, "v has shape"),
        (
            lambda: autograd.jvp(lambda a, b: a * b, (arr([1.0]), arr([1.0])), (arr([1.0]),)),
            ValueError,
            "one v",
        ),
        (lambda: autograd.jacobian(lambda z: 3.0, arr([1.0])), TypeError, "f must return one array"),
        (lambda: autograd.jacobian(nd.exp, ()), ValueError, "at least one input"),
    ],
)
def test_wrong_arguments_are_named(call: Any, error: type[Exception], match: str) -> None:
    with pytest.raises(error, match=match):
        call()
