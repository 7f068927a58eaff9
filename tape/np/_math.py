"""Elementwise math of `tape.np`: NumPy's names over the primitives that `nd` uses.

Every differentiable function here calls one of `nd`'s primitives, whose derivative is written
once in `tape/ops`; this module adapts only names, argument conventions and `out=`. A call on a
`tape.np` array without `out=` costs one class test more than the primitive itself. Comparisons
and predicates give bool arrays, as NumPy's do, and are never recorded.

(Generated once from a table; edit it as ordinary code.)
"""

from __future__ import annotations

from typing import Any

import numpy as onp

from .._primitive import Primitive
from .._xp import as_data
from ..ndarray import NDArray
from ..ops import arith as _ar
from ..ops import elementwise as _el
from ..ops import indexing as _ix
from ..ops import trig as _tr
from ..ops.elementwise import scalar
from ._convert import array_arg, binary, boolean, into, operand, unary
from ._creation import asarray, new
from ._ndarray import ndarray

__all__ = [
    "exp", "expm1", "log", "log2", "log10", "log1p", "sqrt", "cbrt", "square", "reciprocal", "abs",
    "sign", "negative", "floor", "ceil", "trunc", "fix", "rint", "sin", "cos", "tan", "arcsin",
    "arccos", "arctan", "sinh", "cosh", "tanh", "arcsinh", "arccosh", "arctanh", "degrees",
    "radians", "absolute", "rad2deg", "deg2rad", "add", "subtract", "multiply", "divide", "power",
    "mod", "maximum", "minimum", "true_divide", "remainder", "equal", "not_equal", "less",
    "less_equal", "greater", "greater_equal", "logical_and", "logical_or", "logical_xor", "isnan",
    "isinf", "isfinite", "logical_not", "clip", "where", "round", "around", "round_", "nonzero",
]  # fmt: skip

# NumPy's rounding (halves to even), with the zero derivative of nd's rounding ops; nd's own
# `round` and `rint` keep MXNet's rules for halves.
rint_op: Primitive = Primitive("rint", onp.rint, _el.zero_vjp)
round_op: Primitive = Primitive(
    "round",
    lambda x, decimals: as_data(onp.round(x, decimals)),
    lambda g, ans, x, decimals: _el.zero_vjp(g, ans, x),
)


def exp(x: Any, out: Any = None) -> Any:
    """`e` to the power `x`, elementwise.

    >>> from tape import np
    >>> np.exp(np.array([0, 1]))
    array([1.      , 2.718282])
    """
    return _el.exp_op(x) if out is None and x.__class__ is ndarray else unary(_el.exp_op, x, out, "exp")


def expm1(x: Any, out: Any = None) -> Any:
    """`exp(x) - 1`, exact for small `x`.

    >>> from tape import np
    >>> np.expm1(np.array([0, 1e-5]))
    array([0.000000e+00, 1.000005e-05])
    """
    return _el.expm1_op(x) if out is None and x.__class__ is ndarray else unary(_el.expm1_op, x, out, "expm1")


def log(x: Any, out: Any = None) -> Any:
    """The natural logarithm, elementwise.

    >>> from tape import np
    >>> np.log(np.array([1, 2.7182817]))
    array([0., 1.])
    """
    return _el.log_op(x) if out is None and x.__class__ is ndarray else unary(_el.log_op, x, out, "log")


def log2(x: Any, out: Any = None) -> Any:
    """The base-2 logarithm, elementwise.

    >>> from tape import np
    >>> np.log2(np.array([1, 8]))
    array([0., 3.])
    """
    return _el.log2_op(x) if out is None and x.__class__ is ndarray else unary(_el.log2_op, x, out, "log2")


def log10(x: Any, out: Any = None) -> Any:
    """The base-10 logarithm, elementwise.

    >>> from tape import np
    >>> np.log10(np.array([1, 100]))
    array([0.       , 2.0000002])
    """
    return _el.log10_op(x) if out is None and x.__class__ is ndarray else unary(_el.log10_op, x, out, "log10")


def log1p(x: Any, out: Any = None) -> Any:
    """`log(1 + x)`, exact for small `x`.

    >>> from tape import np
    >>> np.log1p(np.array([0, 1e-5]))
    array([0.00000e+00, 9.99995e-06])
    """
    return _el.log1p_op(x) if out is None and x.__class__ is ndarray else unary(_el.log1p_op, x, out, "log1p")


def sqrt(x: Any, out: Any = None) -> Any:
    """The square root, elementwise.

    >>> from tape import np
    >>> np.sqrt(np.array([4, 9]))
    array([2., 3.])
    """
    return _el.sqrt_op(x) if out is None and x.__class__ is ndarray else unary(_el.sqrt_op, x, out, "sqrt")


def cbrt(x: Any, out: Any = None) -> Any:
    """The cube root, elementwise.

    >>> from tape import np
    >>> np.cbrt(np.array([8, -27]))
    array([ 2.       , -2.9999998])
    """
    return _el.cbrt_op(x) if out is None and x.__class__ is ndarray else unary(_el.cbrt_op, x, out, "cbrt")


def square(x: Any, out: Any = None) -> Any:
    """`x * x`, elementwise.

    >>> from tape import np
    >>> np.square(np.array([2, -3]))
    array([4., 9.])
    """
    return (
        _el.square_op(x) if out is None and x.__class__ is ndarray else unary(_el.square_op, x, out, "square")
    )


def reciprocal(x: Any, out: Any = None) -> Any:
    """`1 / x`, elementwise.

    >>> from tape import np
    >>> np.reciprocal(np.array([2, 4]))
    array([0.5 , 0.25])
    """
    return (
        _el.reciprocal_op(x)
        if out is None and x.__class__ is ndarray
        else unary(_el.reciprocal_op, x, out, "reciprocal")
    )


def abs(x: Any, out: Any = None) -> Any:  # noqa: A001 - NumPy's name
    """The absolute value, elementwise; its derivative at 0 is 0.

    >>> from tape import np
    >>> np.abs(np.array([-1.5, 2]))
    array([1.5, 2. ])
    """
    return _el.abs_op(x) if out is None and x.__class__ is ndarray else unary(_el.abs_op, x, out, "abs")


def sign(x: Any, out: Any = None) -> Any:
    """-1, 0 or 1 by the sign of `x`; its derivative is 0.

    >>> from tape import np
    >>> np.sign(np.array([-2, 0, 3]))
    array([-1.,  0.,  1.])
    """
    return _el.sign_op(x) if out is None and x.__class__ is ndarray else unary(_el.sign_op, x, out, "sign")


def negative(x: Any, out: Any = None) -> Any:
    """`-x`, elementwise.

    >>> from tape import np
    >>> np.negative(np.array([1, -2]))
    array([-1.,  2.])
    """
    return (
        _ar.negative_op(x)
        if out is None and x.__class__ is ndarray
        else unary(_ar.negative_op, x, out, "negative")
    )


def floor(x: Any, out: Any = None) -> Any:
    """The largest integer not above `x`; its derivative is 0.

    >>> from tape import np
    >>> np.floor(np.array([-1.5, 1.5]))
    array([-2.,  1.])
    """
    return _el.floor_op(x) if out is None and x.__class__ is ndarray else unary(_el.floor_op, x, out, "floor")


def ceil(x: Any, out: Any = None) -> Any:
    """The smallest integer not below `x`; its derivative is 0.

    >>> from tape import np
    >>> np.ceil(np.array([-1.5, 1.5]))
    array([-1.,  2.])
    """
    return _el.ceil_op(x) if out is None and x.__class__ is ndarray else unary(_el.ceil_op, x, out, "ceil")


def trunc(x: Any, out: Any = None) -> Any:
    """`x` rounded toward zero; its derivative is 0.

    >>> from tape import np
    >>> np.trunc(np.array([-1.5, 1.5]))
    array([-1.,  1.])
    """
    return _el.trunc_op(x) if out is None and x.__class__ is ndarray else unary(_el.trunc_op, x, out, "trunc")


def fix(x: Any, out: Any = None) -> Any:
    """`x` rounded toward zero (NumPy's other name for `trunc`).

    >>> from tape import np
    >>> np.fix(np.array([-1.5, 1.5]))
    array([-1.,  1.])
    """
    return _el.trunc_op(x) if out is None and x.__class__ is ndarray else unary(_el.trunc_op, x, out, "fix")


def rint(x: Any, out: Any = None) -> Any:
    """`x` rounded to the nearest integer, halves to even as NumPy does.

    >>> from tape import np
    >>> np.rint(np.array([0.5, 1.5, 2.5]))
    array([0., 2., 2.])
    """
    return rint_op(x) if out is None and x.__class__ is ndarray else unary(rint_op, x, out, "rint")


def sin(x: Any, out: Any = None) -> Any:
    """The sine (radians), elementwise.

    >>> from tape import np
    >>> np.sin(np.array([0, 1.5707964]))
    array([0., 1.])
    """
    return _tr.sin_op(x) if out is None and x.__class__ is ndarray else unary(_tr.sin_op, x, out, "sin")


def cos(x: Any, out: Any = None) -> Any:
    """The cosine (radians), elementwise.

    >>> from tape import np
    >>> np.cos(np.array([0, 3.1415927]))
    array([ 1., -1.])
    """
    return _tr.cos_op(x) if out is None and x.__class__ is ndarray else unary(_tr.cos_op, x, out, "cos")


def tan(x: Any, out: Any = None) -> Any:
    """The tangent (radians), elementwise.

    >>> from tape import np
    >>> np.tan(np.array([0, 0.7853982]))
    array([0., 1.])
    """
    return _tr.tan_op(x) if out is None and x.__class__ is ndarray else unary(_tr.tan_op, x, out, "tan")


def arcsin(x: Any, out: Any = None) -> Any:
    """The inverse sine, elementwise.

    >>> from tape import np
    >>> np.arcsin(np.array([0, 1]))
    array([0.       , 1.5707964])
    """
    return (
        _tr.arcsin_op(x) if out is None and x.__class__ is ndarray else unary(_tr.arcsin_op, x, out, "arcsin")
    )


def arccos(x: Any, out: Any = None) -> Any:
    """The inverse cosine, elementwise.

    >>> from tape import np
    >>> np.arccos(np.array([1, 0]))
    array([0.       , 1.5707964])
    """
    return (
        _tr.arccos_op(x) if out is None and x.__class__ is ndarray else unary(_tr.arccos_op, x, out, "arccos")
    )


def arctan(x: Any, out: Any = None) -> Any:
    """The inverse tangent, elementwise.

    >>> from tape import np
    >>> np.arctan(np.array([0, 1]))
    array([0.       , 0.7853982])
    """
    return (
        _tr.arctan_op(x) if out is None and x.__class__ is ndarray else unary(_tr.arctan_op, x, out, "arctan")
    )


def sinh(x: Any, out: Any = None) -> Any:
    """The hyperbolic sine, elementwise.

    >>> from tape import np
    >>> np.sinh(np.array([0, 1]))
    array([0.       , 1.1752012])
    """
    return _tr.sinh_op(x) if out is None and x.__class__ is ndarray else unary(_tr.sinh_op, x, out, "sinh")


def cosh(x: Any, out: Any = None) -> Any:
    """The hyperbolic cosine, elementwise.

    >>> from tape import np
    >>> np.cosh(np.array([0, 1]))
    array([1.       , 1.5430807])
    """
    return _tr.cosh_op(x) if out is None and x.__class__ is ndarray else unary(_tr.cosh_op, x, out, "cosh")


def tanh(x: Any, out: Any = None) -> Any:
    """The hyperbolic tangent, elementwise.

    >>> from tape import np
    >>> np.tanh(np.array([0, 1]))
    array([0.       , 0.7615942])
    """
    return _tr.tanh_op(x) if out is None and x.__class__ is ndarray else unary(_tr.tanh_op, x, out, "tanh")


def arcsinh(x: Any, out: Any = None) -> Any:
    """The inverse hyperbolic sine, elementwise.

    >>> from tape import np
    >>> np.arcsinh(np.array([0, 1]))
    array([0.       , 0.8813736])
    """
    return (
        _tr.arcsinh_op(x)
        if out is None and x.__class__ is ndarray
        else unary(_tr.arcsinh_op, x, out, "arcsinh")
    )


def arccosh(x: Any, out: Any = None) -> Any:
    """The inverse hyperbolic cosine, elementwise.

    >>> from tape import np
    >>> np.arccosh(np.array([1, 2]))
    array([0.      , 1.316958])
    """
    return (
        _tr.arccosh_op(x)
        if out is None and x.__class__ is ndarray
        else unary(_tr.arccosh_op, x, out, "arccosh")
    )


def arctanh(x: Any, out: Any = None) -> Any:
    """The inverse hyperbolic tangent, elementwise.

    >>> from tape import np
    >>> np.arctanh(np.array([0, 0.5]))
    array([0.        , 0.54930615])
    """
    return (
        _tr.arctanh_op(x)
        if out is None and x.__class__ is ndarray
        else unary(_tr.arctanh_op, x, out, "arctanh")
    )


def degrees(x: Any, out: Any = None) -> Any:
    """Radians to degrees, elementwise.

    >>> from tape import np
    >>> np.degrees(np.array([0, 3.1415927]))
    array([  0., 180.])
    """
    return (
        _tr.degrees_op(x)
        if out is None and x.__class__ is ndarray
        else unary(_tr.degrees_op, x, out, "degrees")
    )


def radians(x: Any, out: Any = None) -> Any:
    """Degrees to radians, elementwise.

    >>> from tape import np
    >>> np.radians(np.array([0, 180]))
    array([0.       , 3.1415927])
    """
    return (
        _tr.radians_op(x)
        if out is None and x.__class__ is ndarray
        else unary(_tr.radians_op, x, out, "radians")
    )


absolute = abs

rad2deg = degrees

deg2rad = radians


def add(x1: Any, x2: Any, out: Any = None) -> Any:
    """`x1 + x2`, elementwise with broadcasting.

    >>> from tape import np
    >>> np.add(np.array([1, 2]), 10)
    array([11., 12.])
    """
    return binary(_ar.add_op, x1, x2, out, "add")


def subtract(x1: Any, x2: Any, out: Any = None) -> Any:
    """`x1 - x2`, elementwise with broadcasting.

    >>> from tape import np
    >>> np.subtract(np.array([1, 2]), 10)
    array([-9., -8.])
    """
    return binary(_ar.subtract_op, x1, x2, out, "subtract")


def multiply(x1: Any, x2: Any, out: Any = None) -> Any:
    """`x1 * x2`, elementwise with broadcasting.

    >>> from tape import np
    >>> np.multiply(np.array([1, 2]), 10)
    array([10., 20.])
    """
    return binary(_ar.multiply_op, x1, x2, out, "multiply")


def divide(x1: Any, x2: Any, out: Any = None) -> Any:
    """`x1 / x2` (true division), elementwise with broadcasting.

    >>> from tape import np
    >>> np.divide(np.array([1, 2]), 4)
    array([0.25, 0.5 ])
    """
    return binary(_ar.divide_op, x1, x2, out, "divide")


def power(x1: Any, x2: Any, out: Any = None) -> Any:
    """`x1 ** x2`, elementwise with broadcasting.

    >>> from tape import np
    >>> np.power(np.array([2, 3]), 2)
    array([4., 9.])
    """
    return binary(_ar.power_op, x1, x2, out, "power")


def mod(x1: Any, x2: Any, out: Any = None) -> Any:
    """The remainder of `x1 / x2`, with the sign of `x2` (as NumPy).

    >>> from tape import np
    >>> np.mod(np.array([5, -5]), 3)
    array([2., 1.])
    """
    return binary(_ar.modulo_op, x1, x2, out, "mod")


def maximum(x1: Any, x2: Any, out: Any = None) -> Any:
    """The larger of `x1` and `x2`; at a tie the gradient goes to `x1` (as in `nd` and MXNet).

    >>> from tape import np
    >>> np.maximum(np.array([1, 5]), 3)
    array([3., 5.])
    """
    return binary(_ar.maximum_op, x1, x2, out, "maximum")


def minimum(x1: Any, x2: Any, out: Any = None) -> Any:
    """The smaller of `x1` and `x2`; at a tie the gradient goes to `x1` (as in `nd` and MXNet).

    >>> from tape import np
    >>> np.minimum(np.array([1, 5]), 3)
    array([1., 3.])
    """
    return binary(_ar.minimum_op, x1, x2, out, "minimum")


true_divide = divide

remainder = mod


def equal(x1: Any, x2: Any, out: Any = None) -> Any:
    """`x1 == x2` as a bool array.

    >>> from tape import np
    >>> np.equal(np.array([1, 2]), 2)
    array([False,  True])
    """
    return boolean(onp.equal, (x1, x2), out, "equal")


def not_equal(x1: Any, x2: Any, out: Any = None) -> Any:
    """`x1 != x2` as a bool array.

    >>> from tape import np
    >>> np.not_equal(np.array([1, 2]), 2)
    array([ True, False])
    """
    return boolean(onp.not_equal, (x1, x2), out, "not_equal")


def less(x1: Any, x2: Any, out: Any = None) -> Any:
    """`x1 < x2` as a bool array.

    >>> from tape import np
    >>> np.less(np.array([1, 2]), 2)
    array([ True, False])
    """
    return boolean(onp.less, (x1, x2), out, "less")


def less_equal(x1: Any, x2: Any, out: Any = None) -> Any:
    """`x1 <= x2` as a bool array.

    >>> from tape import np
    >>> np.less_equal(np.array([1, 2]), 2)
    array([ True,  True])
    """
    return boolean(onp.less_equal, (x1, x2), out, "less_equal")


def greater(x1: Any, x2: Any, out: Any = None) -> Any:
    """`x1 > x2` as a bool array.

    >>> from tape import np
    >>> np.greater(np.array([1, 2]), 1)
    array([False,  True])
    """
    return boolean(onp.greater, (x1, x2), out, "greater")


def greater_equal(x1: Any, x2: Any, out: Any = None) -> Any:
    """`x1 >= x2` as a bool array.

    >>> from tape import np
    >>> np.greater_equal(np.array([1, 2]), 2)
    array([False,  True])
    """
    return boolean(onp.greater_equal, (x1, x2), out, "greater_equal")


def logical_and(x1: Any, x2: Any, out: Any = None) -> Any:
    """Elementwise logical and, as a bool array.

    >>> from tape import np
    >>> np.logical_and(np.array([0, 1]), 1)
    array([False,  True])
    """
    return boolean(onp.logical_and, (x1, x2), out, "logical_and")


def logical_or(x1: Any, x2: Any, out: Any = None) -> Any:
    """Elementwise logical or, as a bool array.

    >>> from tape import np
    >>> np.logical_or(np.array([0, 1]), 0)
    array([False,  True])
    """
    return boolean(onp.logical_or, (x1, x2), out, "logical_or")


def logical_xor(x1: Any, x2: Any, out: Any = None) -> Any:
    """Elementwise logical exclusive or, as a bool array.

    >>> from tape import np
    >>> np.logical_xor(np.array([0, 1]), 1)
    array([ True, False])
    """
    return boolean(onp.logical_xor, (x1, x2), out, "logical_xor")


def isnan(x: Any, out: Any = None) -> Any:
    """Whether each element is NaN.

    >>> from tape import np
    >>> np.isnan(np.array([1, float('nan')]))
    array([False,  True])
    """
    return boolean(onp.isnan, (x,), out, "isnan")


def isinf(x: Any, out: Any = None) -> Any:
    """Whether each element is infinite.

    >>> from tape import np
    >>> np.isinf(np.array([1, float('inf')]))
    array([False,  True])
    """
    return boolean(onp.isinf, (x,), out, "isinf")


def isfinite(x: Any, out: Any = None) -> Any:
    """Whether each element is finite (not NaN, not infinite).

    >>> from tape import np
    >>> np.isfinite(np.array([1, float('inf')]))
    array([ True, False])
    """
    return boolean(onp.isfinite, (x,), out, "isfinite")


def logical_not(x: Any, out: Any = None) -> Any:
    """Elementwise logical not, as a bool array.

    >>> from tape import np
    >>> np.logical_not(np.array([0, 1]))
    array([ True, False])
    """
    return boolean(onp.logical_not, (x,), out, "logical_not")


def clip(a: Any, a_min: Any, a_max: Any, out: Any = None) -> Any:
    """Limit the values to `[a_min, a_max]` (None leaves a side open); the gradient is 0 outside.

    >>> from tape import np
    >>> np.clip(np.array([-2, 0.5, 3]), 0, None)
    array([0. , 0.5, 3. ])
    """
    x = a if a.__class__ is ndarray else array_arg(a, "clip", "a")
    if a_min is None and a_max is None:
        raise ValueError("np.clip: give a_min or a_max (or both); None for both limits nothing")
    return into(out, _el.clip_op(x, a_min=scalar(a_min), a_max=scalar(a_max)), "clip")


def where(condition: Any, x: Any = None, y: Any = None) -> Any:
    """Elements of `x` where `condition` holds, else of `y`; with `condition` alone, `nonzero`.

    Gradients flow to `x` and `y`, never to the condition. Broadcasts as NumPy does.

    >>> from tape import np
    >>> a = np.array([1, -2, 3])
    >>> np.where(a > 0, a, 0)
    array([1., 0., 3.])
    """
    c = condition if condition.__class__ is ndarray else array_arg(condition, "where", "condition")
    if x is None and y is None:
        return nonzero(c)
    if x is None or y is None:
        raise TypeError("np.where takes the condition alone, or the condition with both x and y")
    xs, ys = operand(x, "where", "x"), operand(y, "where", "y")
    if not isinstance(xs, NDArray) and not isinstance(ys, NDArray):
        xs = asarray(xs)  # two numbers: a float32 result, as np.array(number)
    return _ix.where_op(c, xs, ys)


def nonzero(a: Any) -> tuple[Any, ...]:
    """The indices of the nonzero elements, one int64 array per axis (never recorded).

    >>> from tape import np
    >>> np.nonzero(np.array([0, 3, 0, 4]))
    (array([1, 3], dtype=int64),)
    """
    x = a if a.__class__ is ndarray else array_arg(a, "nonzero", "a")
    return tuple(new(i) for i in onp.nonzero(x._data))


def round(a: Any, decimals: int = 0, out: Any = None) -> Any:  # noqa: A001 - NumPy's name
    """`a` rounded to `decimals` places, halves to even as NumPy does; its derivative is 0.

    >>> from tape import np
    >>> np.round(np.array([0.5, 1.5, 2.5, 0.125]), 1)
    array([0.5, 1.5, 2.5, 0.1])
    """
    x = a if a.__class__ is ndarray else array_arg(a, "round", "a")
    return into(out, round_op(x, decimals=decimals), "round")


around = round_ = round
