"""Deep Learning from Scratch 3 (DeZero): the book's milestones, run on tape.

DeZero's `Variable` and `x.grad` map to an attached NDArray; `y.backward(create_graph=True)`
maps to `autograd.grad(y, [x], create_graph=True)`.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pytest
from conftest import variable64

from tape import autograd, nd

Fn2 = Callable[[nd.NDArray, nd.NDArray], nd.NDArray]


def variable(value: float) -> nd.NDArray:
    """DeZero's Variable(np.array(value)): one float64 value, marked."""
    return variable64([value])


# ---- step 24: complex functions and their gradients at (1, 1) ------------------------------------
def sphere(x: nd.NDArray, y: nd.NDArray) -> nd.NDArray:
    return x**2 + y**2


def matyas(x: nd.NDArray, y: nd.NDArray) -> nd.NDArray:
    return 0.26 * (x**2 + y**2) - 0.48 * x * y


def goldstein(x: nd.NDArray, y: nd.NDArray) -> nd.NDArray:
    return (1 + (x + y + 1) ** 2 * (19 - 14 * x + 3 * x**2 - 14 * y + 6 * x * y + 3 * y**2)) * (
        30 + (2 * x - 3 * y) ** 2 * (18 - 32 * x + 12 * x**2 + 48 * y - 36 * x * y + 27 * y**2)
    )


@pytest.mark.parametrize(
    "f, value, grad",
    [
        (sphere, 2.0, (2.0, 2.0)),
        (matyas, 0.04, (0.04, 0.04)),
        (goldstein, 1876.0, (-5376.0, 8064.0)),
    ],
    ids=["sphere", "matyas", "goldstein-price"],
)
def test_step24_gradients_at_one_one(f: Fn2, value: float, grad: tuple[float, float]) -> None:
    x, y = variable(1.0), variable(1.0)
    with autograd.record():
        z = f(x, y)
    z.backward()
    assert z.asscalar() == pytest.approx(value, rel=1e-12)
    assert (x.grad.asscalar(), y.grad.asscalar()) == pytest.approx(grad, rel=1e-12)


# ---- step 27: Taylor series of sin, a loop that stops on a value ---------------------------------
def my_sin(x: nd.NDArray, threshold: float = 0.0001) -> nd.NDArray:
    y: nd.NDArray | int = 0
    for i in range(100000):
        c = (-1) ** i / math.factorial(2 * i + 1)
        t = c * x ** (2 * i + 1)
        y = y + t
        if abs(t.asscalar()) < threshold:
            break
    assert isinstance(y, nd.NDArray)
    return y


def test_step27_taylor_sin_and_its_gradient_match_sin_and_cos() -> None:
    x = variable(np.pi / 4)
    with autograd.record():
        y = my_sin(x)
    y.backward()
    # The truncated series: within the threshold of sin and cos, as the book prints.
    assert y.asscalar() == pytest.approx(np.sin(np.pi / 4), abs=1e-4)
    assert x.grad.asscalar() == pytest.approx(np.cos(np.pi / 4), abs=1e-4)
    assert y.asscalar() != np.sin(np.pi / 4)  # it is the series, not a library call


def test_step27_taylor_sin_with_tiny_threshold_is_exact() -> None:
    x = variable(np.pi / 4)
    with autograd.record():
        y = my_sin(x, threshold=1e-150)
    y.backward()
    assert y.asscalar() == pytest.approx(np.sin(np.pi / 4), rel=1e-15)
    assert x.grad.asscalar() == pytest.approx(np.cos(np.pi / 4), rel=1e-14)


# ---- step 28: Rosenbrock by gradient descent ---------------------------------------------------
def rosenbrock(x0: nd.NDArray, x1: nd.NDArray) -> nd.NDArray:
    return 100 * (x1 - x0**2) ** 2 + (1 - x0) ** 2


def test_step28_rosenbrock_gradient_at_start() -> None:
    x0, x1 = variable(0.0), variable(2.0)
    with autograd.record():
        y = rosenbrock(x0, x1)
    y.backward()
    assert (x0.grad.asscalar(), x1.grad.asscalar()) == (-2.0, 400.0)


def test_step28_rosenbrock_gradient_descent_approaches_minimum() -> None:
    x0, x1 = variable(0.0), variable(2.0)
    a0, a1 = 0.0, 2.0  # the same descent with the gradient written by hand
    lr = 0.001
    distances = []
    for i in range(10000):
        with autograd.record():
            y = rosenbrock(x0, x1)
        y.backward()
        x0[:] = x0 - lr * x0.grad  # DeZero: x0.data -= lr * x0.grad.data
        x1[:] = x1 - lr * x1.grad
        a0, a1 = a0 - lr * (-400 * a0 * (a1 - a0**2) - 2 * (1 - a0)), a1 - lr * 200 * (a1 - a0**2)
        if i in (999, 9999):
            distances.append(float(np.hypot(x0.asscalar() - 1, x1.asscalar() - 1)))
    np.testing.assert_allclose([x0.asscalar(), x1.asscalar()], [a0, a1], rtol=1e-9)
    assert distances[1] < distances[0] / 10 and distances[1] < 0.013


# ---- steps 29 and 33: second derivatives and Newton's method --------------------------------------
def f(x: nd.NDArray) -> nd.NDArray:
    return x**4 - 2 * x**2


def test_step33_derivatives_of_quartic_to_fifth_order() -> None:
    xs = [-1.5, 0.5, 1.0, 2.0]  # x = 0 is covered in test_higher_order (power at 0)
    x = nd.array(xs, dtype="float64")
    x.attach_grad()
    got = []
    with autograd.record():
        y = f(x)
        for _ in range(5):
            (y,) = autograd.grad(y, [x], create_graph=True)
            got.append(y.asnumpy())
    a = np.array(xs)
    closed = [4 * a**3 - 4 * a, 12 * a**2 - 4, 24 * a, np.full(4, 24.0), np.zeros(4)]
    for n, (g, c) in enumerate(zip(got, closed, strict=True), 1):
        np.testing.assert_allclose(g, c, rtol=1e-14, err_msg=f"order {n}")


def test_step33_newton_method_follows_the_book_iterates() -> None:
    x = variable(2.0)
    iterates = [x.asscalar()]
    for _ in range(10):
        with autograd.record():
            y = f(x)
            (gx,) = autograd.grad(y, [x], create_graph=True)
        (gx2,) = autograd.grad(gx, [x])
        x[:] = x - gx / gx2
        iterates.append(x.asscalar())
    np.testing.assert_allclose(
        iterates[:5],
        [2.0, 1.4545454545454546, 1.1510467893775467, 1.0253259289766978, 1.0009084519430513],
        rtol=1e-12,
    )
    assert iterates[-1] == pytest.approx(1.0, abs=1e-15)


def test_step29_newton_with_closed_form_second_derivative_agrees() -> None:
    # Step 29 writes f'' by hand; tape's automatic one must give the same iterates.
    auto, manual = variable(2.0), 2.0
    for _ in range(6):
        with autograd.record():
            (g,) = autograd.grad(f(auto), [auto], create_graph=True)
        (h,) = autograd.grad(g, [auto])
        auto[:] = auto - g / h
        manual -= (4 * manual**3 - 4 * manual) / (12 * manual**2 - 4)
        assert auto.asscalar() == pytest.approx(manual, rel=1e-14)


# ---- steps 34 and 35: repeated derivatives of sin and tanh on arrays ------------------------------
def test_step34_sin_third_derivative_on_a_grid() -> None:
    x = nd.array(np.linspace(-7, 7, 50), dtype="float64")
    x.attach_grad()
    with autograd.record():
        y = nd.sin(x)
        for _ in range(3):
            (y,) = autograd.grad(y, [x], create_graph=True)
    np.testing.assert_allclose(y.asnumpy(), -np.cos(x.asnumpy()), rtol=1e-12, atol=1e-15)


def test_step35_tanh_second_derivative_on_a_grid() -> None:
    x = nd.array(np.linspace(-3, 3, 25), dtype="float64")
    x.attach_grad()
    with autograd.record():
        (g,) = autograd.grad(nd.tanh(x), [x], create_graph=True)
        (h,) = autograd.grad(g, [x])
    t = np.tanh(x.asnumpy())
    np.testing.assert_allclose(h.asnumpy(), -2 * t * (1 - t**2), rtol=1e-12, atol=1e-15)


# ---- step 36: double backprop ------------------------------------------------------------------
def test_step36_double_backprop_gives_100() -> None:
    x = variable(2.0)
    with autograd.record():
        y = x**2
        (gx,) = autograd.grad(y, [x], create_graph=True)
        z = gx**3 + y
    z.backward()
    assert x.grad.asscalar() == 100.0
