"""tape.testing: numeric gradients and check_grads, the user's tool to verify derivatives."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from tape import autograd, nd, testing
from tape.testing import GradientMismatchError, check_grads, numeric_grad


# ---- custom Functions with deliberate mistakes at a chosen order ---------------------------
class WrongSquare(autograd.Function):
    """x * x whose backward forgets the factor 2: wrong at order 1."""

    def forward(self, x: nd.NDArray) -> nd.NDArray:
        self.save_for_backward(x)
        return x * x

    def backward(self, dy: nd.NDArray) -> nd.NDArray:
        (x,) = self.saved_tensors
        return dy * x


class FrozenSquare(autograd.Function):
    """x * x whose backward is right in value but detached: wrong at order 2."""

    def forward(self, x: nd.NDArray) -> nd.NDArray:
        self.save_for_backward(x)
        return x * x

    def backward(self, dy: nd.NDArray) -> nd.NDArray:
        (x,) = self.saved_tensors
        return dy * 2 * x.detach()


class HalfIdentity(autograd.Function):
    """The identity whose backward halves the gradient."""

    def forward(self, x: nd.NDArray) -> nd.NDArray:
        return x * 1

    def backward(self, dy: nd.NDArray) -> nd.NDArray:
        return dy * 0.5


class SquareViaHalf(autograd.Function):
    """x * x with backward 2 * HalfIdentity(x): right value, wrong derivative of the backward."""

    def forward(self, x: nd.NDArray) -> nd.NDArray:
        self.save_for_backward(x)
        return x * x

    def backward(self, dy: nd.NDArray) -> nd.NDArray:
        (x,) = self.saved_tensors
        return dy * 2 * HalfIdentity()(x)


class CubeViaSquare(autograd.Function):
    """x ** 3 with backward 3 * SquareViaHalf(x): right to order 2, wrong third derivative."""

    def forward(self, x: nd.NDArray) -> nd.NDArray:
        self.save_for_backward(x)
        return x * x * x

    def backward(self, dy: nd.NDArray) -> nd.NDArray:
        (x,) = self.saved_tensors
        return dy * 3 * SquareViaHalf()(x)


class Float32Grad(autograd.Function):
    """x * x whose backward returns a float32 gradient, losing float64 precision."""

    def forward(self, x: nd.NDArray) -> nd.NDArray:
        self.save_for_backward(x)
        return x * x

    def backward(self, dy: nd.NDArray) -> nd.NDArray:
        (x,) = self.saved_tensors
        return (dy * 2 * x).astype("float32")


# ---- numeric_grad ------------------------------------------------------------------------
def test_numeric_grad_gives_one_float64_array_per_argument_in_its_shape() -> None:
    x, w = nd.array([[1.0, 2.0], [3.0, 4.0]]), nd.array([[0.5], [-1.0]])
    gx, gw = numeric_grad(lambda x, w: nd.dot(x, w), x, w)
    assert gx.dtype == gw.dtype == np.float64
    np.testing.assert_allclose(gx, [[0.5, -1.0], [0.5, -1.0]], rtol=1e-8)
    np.testing.assert_allclose(gw, [[4.0], [6.0]], rtol=1e-8)


def test_numeric_grad_works_in_float64_for_float32_input() -> None:
    (g,) = numeric_grad(nd.exp, nd.array([1.0]))  # a float32 array
    assert abs(g[0] - np.e) < 1e-8


def test_numeric_grad_scales_its_step_with_large_values() -> None:
    (g,) = numeric_grad(lambda x: x * x, nd.array([1e8], dtype="float64"))
    assert abs(g[0] / 2e8 - 1) < 1e-8


def test_numeric_grad_accepts_numbers_and_lists() -> None:
    gx, gy = numeric_grad(lambda x, y: x * y, [2.0, 3.0], 4.0)
    np.testing.assert_allclose(gx, [4.0, 4.0], rtol=1e-8)
    np.testing.assert_allclose(gy, [5.0], rtol=1e-8)


# ---- check_grads on correct functions ------------------------------------------------------
def test_check_grads_passes_on_a_function_returning_a_matrix() -> None:
    x = np.random.default_rng(0).standard_normal((3, 4))
    check_grads(lambda x: nd.tanh(x) * nd.exp(x * 0.5), x, order=2)


def test_check_grads_passes_on_a_function_returning_a_list() -> None:
    check_grads(lambda x: [x * x, nd.sin(x)], nd.array([0.3, -1.2]), order=2)


def test_check_grads_passes_to_fourth_order() -> None:
    check_grads(lambda x, y: nd.sin(x) * y * y, nd.array([0.5, 1.5]), nd.array([2.0, -1.0]), order=4)


def test_check_grads_accepts_an_argument_the_function_ignores() -> None:
    check_grads(lambda x, unused: x * x, nd.array([1.0, 2.0]), nd.array([3.0]), order=2)


def test_check_grads_accepts_derivatives_that_become_constant() -> None:
    # The third derivative of x*y is identically zero and disconnected from x and y.
    check_grads(lambda x, y: x * y, nd.array([1.0, 2.0]), nd.array([3.0, -1.0]), order=3)


def test_check_grads_handles_large_values_with_default_tolerances() -> None:
    check_grads(lambda x: x**4, nd.array([1e3, -2e3], dtype="float64"), order=2)


def test_check_grads_leaves_its_arguments_untouched() -> None:
    x = nd.array([0.5, 1.5])
    check_grads(lambda x: x * x * x, x, order=2)
    assert x.dtype == np.float32 and x.grad is None
    np.testing.assert_array_equal(x.asnumpy(), [0.5, 1.5])


# ---- check_grads catches mistakes ---------------------------------------------------------
def test_check_grads_catches_a_wrong_backward_and_says_where() -> None:
    with pytest.raises(GradientMismatchError) as info:
        check_grads(lambda x: WrongSquare()(x), nd.array([1.0, 3.0]), order=1)
    e = info.value
    assert (e.order, e.argument, e.index) == (1, 1, (1,))  # the larger error is at x = 3
    assert e.tape == pytest.approx(3.0)
    assert e.numeric == pytest.approx(6.0, rel=1e-8)
    assert e.abs_error == pytest.approx(3.0, rel=1e-6)
    assert e.rel_error == pytest.approx(0.5, rel=1e-6)


def test_mismatch_message_names_order_argument_element_and_both_values() -> None:
    with pytest.raises(GradientMismatchError) as info:
        check_grads(lambda scale, x: scale * WrongSquare()(x), nd.array([2.0]), nd.array([1.0, 3.0]), order=1)
    msg = str(info.value)
    assert "order 1" in msg
    assert "argument 2 of 2 ('x')" in msg
    assert "index (1,)" in msg
    assert "tape    6\n" in msg and "numeric 12" in msg
    assert "abs error 6" in msg and "rel error 0.5" in msg
    assert "VJP is wrong" in msg


def test_check_grads_catches_a_backward_that_is_not_differentiable_at_order_2() -> None:
    check_grads(lambda x: FrozenSquare()(x), nd.array([1.0, 3.0]), order=1)
    with pytest.raises(GradientMismatchError, match=r"order 2 \(the gradient of <grad f, v1>") as info:
        check_grads(lambda x: FrozenSquare()(x), nd.array([1.0, 3.0]), order=2)
    assert info.value.order == 2 and info.value.tape == 0.0


def test_check_grads_catches_a_mistake_that_appears_only_at_order_3() -> None:
    f = lambda x: CubeViaSquare()(x)  # third derivative 3 instead of 6
    check_grads(f, nd.array([0.7, -1.3]), order=2)
    with pytest.raises(GradientMismatchError, match=r"<grad <grad f, v1>, v2>") as info:
        check_grads(f, nd.array([0.7, -1.3]), order=3)
    assert info.value.order == 3


def test_check_grads_catches_a_small_relative_error() -> None:
    # Tight float64 tolerances: a 1e-4 relative error in a gradient does not slip through.
    f = lambda x: x * x * x + (x * 1e-4 - nd.stop_gradient(x) * 1e-4) * nd.stop_gradient(3 * x * x)
    x = nd.array([1.0, 2.0])
    with pytest.raises(GradientMismatchError):
        check_grads(f, x, order=1)


def test_check_grads_reports_a_float32_gradient_for_float64_input() -> None:
    with pytest.raises(GradientMismatchError, match="dtype float32"):
        check_grads(lambda x: Float32Grad()(x), nd.array([1.0, 2.0]), order=1)


def test_check_grads_reports_a_discontinuity_as_a_mismatch() -> None:
    # floor(x * 1e7) jumps within eps of this point: the numeric slope is huge, tape's is 0.
    with pytest.raises(GradientMismatchError, match="kink"):
        check_grads(lambda x: nd.floor(x * 1e7), nd.array([0.5]), order=1)


# ---- training mode --------------------------------------------------------------------------
def test_check_grads_passes_on_dropout_in_predict_mode() -> None:
    with autograd.predict_mode():
        check_grads(lambda x: nd.Dropout(x) ** 2, nd.array([[0.5, -1.0, 2.0], [1.5, 0.3, -0.7]]))


@pytest.mark.parametrize(("scope", "training"), [(autograd.predict_mode, False), (autograd.train_mode, True)])
def test_check_grads_calls_f_in_the_callers_mode_on_both_sides(scope: Any, training: bool) -> None:
    seen: list[bool] = []

    def f(x: nd.NDArray) -> nd.NDArray:
        seen.append(autograd.is_training())
        return x * x * x

    with scope():
        check_grads(f, nd.array([1.0, 2.0]), order=2)
        assert autograd.is_training() is training  # and the caller's mode is left as it was
    assert set(seen) == {training}


# ---- misuse -------------------------------------------------------------------------------
def test_check_grads_rejects_an_order_below_one() -> None:
    with pytest.raises(ValueError, match="order must be 1 or more"):
        check_grads(nd.exp, nd.array([1.0]), order=0)


def test_check_grads_needs_an_argument() -> None:
    with pytest.raises(ValueError, match="at least one argument"):
        check_grads(lambda: nd.ones((1,)))


def test_check_grads_rejects_a_function_that_returns_a_number() -> None:
    with pytest.raises(TypeError, match="must return an NDArray"):
        check_grads(lambda x: float(x.sum().asscalar()), nd.array([1.0]))


def test_testing_is_reachable_from_the_package() -> None:
    assert testing.check_grads is check_grads and testing.numeric_grad is numeric_grad


def test_check_grads_takes_np_arrays_and_keeps_their_interface() -> None:
    from tape import np as tnp

    seen = []

    def f(x: Any, y: Any) -> Any:
        seen.append((type(x), type(y)))
        return tnp.dot(tnp.sin(x), y) * tnp.exp(x).sum()

    testing.check_grads(f, tnp.array([[0.3, -0.2]], dtype="float64"), tnp.array([1.0, 2.0]), order=2)
    assert set(seen) == {(tnp.ndarray, tnp.ndarray)}
    testing.check_grads(lambda x: tnp.sin(x) * x, tnp.array(0.5), order=2)  # 0-d stays 0-d
