"""Matrix products with MXNet's `dot` semantics."""

from __future__ import annotations

import numpy as np

from .._graph import Primitive
from ..ndarray import NDArray
from .shape import reshape_op, transpose_op

__all__ = ["dot"]


def _dot2(a: np.ndarray, b: np.ndarray, transpose_a: bool, transpose_b: bool) -> np.ndarray:
    out: np.ndarray = np.dot(a.T if transpose_a else a, b.T if transpose_b else b)
    return out


# With A = op(a), B = op(b): dA = g B^T and dB = A^T g, transposed back where op transposed.
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


def dot(lhs: NDArray, rhs: NDArray, transpose_a: bool = False, transpose_b: bool = False) -> NDArray:
    """Contract the last axis of `lhs` with the first axis of `rhs`.

    `(2, 3, 4) . (4, 5) -> (2, 3, 5)`; two vectors give shape (1,). `transpose_a` and
    `transpose_b` reverse the axes of an input first.

    >>> from tape import nd
    >>> nd.dot(nd.array([[1, 2], [3, 4]]), nd.array([[1], [1]]))
    <BLANKLINE>
    [[3.]
     [7.]]
    <NDArray 2x1 @cpu(0)>
    >>> nd.dot(nd.ones((2, 3, 4)), nd.ones((4, 5))).shape
    (2, 3, 5)
    """
    if not isinstance(lhs, NDArray) or not isinstance(rhs, NDArray):
        raise TypeError("dot takes two NDArrays")
    a_shape = lhs.shape[::-1] if transpose_a else lhs.shape
    b_shape = rhs.shape[::-1] if transpose_b else rhs.shape
    if a_shape[-1] != b_shape[0]:
        raise ValueError(
            f"dot: the last axis of lhs {a_shape} must match the first axis of rhs {b_shape}"
        )
    if lhs.ndim == 2 and rhs.ndim == 2:
        return dot2_op(lhs, rhs, transpose_a=transpose_a, transpose_b=transpose_b)
    a = transpose_op(lhs, axes=None) if transpose_a and lhs.ndim > 1 else lhs
    b = transpose_op(rhs, axes=None) if transpose_b and rhs.ndim > 1 else rhs
    k = a_shape[-1]
    out = dot2_op(
        reshape_op(a, shape=(-1, k)),
        reshape_op(b, shape=(k, -1)),
        transpose_a=False,
        transpose_b=False,
    )
    return reshape_op(out, shape=a_shape[:-1] + b_shape[1:] or (1,))
