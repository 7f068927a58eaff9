"""dot and batch_dot: MXNet's N-D and transpose semantics, second derivatives."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from tape import nd
from tape.testing import check_grads


def _x(shape: tuple[int, ...], seed: int) -> np.ndarray:
    return np.random.default_rng(seed).uniform(-1, 1, shape)


# lhs shape, rhs shape, transpose_a, transpose_b, NumPy reference
DOTS: list[tuple[tuple[int, ...], tuple[int, ...], bool, bool, Any]] = [
    ((2, 3), (3, 4), False, False, lambda a, b: a @ b),
    ((3, 2), (3, 4), True, False, lambda a, b: a.T @ b),
    ((2, 3), (4, 3), False, True, lambda a, b: a @ b.T),
    ((3, 2), (4, 3), True, True, lambda a, b: a.T @ b.T),
    ((3,), (3,), False, False, lambda a, b: np.dot(a, b).reshape(1)),
    ((2, 3), (3,), False, False, lambda a, b: a @ b),
    ((3,), (3, 4), False, False, lambda a, b: a @ b),
    ((2, 3, 4), (4, 5), False, False, lambda a, b: np.tensordot(a, b, axes=([2], [0]))),
    ((2, 3, 4), (4, 5, 2), False, False, lambda a, b: np.tensordot(a, b, axes=([2], [0]))),
    # MXNet: transpose_a contracts the FIRST axis of lhs, transpose_b the LAST of rhs.
    ((4, 2, 3), (4, 5), True, False, lambda a, b: np.tensordot(a, b, axes=([0], [0]))),
    ((2, 4), (5, 3, 4), False, True, lambda a, b: np.tensordot(a, b, axes=([1], [2]))),
    ((4, 2, 3), (5, 4), True, True, lambda a, b: np.tensordot(a, b, axes=([0], [1]))),
]


@pytest.mark.parametrize(
    ("sa", "sb", "ta", "tb", "ref"), DOTS, ids=[f"{d[0]}.{d[1]}-{d[2]}{d[3]}" for d in DOTS]
)
def test_dot_matches_numpy(sa: Any, sb: Any, ta: bool, tb: bool, ref: Any) -> None:
    a, b = _x(sa, 0), _x(sb, 1)
    got = nd.dot(nd.array(a, dtype="float64"), nd.array(b, dtype="float64"), transpose_a=ta, transpose_b=tb)
    np.testing.assert_allclose(got.asnumpy(), ref(a, b), rtol=1e-12)


@pytest.mark.parametrize(
    ("sa", "sb", "ta", "tb", "ref"), DOTS, ids=[f"{d[0]}.{d[1]}-{d[2]}{d[3]}" for d in DOTS]
)
def test_dot_derivatives_to_second_order(sa: Any, sb: Any, ta: bool, tb: bool, ref: Any) -> None:
    check_grads(lambda a, b: nd.dot(a, b, transpose_a=ta, transpose_b=tb) ** 2, _x(sa, 2), _x(sb, 3), order=2)


def test_dot_of_two_vectors_has_shape_one() -> None:
    assert nd.dot(nd.ones(3), nd.ones(3)).shape == (1,)


def test_dot_third_derivative() -> None:
    check_grads(lambda a, b: nd.dot(a, b) ** 3, _x((2, 3), 4), _x((3, 2), 5), order=3, rtol=1e-4, atol=1e-5)


def test_dot_with_mismatched_shapes_names_both() -> None:
    with pytest.raises(ValueError, match=r"\(2, 3\).*\(4, 5\)"):
        nd.dot(nd.ones((2, 3)), nd.ones((4, 5)))


def test_matmul_operator_is_dot() -> None:
    a, b = nd.array(_x((2, 3), 6)), nd.array(_x((3, 2), 7))
    np.testing.assert_array_equal((a @ b).asnumpy(), nd.dot(a, b).asnumpy())


@pytest.mark.parametrize(("ta", "tb"), [(False, False), (True, False), (False, True), (True, True)])
def test_batch_dot_matches_numpy_and_differentiates(ta: bool, tb: bool) -> None:
    a = _x((2, 4, 3) if ta else (2, 3, 4), 8)
    b = _x((2, 5, 4) if tb else (2, 4, 5), 9)
    want = np.matmul(a.swapaxes(1, 2) if ta else a, b.swapaxes(1, 2) if tb else b)
    got = nd.batch_dot(
        nd.array(a, dtype="float64"), nd.array(b, dtype="float64"), transpose_a=ta, transpose_b=tb
    )
    np.testing.assert_allclose(got.asnumpy(), want, rtol=1e-12)
    check_grads(lambda p, q: nd.batch_dot(p, q, transpose_a=ta, transpose_b=tb) ** 2, a, b, order=2)


def test_batch_dot_with_more_batch_axes() -> None:
    a, b = _x((2, 2, 3, 4), 10), _x((2, 2, 4, 1), 11)
    np.testing.assert_allclose(
        nd.batch_dot(nd.array(a, dtype="float64"), nd.array(b, dtype="float64")).asnumpy(), a @ b, rtol=1e-12
    )


def test_batch_dot_refuses_different_batches() -> None:
    with pytest.raises(ValueError, match="same batch axes"):
        nd.batch_dot(nd.ones((2, 3, 4)), nd.ones((3, 4, 5)))


def test_batch_dot_refuses_different_inner_lengths() -> None:
    with pytest.raises(ValueError, match="inner lengths 4 and 3"):
        nd.batch_dot(nd.ones((2, 3, 4)), nd.ones((2, 3, 5)))
