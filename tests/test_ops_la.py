"""nd.linalg: values against MXNet 1.9.1 (its results written here as literals), batches,
argument errors, and derivatives to second order against finite differences."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from tape import autograd, nd
from tape.testing import check_grads

SPD = np.array([[4.0, 2, 0.6], [2, 5, 1.5], [0.6, 1.5, 3]])  # symmetric positive definite
FACTOR = np.linalg.cholesky(SPD)  # lower triangular, positive diagonal
A23 = np.array([[1.0, 2, 3], [4, 5, 6]])
B32 = np.array([[1.0, -1], [0.5, 2], [3, 0.25]])
T = np.array([[2.0, 9, 9], [1, 3, 9], [-1, 0.5, 4]])  # its triangles are invertible; T itself too
C22 = np.array([[1.0, 0.5], [0.5, 2.0]])


def _f64(*arrays: np.ndarray) -> list[nd.NDArray]:
    return [nd.array(a, dtype="float64") for a in arrays]


# op, its arrays, its parameters, and MXNet 1.9.1's result (float64, rounded to 6 places).
MXNET_VALUES: list[tuple[Any, tuple[np.ndarray, ...], dict[str, Any], Any]] = [
    (nd.linalg.gemm2, (A23, B32), {}, [[11.0, 3.75], [24.5, 7.5]]),
    (nd.linalg.gemm2, (A23, A23), {"transpose_b": True, "alpha": 2.0}, [[28.0, 64.0], [64.0, 154.0]]),
    (
        nd.linalg.gemm2,
        (B32, A23),
        {"transpose_a": True, "transpose_b": True, "alpha": -0.5},
        [[-5.5, -12.25], [-1.875, -3.75]],
    ),
    (nd.linalg.gemm, (A23, B32, C22), {"alpha": 2.0, "beta": -1.0}, [[21.0, 7.0], [48.5, 13.0]]),
    (nd.linalg.gemm, (B32, B32, C22), {"transpose_a": True, "beta": 0.5}, [[10.75, 1.0], [1.0, 6.0625]]),
    (nd.linalg.potrf, (SPD,), {}, [[2.0, 0.0, 0.0], [1.0, 2.0, 0.0], [0.3, 0.6, 1.596872]]),
    (
        nd.linalg.potri,
        (FACTOR,),
        {},
        [[0.3125, -0.125, 0.0], [-0.125, 0.285294, -0.117647], [0.0, -0.117647, 0.392157]],
    ),
    (nd.linalg.trsm, (T, B32), {}, [[0.5, -0.5], [0.0, 0.833333], [0.875, -0.166667]]),
    (
        nd.linalg.trsm,
        (T, B32),
        {"transpose": True, "alpha": 2.0},
        [[1.708333, -1.59375], [0.083333, 1.3125], [1.5, 0.125]],
    ),
    (
        nd.linalg.trsm,
        (T, B32.T),
        {"rightside": True, "lower": False},
        [[0.5, -1.333333, 2.625], [-0.5, 2.166667, -3.6875]],
    ),
    (
        nd.linalg.trsm,
        (T, B32.T),
        {"rightside": True, "transpose": True, "alpha": -1.5},
        [[-0.75, 0.0, -1.3125], [0.75, -1.25, 0.25]],
    ),
    (nd.linalg.trmm, (T, B32), {"alpha": 2.0}, [[4.0, -4.0], [5.0, 10.0], [22.5, 6.0]]),
    (
        nd.linalg.trmm,
        (T, B32),
        {"transpose": True, "lower": False},
        [[2.0, -2.0], [10.5, -3.0], [25.5, 10.0]],
    ),
    (
        nd.linalg.trmm,
        (T, B32.T),
        {"rightside": True, "transpose": True},
        [[2.0, 2.5, 11.25], [-2.0, 5.0, 3.0]],
    ),
    (nd.linalg.syrk, (A23,), {"alpha": 0.5}, [[7.0, 16.0], [16.0, 38.5]]),
    (
        nd.linalg.syrk,
        (A23,),
        {"transpose": True},
        [[17.0, 22.0, 27.0], [22.0, 29.0, 36.0], [27.0, 36.0, 45.0]],
    ),
    (nd.linalg.sumlogdiag, (SPD,), {}, [4.094345]),
    (
        nd.linalg.inverse,
        (T,),
        {},
        [[-0.106383, 0.446809, -0.765957], [0.184397, -0.241135, 0.12766], [-0.049645, 0.141844, 0.042553]],
    ),
    (nd.linalg.det, (T,), {}, [-70.5]),
    (nd.linalg.extractdiag, (T,), {"offset": 1}, [9.0, 9.0]),
    (nd.linalg.extractdiag, (T,), {"offset": -2}, [-1.0]),
    (
        nd.linalg.makediag,
        (np.array([1.0, 2]),),
        {"offset": -1},
        [[0.0, 0.0, 0.0], [1.0, 0.0, 0.0], [0.0, 2.0, 0.0]],
    ),
]


@pytest.mark.parametrize(
    ("op", "arrays", "params", "want"),
    MXNET_VALUES,
    ids=[f"{row[0].__name__}-{k}" for k, row in enumerate(MXNET_VALUES)],
)
def test_values_match_mxnet(
    op: Any, arrays: tuple[np.ndarray, ...], params: dict[str, Any], want: Any
) -> None:
    got = op(*_f64(*arrays), **params)
    np.testing.assert_allclose(got.asnumpy(), np.array(want), rtol=0, atol=1e-6)


def test_slogdet_gives_the_sign_and_the_log_of_the_absolute_determinant_as_mxnet() -> None:
    sign, logabsdet = nd.linalg.slogdet(*_f64(T))
    assert sign.shape == logabsdet.shape == (1,)
    assert sign.asscalar() == -1.0
    np.testing.assert_allclose(logabsdet.asnumpy(), [4.255613], atol=1e-6)  # MXNet's value


def test_potrf_gradient_is_mxnets_symmetric_one() -> None:
    # MXNet 1.9.1's gradient of sum(potrf(A) * W): symmetric, although only the lower triangle is read.
    a = nd.array(SPD, dtype="float64")
    a.attach_grad()
    weights = np.random.default_rng(7).uniform(-1, 1, (3, 3))
    with autograd.record():
        y = (nd.linalg.potrf(a) * nd.array(weights, dtype="float64")).sum()
    y.backward()
    want = [
        [0.155418, -0.087438, -0.327674],
        [-0.087438, -0.131358, 0.104805],
        [-0.327674, 0.104805, 0.186032],
    ]
    np.testing.assert_allclose(a.grad.asnumpy(), want, atol=1e-6)


def test_potrf_reads_the_lower_triangle_only() -> None:
    junk = np.tril(SPD) + np.triu(np.full((3, 3), 100.0), 1)
    np.testing.assert_array_equal(nd.linalg.potrf(*_f64(junk)).asnumpy(), np.linalg.cholesky(SPD))


@pytest.mark.parametrize("op", [nd.linalg.potri, nd.linalg.trmm, nd.linalg.trsm])
def test_triangular_ops_ignore_the_other_triangle_and_give_it_no_gradient(op: Any) -> None:
    junk = FACTOR + np.triu(np.full((3, 3), 7.0), 1)
    args = [nd.array(junk, dtype="float64"), *([] if op is nd.linalg.potri else _f64(B32))]
    clean = op(nd.array(FACTOR, dtype="float64"), *args[1:])
    args[0].attach_grad()
    with autograd.record():
        y = op(*args)
    y.backward()
    np.testing.assert_allclose(y.asnumpy(), clean.asnumpy(), rtol=1e-12)
    assert np.all(np.triu(args[0].grad.asnumpy(), 1) == 0)


@pytest.mark.parametrize(
    ("op", "shapes", "params"),
    [
        (nd.linalg.gemm2, [(2, 2, 3, 4), (2, 2, 4, 5)], {}),
        (nd.linalg.gemm, [(2, 3, 4), (2, 4, 5), (2, 3, 5)], {}),
        (nd.linalg.syrk, [(2, 3, 4)], {}),
        (nd.linalg.trsm, [(2, 3, 3), (2, 3, 4)], {}),
        (nd.linalg.trmm, [(2, 3, 3), (2, 4, 3)], {"rightside": True}),
        (nd.linalg.potri, [(2, 3, 3)], {}),
        (nd.linalg.inverse, [(2, 3, 3)], {}),
        (nd.linalg.det, [(2, 2, 3, 3)], {}),
        (nd.linalg.sumlogdiag, [(2, 3, 3)], {}),
        (nd.linalg.extractdiag, [(2, 3, 3)], {"offset": 1}),
        (nd.linalg.makediag, [(2, 2, 3)], {"offset": -1}),
    ],
)
def test_batches_are_matrix_by_matrix(op: Any, shapes: list[tuple[int, ...]], params: dict[str, Any]) -> None:
    rng = np.random.default_rng(3)
    arrays = [
        rng.uniform(0.5, 1.5, s) + (2 * np.eye(s[-1]) if k == 0 and s[-1] == s[-2] else 0)
        for k, s in enumerate(shapes)
    ]
    got = op(*_f64(*arrays), **params).asnumpy()
    batch = shapes[0][:-2] if op is not nd.linalg.makediag else shapes[0][:-1]
    for index in np.ndindex(*batch):
        one = op(*_f64(*(a[index] for a in arrays)), **params).asnumpy()
        np.testing.assert_allclose(got[index], one.reshape(got[index].shape), rtol=1e-12)


def test_the_flat_names_are_the_namespace_ops() -> None:
    assert nd.linalg_gemm2 is nd.linalg.gemm2 and nd.linalg_potrf is nd.linalg.potrf
    assert nd.linalg_makediag is nd.linalg.makediag and nd.linalg_slogdet is nd.linalg.slogdet


def test_float32_stays_float32() -> None:
    x = nd.array(SPD)
    for result in (nd.linalg.potrf(x), nd.linalg.inverse(x), nd.linalg.det(x), nd.linalg.gemm2(x, x)):
        assert result.dtype == np.float32


# ---- argument errors -----------------------------------------------------------------------------
def test_potrf_of_a_matrix_that_is_not_positive_definite_says_so() -> None:
    with pytest.raises(ValueError, match=r"^nd\.linalg\.potrf: A is not positive definite"):
        nd.linalg.potrf(nd.array([[1.0, 2], [2, 1]]))


@pytest.mark.parametrize(
    "op",
    [
        nd.linalg.potrf,
        nd.linalg.potri,
        nd.linalg.inverse,
        nd.linalg.det,
        nd.linalg.sumlogdiag,
        nd.linalg.extractdiag,
    ],
)
def test_a_matrix_that_is_not_square_is_refused_naming_a(op: Any) -> None:
    with pytest.raises(
        ValueError, match=rf"^nd\.linalg\.{op.__name__}: A must hold square matrices.*\(2, 3\)"
    ):
        op(nd.ones((2, 3)))


def test_slogdet_of_a_matrix_that_is_not_square_is_refused() -> None:
    with pytest.raises(ValueError, match=r"^nd\.linalg\.slogdet: A must hold square matrices"):
        nd.linalg.slogdet(nd.ones((2, 3)))


def test_gemm2_with_different_inner_lengths_names_both_shapes() -> None:
    with pytest.raises(
        ValueError, match=r"^nd\.linalg\.gemm2: A \(2, 3\).*B \(2, 3\).*inner lengths 3 and 2"
    ):
        nd.linalg.gemm2(nd.ones((2, 3)), nd.ones((2, 3)))


def test_different_batch_axes_are_refused_not_broadcast() -> None:
    with pytest.raises(ValueError, match=r"^nd\.linalg\.gemm2: A and B must have the same batch axes"):
        nd.linalg.gemm2(nd.ones((2, 3, 4)), nd.ones((1, 4, 5)))
    with pytest.raises(ValueError, match=r"^nd\.linalg\.trsm: A and B must have the same number of axes"):
        nd.linalg.trsm(nd.ones((3, 3)), nd.ones((2, 3, 2)))


def test_gemm_with_c_of_another_shape_names_c() -> None:
    with pytest.raises(
        ValueError, match=r"^nd\.linalg\.gemm: C must have the shape of op\(A\) op\(B\), \(2, 2\)"
    ):
        nd.linalg.gemm(nd.ones((2, 3)), nd.ones((3, 2)), nd.ones((1, 2)))


def test_trsm_with_b_of_the_wrong_length_names_b() -> None:
    with pytest.raises(ValueError, match=r"^nd\.linalg\.trsm: B \(4, 2\) must have 3 rows"):
        nd.linalg.trsm(nd.eye(3), nd.ones((4, 2)))


def test_trsm_of_a_singular_triangle_says_so() -> None:
    with pytest.raises(ValueError, match=r"^nd\.linalg\.trsm: A is singular"):
        nd.linalg.trsm(nd.array([[1.0, 0], [1, 0]]), nd.ones((2, 1)))


def test_inverse_of_a_singular_matrix_says_so() -> None:
    with pytest.raises(ValueError, match=r"^nd\.linalg\.inverse: A is singular"):
        nd.linalg.inverse(nd.array([[1.0, 2], [2, 4]]))


def test_extractdiag_offset_out_of_range_is_refused() -> None:
    with pytest.raises(ValueError, match=r"^nd\.linalg\.extractdiag: offset 3 is out of range"):
        nd.linalg.extractdiag(nd.ones((3, 3)), offset=3)


def test_integer_arrays_and_string_flags_are_refused_by_name() -> None:
    with pytest.raises(TypeError, match=r"^nd\.linalg\.det: A must be an array of floats"):
        nd.linalg.det(nd.array([[1, 2], [3, 4]], dtype="int32"))
    with pytest.raises(TypeError, match=r"^nd\.linalg\.trsm: lower must be a bool, not str"):
        nd.linalg.trsm(nd.eye(2), nd.ones((2, 1)), lower="False")


# ---- derivatives ---------------------------------------------------------------------------------
def _x(shape: tuple[int, ...], seed: int) -> np.ndarray:
    return np.random.default_rng(seed).uniform(-1, 1, shape)


def _lower(shape: tuple[int, ...], seed: int) -> np.ndarray:
    """Lower triangular matrices with a diagonal in [1.5, 2.5]: well away from singular."""
    x = np.tril(_x(shape, seed), -1)
    return x + np.eye(shape[-1]) * (2 + 0.5 * _x(shape[:-1], seed + 1)[..., None])


def _spd(shape: tuple[int, ...], seed: int) -> np.ndarray:
    x = _x(shape, seed)
    return x @ x.swapaxes(-1, -2) + 2 * np.eye(shape[-1])


def _symmetric(x: nd.NDArray) -> nd.NDArray:
    """(x + x^T) / 2: a function of every entry whose value potrf reads wholly, so that finite
    differences see the symmetric derivative potrf gives."""
    return (x + nd.swapaxes(x, -1, -2)) * 0.5


# op, its arrays, its parameters, whether its first array is made symmetric first.
GRADIENTS: list[tuple[Any, tuple[np.ndarray, ...], dict[str, Any], bool]] = [
    (nd.linalg.gemm2, (_x((2, 3), 0), _x((3, 4), 1)), {"alpha": 1.5}, False),
    (
        nd.linalg.gemm2,
        (_x((2, 3, 2), 0), _x((2, 4, 3), 1)),
        {"transpose_a": True, "transpose_b": True},
        False,
    ),
    (
        nd.linalg.gemm,
        (_x((2, 3), 2), _x((2, 4), 3), _x((3, 4), 4)),
        {"transpose_a": True, "beta": -0.5},
        False,
    ),
    (nd.linalg.potrf, (_spd((3, 3), 5),), {}, True),
    (nd.linalg.potrf, (_spd((2, 3, 3), 6),), {}, True),
    (nd.linalg.potri, (_lower((3, 3), 7),), {}, False),
    (nd.linalg.potri, (_lower((2, 2, 2), 8),), {}, False),
    (nd.linalg.trsm, (_lower((3, 3), 9), _x((3, 2), 10)), {"alpha": 2.0}, False),
    (nd.linalg.trsm, (_lower((3, 3), 11), _x((3, 2), 12)), {"transpose": True}, False),
    (nd.linalg.trsm, (_lower((2, 3, 3), 13), _x((2, 2, 3), 14)), {"rightside": True}, False),
    (
        nd.linalg.trsm,
        (_lower((3, 3), 15).T, _x((2, 3), 16)),
        {"rightside": True, "transpose": True, "lower": False},
        False,
    ),
    (nd.linalg.trmm, (_x((3, 3), 17), _x((3, 2), 18)), {"alpha": -1.0}, False),
    (
        nd.linalg.trmm,
        (_x((2, 3, 3), 19), _x((2, 2, 3), 20)),
        {"rightside": True, "transpose": True, "lower": False},
        False,
    ),
    (nd.linalg.syrk, (_x((2, 3), 21),), {"alpha": 2.0}, False),
    (nd.linalg.syrk, (_x((2, 2, 3), 22),), {"transpose": True}, False),
    (nd.linalg.sumlogdiag, (_spd((2, 3, 3), 23),), {}, False),
    (nd.linalg.inverse, (_spd((3, 3), 24),), {}, False),
    (nd.linalg.det, (_x((2, 3, 3), 25),), {}, False),
    (nd.linalg.extractdiag, (_x((2, 3, 3), 26),), {"offset": -1}, False),
    (nd.linalg.makediag, (_x((2, 3), 27),), {"offset": 1}, False),
]


@pytest.mark.parametrize(
    ("op", "arrays", "params", "symmetric"),
    GRADIENTS,
    ids=[f"{row[0].__name__}-{k}" for k, row in enumerate(GRADIENTS)],
)
def test_derivatives_to_second_order(
    op: Any, arrays: tuple[np.ndarray, ...], params: dict[str, Any], symmetric: bool
) -> None:
    def f(first: nd.NDArray, *rest: nd.NDArray) -> nd.NDArray:
        return op(_symmetric(first) if symmetric else first, *rest, **params) ** 2  # squared: second order

    check_grads(f, *arrays, order=2, rtol=1e-4, atol=1e-6)


def test_slogdet_logabsdet_derivatives_to_second_order() -> None:
    check_grads(lambda a: nd.linalg_slogdet(a)[1] ** 2, _x((2, 3, 3), 28), order=2, rtol=1e-4, atol=1e-6)


def test_potrf_third_derivative() -> None:
    check_grads(
        lambda a: nd.linalg.potrf(_symmetric(a)) ** 2, _spd((2, 2), 29), order=3, rtol=1e-3, atol=1e-5
    )
