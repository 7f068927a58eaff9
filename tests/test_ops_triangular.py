"""nd.linalg.extracttrian, maketrian and gelqf (and their flat names linalg_*).

Values against NumPy written here and literals from MXNet 1.9.1; derivatives against finite
differences to second order (the TRIANGULAR table).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from tape import nd
from tape.errors import ArgumentError
from tape.testing import check_grads

A3 = np.arange(1.0, 10.0).reshape(3, 3)
A4 = np.arange(16.0).reshape(4, 4)


def _x(shape: tuple[int, ...], seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).uniform(-1, 1, shape)


# ---- extracttrian and maketrian ---------------------------------------------------------------
@pytest.mark.parametrize(
    ("a", "params", "want"),
    [  # MXNet 1.9.1's results: a lower triangle row by row, an upper one column by column
        (A3, {}, [1, 4, 5, 7, 8, 9]),
        (A3, {"lower": False}, [1, 2, 5, 3, 6, 9]),
        (A3, {"offset": -1}, [4, 7, 8]),
        (A3, {"offset": 2}, [3]),
        (A3, {"offset": 1, "lower": False}, [2, 3, 6]),
        (A4, {"offset": 1}, [1, 2, 6, 3, 7, 11]),
    ],
)
def test_extracttrian_matches_mxnet(a: np.ndarray, params: dict[str, Any], want: list[float]) -> None:
    np.testing.assert_array_equal(nd.linalg.extracttrian(nd.array(a), **params).asnumpy(), want)


@pytest.mark.parametrize(
    ("params", "want"),
    [  # MXNet 1.9.1's results for [1, 2, 3, 4, 5, 6]
        ({}, [[1, 0, 0], [2, 3, 0], [4, 5, 6]]),
        ({"lower": False}, [[1, 2, 4], [0, 3, 5], [0, 0, 6]]),
        ({"offset": 1}, [[0, 1, 2, 4], [0, 0, 3, 5], [0, 0, 0, 6], [0, 0, 0, 0]]),
        ({"offset": -1}, [[0, 0, 0, 0], [1, 0, 0, 0], [2, 3, 0, 0], [4, 5, 6, 0]]),
    ],
)
def test_maketrian_matches_mxnet(params: dict[str, Any], want: list[list[float]]) -> None:
    np.testing.assert_array_equal(nd.linalg.maketrian(nd.arange(1, 7), **params).asnumpy(), want)


@pytest.mark.parametrize("params", [{}, {"lower": False}, {"offset": 2}, {"offset": -1}, {"offset": -3}])
def test_maketrian_inverts_extracttrian_over_a_batch(params: dict[str, Any]) -> None:
    a = _x((2, 3, 5, 5))
    packed = nd.linalg_extracttrian(nd.array(a, dtype="float64"), **params)
    k = params.get("offset", 0)
    lower = k < 0 or (k == 0 and params.get("lower", True))
    mask = np.tril(np.ones((5, 5)), k) if lower else np.triu(np.ones((5, 5)), k)
    assert packed.shape == (2, 3, int(mask.sum()))
    np.testing.assert_array_equal(nd.linalg_maketrian(packed, **params).asnumpy(), a * mask)


def test_packing_keeps_the_float_dtype() -> None:
    for dtype in ("float32", "float64"):
        a = nd.array(A3, dtype=dtype)
        assert nd.linalg.extracttrian(a).dtype == np.dtype(dtype)
        assert nd.linalg.maketrian(nd.linalg.extracttrian(a)).dtype == np.dtype(dtype)


# ---- gelqf ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("a", "q", "lower"),
    [  # MXNet 1.9.1's results (float64): LAPACK's signs
        (
            [[1.0, 2, 3], [4, 5, 6]],
            [[-0.26726124, -0.53452248, -0.80178373], [0.87287156, 0.21821789, -0.43643578]],
            [[-3.74165739, 0.0], [-8.55235974, 1.96396101]],
        ),
        (
            [[-1.0, 2, 3], [4, -5, 6]],
            [[-0.26726124, 0.53452248, 0.80178373], [0.49206783, -0.63968818, 0.5904814]],
            [[3.74165739, 0.0], [1.06904497, 8.70960061]],
        ),
        (
            [[-1.0, 2], [4, -5]],
            [[-0.4472136, 0.89442719], [0.89442719, 0.4472136]],
            [[2.23606798, 0.0], [-6.26099034, 1.34164079]],
        ),
    ],
)
def test_gelqf_matches_mxnet(a: Any, q: Any, lower: Any) -> None:
    got_q, got_l = nd.linalg.gelqf(nd.array(a, dtype="float64"))
    np.testing.assert_allclose(got_q.asnumpy(), q, atol=1e-8)
    np.testing.assert_allclose(got_l.asnumpy(), lower, atol=1e-8)


def test_gelqf_of_a_batch_factorises_each_matrix() -> None:
    a = _x((2, 3, 3, 5))
    q, lower = nd.linalg_gelqf(nd.array(a, dtype="float64"))
    assert q.shape == (2, 3, 3, 5) and lower.shape == (2, 3, 3, 3)
    q_, l_ = q.asnumpy(), lower.asnumpy()
    np.testing.assert_allclose(l_ @ q_, a, atol=1e-12)
    np.testing.assert_allclose(q_ @ q_.swapaxes(-1, -2), np.broadcast_to(np.eye(3), (2, 3, 3, 3)), atol=1e-12)
    np.testing.assert_array_equal(np.triu(l_, 1), 0)
    assert nd.linalg.gelqf(nd.array(a))[0].dtype == np.float32


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: nd.linalg.extracttrian(nd.ones((3, 4))), r"extracttrian: A must hold square matrices"),
        (
            lambda: nd.linalg.extracttrian(nd.ones((3, 3)), offset=3),
            r"extracttrian: offset 3 is out of range",
        ),
        (lambda: nd.linalg.extracttrian(nd.ones(3)), r"extracttrian: A must have at least 2 axes"),
        (lambda: nd.linalg.maketrian(nd.ones(4)), r"maketrian: the last axis of A must hold a triangle"),
        (lambda: nd.linalg.gelqf(nd.ones((3, 2))), r"gelqf: A must have no more rows than columns"),
    ],
)
def test_the_triangular_ops_refuse_arguments_naming_them(call: Any, message: str) -> None:
    with pytest.raises(ArgumentError, match=rf"^nd\.linalg\.{message}"):
        call()


def test_the_triangular_ops_refuse_integer_arrays_and_wrong_flags() -> None:
    with pytest.raises(TypeError, match=r"^nd\.linalg\.gelqf: A must be an array of floats"):
        nd.linalg.gelqf(nd.array([[1, 2]], dtype="int32"))
    with pytest.raises(TypeError, match=r"^nd\.linalg\.maketrian: lower must be a bool"):
        nd.linalg.maketrian(nd.ones(3), lower="yes")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"^nd\.linalg\.extracttrian: offset must be an int"):
        nd.linalg.extracttrian(nd.ones((2, 2)), offset=1.0)  # type: ignore[arg-type]


# ---- derivatives --------------------------------------------------------------------------------
def _lq_q(a: nd.NDArray) -> nd.NDArray:
    return nd.linalg_gelqf(a)[0] * nd.array(np.linspace(0.5, 1.5, a.size).reshape(a.shape))


def _lq_l(a: nd.NDArray) -> nd.NDArray:
    lower = nd.linalg_gelqf(a)[1]
    return lower * nd.array(np.linspace(0.5, 1.5, lower.size).reshape(lower.shape))


TRIANGULAR = [
    (nd.linalg_extracttrian, lambda a: nd.linalg_extracttrian(a, offset=-1) ** 2, ((2, 4, 4),)),
    (nd.linalg_extracttrian, lambda a: nd.linalg_extracttrian(a, lower=False) ** 2, ((3, 3),)),
    (nd.linalg_maketrian, lambda a: nd.linalg_maketrian(a, offset=1) ** 2, ((2, 6),)),
    (nd.linalg_maketrian, lambda a: nd.linalg_maketrian(a, lower=False) ** 2, ((3,),)),
    (nd.linalg_gelqf, lambda a: _lq_q(a) ** 2, ((2, 3, 4),)),
    (nd.linalg_gelqf, lambda a: _lq_l(a) ** 2, ((3, 5),)),
    (nd.linalg_gelqf, lambda a: _lq_q(a) * _lq_l(a)[..., :1], ((3, 3),)),
]


@pytest.mark.parametrize(("op", "f", "shapes"), TRIANGULAR)
def test_triangular_derivatives_to_second_order(op: Any, f: Any, shapes: tuple[tuple[int, ...], ...]) -> None:
    check_grads(f, *[_x(shape, seed) for seed, shape in enumerate(shapes)], order=2, rtol=1e-4, atol=1e-6)


def test_gelqf_third_derivative() -> None:
    check_grads(lambda a: [_lq_q(a) ** 2, _lq_l(a) ** 2], _x((2, 3), 7), order=3, rtol=1e-3, atol=1e-5)
