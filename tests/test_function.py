"""Section 6 of the contract: custom autograd.Function."""

from __future__ import annotations

import gc
import weakref
from typing import Any

import numpy as np
import pytest
from conftest import variable

from tape import AutogradError, autograd, nd


class ScaledSquare(autograd.Function):
    """y = x**2 with a deliberately wrong gradient 100 * x: proves backward is the user's."""

    def forward(self, x: nd.NDArray) -> nd.NDArray:
        self.save_for_backward(x)
        return x * x

    def backward(self, dy: nd.NDArray) -> nd.NDArray:
        (x,) = self.saved_tensors
        return dy * x * 100


class MulAdd(autograd.Function):
    """Two inputs, two outputs: (a * b, a + b)."""

    def forward(self, a: nd.NDArray, b: nd.NDArray) -> tuple[nd.NDArray, nd.NDArray]:
        self.save_for_backward(a, b)
        return a * b, a + b

    def backward(self, d_prod: nd.NDArray, d_sum: nd.NDArray) -> tuple[nd.NDArray, nd.NDArray]:
        a, b = self.saved_tensors
        return d_prod * b + d_sum, d_prod * a + d_sum


class Returns(autograd.Function):
    """Identity whose backward returns whatever it was built with."""

    def __init__(self, result: Any) -> None:
        super().__init__()
        self.result = result

    def forward(self, *xs: nd.NDArray) -> nd.NDArray:
        return xs[0] * 1

    def backward(self, dy: nd.NDArray) -> Any:
        return self.result


def test_function_backward_is_used_not_a_derived_one() -> None:
    x = variable([1.0, 2.0])
    with autograd.record():
        y = ScaledSquare()(x)
    np.testing.assert_array_equal(y.asnumpy(), [1.0, 4.0])
    y.backward()
    np.testing.assert_array_equal(x.grad.asnumpy(), [100.0, 200.0])


def test_function_chains_with_ordinary_ops() -> None:
    x = variable([3.0])
    with autograd.record():
        y = ScaledSquare()(x * 2) + x
    y.backward()
    np.testing.assert_array_equal(x.grad.asnumpy(), [1201.0])


def test_forward_runs_with_recording_off() -> None:
    seen: list[bool] = []

    class Spy(autograd.Function):
        def forward(self, x: nd.NDArray) -> nd.NDArray:
            seen.append(autograd.is_recording())
            return x * 1

        def backward(self, dy: nd.NDArray) -> nd.NDArray:
            return dy

    with autograd.record():
        Spy()(variable([1.0]))
        assert autograd.is_recording()
    assert seen == [False]


def test_forward_keeps_training_mode() -> None:
    seen: list[bool] = []

    class Spy(autograd.Function):
        def forward(self, x: nd.NDArray) -> nd.NDArray:
            seen.append(autograd.is_training())
            return x * 1

        def backward(self, dy: nd.NDArray) -> nd.NDArray:
            return dy

    with autograd.record(train_mode=True):
        Spy()(variable([1.0]))
    with autograd.record(train_mode=False):
        Spy()(variable([1.0]))
    assert seen == [True, False]


def test_saved_tensors_come_back_in_backward() -> None:
    a, b = variable([2.0]), variable([5.0])
    fn = MulAdd()
    with autograd.record():
        p, s = fn(a, b)
    assert len(fn.saved_tensors) == 2
    np.testing.assert_array_equal(fn.saved_tensors[1].asnumpy(), [5.0])
    autograd.backward([p, s])
    np.testing.assert_array_equal(a.grad.asnumpy(), [6.0])
    np.testing.assert_array_equal(b.grad.asnumpy(), [3.0])


def test_multiple_outputs_with_only_one_used_gets_zeros_for_the_other() -> None:
    a, b = variable([2.0]), variable([5.0])
    with autograd.record():
        p, _ = MulAdd()(a, b)
    p.backward()
    np.testing.assert_array_equal(a.grad.asnumpy(), [5.0])
    np.testing.assert_array_equal(b.grad.asnumpy(), [2.0])


def test_multiple_outputs_used_downstream() -> None:
    a, b = variable([2.0]), variable([5.0])
    with autograd.record():
        p, s = MulAdd()(a, b)
        y = p * s  # a*b*(a+b)
    y.backward()
    np.testing.assert_array_equal(a.grad.asnumpy(), [45.0])  # 2ab + b^2
    np.testing.assert_array_equal(b.grad.asnumpy(), [24.0])  # a^2 + 2ab


def test_function_with_one_plain_input_only_fills_the_variable() -> None:
    a, b = variable([2.0]), nd.array([5.0])
    with autograd.record():
        p, _ = MulAdd()(a, b)
    p.backward()
    np.testing.assert_array_equal(a.grad.asnumpy(), [5.0])


def test_function_outside_record_is_not_taped() -> None:
    x = variable([1.0])
    y = ScaledSquare()(x)
    with pytest.raises(AutogradError, match="never recorded"):
        y.backward()


def test_second_call_of_one_instance_raises() -> None:
    fn = ScaledSquare()
    x = variable([1.0])
    with autograd.record():
        fn(x)
        with pytest.raises(AutogradError, match=r"already called.*new instance"):
            fn(x)


def test_add_grad_req_is_honoured() -> None:
    x = variable([1.0], grad_req="add")
    for _ in range(2):
        with autograd.record():
            y = ScaledSquare()(x)
        y.backward()
    np.testing.assert_array_equal(x.grad.asnumpy(), [200.0])


def test_null_grad_req_is_honoured() -> None:
    a, b = variable([2.0], grad_req="null"), variable([5.0])
    with autograd.record():
        p, _ = MulAdd()(a, b)
    p.backward()
    np.testing.assert_array_equal(a.grad.asnumpy(), [0.0])
    np.testing.assert_array_equal(b.grad.asnumpy(), [2.0])


def test_backward_returning_too_few_gradients_raises() -> None:
    a, b = variable([1.0]), variable([2.0])
    with autograd.record():
        y = Returns(nd.ones(1))(a, b)
    with pytest.raises(AutogradError, match="returned 1 gradients but forward took 2 inputs"):
        y.backward()


def test_backward_returning_too_many_gradients_raises() -> None:
    a = variable([1.0])
    with autograd.record():
        y = Returns((nd.ones(1), nd.ones(1)))(a)
    with pytest.raises(AutogradError, match="returned 2 gradients but forward took 1 inputs"):
        y.backward()


@pytest.mark.parametrize("bad", [np.ones(1), 1.0, None, [1.0]])
def test_backward_returning_a_non_ndarray_raises(bad: Any) -> None:
    a = variable([1.0])
    with autograd.record():
        y = Returns(bad)(a)
    with pytest.raises(AutogradError, match=r"Returns\.backward returned a \w+ as gradient 1.*NDArray"):
        y.backward()


def test_backward_returning_wrong_shape_raises() -> None:
    a = variable([1.0, 2.0])
    with autograd.record():
        y = Returns(nd.ones(3))(a)
    with pytest.raises(AutogradError, match=r"shape \(3,\) for an input of shape \(2,\)"):
        y.backward()


def test_forward_returning_a_non_ndarray_raises() -> None:
    class Bad(autograd.Function):
        def forward(self, x: nd.NDArray) -> Any:
            return x.asnumpy()

    with autograd.record(), pytest.raises(TypeError, match=r"Bad\.forward output 1 is not an NDArray"):
        Bad()(variable([1.0]))


def test_forward_returning_its_input_still_gets_its_own_node() -> None:
    class Identity(autograd.Function):
        def forward(self, x: nd.NDArray) -> nd.NDArray:
            return x

        def backward(self, dy: nd.NDArray) -> nd.NDArray:
            return dy * 3

    x = variable([1.0])
    with autograd.record():
        y = Identity()(x)
    assert y is not x
    y.backward()
    np.testing.assert_array_equal(x.grad.asnumpy(), [3.0])


def test_function_backward_is_recorded_with_create_graph() -> None:
    x = variable([3.0])
    with autograd.record():
        y = ScaledSquare()(x)
        (dy,) = autograd.grad(y, x, create_graph=True)  # 100 x, recorded through saved x
    np.testing.assert_array_equal(dy.asnumpy(), [300.0])
    (d2y,) = autograd.grad(dy, x)
    np.testing.assert_array_equal(d2y.asnumpy(), [100.0])


def test_saved_tensors_are_released_once_backward_frees_the_graph() -> None:
    x = variable([2.0])
    fn = ScaledSquare()
    with autograd.record():
        y = fn(x)
    saved = weakref.ref(fn)
    del fn
    gc.disable()
    try:
        assert saved() is not None  # the graph holds the instance and its saved tensors
        y.backward()
        assert saved() is None
    finally:
        gc.enable()


def test_unimplemented_forward_raises() -> None:
    with pytest.raises(NotImplementedError, match="forward"):
        autograd.Function()(nd.ones(1))
