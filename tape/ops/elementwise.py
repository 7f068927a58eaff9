"""Elementwise math: each primitive with its derivative, written with tape's own ops."""

from __future__ import annotations

import numpy as np

from .._graph import Primitive
from ..ndarray import NDArray

__all__ = [
    "exp", "log", "square", "sqrt", "sin", "cos", "tanh", "sigmoid", "relu", "floor",
]


def _sigmoid(x: np.ndarray) -> np.ndarray:
    # Written from exp(-|x|) so that neither tail overflows.
    e = np.exp(-np.abs(x))
    out: np.ndarray = np.where(x >= 0, 1 / (1 + e), e / (1 + e)).astype(x.dtype, copy=False)
    return out


exp_op: Primitive = Primitive("exp", np.exp, lambda g, ans, x: g * ans)
log_op: Primitive = Primitive("log", np.log, lambda g, ans, x: g / x)
square_op: Primitive = Primitive("square", np.square, lambda g, ans, x: g * 2 * x)
sqrt_op: Primitive = Primitive("sqrt", np.sqrt, lambda g, ans, x: g / (2 * ans))
sin_op: Primitive = Primitive("sin", np.sin, lambda g, ans, x: g * cos_op(x))
cos_op: Primitive = Primitive("cos", np.cos, lambda g, ans, x: -g * sin_op(x))
tanh_op: Primitive = Primitive("tanh", np.tanh, lambda g, ans, x: g * (1 - ans * ans))
sigmoid_op: Primitive = Primitive("sigmoid", _sigmoid, lambda g, ans, x: g * ans * (1 - ans))
relu_op: Primitive = Primitive("relu", lambda x: np.maximum(x, 0), lambda g, ans, x: g * arith.step_op(x))
floor_op: Primitive = Primitive("floor", np.floor, lambda g, ans, x: shape.zeros_like(x))


def exp(data: NDArray) -> NDArray:
    """Elementwise exponential, `e ** data`.

    >>> from tape import nd
    >>> nd.exp(nd.array([0, 1]))
    <BLANKLINE>
    [1.       2.718282]
    <NDArray 2 @cpu(0)>
    """
    return exp_op(data)


def log(data: NDArray) -> NDArray:
    """Elementwise natural logarithm.

    >>> from tape import nd
    >>> nd.log(nd.array([1, 100]))
    <BLANKLINE>
    [0.        4.6051702]
    <NDArray 2 @cpu(0)>
    """
    return log_op(data)


def square(data: NDArray) -> NDArray:
    """Elementwise `data ** 2`.

    >>> from tape import nd
    >>> nd.square(nd.array([2, -3]))
    <BLANKLINE>
    [4. 9.]
    <NDArray 2 @cpu(0)>
    """
    return square_op(data)


def sqrt(data: NDArray) -> NDArray:
    """Elementwise square root.

    >>> from tape import nd
    >>> nd.sqrt(nd.array([4, 9]))
    <BLANKLINE>
    [2. 3.]
    <NDArray 2 @cpu(0)>
    """
    return sqrt_op(data)


def sin(data: NDArray) -> NDArray:
    """Elementwise sine (radians).

    >>> from tape import nd
    >>> nd.sin(nd.array([0]))
    <BLANKLINE>
    [0.]
    <NDArray 1 @cpu(0)>
    """
    return sin_op(data)


def cos(data: NDArray) -> NDArray:
    """Elementwise cosine (radians).

    >>> from tape import nd
    >>> nd.cos(nd.array([0]))
    <BLANKLINE>
    [1.]
    <NDArray 1 @cpu(0)>
    """
    return cos_op(data)


def tanh(data: NDArray) -> NDArray:
    """Elementwise hyperbolic tangent.

    >>> from tape import nd
    >>> nd.tanh(nd.array([0]))
    <BLANKLINE>
    [0.]
    <NDArray 1 @cpu(0)>
    """
    return tanh_op(data)


def sigmoid(data: NDArray) -> NDArray:
    """Elementwise logistic function `1 / (1 + exp(-data))`, stable for large |data|.

    >>> from tape import nd
    >>> nd.sigmoid(nd.array([0]))
    <BLANKLINE>
    [0.5]
    <NDArray 1 @cpu(0)>
    """
    return sigmoid_op(data)


def relu(data: NDArray) -> NDArray:
    """Elementwise `max(data, 0)`; its gradient at 0 is 0.

    >>> from tape import nd
    >>> nd.relu(nd.array([-1, 2]))
    <BLANKLINE>
    [0. 2.]
    <NDArray 2 @cpu(0)>
    """
    return relu_op(data)


def floor(data: NDArray) -> NDArray:
    """Elementwise floor; its gradient is zero.

    >>> from tape import nd
    >>> nd.floor(nd.array([1.5, -1.5]))
    <BLANKLINE>
    [ 1. -2.]
    <NDArray 2 @cpu(0)>
    """
    return floor_op(data)


from . import arith, shape  # noqa: E402
