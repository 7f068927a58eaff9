"""Matrix products with MXNet's `dot` and `batch_dot` semantics, and matrix functions."""

from __future__ import annotations

import numpy as np

from .._args import array
from .._primitive import Primitive
from .._xp import linalg_raises
from ..creation import into
from ..errors import ArgumentError
from ..ndarray import NDArray
from .shape import reshape_op, transpose_op

__all__ = ["dot", "batch_dot"]


def _dot2(a: np.ndarray, b: np.ndarray, transpose_a: bool, transpose_b: bool) -> np.ndarray:
    out: np.ndarray = np.dot(a.T if transpose_a else a, b.T if transpose_b else b)
    return out


def _bdot(a: np.ndarray, b: np.ndarray, transpose_a: bool, transpose_b: bool) -> np.ndarray:
    out: np.ndarray = np.matmul(
        a.swapaxes(-1, -2) if transpose_a else a, b.swapaxes(-1, -2) if transpose_b else b
    )
    return out


# With A = op(a), B = op(b) and C = A B: dA = g B^T and dB = A^T g, each transposed back
# where op transposed. The same four lines serve dot (2-D) and batch_dot (per batch).
dot2_op: Primitive = Primitive(
    "dot",
    _dot2,
    lambda g, ans, a, b, transpose_a, transpose_b: (
        dot2_op(b, g, transpose_a=transpose_b, transpose_b=True)
        if transpose_a
        else dot2_op(g, b, transpose_a=False, transpose_b=not transpose_b)
    ),
    lambda g, ans, a, b, transpose_a, transpose_b: (
        dot2_op(g, a, transpose_a=True, transpose_b=transpose_a)
        if transpose_b
        else dot2_op(a, g, transpose_a=not transpose_a, transpose_b=False)
    ),
)
batch_dot_op: Primitive = Primitive(
    "batch_dot",
    _bdot,
    lambda g, ans, a, b, transpose_a, transpose_b: (
        batch_dot_op(b, g, transpose_a=transpose_b, transpose_b=True)
        if transpose_a
        else batch_dot_op(g, b, transpose_a=False, transpose_b=not transpose_b)
    ),
    lambda g, ans, a, b, transpose_a, transpose_b: (
        batch_dot_op(g, a, transpose_a=True, transpose_b=transpose_a)
        if transpose_b
        else batch_dot_op(a, g, transpose_a=not transpose_a, transpose_b=False)
    ),
)


def dot(
    lhs: NDArray,
    rhs: NDArray,
    transpose_a: bool = False,
    transpose_b: bool = False,
    *,
    out: NDArray | None = None,
) -> NDArray:
    """Contract the last axis of `lhs` with the first axis of `rhs`.

    `(2, 3, 4) . (4, 5) -> (2, 3, 5)`; two vectors give shape (1,). As in MXNet,
    `transpose_a` contracts the FIRST axis of `lhs` instead (the rest keep their order) and
    `transpose_b` the LAST axis of `rhs`; for matrices that is the usual transpose.

    >>> from tape import nd
    >>> nd.dot(nd.array([[1, 2], [3, 4]]), nd.array([[1], [1]]))
    <BLANKLINE>
    [[3.]
     [7.]]
    <NDArray 2x1 @cpu(0)>
    >>> nd.dot(nd.ones((2, 3, 4)), nd.ones((4, 5))).shape
    (2, 3, 5)
    >>> nd.dot(nd.ones((4, 2, 3)), nd.ones((5, 4)), transpose_a=True, transpose_b=True).shape
    (2, 3, 5)
    """
    if not isinstance(lhs, NDArray) or not isinstance(rhs, NDArray):
        lhs, rhs = array(lhs, "nd.dot", "lhs"), array(rhs, "nd.dot", "rhs")
    ls, rs = lhs._data.shape, rhs._data.shape  # (not the properties: this runs every step)
    if len(ls) == 2 and len(rs) == 2:
        if ls[0 if transpose_a else 1] != rs[1 if transpose_b else 0]:
            raise ArgumentError(_mismatch(lhs, rhs, transpose_a, transpose_b))
        result = dot2_op(lhs, rhs, transpose_a=transpose_a, transpose_b=transpose_b)
        return result if out is None else into(out, result, "nd.dot")
    # View both sides as matrices, the contracted axis on the inside, as MXNet does.
    if transpose_a:
        k, a_rest = lhs.shape[0], lhs.shape[1:]
        a = _matrix(lhs, (k, lhs.size // k))
    else:
        k, a_rest = lhs.shape[-1], lhs.shape[:-1]
        a = _matrix(lhs, (lhs.size // k, k))
    if transpose_b:
        kb, b_rest = rhs.shape[-1], rhs.shape[:-1]
        b = _matrix(rhs, (rhs.size // kb, kb))
    else:
        kb, b_rest = rhs.shape[0], rhs.shape[1:]
        b = _matrix(rhs, (kb, rhs.size // kb))
    if k != kb:
        raise ArgumentError(_mismatch(lhs, rhs, transpose_a, transpose_b))
    y = dot2_op(a, b, transpose_a=transpose_a, transpose_b=transpose_b)
    result = reshape_op(y, shape=a_rest + b_rest or (1,))
    return result if out is None else into(out, result, "nd.dot")


def _matrix(x: NDArray, shape: tuple[int, int]) -> NDArray:
    return x if x.shape == shape else reshape_op(x, shape=shape)


def _mismatch(lhs: NDArray, rhs: NDArray, transpose_a: bool, transpose_b: bool) -> str:
    return (
        f"nd.dot: cannot contract lhs of shape {lhs.shape} (transpose_a={transpose_a}) with rhs of "
        f"shape {rhs.shape} (transpose_b={transpose_b}): the contracted lengths differ"
    )


def batch_dot(
    lhs: NDArray,
    rhs: NDArray,
    transpose_a: bool = False,
    transpose_b: bool = False,
    *,
    out: NDArray | None = None,
) -> NDArray:
    """Matrix products batch by batch: `(B, n, m) . (B, m, k) -> (B, n, k)`.

    `transpose_a` / `transpose_b` transpose the last two axes of each matrix first; inputs
    with more leading batch axes work too, when those axes match.

    >>> from tape import nd
    >>> nd.batch_dot(nd.ones((2, 3, 4)), nd.ones((2, 4, 5))).shape
    (2, 3, 5)
    >>> nd.batch_dot(nd.ones((2, 4, 3)), nd.ones((2, 5, 4)), transpose_a=True, transpose_b=True).shape
    (2, 3, 5)
    """
    lhs, rhs = array(lhs, "nd.batch_dot", "lhs"), array(rhs, "nd.batch_dot", "rhs")
    if lhs.ndim < 3 or lhs.ndim != rhs.ndim or lhs.shape[:-2] != rhs.shape[:-2]:
        raise ArgumentError(
            f"nd.batch_dot needs two arrays of at least 3 dimensions with the same batch axes, got "
            f"{lhs.shape} and {rhs.shape}"
        )
    k = lhs.shape[-2] if transpose_a else lhs.shape[-1]
    kb = rhs.shape[-1] if transpose_b else rhs.shape[-2]
    if k != kb:
        raise ArgumentError(
            f"nd.batch_dot: lhs {lhs.shape} (transpose_a={transpose_a}) and rhs {rhs.shape} "
            f"(transpose_b={transpose_b}) have different inner lengths {k} and {kb}"
        )
    result = batch_dot_op(lhs, rhs, transpose_a=transpose_a, transpose_b=transpose_b)
    return result if out is None else into(out, result, "nd.batch_dot")


# ---- matrix functions (the `np.linalg` interface uses them; nd.linalg will too) -------------
def _last_two_swapped(ndim: int) -> tuple[int, ...]:
    return (*range(ndim - 2), ndim - 1, ndim - 2)


# d(A^-1) = -A^-1 dA A^-1, so the adjoint is -A^-T g A^-T (batch by batch).
def _inv(a: np.ndarray) -> np.ndarray:
    with linalg_raises(a):  # a singular matrix: NumPy's LinAlgError on a GPU too
        out: np.ndarray = np.linalg.inv(a)
    return out


inv_op: Primitive = Primitive(
    "inv",
    _inv,
    lambda g, ans, a: (
        -batch_dot_op(
            batch_dot_op(ans, g, transpose_a=True, transpose_b=False),
            ans,
            transpose_a=False,
            transpose_b=True,
        )
    ),
)
# d det(A) = det(A) tr(A^-1 dA), so the adjoint is g det(A) A^-T.
det_op: Primitive = Primitive(
    "det",
    np.linalg.det,
    lambda g, ans, a: (
        reshape_op(g * ans, shape=(*ans.shape, 1, 1))
        * transpose_op(inv_op(a), axes=_last_two_swapped(a.ndim))
    ),
)
