"""Arithmetic and comparison operators, with broadcasting and scalars on either side."""

from __future__ import annotations

import functools
from typing import Any

import numpy as np

from .._args import NUMBERS, not_an_array, operand, wrong_type
from .._primitive import Primitive
from .._xp import is_array
from ..creation import into
from ..errors import ArgumentError
from ..ndarray import NDArray
from . import elementwise, indexing, shape
from ._variadic import Variadic
from .elementwise import scalar
from .shape import unbroadcast

__all__ = [
    "add", "subtract", "multiply", "divide", "power", "modulo", "negative",
    "maximum", "minimum", "equal", "not_equal", "greater", "greater_equal", "lesser",
    "lesser_equal", "elemwise_add", "elemwise_sub", "elemwise_mul", "elemwise_div", "add_n",
]  # fmt: skip

Operand = NDArray | float | int
_PLAIN = frozenset((int, float, bool))  # the Python numbers, which ops take as they are


def _call(op: Primitive, lhs: Any, rhs: Any, names: tuple[str, str] = ("lhs", "rhs")) -> NDArray:
    """`op(lhs, rhs)` with NumPy scalars as Python numbers; arrays pass on two type tests.

    Anything but an array or a number raises a TypeError naming the argument (`names`).
    """
    if type(lhs) is not NDArray and type(lhs) not in _PLAIN:
        lhs = operand(lhs, f"nd.{op.name}", names[0])
    if type(rhs) is not NDArray and type(rhs) not in _PLAIN:
        rhs = operand(rhs, f"nd.{op.name}", names[1])
    return op(lhs, rhs)


def _log(x: Any) -> Any:
    # A Python number for a scalar base: a NumPy float64 would make the gradient float64.
    return elementwise.log(x) if isinstance(x, NDArray) else scalar(np.log(x))


add_op: Primitive = Primitive(
    "add",
    np.add,
    lambda g, ans, x, y: unbroadcast(g, x),
    lambda g, ans, x, y: unbroadcast(g, y),
)
subtract_op: Primitive = Primitive(
    "subtract",
    np.subtract,
    lambda g, ans, x, y: unbroadcast(g, x),
    lambda g, ans, x, y: unbroadcast(-g, y),
)
multiply_op: Primitive = Primitive(
    "multiply",
    np.multiply,
    lambda g, ans, x, y: unbroadcast(g * y, x),
    lambda g, ans, x, y: unbroadcast(g * x, y),
)
divide_op: Primitive = Primitive(
    "divide",
    np.true_divide,
    lambda g, ans, x, y: unbroadcast(g / y, x),
    lambda g, ans, x, y: unbroadcast(-g * ans / y, y),
)


def _power_base_vjp(g: NDArray, ans: NDArray, x: NDArray, y: Any) -> NDArray:
    if not isinstance(y, NDArray) and y == 0:
        # d/dx x**0 is 0 everywhere, x = 0 included (y * x**(y-1) would give 0 * inf = nan).
        return unbroadcast(g * shape.zeros_like_op(x), x)
    return unbroadcast(g * y * x ** (y - 1), x)


def _power_exponent_vjp(g: NDArray, ans: NDArray, x: Any, y: NDArray) -> NDArray:
    # Where the power is 0 (base 0), its slope in y is 0, not 0 * log(0) = nan.
    return unbroadcast(indexing.where_op(ans, g * ans * _log(x), 0.0), y)


power_op: Primitive = Primitive("power", np.power, _power_base_vjp, _power_exponent_vjp)
modulo_op: Primitive = Primitive(
    "modulo",
    np.mod,
    lambda g, ans, x, y: unbroadcast(g, x),
    lambda g, ans, x, y: unbroadcast(-g * elementwise.floor(x / y), y),
)
# k * a * b * c for three arrays of one shape (the derivatives of the fused activation
# gradients); the VJP for each factor is the same product with that factor replaced.
product3_op: Primitive = Primitive(
    "product3",
    lambda a, b, c, k: k * a * b * c,
    lambda w, ans, a, b, c, k: product3_op(w, b, c, k=k),
    lambda w, ans, a, b, c, k: product3_op(a, w, c, k=k),
    lambda w, ans, a, b, c, k: product3_op(a, b, w, k=k),
)
negative_op: Primitive = Primitive("negative", np.negative, lambda g, ans, x: -g)
maximum_op: Primitive = Primitive(
    "maximum",
    np.maximum,
    lambda g, ans, x, y: unbroadcast(g * _step_ge(x, y), x),
    lambda g, ans, x, y: unbroadcast(g * (1 - _step_ge(x, y)), y),
)
minimum_op: Primitive = Primitive(
    "minimum",
    np.minimum,
    # A tie goes to the left, as in MXNet (and as maximum's does).
    lambda g, ans, x, y: unbroadcast(g * _step_ge(y, x), x),
    lambda g, ans, x, y: unbroadcast(g * (1 - _step_ge(y, x)), y),
)


def _float_compare(f: Any) -> Any:
    def compare(x: Any, y: Any) -> np.ndarray:
        out = f(x, y)
        dtype = next((a.dtype for a in (x, y) if is_array(a)), np.float32)
        result: np.ndarray = out.astype(dtype if np.issubdtype(dtype, np.floating) else np.float32)
        return result

    return compare


# Comparisons give 0/1 arrays of the input's float type and are never taped.
equal_op: Primitive = Primitive("equal", _float_compare(np.equal), differentiable=False)
not_equal_op: Primitive = Primitive("not_equal", _float_compare(np.not_equal), differentiable=False)
greater_op: Primitive = Primitive("greater", _float_compare(np.greater), differentiable=False)
greater_equal_op: Primitive = Primitive(
    "greater_equal", _float_compare(np.greater_equal), differentiable=False
)
lesser_op: Primitive = Primitive("lesser", _float_compare(np.less), differentiable=False)
lesser_equal_op: Primitive = Primitive("lesser_equal", _float_compare(np.less_equal), differentiable=False)
# The 0/1 step x >= y as a taped op whose derivative is zero: maximum'' and minimum'' stay
# connected to their inputs.
step_ge_op: Primitive = Primitive(
    "step_ge",
    _float_compare(np.greater_equal),
    lambda g, ans, x, y: shape.zeros_like(x),
    lambda g, ans, x, y: shape.zeros_like(y),
)


def _step_ge(x: Any, y: Any) -> NDArray:
    return step_ge_op(x, y)


def add(lhs: Operand, rhs: Operand, *, out: NDArray | None = None) -> NDArray:
    """Elementwise sum with broadcasting; either side may be a scalar.

    >>> from tape import nd
    >>> nd.add(nd.array([1, 2]), 10)
    <BLANKLINE>
    [11. 12.]
    <NDArray 2 @cpu(0)>
    """
    result = _call(add_op, lhs, rhs)
    return result if out is None else into(out, result, "nd.add")


def subtract(lhs: Operand, rhs: Operand, *, out: NDArray | None = None) -> NDArray:
    """Elementwise difference with broadcasting.

    >>> from tape import nd
    >>> nd.subtract(nd.array([1, 2]), nd.array([[1], [2]]))
    <BLANKLINE>
    [[ 0.  1.]
     [-1.  0.]]
    <NDArray 2x2 @cpu(0)>
    """
    result = _call(subtract_op, lhs, rhs)
    return result if out is None else into(out, result, "nd.subtract")


def multiply(lhs: Operand, rhs: Operand, *, out: NDArray | None = None) -> NDArray:
    """Elementwise product with broadcasting.

    >>> from tape import nd
    >>> nd.multiply(nd.array([1, 2]), 3)
    <BLANKLINE>
    [3. 6.]
    <NDArray 2 @cpu(0)>
    """
    result = _call(multiply_op, lhs, rhs)
    return result if out is None else into(out, result, "nd.multiply")


def divide(lhs: Operand, rhs: Operand, *, out: NDArray | None = None) -> NDArray:
    """Elementwise true division with broadcasting.

    >>> from tape import nd
    >>> nd.divide(1, nd.array([2, 4]))
    <BLANKLINE>
    [0.5  0.25]
    <NDArray 2 @cpu(0)>
    """
    result = _call(divide_op, lhs, rhs)
    return result if out is None else into(out, result, "nd.divide")


def power(base: Operand, exp: Operand, *, out: NDArray | None = None) -> NDArray:
    """Elementwise `base ** exp` with broadcasting; differentiable in both.

    At a base of 0, a constant exponent gives exact derivatives of every order (those past the
    exponent's degree are 0). With an array exponent, derivatives at a base of 0 that involve
    `0 ** (negative)` or `log(0)` are nan: their limit depends on the exponent, and nan says so
    instead of guessing.

    >>> from tape import nd
    >>> nd.power(nd.array([2, 3]), 2)
    <BLANKLINE>
    [4. 9.]
    <NDArray 2 @cpu(0)>
    """
    result = _call(power_op, base, exp, ("base", "exp"))
    return result if out is None else into(out, result, "nd.power")


def modulo(lhs: Operand, rhs: Operand, *, out: NDArray | None = None) -> NDArray:
    """Elementwise remainder, with the sign of `rhs` (as NumPy's `mod`).

    >>> from tape import nd
    >>> nd.modulo(nd.array([5, -5]), 3)
    <BLANKLINE>
    [2. 1.]
    <NDArray 2 @cpu(0)>
    """
    result = _call(modulo_op, lhs, rhs)
    return result if out is None else into(out, result, "nd.modulo")


def negative(data: NDArray, *, out: NDArray | None = None) -> NDArray:
    """Elementwise `-data`.

    >>> from tape import nd
    >>> nd.negative(nd.array([1, -2]))
    <BLANKLINE>
    [-1.  2.]
    <NDArray 2 @cpu(0)>
    """
    result = negative_op(data)
    return result if out is None else into(out, result, "nd.negative")


def maximum(lhs: Operand, rhs: Operand, *, out: NDArray | None = None) -> NDArray:
    """Elementwise maximum with broadcasting; on ties the gradient goes to `lhs`.

    >>> from tape import nd
    >>> nd.maximum(nd.array([1, 5]), 3)
    <BLANKLINE>
    [3. 5.]
    <NDArray 2 @cpu(0)>
    """
    result = _call(maximum_op, lhs, rhs)
    return result if out is None else into(out, result, "nd.maximum")


def minimum(lhs: Operand, rhs: Operand, *, out: NDArray | None = None) -> NDArray:
    """Elementwise minimum with broadcasting; on ties the gradient goes to `rhs`.

    >>> from tape import nd
    >>> nd.minimum(nd.array([1, 5]), 3)
    <BLANKLINE>
    [1. 3.]
    <NDArray 2 @cpu(0)>
    """
    result = _call(minimum_op, lhs, rhs)
    return result if out is None else into(out, result, "nd.minimum")


def equal(lhs: Operand, rhs: Operand, *, out: NDArray | None = None) -> NDArray:
    """Elementwise `lhs == rhs` as 0/1 floats (not differentiable).

    >>> from tape import nd
    >>> nd.equal(nd.array([1, 2]), 2)
    <BLANKLINE>
    [0. 1.]
    <NDArray 2 @cpu(0)>
    """
    result = _call(equal_op, lhs, rhs)
    return result if out is None else into(out, result, "nd.equal")


def not_equal(lhs: Operand, rhs: Operand, *, out: NDArray | None = None) -> NDArray:
    """Elementwise `lhs != rhs` as 0/1 floats.

    >>> from tape import nd
    >>> nd.not_equal(nd.array([1, 2]), 2)
    <BLANKLINE>
    [1. 0.]
    <NDArray 2 @cpu(0)>
    """
    result = _call(not_equal_op, lhs, rhs)
    return result if out is None else into(out, result, "nd.not_equal")


def greater(lhs: Operand, rhs: Operand, *, out: NDArray | None = None) -> NDArray:
    """Elementwise `lhs > rhs` as 0/1 floats.

    >>> from tape import nd
    >>> nd.greater(nd.array([1, 3]), 2)
    <BLANKLINE>
    [0. 1.]
    <NDArray 2 @cpu(0)>
    """
    result = _call(greater_op, lhs, rhs)
    return result if out is None else into(out, result, "nd.greater")


def greater_equal(lhs: Operand, rhs: Operand, *, out: NDArray | None = None) -> NDArray:
    """Elementwise `lhs >= rhs` as 0/1 floats.

    >>> from tape import nd
    >>> nd.greater_equal(nd.array([1, 2]), 2)
    <BLANKLINE>
    [0. 1.]
    <NDArray 2 @cpu(0)>
    """
    result = _call(greater_equal_op, lhs, rhs)
    return result if out is None else into(out, result, "nd.greater_equal")


def lesser(lhs: Operand, rhs: Operand, *, out: NDArray | None = None) -> NDArray:
    """Elementwise `lhs < rhs` as 0/1 floats.

    >>> from tape import nd
    >>> nd.lesser(nd.array([1, 2]), 2)
    <BLANKLINE>
    [1. 0.]
    <NDArray 2 @cpu(0)>
    """
    result = _call(lesser_op, lhs, rhs)
    return result if out is None else into(out, result, "nd.lesser")


def lesser_equal(lhs: Operand, rhs: Operand, *, out: NDArray | None = None) -> NDArray:
    """Elementwise `lhs <= rhs` as 0/1 floats.

    >>> from tape import nd
    >>> nd.lesser_equal(nd.array([1, 3]), 2)
    <BLANKLINE>
    [1. 0.]
    <NDArray 2 @cpu(0)>
    """
    result = _call(lesser_equal_op, lhs, rhs)
    return result if out is None else into(out, result, "nd.lesser_equal")


def _same_shape(lhs: Any, rhs: Any, what: str, names: tuple[str, str] = ("lhs", "rhs")) -> None:
    """Refuse anything but two arrays of one shape (the arguments `names` of `what`)."""
    for value, name in zip((lhs, rhs), names, strict=True):
        if isinstance(value, NUMBERS):
            fix = "use the operators (or nd.add and the like) for a number"
            raise wrong_type(what, name, "an NDArray (or a NumPy array)", value, fix)
        if not isinstance(value, NDArray | np.ndarray):
            raise not_an_array(what, name, value)
    if lhs.shape != rhs.shape:
        raise ArgumentError(
            f"{what} needs arrays of one shape, got {lhs.shape} and {rhs.shape}; "
            "broadcast_add and friends (or the operators) broadcast"
        )


def elemwise_add(lhs: NDArray, rhs: NDArray, *, out: NDArray | None = None) -> NDArray:
    """`lhs + rhs` for two arrays of the same shape (no broadcasting, as in MXNet).

    >>> from tape import nd
    >>> nd.elemwise_add(nd.array([1, 2]), nd.array([3, 4]))
    <BLANKLINE>
    [4. 6.]
    <NDArray 2 @cpu(0)>
    """
    _same_shape(lhs, rhs, "nd.elemwise_add")
    result = add_op(lhs, rhs)
    return result if out is None else into(out, result, "nd.elemwise_add")


def elemwise_sub(lhs: NDArray, rhs: NDArray, *, out: NDArray | None = None) -> NDArray:
    """`lhs - rhs` for two arrays of the same shape.

    >>> from tape import nd
    >>> nd.elemwise_sub(nd.array([1, 2]), nd.array([3, 5]))
    <BLANKLINE>
    [-2. -3.]
    <NDArray 2 @cpu(0)>
    """
    _same_shape(lhs, rhs, "nd.elemwise_sub")
    result = subtract_op(lhs, rhs)
    return result if out is None else into(out, result, "nd.elemwise_sub")


def elemwise_mul(lhs: NDArray, rhs: NDArray, *, out: NDArray | None = None) -> NDArray:
    """`lhs * rhs` for two arrays of the same shape.

    >>> from tape import nd
    >>> nd.elemwise_mul(nd.array([1, 2]), nd.array([3, 4]))
    <BLANKLINE>
    [3. 8.]
    <NDArray 2 @cpu(0)>
    """
    _same_shape(lhs, rhs, "nd.elemwise_mul")
    result = multiply_op(lhs, rhs)
    return result if out is None else into(out, result, "nd.elemwise_mul")


def elemwise_div(lhs: NDArray, rhs: NDArray, *, out: NDArray | None = None) -> NDArray:
    """`lhs / rhs` for two arrays of the same shape.

    >>> from tape import nd
    >>> nd.elemwise_div(nd.array([1, 2]), nd.array([4, 4]))
    <BLANKLINE>
    [0.25 0.5 ]
    <NDArray 2 @cpu(0)>
    """
    _same_shape(lhs, rhs, "nd.elemwise_div")
    result = divide_op(lhs, rhs)
    return result if out is None else into(out, result, "nd.elemwise_div")


# Every input's gradient is the output's: the same array for all (nothing writes into it).
add_n_op: Variadic = Variadic(
    "add_n",
    lambda *xs: functools.reduce(np.add, xs[1:], xs[0].copy()),
    lambda parents, g, ans, xs: [g] * len(parents),
)


def add_n(*args: NDArray, out: NDArray | None = None) -> NDArray:
    """The elementwise sum of any number of arrays of one shape (MXNet's `ElementWiseSum`).

    >>> from tape import nd
    >>> nd.add_n(nd.array([1, 2]), nd.array([3, 4]), nd.array([5, 6]))
    <BLANKLINE>
    [ 9. 12.]
    <NDArray 2 @cpu(0)>
    """
    if not args:
        raise ArgumentError("nd.add_n needs at least one array")
    first = args[0]
    shape = first._data.shape if isinstance(first, NDArray) else None
    if shape is None:
        _same_shape(first, first, "nd.add_n", ("args[0]", "args[0]"))  # an array, or raise
    for k, a in enumerate(args[1:], 1):
        # The message is formatted only for an array that fails: add_n may sum thousands.
        if shape is None or not isinstance(a, NDArray) or a._data.shape != shape:
            _same_shape(first, a, "nd.add_n", ("args[0]", f"args[{k}]"))
    result = add_n_op(*args)
    return result if out is None else into(out, result, "nd.add_n")
