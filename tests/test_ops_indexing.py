"""take, pick, one_hot, where and x[key]: values against NumPy and second derivatives."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from tape import autograd, nd
from tape.testing import check_grads


def _x(shape: tuple[int, ...] = (3, 4), seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).uniform(-1, 1, shape)


def _cubed(f: Any) -> Any:
    return lambda *args: f(*args) ** 3


# ---- take -----------------------------------------------------------------------------------
@pytest.mark.parametrize("axis", [0, 1, -1])
def test_take_matches_numpy_and_differentiates(axis: int) -> None:
    x, idx = _x((3, 4, 3)), np.array([[0, 2], [1, 1]])
    got = nd.take(nd.array(x, dtype="float64"), nd.array(idx), axis=axis)
    np.testing.assert_array_equal(got.asnumpy(), np.take(x, idx, axis=axis))
    check_grads(_cubed(lambda a: nd.take(a, nd.array(idx), axis=axis)), x, order=2)


def test_take_adds_gradients_of_repeated_rows() -> None:
    w = nd.ones((3, 2))
    w.attach_grad()
    with autograd.record():
        y = nd.take(w, nd.array([0, 2, 0, 0]))
    y.backward()
    np.testing.assert_array_equal(w.grad.asnumpy(), [[3, 3], [0, 0], [1, 1]])


@pytest.mark.parametrize(("mode", "want"), [("clip", [0, 2, 2]), ("wrap", [2, 0, 1])])
def test_take_out_of_range_modes(mode: str, want: list[int]) -> None:
    got = nd.take(nd.array([10, 11, 12]), nd.array([-1, 3, 7]), mode=mode)
    np.testing.assert_array_equal(got.asnumpy(), np.array([10, 11, 12])[want])


def test_take_raise_mode_refuses_out_of_range() -> None:
    with pytest.raises(IndexError, match="out of range"):
        nd.take(nd.array([1, 2]), nd.array([5]), mode="raise")


# ---- pick -----------------------------------------------------------------------------------
def test_pick_selects_one_element_per_row() -> None:
    x = _x()
    idx = np.array([0, 3, 1])
    got = nd.pick(nd.array(x, dtype="float64"), nd.array(idx))
    np.testing.assert_array_equal(got.asnumpy(), x[np.arange(3), idx])


@pytest.mark.parametrize(("axis", "keepdims"), [(0, False), (1, True), (-1, False), (0, True)])
def test_pick_derivatives_to_second_order(axis: int, keepdims: bool) -> None:
    x = _x()
    n = x.shape[1 - axis % 2]
    idx = nd.array(np.arange(n) % x.shape[axis])
    check_grads(_cubed(lambda a: nd.pick(a, idx, axis=axis, keepdims=keepdims)), x, order=2)


def test_pick_keepdims_keeps_the_axis() -> None:
    assert nd.pick(nd.zeros((3, 4)), nd.array([0, 1, 2]), axis=1, keepdims=True).shape == (3, 1)


def test_pick_clips_or_wraps_indices() -> None:
    x = nd.array([[1, 2, 3]])
    assert nd.pick(x, nd.array([5])).asscalar() == 3
    assert nd.pick(x, nd.array([4]), mode="wrap").asscalar() == 2


def test_pick_with_a_wrong_index_shape_raises() -> None:
    with pytest.raises(ValueError, match=r"needs shape \(3,\)"):
        nd.pick(nd.zeros((3, 4)), nd.array([0, 1]))


def test_pick_method_matches_function() -> None:
    x = nd.array(_x())
    np.testing.assert_array_equal(
        x.pick(nd.array([1, 1, 0])).asnumpy(), nd.pick(x, nd.array([1, 1, 0])).asnumpy()
    )


# ---- one_hot --------------------------------------------------------------------------------
def test_one_hot_matches_an_identity_lookup() -> None:
    y = nd.one_hot(nd.array([[1, 0], [2, 2]]), 3)
    assert y.shape == (2, 2, 3) and y.dtype == np.float32
    np.testing.assert_array_equal(y.asnumpy(), np.eye(3)[[[1, 0], [2, 2]]])


def test_one_hot_values_dtype_and_out_of_range() -> None:
    y = nd.one_hot(nd.array([0, 5, -1]), 2, on_value=7, off_value=-1, dtype="int32")
    assert y.dtype == np.int32
    np.testing.assert_array_equal(y.asnumpy(), [[7, -1], [-1, -1], [-1, -1]])


def test_one_hot_method() -> None:
    np.testing.assert_array_equal(nd.array([1, 0]).one_hot(2).asnumpy(), [[0, 1], [1, 0]])


# ---- where ----------------------------------------------------------------------------------
def test_where_matches_numpy() -> None:
    c, x, y = np.array([[1, 0], [0, 1]]), _x((2, 2), 1), _x((2, 2), 2)
    got = nd.where(nd.array(c), nd.array(x, dtype="float64"), nd.array(y, dtype="float64"))
    np.testing.assert_array_equal(got.asnumpy(), np.where(c, x, y))


@pytest.mark.parametrize(
    ("c_shape", "x_shape", "y_shape"),
    [((3, 4), (3, 4), (3, 4)), ((3, 1), (1, 4), (3, 4)), ((1, 4), (3, 4), (3, 4)), ((3,), (3, 4), (3, 4))],
    ids=str,
)
def test_where_derivatives_to_second_order(c_shape: Any, x_shape: Any, y_shape: Any) -> None:
    cond = nd.array(np.random.default_rng(3).integers(0, 2, c_shape))
    check_grads(_cubed(lambda a, b: nd.where(cond, a, b)), _x(x_shape, 4), _x(y_shape, 5), order=2)


def test_where_with_a_row_condition_picks_rows_as_mxnet() -> None:
    got = nd.where(nd.array([1, 0]), nd.ones((2, 3)), nd.zeros((2, 3)))
    np.testing.assert_array_equal(got.asnumpy(), [[1, 1, 1], [0, 0, 0]])


def test_where_with_a_scalar_side() -> None:
    x = nd.array([-1.0, 2.0])
    x.attach_grad()
    with autograd.record():
        y = nd.where(x > 0, x, 0.0)
    y.backward()
    np.testing.assert_array_equal(y.asnumpy(), [0, 2])
    np.testing.assert_array_equal(x.grad.asnumpy(), [0, 1])


# ---- x[key] -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "key",
    [
        (1,),
        (slice(None), 2),
        (Ellipsis, slice(1, None, 2)),
        (None, 0),
        (np.array([0, 2, 0]),),
        (slice(None), np.array([3, 1])),
    ],
    ids=str,
)
def test_getitem_derivatives_to_second_order(key: Any) -> None:
    check_grads(_cubed(lambda a: a[key if len(key) > 1 else key[0]]), _x(), order=2)


# ---- bool masks select as in NumPy -----------------------------------------------------------
def _mask(values: list[bool]) -> nd.NDArray:
    return nd.array(values, dtype="bool")


def test_a_bool_array_index_selects_like_numpy() -> None:
    x = nd.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    np.testing.assert_array_equal(x[_mask([True, False, True])].asnumpy(), [[1, 2], [5, 6]])
    # A 2-D mask selects elements, flattened, as NumPy does.
    np.testing.assert_array_equal(x[(x > 2.5).astype("bool")].asnumpy(), [3, 4, 5, 6])


def test_the_gradient_of_a_bool_mask_scatters_back_to_the_selected_elements() -> None:
    x = nd.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], dtype="float64")
    mask = _mask([True, False, True])
    check_grads(lambda a: a[mask] ** 2, x, order=2)
    x.attach_grad()
    with autograd.record():
        y = (x[mask] * nd.array([[1.0, 2.0]], dtype="float64")).sum()
    y.backward()
    np.testing.assert_array_equal(x.grad.asnumpy(), [[1, 2], [0, 0], [1, 2]])


def test_assignment_through_a_bool_mask_writes_the_selected_elements() -> None:
    z = nd.array([1.0, 2.0, 3.0])
    z[_mask([True, False, True])] = 0
    np.testing.assert_array_equal(z.asnumpy(), [0, 2, 0])


def test_a_float_comparison_result_as_an_index_holds_positions_as_in_mxnet() -> None:
    # MXNet's comparisons give float 0/1 arrays, and a float index array holds positions;
    # the migration guide names the fix, `.astype('bool')`.
    x = nd.array([1.0, 2.0, 3.0])
    np.testing.assert_array_equal(x[x > 1.5].asnumpy(), [1, 2, 2])
    np.testing.assert_array_equal(x[(x > 1.5).astype("bool")].asnumpy(), [2, 3])
