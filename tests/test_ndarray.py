"""NDArray basics the core relies on: printing, scalars, Python protocols, legacy shapes."""

from __future__ import annotations

import numpy as np
import pytest

from tape import nd


# ---- repr -------------------------------------------------------------------------------
def test_repr_of_a_matrix() -> None:
    x = nd.array([[1, 2, 3], [4, 5, 6]])
    assert repr(x) == "\n[[1. 2. 3.]\n [4. 5. 6.]]\n<NDArray 2x3 @cpu(0)>"


def test_repr_of_a_vector() -> None:
    assert repr(nd.array([0.5, 2])) == "\n[0.5 2. ]\n<NDArray 2 @cpu(0)>"


def test_str_is_repr() -> None:
    x = nd.ones((2, 1, 2))
    assert str(x) == repr(x)
    assert repr(x).endswith("<NDArray 2x1x2 @cpu(0)>")


# ---- scalars ----------------------------------------------------------------------------
def test_asscalar_of_a_size_one_array() -> None:
    value = nd.array([[2.5]]).asscalar()
    assert value == 2.5 and isinstance(value, np.float32)


def test_asscalar_of_a_bigger_array_raises() -> None:
    with pytest.raises(ValueError, match=r"size 1.*\(2,\)"):
        nd.array([1, 2]).asscalar()


def test_float_and_int_of_a_size_one_array() -> None:
    assert float(nd.array([2.5])) == 2.5
    assert int(nd.array([3.7])) == 3


def test_float_of_a_bigger_array_raises() -> None:
    with pytest.raises(ValueError, match="size 1"):
        float(nd.array([1, 2]))


# ---- Python protocols -------------------------------------------------------------------
def test_len_is_the_first_axis() -> None:
    assert len(nd.zeros((4, 2))) == 4


def test_iteration_yields_rows() -> None:
    rows = list(nd.array([[1, 2], [3, 4], [5, 6]]))
    assert len(rows) == 3
    assert [r.shape for r in rows] == [(2,)] * 3
    np.testing.assert_array_equal(rows[2].asnumpy(), [5.0, 6.0])


def test_iterating_a_vector_yields_shape_one_arrays() -> None:
    items = list(nd.array([7, 8]))
    assert [i.shape for i in items] == [(1,), (1,)]
    assert [float(i) for i in items] == [7.0, 8.0]


@pytest.mark.parametrize(("values", "expected"), [([0.0], False), ([2.0], True), ([[-1.0]], True)])
def test_bool_of_a_size_one_array_is_its_value(values: list[float], expected: bool) -> None:
    assert bool(nd.array(values)) is expected


def test_bool_of_an_empty_array_is_false() -> None:
    assert bool(nd.zeros((0,))) is False


def test_bool_of_a_bigger_array_raises() -> None:
    with pytest.raises(ValueError, match="ambiguous"):
        bool(nd.array([1, 1]))


def test_if_on_a_reduction_works() -> None:
    x = nd.array([1, 2])
    assert "big" == ("big" if x.sum() > 2 else "small")


# ---- comparisons ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("result", "expected"),
    [
        (nd.array([1, 2, 3]) == 2, [0.0, 1.0, 0.0]),
        (nd.array([1, 2, 3]) != 2, [1.0, 0.0, 1.0]),
        (nd.array([1, 2, 3]) < 2, [1.0, 0.0, 0.0]),
        (nd.array([1, 2, 3]) <= 2, [1.0, 1.0, 0.0]),
        (nd.array([1, 2, 3]) > nd.array([3, 2, 1]), [0.0, 0.0, 1.0]),
        (nd.array([1, 2, 3]) >= nd.array([3, 2, 1]), [0.0, 1.0, 1.0]),
        (2 < nd.array([1, 2, 3]), [0.0, 0.0, 1.0]),
    ],
)
def test_comparisons_give_float_zero_one_arrays(result: nd.NDArray, expected: list[float]) -> None:
    assert isinstance(result, nd.NDArray)
    assert result.dtype == np.float32
    np.testing.assert_array_equal(result.asnumpy(), expected)


def test_comparison_broadcasts() -> None:
    result = nd.array([[1], [2]]) == nd.array([1, 2])
    np.testing.assert_array_equal(result.asnumpy(), [[1.0, 0.0], [0.0, 1.0]])


def test_comparison_with_none_is_false_not_an_error() -> None:
    x = nd.array([1.0])
    assert (x == None) is False  # noqa: E711
    assert (x != None) is True  # noqa: E711


def test_arrays_are_hashable_by_identity() -> None:
    a, b = nd.array([1.0]), nd.array([1.0])
    assert len({a, b, a}) == 2


# ---- default dtype ----------------------------------------------------------------------
@pytest.mark.parametrize(
    "make",
    [
        lambda: nd.array([1, 2]),
        lambda: nd.array(np.array([1.5, 2.5], dtype=np.float64)),
        lambda: nd.array(np.array([1, 2], dtype=np.int64)),
        lambda: nd.array(3),
        lambda: nd.zeros((2,)),
        lambda: nd.ones(2),
        lambda: nd.arange(3),
        lambda: nd.full((2,), 7),
    ],
)
def test_creation_defaults_to_float32(make: object) -> None:
    assert make().dtype == np.float32  # type: ignore[operator]


def test_explicit_dtype_is_kept() -> None:
    assert nd.array([1, 2], dtype="int32").dtype == np.int32
    assert nd.zeros(2, dtype=np.float64).dtype == np.float64


def test_arithmetic_keeps_float32_with_python_scalars() -> None:
    x = nd.array([1, 2])
    for y in (x + 1, 2 * x, x / 3, x**2, 1.5 - x):
        assert y.dtype == np.float32


# ---- no 0-d results ---------------------------------------------------------------------
def test_nd_array_of_a_scalar_has_shape_one() -> None:
    assert nd.array(3).shape == (1,)


def test_integer_index_of_a_vector_has_shape_one() -> None:
    x = nd.array([1, 2, 3, 4])
    assert x[3].shape == (1,)
    assert float(x[3]) == 4.0


def test_two_integer_indices_of_a_matrix_have_shape_one() -> None:
    x = nd.array([[1, 2], [3, 4]])
    assert x[1, 1].shape == (1,)
    assert float(x[1, 1]) == 4.0


def test_dot_of_two_vectors_has_shape_one() -> None:
    d = nd.dot(nd.array([1, 2, 3]), nd.array([4, 5, 6]))
    assert d.shape == (1,)
    assert float(d) == 32.0


def test_full_reduction_has_shape_one() -> None:
    assert nd.array([[1, 2], [3, 4]]).sum().shape == (1,)


# ---- NumPy conversion -------------------------------------------------------------------
def test_np_array_of_an_ndarray_is_a_copy() -> None:
    x = nd.array([1, 2])
    values = np.array(x)
    values[0] = 100
    np.testing.assert_array_equal(x.asnumpy(), [1.0, 2.0])


def test_np_array_with_dtype_converts() -> None:
    values = np.array(nd.array([1.5]), dtype=np.float64)
    assert values.dtype == np.float64 and values[0] == 1.5


def test_np_asarray_gives_the_values() -> None:
    np.testing.assert_array_equal(np.asarray(nd.array([[1, 2]])), [[1.0, 2.0]])
