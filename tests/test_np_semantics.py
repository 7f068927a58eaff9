"""The semantics of `tape.np` (issue "tape.np and tape.npx"), one small test per behaviour:
the array class, dtypes, 0-d results and Python conversions, NumPy's signatures, indexing and
assignment, NumPy interoperation, and the autograd API with `np` arrays. `npx`, seeding and
argument errors are in tests/test_npx_semantics.py.
"""

from __future__ import annotations

from typing import Any

import numpy as onp
import pytest

import tape as mx
from tape import AutogradError, autograd, nd, np, npx


def _variable(values: Any) -> np.ndarray:
    x = np.array(values)
    x.attach_grad()
    return x


# ---- the array class -------------------------------------------------------------------------
def test_every_array_of_the_interface_is_an_np_ndarray() -> None:
    x = _variable([[1.0, -2.0], [3.0, 4.0]])
    with autograd.record():
        y = np.tanh(x) @ x.T + npx.relu(x)[0] - np.linalg.norm(x, axis=1).sum()
    y.backward()
    results = [x, y, x.grad, x[0, 1], x.sum(), x > 0, x.argmax(), np.random.normal(size=2)]
    results += [np.zeros(2), np.arange(3), npx.softmax(x), npx.topk(x), x.detach(), x.copy()]
    assert all(isinstance(r, np.ndarray) for r in results)
    assert not isinstance(nd.ones(2), np.ndarray)


def test_item_gives_a_python_scalar() -> None:
    value = np.array([1.5, 2.5]).sum().item()
    assert value == 4.0 and type(value) is float
    assert np.array([[7, 8]], dtype="int64").item(1) == 8


def test_asscalar_raises_an_attribute_error_naming_item() -> None:
    with pytest.raises(AttributeError, match=r"\.item\(\)"):
        np.array([1.0]).asscalar()  # type: ignore[operator]
    assert not hasattr(np.ones(1), "asscalar")


# ---- dtypes -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "make",
    [
        lambda: np.array([1, 2]),
        lambda: np.arange(4),
        lambda: np.ones(3),
        lambda: np.zeros((2, 2)),
        lambda: np.full(2, 7),
        lambda: np.linspace(0, 1, 3),
        lambda: np.eye(2),
        lambda: np.array(3),
        lambda: np.random.normal(0, 1, 2),
        lambda: np.random.uniform(size=2),
    ],
    ids=["array", "arange", "ones", "zeros", "full", "linspace", "eye", "number", "normal", "uniform"],
)
def test_float32_by_default(make: Any) -> None:
    assert make().dtype == onp.float32


@pytest.mark.parametrize("dtype", ["int64", "int32", "float64", "float16", "bool"])
def test_an_array_with_a_dtype_keeps_it(dtype: str) -> None:
    values = onp.array([1, 0, 1]).astype(dtype)
    assert np.array(values).dtype == dtype
    assert np.asarray(values).dtype == dtype
    assert np.array(np.array(values)).dtype == dtype


def test_dtype_argument_wins() -> None:
    assert np.array([1, 2], dtype="int32").dtype == onp.int32
    assert np.arange(3, dtype=np.int64).dtype == onp.int64
    assert np.ones(2, dtype=np.float64).dtype == onp.float64


def test_integer_exp_and_mean_are_float32() -> None:
    # MXNet truncates np.exp of an int array to ints; tape gives float32 on purpose.
    ints = np.array(onp.array([0, 1]))
    assert np.exp(ints).dtype == onp.float32
    assert np.mean(ints).dtype == onp.float32 and np.mean(ints).item() == 0.5


# ---- 0-d results and Python conversions --------------------------------------------------------
def test_full_reductions_and_integer_indexing_give_0d_arrays() -> None:
    x = np.arange(6).reshape(2, 3)
    for value in (x.sum(), np.mean(x), x.max(), np.prod(x), x.std(), x[1, 2], x[0][1], x.argmax()):
        assert isinstance(value, np.ndarray) and value.shape == ()
    assert np.dot(np.ones(3), np.ones(3)).shape == ()
    assert x[1].shape == (3,)


def test_python_conversions_of_size_one_arrays() -> None:
    assert float(np.array([2.5])) == 2.5
    assert int(np.array([[3.7]])) == 3
    assert bool(np.array(0.0)) is False and bool(np.array([1.0])) is True
    assert [10, 20, 30][int(np.array(1))] == 20


@pytest.mark.parametrize("convert", [float, int])
def test_number_conversions_of_larger_arrays_raise_type_error(convert: Any) -> None:
    with pytest.raises(TypeError, match="only size-1 arrays"):
        convert(np.ones(2))


def test_truth_value_of_a_larger_array_raises_value_error_naming_any_and_all() -> None:
    with pytest.raises(ValueError, match=r"a\.any\(\) or a\.all\(\)"):
        bool(np.ones(2))


def test_if_on_a_reduction_and_f_strings() -> None:
    b = np.array([1.0, -3.0])
    assert ("positive" if b.sum() > 0 else "negative") == "negative"
    assert f"{b.sum():.2f}" == "-2.00"
    assert f"{np.array(0.5)}" == "0.5" and f"loss {np.array([1.0, 2.0])}" == "loss [1. 2.]"
    assert repr(np.array([1.0, 2.0])) == "array([1., 2.])"
    assert repr(np.array([1, 2], dtype="int32")) == "array([1, 2], dtype=int32)"


# ---- NumPy's signatures -------------------------------------------------------------------------
def test_random_normal_takes_loc_scale_size() -> None:
    x = np.random.normal(10.0, 0.01, (200, 3))
    assert x.shape == (200, 3) and abs(x.mean().item() - 10) < 0.01
    assert np.random.normal().shape == ()


def test_reshape_takes_ints_or_a_tuple() -> None:
    x = np.arange(12)
    assert x.reshape(3, 4).shape == x.reshape((3, 4)).shape == x.reshape(-1, 4).shape == (3, 4)
    assert np.reshape(x, (2, -1)).shape == (2, 6)


@pytest.mark.parametrize("axis", [(0, 2), [0, 2], (-3, -1)], ids=str)
def test_axis_takes_an_int_a_tuple_or_a_list(axis: Any) -> None:
    x = np.arange(24).reshape(2, 3, 4)
    onp.testing.assert_array_equal(
        x.sum(axis=axis).asnumpy(), onp.arange(24).reshape(2, 3, 4).sum(axis=(0, 2))
    )
    assert x.sum(1).shape == (2, 4) and np.max(x, axis=-1).shape == (2, 3)


def test_keepdims_keeps_the_reduced_axes() -> None:
    x = np.ones((2, 3, 4))
    assert x.mean(axis=(0, 2), keepdims=True).shape == (1, 3, 1)
    assert np.sum(x, keepdims=True).shape == (1, 1, 1)


def test_out_writes_into_the_given_array() -> None:
    c, total = np.zeros(2), np.zeros(())
    assert np.add(np.ones(2), np.arange(2), out=c) is c and c.tolist() == [1.0, 2.0]
    assert np.sum(np.ones((2, 2)), out=total) is total and total.item() == 4.0


def test_comparisons_give_bool_arrays_and_are_never_recorded() -> None:
    x = _variable([1.0, 2.0, 3.0])
    with autograd.record():
        masks = [x > 1, x == 2, 2 <= x, np.less(x, 3), np.isfinite(x), ~(x > 1), (x > 1) & (x < 3)]
    for m in masks:
        assert m.dtype == onp.bool_ and m._node is None
    assert (x != 2).tolist() == [True, False, True]


def test_argmax_and_argmin_give_int64() -> None:
    x = np.array([[1.0, 5.0], [4.0, 3.0]])
    assert x.argmax().dtype == onp.int64 and x.argmax().item() == 1
    onp.testing.assert_array_equal(np.argmin(x, axis=1).asnumpy(), [0, 1])


# ---- indexing and assignment ---------------------------------------------------------------------
def test_item_assignment_writes_in_place() -> None:
    X = np.arange(12).reshape(3, 4)
    X[1, 2] = 9
    X[0] = np.array([4.0, 3.0, 2.0, 1.0])
    X[:, -1] = 0
    onp.testing.assert_array_equal(X.asnumpy(), [[4, 3, 2, 0], [4, 5, 9, 0], [8, 9, 10, 0]])


def test_slice_assignment_and_augmented_assignment_keep_the_same_object() -> None:
    X, Y = np.arange(4), np.ones(4)
    before = id(X)
    X[:] = X + Y
    X += Y
    X *= 2
    assert id(X) == before
    onp.testing.assert_array_equal(X.asnumpy(), [4, 6, 8, 10])


def test_index_arrays_made_by_np_array_are_float32_and_still_index() -> None:
    idx = np.array([0, 2])
    assert idx.dtype == onp.float32
    X = np.arange(12).reshape(3, 4)
    onp.testing.assert_array_equal(X[idx].asnumpy(), [[0, 1, 2, 3], [8, 9, 10, 11]])
    onp.testing.assert_array_equal(X[idx, np.array([1, 3])].asnumpy(), [1, 11])
    X[idx] = 0
    assert X.sum().item() == 4 + 5 + 6 + 7
    assert npx.pick(np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([1, 0])).tolist() == [2.0, 3.0]


def test_advanced_indexing_and_masks_match_numpy() -> None:
    values = onp.arange(12.0).reshape(3, 4)
    X = np.array(values)
    onp.testing.assert_array_equal(X[range(3), [0, 3, 1]].asnumpy(), values[range(3), [0, 3, 1]])
    onp.testing.assert_array_equal(X[[0, 0, 2]].asnumpy(), values[[0, 0, 2]])
    onp.testing.assert_array_equal(X[X > 6].asnumpy(), values[values > 6])
    X[X > 6] = -1
    assert (X == -1).sum().item() == 5


def test_the_issue_example_cross_entropy_indexes_with_a_range() -> None:
    y_hat = np.array([[0.1, 0.3, 0.6], [0.3, 0.2, 0.5]])
    y = np.array([0, 2])
    onp.testing.assert_allclose(
        (-np.log(y_hat[range(len(y_hat)), y])).asnumpy(), -onp.log([0.1, 0.5]), rtol=1e-6
    )


def test_indexing_gradients_add_up_over_repeated_positions() -> None:
    x = _variable([1.0, 2.0, 3.0])
    with autograd.record():
        y = x[[0, 0, 2]].sum() + x[x > 1.5].sum() + x[np.array([2])].sum()
    y.backward()
    onp.testing.assert_array_equal(x.grad.asnumpy(), [2, 1, 3])


def test_assignment_into_an_array_in_a_graph_inside_record_raises() -> None:
    x = _variable([1.0, 2.0])
    with autograd.record(), pytest.raises(AutogradError, match="in-place"):
        x[0] = 5


# ---- NumPy interoperation -------------------------------------------------------------------------
def test_numpy_asarray_and_asnumpy_give_copies() -> None:
    a = np.array([1.0, 2.0])
    for copy in (onp.asarray(a), onp.array(a), a.asnumpy()):
        assert type(copy) is onp.ndarray
        copy[0] = 100
    assert a.tolist() == [1.0, 2.0]
    assert np.asarray(a) is a


def test_numpy_functions_work_on_tape_arrays_outside_record() -> None:
    a = np.array([0.0, 1.0])
    for result in (onp.exp(a), onp.sum(a), onp.mean(a), onp.concatenate([a, a]), onp.linalg.norm(a)):
        assert isinstance(result, np.ndarray)
    onp.testing.assert_allclose(onp.exp(a).asnumpy(), [1, onp.e], rtol=1e-6)
    assert onp.shape(a) == (2,) and onp.linalg.svd(np.eye(2)).S.tolist() == [1.0, 1.0]
    out = onp.zeros(2, dtype="float32")
    assert onp.exp(a, out=out) is out and out[0] == 1


@pytest.mark.parametrize(
    ("call", "use"),
    [
        (lambda a: onp.exp(a), "tape.np.exp"),
        (lambda a: onp.sum(a, axis=0), "tape.np.sum"),
        (lambda a: onp.linalg.norm(a), "tape.np.linalg.norm"),
        (lambda a: onp.sort(a), "tape.np has no sort"),
    ],
    ids=["exp", "sum", "linalg.norm", "sort"],
)
def test_numpy_functions_inside_record_raise_naming_the_tape_function(call: Any, use: str) -> None:
    a = _variable([1.0, 2.0])
    with autograd.record(), pytest.raises(AutogradError, match=use):
        call(a)
    with autograd.record():
        call(a.detach())  # what does not need a gradient may use NumPy


def test_numpy_out_cannot_be_a_tape_array() -> None:
    with pytest.raises(TypeError, match=r"tape\.np\.exp\(\.\.\., out=\)"):
        onp.exp(np.ones(2), out=np.zeros(2))


def test_numpy_array_times_a_tape_array_is_recorded() -> None:
    a = _variable([1.0, 2.0])
    with autograd.record():
        y = (onp.array([2.0, 3.0]) * a + onp.array([1.0, 1.0]) / a).sum()
    assert isinstance(y, np.ndarray)
    y.backward()
    onp.testing.assert_allclose(a.grad.asnumpy(), [2 - 1, 3 - 1 / 4])


# ---- nd and np, both ways --------------------------------------------------------------------------
def test_as_np_ndarray_shares_memory_and_gradients_flow_through() -> None:
    x = nd.array([1.0, 2.0])
    x.attach_grad()
    with autograd.record():
        y = (x.as_np_ndarray() ** 2).sum()
    assert isinstance(y, np.ndarray) and y.shape == ()
    y.backward()
    assert type(x.grad) is nd.NDArray
    onp.testing.assert_array_equal(x.grad.asnumpy(), [2, 4])
    view = x.as_np_ndarray()
    view[0] = 7
    assert x.asnumpy()[0] == 7


def test_as_nd_ndarray_shares_memory_and_gradients_flow_through() -> None:
    z = _variable([1.0, 2.0])
    with autograd.record():
        w = nd.sum(z.as_nd_ndarray() ** 3)
    assert type(w) is nd.NDArray and w.shape == (1,)
    w.backward()
    assert isinstance(z.grad, np.ndarray)
    onp.testing.assert_array_equal(z.grad.asnumpy(), [3, 12])
    assert (z.as_nd_ndarray().as_np_ndarray() == z).all()


# ---- the autograd API with np arrays ----------------------------------------------------------------
def test_attach_grad_gives_a_zero_np_gradient_buffer() -> None:
    x = np.array([[1.0, 2.0]])
    assert x.grad is None
    x.attach_grad()
    assert isinstance(x.grad, np.ndarray) and x.grad.shape == (1, 2) and x.grad.dtype == onp.float32
    assert x.grad.sum().item() == 0


def test_the_issue_example_dot_and_control_flow() -> None:
    x = np.arange(4.0)
    x.attach_grad()
    with autograd.record():
        y = 2 * np.dot(x, x)
    assert y.shape == ()
    y.backward()
    assert (x.grad == 4 * x).all()

    def f(a: np.ndarray) -> np.ndarray:
        b = a * 2
        while np.linalg.norm(b) < 1000:
            b = b * 2
        return b if b.sum() > 0 else 100 * b

    npx.random.seed(1)
    a = np.random.normal()
    a.attach_grad()
    with autograd.record():
        d = f(a)
    d.backward()
    assert a.shape == () and bool(a.grad == d / a)


def test_backward_with_a_head_gradient() -> None:
    x = _variable([1.0, 2.0])
    with autograd.record():
        y = x * x
    y.backward(np.array([1.0, 10.0]))
    onp.testing.assert_array_equal(x.grad.asnumpy(), [2, 40])
    with autograd.record():
        z = x * 3
    autograd.backward([z], [np.array([1.0, -1.0])])
    onp.testing.assert_array_equal(x.grad.asnumpy(), [3, -3])


def test_detach_stops_the_gradient() -> None:
    x = _variable([1.0, 2.0])
    with autograd.record():
        u = x.detach() * x
    u.backward()
    assert isinstance(x.detach(), np.ndarray)
    onp.testing.assert_array_equal(x.grad.asnumpy(), [1, 2])


def test_record_pause_train_mode_and_predict_mode() -> None:
    x = _variable([1.0, 2.0])
    with autograd.record():
        assert autograd.is_recording() and autograd.is_training()
        y = np.exp(x)
        with autograd.pause():
            assert not autograd.is_recording()
            untaped = np.exp(x)
        with autograd.predict_mode():
            assert not autograd.is_training()
    with autograd.train_mode():
        assert autograd.is_training()
    assert y._node is not None and untaped._node is None


def test_grad_with_create_graph_gives_np_arrays_to_differentiate_again() -> None:
    x = _variable([0.5, 1.0])
    with autograd.record():
        y = np.sin(x).sum()
        (first,) = autograd.grad(y, [x], create_graph=True)
        (second,) = autograd.grad(first.sum(), [x], create_graph=True)
        third = second.sum()
    third.backward()
    assert isinstance(first, np.ndarray) and isinstance(second, np.ndarray)
    values = onp.array([0.5, 1.0], dtype="float32")
    onp.testing.assert_allclose(first.asnumpy(), onp.cos(values), rtol=1e-6)
    onp.testing.assert_allclose(second.asnumpy(), -onp.sin(values), rtol=1e-6)
    onp.testing.assert_allclose(x.grad.asnumpy(), -onp.cos(values), rtol=1e-6)


def test_grad_of_a_variable_has_the_variable_class_when_nd_and_np_mix() -> None:
    z = _variable([1.0, 2.0])
    with autograd.record():
        y = nd.sum(nd.power(1.5, z.as_nd_ndarray())).as_np_ndarray()
        (g,) = autograd.grad(y, [z], create_graph=True)
    assert isinstance(g, np.ndarray)


def test_third_derivatives_through_np_functions() -> None:
    # exp(|x|^2) through indexing, norm, power and a reduction; against the formula.
    x = _variable([0.2, -0.4])
    with autograd.record():
        y = np.exp(np.linalg.norm(x[None, :], axis=1) ** 2).sum()  # exp(|x|^2)
        (g,) = autograd.grad(y, [x], create_graph=True)
        (h,) = autograd.grad(g[0], [x], create_graph=True)
        (t,) = autograd.grad(h[0], [x])
    v = onp.array([0.2, -0.4])
    e = onp.exp(v @ v)
    want = e * onp.array([8 * v[0] ** 3 + 12 * v[0], 8 * v[0] ** 2 * v[1] + 4 * v[1]])
    onp.testing.assert_allclose(t.asnumpy(), want, rtol=1e-5)


def test_import_tape_as_mx() -> None:
    assert mx.np is np and mx.npx is npx and mx.autograd is autograd
    assert isinstance(mx.np.ones(2), mx.np.ndarray)
