"""The logical tests (0/1 in the arrays' dtype, as MXNet; never recorded) and smooth_l1."""

from __future__ import annotations

from typing import Any

import numpy as np

from .._args import array, operand
from .._primitive import Primitive
from .._xp import is_array
from ..creation import into
from ..errors import ArgumentError
from ..ndarray import NDArray
from .shape import zeros_like_op

__all__ = ["logical_and", "logical_or", "logical_xor", "logical_not", "smooth_l1"]


# ---- logical ops --------------------------------------------------------------------------------
def _logical(f: Any) -> Any:
    def test(x: Any, y: Any) -> np.ndarray:
        arrays = [a for a in (x, y) if is_array(a)]
        result: np.ndarray = f(x != 0, y != 0).astype(np.result_type(*arrays) if arrays else np.float32)
        return result

    return test


logical_and_op: Primitive = Primitive("logical_and", _logical(np.logical_and), differentiable=False)
logical_or_op: Primitive = Primitive("logical_or", _logical(np.logical_or), differentiable=False)
logical_xor_op: Primitive = Primitive("logical_xor", _logical(np.logical_xor), differentiable=False)
logical_not_op: Primitive = Primitive("logical_not", lambda x: (x == 0).astype(x.dtype), differentiable=False)


def _both(op: Primitive, lhs: Any, rhs: Any) -> NDArray:
    where = f"nd.{op.name}"
    lhs, rhs = operand(lhs, where, "lhs"), operand(rhs, where, "rhs")
    if not isinstance(lhs, NDArray | np.ndarray) and not isinstance(rhs, NDArray | np.ndarray):
        raise ArgumentError(f"{where}: lhs and rhs are both numbers: give at least one array")
    return op(lhs, rhs)


def logical_and(lhs: NDArray | float, rhs: NDArray | float, *, out: NDArray | None = None) -> NDArray:
    """Elementwise: 1 where both are nonzero, else 0, in the arrays' dtype; shapes broadcast.
    Not differentiable.

    >>> from tape import nd
    >>> nd.logical_and(nd.array([0, 2, -1]), nd.array([1, 0, 3]))
    <BLANKLINE>
    [0. 0. 1.]
    <NDArray 3 @cpu(0)>
    """
    result = _both(logical_and_op, lhs, rhs)
    return result if out is None else into(out, result, "nd.logical_and")


def logical_or(lhs: NDArray | float, rhs: NDArray | float, *, out: NDArray | None = None) -> NDArray:
    """Elementwise: 1 where either is nonzero, else 0, in the arrays' dtype. Not differentiable.

    >>> from tape import nd
    >>> nd.logical_or(nd.array([0, 2, 0]), nd.array([1, 0, 0]))
    <BLANKLINE>
    [1. 1. 0.]
    <NDArray 3 @cpu(0)>
    """
    result = _both(logical_or_op, lhs, rhs)
    return result if out is None else into(out, result, "nd.logical_or")


def logical_xor(lhs: NDArray | float, rhs: NDArray | float, *, out: NDArray | None = None) -> NDArray:
    """Elementwise: 1 where exactly one is nonzero, else 0, in the arrays' dtype. Not
    differentiable.

    >>> from tape import nd
    >>> nd.logical_xor(nd.array([0, 2, -1]), nd.array([1, 0, 3]))
    <BLANKLINE>
    [1. 1. 0.]
    <NDArray 3 @cpu(0)>
    """
    result = _both(logical_xor_op, lhs, rhs)
    return result if out is None else into(out, result, "nd.logical_xor")


def logical_not(data: NDArray, *, out: NDArray | None = None) -> NDArray:
    """Elementwise: 1 where `data` is 0, else 0, in its dtype. Not differentiable.

    >>> from tape import nd
    >>> nd.logical_not(nd.array([0, 2, -1]))
    <BLANKLINE>
    [1. 0. 0.]
    <NDArray 3 @cpu(0)>
    """
    result = logical_not_op(array(data, "nd.logical_not"))
    return result if out is None else into(out, result, "nd.logical_not")


# ---- smooth_l1 ----------------------------------------------------------------------------------
def _smooth_l1(x: np.ndarray, scalar: float) -> np.ndarray:
    s2 = scalar * scalar
    a = np.abs(x)
    out: np.ndarray = np.where(a < 1 / s2, 0.5 * s2 * x * x, a - 0.5 / s2).astype(x.dtype)
    return out


def _smooth_l1_slope(x: np.ndarray, scalar: float) -> np.ndarray:
    s2 = scalar * scalar
    out: np.ndarray = np.where(np.abs(x) < 1 / s2, s2 * x, np.sign(x)).astype(x.dtype)
    return out


def _smooth_l1_curvature(x: np.ndarray, scalar: float) -> np.ndarray:
    out: np.ndarray = (np.abs(x) < 1 / (scalar * scalar)).astype(x.dtype) * (scalar * scalar)
    return out


# The derivative and its derivative as ops of their own: smooth_l1 differentiates to any order.
smooth_l1_curvature_op: Primitive = Primitive(
    "smooth_l1_curvature", _smooth_l1_curvature, lambda g, ans, x, scalar: zeros_like_op(x)
)
smooth_l1_slope_op: Primitive = Primitive(
    "smooth_l1_slope",
    _smooth_l1_slope,
    lambda g, ans, x, scalar: g * smooth_l1_curvature_op(x, scalar=scalar),
)
smooth_l1_op: Primitive = Primitive(
    "smooth_l1",
    _smooth_l1,
    lambda g, ans, x, scalar: g * smooth_l1_slope_op(x, scalar=scalar),
    float_valued=True,
)


def smooth_l1(data: NDArray, scalar: float = 1.0, *, out: NDArray | None = None) -> NDArray:
    """Elementwise ``0.5 * (scalar * x) ** 2`` where ``|x| < 1 / scalar ** 2``, else
    ``|x| - 0.5 / scalar ** 2`` (the Huber loss of Fast R-CNN). An integer array is computed in
    float32.

    >>> from tape import nd
    >>> nd.smooth_l1(nd.array([-2, -0.5, 0, 1.5]))
    <BLANKLINE>
    [1.5   0.125 0.    1.   ]
    <NDArray 4 @cpu(0)>
    """
    s = operand(scalar, "nd.smooth_l1", "scalar")
    if not isinstance(s, int | float) or s == 0:
        raise ArgumentError(f"nd.smooth_l1: scalar must be a nonzero number, not {scalar!r}")
    result = smooth_l1_op(array(data, "nd.smooth_l1"), scalar=float(s))
    return result if out is None else into(out, result, "nd.smooth_l1")
