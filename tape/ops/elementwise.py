"""Elementwise math: exponentials and logarithms, powers and roots, rounding, activations.

Each primitive is one line with its derivative, written with tape's own ops so that the
backward can itself be differentiated. (Trigonometry is in `trig`, erf and gamma in `special`.)
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .._primitive import Primitive
from ..creation import into
from ..errors import ArgumentError
from ..ndarray import NDArray
from . import shape

__all__ = [
    "exp", "expm1", "log", "log2", "log10", "log1p", "sqrt", "rsqrt", "cbrt", "rcbrt", "square",
    "reciprocal", "floor", "ceil", "round", "rint", "fix", "trunc", "relu", "sigmoid", "softrelu",
    "softsign", "clip", "abs", "sign",
]  # fmt: skip

_LN2 = math.log(2.0)
_LN10 = math.log(10.0)

# ---- NumPy scalars: a scalar never changes an array's dtype -----------------------------------
# The scalar types that hold a number: `scalar` turns them into Python numbers.
NUMPY_SCALARS = (np.number, np.bool_)


def scalar(x: Any) -> Any:
    """A NumPy scalar as the Python number it holds; anything else as it is.

    NumPy 2 lets a NumPy scalar set the type of a result (float32 array * np.float64(3) is
    float64) but not a Python number (float32 array * 3.0 is float32). MXNet keeps the array's
    type for both, and so does tape: its ops take NumPy scalars as Python numbers.

    >>> scalar(np.float64(0.5)), scalar(np.int32(2)), scalar(7)
    (0.5, 2, 7)
    """
    return x.item() if isinstance(x, NUMPY_SCALARS) else x


# ---- THE RULE FOR INTEGER INPUTS of float-valued ops ------------------------------------------
# The primitives declared with `float_valued=True` (the rule itself is applied in one place, the
# one-array primitive's call in tape/_primitive.py, where it costs a float32 input one test).
# A float-valued op (its values are not integers even for integer inputs) computes an integer or
# boolean array in the default float type, float32, and returns float32: never integers cut
# from the float result (MXNet 1.9.1 keeps the input's type: sigmoid([1, 2, 3]) is [0 0 0]), nor
# NumPy's float64. Floating (and complex) arrays keep their own type. The ops under the rule:
#   exp, expm1, log, log2, log10, log1p, sqrt, rsqrt, cbrt, rcbrt, reciprocal, sigmoid,
#   softrelu, softsign (here); sin, cos, tan, arcsin, arccos, arctan, sinh, cosh, tanh,
#   arcsinh, arccosh, arctanh, degrees, radians (`trig`); erf, gamma, gammaln, digamma (`special`);
#   softmax, log_softmax (`nn`, also through softmax_cross_entropy).
# Integer-valued ops keep an integer array's type, as MXNet and NumPy do: abs, sign, square,
# negative, floor, ceil, round, rint, fix, trunc, relu, clip. docs/migrating.md lists both.
DEFAULT_FLOAT = np.dtype(np.float32)


def floating(x: np.ndarray) -> np.ndarray:
    """`x` itself if it is floating (or complex), else `x` cast to the default float type."""
    return x if x.dtype.kind in "fc" else x.astype(DEFAULT_FLOAT)


def _sigmoid(x: np.ndarray) -> np.ndarray:
    # Written from exp(-|x|) so that neither tail overflows.
    e = np.exp(-np.abs(x))
    out: np.ndarray = np.where(x >= 0, 1 / (1 + e), e / (1 + e)).astype(x.dtype, copy=False)
    return out


def _round(x: np.ndarray) -> np.ndarray:
    # Halves go away from zero, as C's round (and MXNet); NumPy rounds them to even.
    t = np.trunc(x)
    out: np.ndarray = np.where(np.abs(x - t) >= 0.5, t + np.sign(x), t)
    return out


def _rint(x: np.ndarray) -> np.ndarray:
    # MXNet's rint sends n.5 down to n.
    lo, hi = np.floor(x), np.ceil(x)
    out: np.ndarray = np.where(x - lo <= hi - x, lo, hi)
    return out


def zero_vjp(g: NDArray, ans: NDArray, x: NDArray) -> NDArray:
    # Piecewise-constant ops: a zero derivative that stays connected to x for higher orders.
    return shape.zeros_like_op(x)


exp_op: Primitive = Primitive("exp", np.exp, lambda g, ans, x: g * ans, float_valued=True)
expm1_op: Primitive = Primitive("expm1", np.expm1, lambda g, ans, x: g * (ans + 1), float_valued=True)
log_op: Primitive = Primitive("log", np.log, lambda g, ans, x: g / x, float_valued=True)
log2_op: Primitive = Primitive("log2", np.log2, lambda g, ans, x: g / (x * _LN2), float_valued=True)
log10_op: Primitive = Primitive("log10", np.log10, lambda g, ans, x: g / (x * _LN10), float_valued=True)
log1p_op: Primitive = Primitive("log1p", np.log1p, lambda g, ans, x: g / (x + 1), float_valued=True)
sqrt_op: Primitive = Primitive("sqrt", np.sqrt, lambda g, ans, x: g / (ans * 2), float_valued=True)
rsqrt_op: Primitive = Primitive(
    "rsqrt", lambda x: 1 / np.sqrt(x), lambda g, ans, x: g * ans * ans * ans * -0.5, float_valued=True
)
cbrt_op: Primitive = Primitive("cbrt", np.cbrt, lambda g, ans, x: g / (ans * ans * 3), float_valued=True)
rcbrt_op: Primitive = Primitive(
    "rcbrt", lambda x: 1 / np.cbrt(x), lambda g, ans, x: g * ans / (x * -3), float_valued=True
)
square_op: Primitive = Primitive("square", np.square, lambda g, ans, x: g * x * 2)
reciprocal_op: Primitive = Primitive(
    "reciprocal", np.reciprocal, lambda g, ans, x: -g * ans * ans, float_valued=True
)
floor_op: Primitive = Primitive("floor", np.floor, zero_vjp)
ceil_op: Primitive = Primitive("ceil", np.ceil, zero_vjp)
round_op: Primitive = Primitive("round", _round, zero_vjp)
rint_op: Primitive = Primitive("rint", _rint, zero_vjp)
trunc_op: Primitive = Primitive("trunc", np.trunc, zero_vjp)
fix_op: Primitive = Primitive("fix", np.trunc, zero_vjp)  # trunc, under MXNet's other name


def _sigmoid_grad(g: np.ndarray, y: np.ndarray) -> np.ndarray:
    gy: np.ndarray = g * y
    out: np.ndarray = gy - gy * y  # = g y (1 - y), without a Python scalar (NumPy charges extra)
    return out


def _relu_grad(g: np.ndarray, x: np.ndarray) -> np.ndarray:
    out: np.ndarray = g * (x > 0)
    # NaN in, NaN out (as MXNet), not 0; on a GPU without the test that would wait for it.
    if x.__class__ is not np.ndarray:
        out = np.where(np.isnan(x), x, out)
    elif np.isnan(np.maximum.reduce(x, axis=None, initial=0)):
        out[np.isnan(x)] = np.nan
    return out


# Activations get a fused backward primitive (one call in a plain backward, not two or three),
# itself differentiable so that higher orders still work.
relu_grad_op: Primitive = Primitive(
    "relu_backward",
    lambda g, x: _relu_grad(g, x),
    lambda u, ans, g, x: relu_grad_op(u, x),
    lambda u, ans, g, x: shape.zeros_like_op(x),
)
relu_op: Primitive = Primitive("relu", lambda x: np.maximum(x, 0), lambda g, ans, x: relu_grad_op(g, x))
sigmoid_grad_op: Primitive = Primitive(
    "sigmoid_backward",
    lambda g, y: _sigmoid_grad(g, y),
    lambda u, ans, g, y: sigmoid_grad_op(u, y),
    lambda u, ans, g, y: u * g * (1 - 2 * y),
)
sigmoid_op: Primitive = Primitive(
    "sigmoid", _sigmoid, lambda g, ans, x: sigmoid_grad_op(g, ans), float_valued=True
)
softrelu_op: Primitive = Primitive(
    "softrelu",
    lambda x: np.logaddexp(0, x).astype(x.dtype, copy=False),
    lambda g, ans, x: g * sigmoid_op(x),
    float_valued=True,
)
abs_op: Primitive = Primitive("abs", np.abs, lambda g, ans, x: g * sign_op(x))
# The derivative of sign is zero; zeros_like keeps it connected to x for higher orders.
sign_op: Primitive = Primitive("sign", np.sign, lambda g, ans, x: shape.zeros_like(x))
softsign_op: Primitive = Primitive(
    "softsign",
    lambda x: x / (1 + np.abs(x)),
    lambda g, ans, x: g / square_op(abs_op(x) + 1),
    float_valued=True,
)


# 1 inside [a_min, a_max], else 0; a taped op whose own derivative is zero.
def _inside(x: np.ndarray, a_min: Any, a_max: Any) -> np.ndarray:
    # A bound of None (NumPy's clip takes one) does not limit its side.
    inside = np.ones_like(x, dtype=bool) if a_min is None else x >= a_min
    if a_max is not None:
        inside &= x <= a_max
    return inside.astype(x.dtype)


inside_op: Primitive = Primitive(
    "inside",
    _inside,
    lambda g, ans, x, a_min, a_max: shape.zeros_like_op(x),
)
clip_op: Primitive = Primitive(
    "clip",
    lambda x, a_min, a_max: np.clip(x, a_min, a_max),
    lambda g, ans, x, a_min, a_max: g * inside_op(x, a_min=a_min, a_max=a_max),
)


def exp(data: NDArray, *, out: NDArray | None = None) -> NDArray:
    """Elementwise exponential, `e ** data`.

    >>> from tape import nd
    >>> nd.exp(nd.array([0, 1]))
    <BLANKLINE>
    [1.       2.718282]
    <NDArray 2 @cpu(0)>
    """
    result = exp_op(data)
    return result if out is None else into(out, result, "nd.exp")


def expm1(data: NDArray, *, out: NDArray | None = None) -> NDArray:
    """Elementwise `exp(data) - 1`, accurate for small values.

    >>> from tape import nd
    >>> nd.expm1(nd.array([0, 1]))
    <BLANKLINE>
    [0.        1.7182819]
    <NDArray 2 @cpu(0)>
    """
    result = expm1_op(data)
    return result if out is None else into(out, result, "nd.expm1")


def log(data: NDArray, *, out: NDArray | None = None) -> NDArray:
    """Elementwise natural logarithm.

    >>> from tape import nd
    >>> nd.log(nd.array([1, 100]))
    <BLANKLINE>
    [0.        4.6051702]
    <NDArray 2 @cpu(0)>
    """
    result = log_op(data)
    return result if out is None else into(out, result, "nd.log")


def log2(data: NDArray, *, out: NDArray | None = None) -> NDArray:
    """Elementwise base-2 logarithm.

    >>> from tape import nd
    >>> nd.log2(nd.array([1, 8]))
    <BLANKLINE>
    [0. 3.]
    <NDArray 2 @cpu(0)>
    """
    result = log2_op(data)
    return result if out is None else into(out, result, "nd.log2")


def log10(data: NDArray, *, out: NDArray | None = None) -> NDArray:
    """Elementwise base-10 logarithm.

    >>> from tape import nd
    >>> nd.log10(nd.array([1, 0.1]))
    <BLANKLINE>
    [ 0. -1.]
    <NDArray 2 @cpu(0)>
    """
    result = log10_op(data)
    return result if out is None else into(out, result, "nd.log10")


def log1p(data: NDArray, *, out: NDArray | None = None) -> NDArray:
    """Elementwise `log(1 + data)`, accurate for small values.

    >>> from tape import nd
    >>> nd.log1p(nd.array([0, 1]))
    <BLANKLINE>
    [0.        0.6931472]
    <NDArray 2 @cpu(0)>
    """
    result = log1p_op(data)
    return result if out is None else into(out, result, "nd.log1p")


def sqrt(data: NDArray, *, out: NDArray | None = None) -> NDArray:
    """Elementwise square root.

    >>> from tape import nd
    >>> nd.sqrt(nd.array([4, 9]))
    <BLANKLINE>
    [2. 3.]
    <NDArray 2 @cpu(0)>
    """
    result = sqrt_op(data)
    return result if out is None else into(out, result, "nd.sqrt")


def rsqrt(data: NDArray, *, out: NDArray | None = None) -> NDArray:
    """Elementwise reciprocal square root, `1 / sqrt(data)`.

    >>> from tape import nd
    >>> nd.rsqrt(nd.array([4, 16]))
    <BLANKLINE>
    [0.5  0.25]
    <NDArray 2 @cpu(0)>
    """
    result = rsqrt_op(data)
    return result if out is None else into(out, result, "nd.rsqrt")


def cbrt(data: NDArray, *, out: NDArray | None = None) -> NDArray:
    """Elementwise cube root (negative for negative values).

    >>> from tape import nd
    >>> nd.cbrt(nd.array([8, -1, 0.125]))
    <BLANKLINE>
    [ 2.  -1.   0.5]
    <NDArray 3 @cpu(0)>
    """
    result = cbrt_op(data)
    return result if out is None else into(out, result, "nd.cbrt")


def rcbrt(data: NDArray, *, out: NDArray | None = None) -> NDArray:
    """Elementwise reciprocal cube root, `1 / cbrt(data)`.

    >>> from tape import nd
    >>> nd.rcbrt(nd.array([8, -64]))
    <BLANKLINE>
    [ 0.5  -0.25]
    <NDArray 2 @cpu(0)>
    """
    result = rcbrt_op(data)
    return result if out is None else into(out, result, "nd.rcbrt")


def square(data: NDArray, *, out: NDArray | None = None) -> NDArray:
    """Elementwise `data ** 2`.

    >>> from tape import nd
    >>> nd.square(nd.array([2, -3]))
    <BLANKLINE>
    [4. 9.]
    <NDArray 2 @cpu(0)>
    """
    result = square_op(data)
    return result if out is None else into(out, result, "nd.square")


def reciprocal(data: NDArray, *, out: NDArray | None = None) -> NDArray:
    """Elementwise `1 / data`.

    >>> from tape import nd
    >>> nd.reciprocal(nd.array([2, -4]))
    <BLANKLINE>
    [ 0.5  -0.25]
    <NDArray 2 @cpu(0)>
    """
    result = reciprocal_op(data)
    return result if out is None else into(out, result, "nd.reciprocal")


def floor(data: NDArray, *, out: NDArray | None = None) -> NDArray:
    """Elementwise floor; its gradient is zero.

    >>> from tape import nd
    >>> nd.floor(nd.array([1.5, -1.5]))
    <BLANKLINE>
    [ 1. -2.]
    <NDArray 2 @cpu(0)>
    """
    result = floor_op(data)
    return result if out is None else into(out, result, "nd.floor")


def ceil(data: NDArray, *, out: NDArray | None = None) -> NDArray:
    """Elementwise ceiling; its gradient is zero.

    >>> from tape import nd
    >>> nd.ceil(nd.array([1.5, -1.5]))
    <BLANKLINE>
    [ 2. -1.]
    <NDArray 2 @cpu(0)>
    """
    result = ceil_op(data)
    return result if out is None else into(out, result, "nd.ceil")


def round(data: NDArray, *, out: NDArray | None = None) -> NDArray:  # noqa: A001 - MXNet's name
    """Elementwise rounding to the nearest integer, halves away from zero (as MXNet).

    >>> from tape import nd
    >>> nd.round(nd.array([-2.5, -1.4, 0.5, 1.5]))
    <BLANKLINE>
    [-3. -1.  1.  2.]
    <NDArray 4 @cpu(0)>
    """
    result = round_op(data)
    return result if out is None else into(out, result, "nd.round")


def rint(data: NDArray, *, out: NDArray | None = None) -> NDArray:
    """Elementwise rounding to the nearest integer, with `n.5` going down to `n` (as MXNet).

    >>> from tape import nd
    >>> nd.rint(nd.array([-2.1, -1.9, 1.5, 1.9, 2.1]))
    <BLANKLINE>
    [-2. -2.  1.  2.  2.]
    <NDArray 5 @cpu(0)>
    """
    result = rint_op(data)
    return result if out is None else into(out, result, "nd.rint")


def fix(data: NDArray, *, out: NDArray | None = None) -> NDArray:
    """Elementwise rounding towards zero (same as `trunc`).

    >>> from tape import nd
    >>> nd.fix(nd.array([-2.7, 2.7]))
    <BLANKLINE>
    [-2.  2.]
    <NDArray 2 @cpu(0)>
    """
    result = fix_op(data)
    return result if out is None else into(out, result, "nd.fix")


def trunc(data: NDArray, *, out: NDArray | None = None) -> NDArray:
    """Elementwise integer part, dropping the fraction.

    >>> from tape import nd
    >>> nd.trunc(nd.array([-2.7, 2.7]))
    <BLANKLINE>
    [-2.  2.]
    <NDArray 2 @cpu(0)>
    """
    result = trunc_op(data)
    return result if out is None else into(out, result, "nd.trunc")


def relu(data: NDArray, *, out: NDArray | None = None) -> NDArray:
    """Elementwise `max(data, 0)`; its gradient at 0 is 0, its second derivative zero.

    >>> from tape import nd
    >>> nd.relu(nd.array([-1, 2]))
    <BLANKLINE>
    [0. 2.]
    <NDArray 2 @cpu(0)>
    """
    result = relu_op(data)
    return result if out is None else into(out, result, "nd.relu")


def sigmoid(data: NDArray, *, out: NDArray | None = None) -> NDArray:
    """Elementwise logistic function `1 / (1 + exp(-data))`, stable for large |data|.

    >>> from tape import nd
    >>> nd.sigmoid(nd.array([0]))
    <BLANKLINE>
    [0.5]
    <NDArray 1 @cpu(0)>
    """
    result = sigmoid_op(data)
    return result if out is None else into(out, result, "nd.sigmoid")


def softrelu(data: NDArray, *, out: NDArray | None = None) -> NDArray:
    """Elementwise softplus, `log(1 + exp(data))`, stable for large |data|.

    >>> from tape import nd
    >>> nd.softrelu(nd.array([0, 100]))
    <BLANKLINE>
    [  0.6931472 100.       ]
    <NDArray 2 @cpu(0)>
    """
    result = softrelu_op(data)
    return result if out is None else into(out, result, "nd.softrelu")


def softsign(data: NDArray, *, out: NDArray | None = None) -> NDArray:
    """Elementwise `data / (1 + |data|)`.

    >>> from tape import nd
    >>> nd.softsign(nd.array([-1, 3]))
    <BLANKLINE>
    [-0.5   0.75]
    <NDArray 2 @cpu(0)>
    """
    result = softsign_op(data)
    return result if out is None else into(out, result, "nd.softsign")


def clip(data: NDArray, a_min: float, a_max: float, *, out: NDArray | None = None) -> NDArray:
    """Limit the values to `[a_min, a_max]`; the gradient is zero where a bound is exceeded.

    >>> from tape import nd
    >>> nd.clip(nd.array([-2, 0.5, 3]), 0, 1)
    <BLANKLINE>
    [0.  0.5 1. ]
    <NDArray 3 @cpu(0)>
    """
    if a_min > a_max:
        raise ArgumentError(f"nd.clip needs a_min <= a_max, got a_min={a_min} and a_max={a_max}")
    result = clip_op(data, a_min=scalar(a_min), a_max=scalar(a_max))
    return result if out is None else into(out, result, "nd.clip")


def abs(data: NDArray, *, out: NDArray | None = None) -> NDArray:  # noqa: A001 - MXNet's name
    """Elementwise absolute value; its gradient at 0 is 0.

    >>> from tape import nd
    >>> nd.abs(nd.array([-1.5, 2]))
    <BLANKLINE>
    [1.5 2. ]
    <NDArray 2 @cpu(0)>
    """
    result = abs_op(data)
    return result if out is None else into(out, result, "nd.abs")


def sign(data: NDArray, *, out: NDArray | None = None) -> NDArray:
    """Elementwise sign (-1, 0 or 1); its gradient is zero.

    >>> from tape import nd
    >>> nd.sign(nd.array([-3, 0, 2]))
    <BLANKLINE>
    [-1.  0.  1.]
    <NDArray 3 @cpu(0)>
    """
    result = sign_op(data)
    return result if out is None else into(out, result, "nd.sign")
