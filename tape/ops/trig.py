"""Trigonometric and hyperbolic functions, their inverses, and angle conversions."""

from __future__ import annotations

import math

import numpy as np

from .._primitive import Primitive
from ..creation import into
from ..ndarray import NDArray
from . import arith
from .elementwise import rsqrt_op

__all__ = [
    "sin", "cos", "tan", "arcsin", "arccos", "arctan", "sinh", "cosh", "tanh", "arcsinh",
    "arccosh", "arctanh", "degrees", "radians",
]  # fmt: skip

_DEG = 180.0 / math.pi
_RAD = math.pi / 180.0

# Fused derivative primitives: a plain backward through sin, cos or tanh is one NumPy-level call
# and one node (not two or three), and each has VJPs in tape ops, so every order still works.
sin_grad_op: Primitive = Primitive(
    "sin_backward",
    lambda g, x: g * np.cos(x),
    lambda u, ans, g, x: sin_grad_op(u, x),
    lambda u, ans, g, x: cos_grad_op(u * g, x),
)
cos_grad_op: Primitive = Primitive(
    "cos_backward",
    lambda g, x: -g * np.sin(x),
    lambda u, ans, g, x: cos_grad_op(u, x),
    lambda u, ans, g, x: sin_grad_op(-(u * g), x),
)
# d/dy [g (1 - y^2)] = -2 g y: one product3 node, itself closed under differentiation.
tanh_grad_op: Primitive = Primitive(
    "tanh_backward",
    lambda g, y: g - g * y * y,  # = g (1 - y^2); NumPy costs more with a Python scalar
    lambda u, ans, g, y: tanh_grad_op(u, y),
    lambda u, ans, g, y: arith.product3_op(u, g, y, k=-2.0),
)
sin_op: Primitive = Primitive("sin", np.sin, lambda g, ans, x: sin_grad_op(g, x), float_valued=True)
cos_op: Primitive = Primitive("cos", np.cos, lambda g, ans, x: cos_grad_op(g, x), float_valued=True)
tan_op: Primitive = Primitive("tan", np.tan, lambda g, ans, x: g * (ans * ans + 1), float_valued=True)
arcsin_op: Primitive = Primitive(
    "arcsin", np.arcsin, lambda g, ans, x: g * rsqrt_op(1 - x * x), float_valued=True
)
arccos_op: Primitive = Primitive(
    "arccos", np.arccos, lambda g, ans, x: -g * rsqrt_op(1 - x * x), float_valued=True
)
arctan_op: Primitive = Primitive("arctan", np.arctan, lambda g, ans, x: g / (x * x + 1), float_valued=True)
sinh_op: Primitive = Primitive("sinh", np.sinh, lambda g, ans, x: g * cosh_op(x), float_valued=True)
cosh_op: Primitive = Primitive("cosh", np.cosh, lambda g, ans, x: g * sinh_op(x), float_valued=True)
tanh_op: Primitive = Primitive("tanh", np.tanh, lambda g, ans, x: tanh_grad_op(g, ans), float_valued=True)
arcsinh_op: Primitive = Primitive(
    "arcsinh", np.arcsinh, lambda g, ans, x: g * rsqrt_op(x * x + 1), float_valued=True
)
arccosh_op: Primitive = Primitive(
    "arccosh", np.arccosh, lambda g, ans, x: g * rsqrt_op(x * x - 1), float_valued=True
)
arctanh_op: Primitive = Primitive("arctanh", np.arctanh, lambda g, ans, x: g / (1 - x * x), float_valued=True)
degrees_op: Primitive = Primitive("degrees", np.degrees, lambda g, ans, x: g * _DEG, float_valued=True)
radians_op: Primitive = Primitive("radians", np.radians, lambda g, ans, x: g * _RAD, float_valued=True)


def sin(data: NDArray, *, out: NDArray | None = None) -> NDArray:
    """Elementwise sine (radians).

    >>> from tape import nd
    >>> nd.sin(nd.array([0, 1.5707964]))
    <BLANKLINE>
    [0. 1.]
    <NDArray 2 @cpu(0)>
    """
    result = sin_op(data)
    return result if out is None else into(out, result, "nd.sin")


def cos(data: NDArray, *, out: NDArray | None = None) -> NDArray:
    """Elementwise cosine (radians).

    >>> from tape import nd
    >>> nd.cos(nd.array([0, 3.1415927]))
    <BLANKLINE>
    [ 1. -1.]
    <NDArray 2 @cpu(0)>
    """
    result = cos_op(data)
    return result if out is None else into(out, result, "nd.cos")


def tan(data: NDArray, *, out: NDArray | None = None) -> NDArray:
    """Elementwise tangent (radians).

    >>> from tape import nd
    >>> nd.tan(nd.array([0, 0.7853982]))
    <BLANKLINE>
    [0. 1.]
    <NDArray 2 @cpu(0)>
    """
    result = tan_op(data)
    return result if out is None else into(out, result, "nd.tan")


def arcsin(data: NDArray, *, out: NDArray | None = None) -> NDArray:
    """Elementwise inverse sine, in `[-pi/2, pi/2]`.

    >>> from tape import nd
    >>> nd.arcsin(nd.array([0, 1]))
    <BLANKLINE>
    [0.        1.5707964]
    <NDArray 2 @cpu(0)>
    """
    result = arcsin_op(data)
    return result if out is None else into(out, result, "nd.arcsin")


def arccos(data: NDArray, *, out: NDArray | None = None) -> NDArray:
    """Elementwise inverse cosine, in `[0, pi]`.

    >>> from tape import nd
    >>> nd.arccos(nd.array([1, 0]))
    <BLANKLINE>
    [0.        1.5707964]
    <NDArray 2 @cpu(0)>
    """
    result = arccos_op(data)
    return result if out is None else into(out, result, "nd.arccos")


def arctan(data: NDArray, *, out: NDArray | None = None) -> NDArray:
    """Elementwise inverse tangent, in `(-pi/2, pi/2)`.

    >>> from tape import nd
    >>> nd.arctan(nd.array([0, 1]))
    <BLANKLINE>
    [0.        0.7853982]
    <NDArray 2 @cpu(0)>
    """
    result = arctan_op(data)
    return result if out is None else into(out, result, "nd.arctan")


def sinh(data: NDArray, *, out: NDArray | None = None) -> NDArray:
    """Elementwise hyperbolic sine.

    >>> from tape import nd
    >>> nd.sinh(nd.array([0, 1]))
    <BLANKLINE>
    [0.        1.1752012]
    <NDArray 2 @cpu(0)>
    """
    result = sinh_op(data)
    return result if out is None else into(out, result, "nd.sinh")


def cosh(data: NDArray, *, out: NDArray | None = None) -> NDArray:
    """Elementwise hyperbolic cosine.

    >>> from tape import nd
    >>> nd.cosh(nd.array([0, 1]))
    <BLANKLINE>
    [1.        1.5430807]
    <NDArray 2 @cpu(0)>
    """
    result = cosh_op(data)
    return result if out is None else into(out, result, "nd.cosh")


def tanh(data: NDArray, *, out: NDArray | None = None) -> NDArray:
    """Elementwise hyperbolic tangent.

    >>> from tape import nd
    >>> nd.tanh(nd.array([0, 1]))
    <BLANKLINE>
    [0.        0.7615942]
    <NDArray 2 @cpu(0)>
    """
    result = tanh_op(data)
    return result if out is None else into(out, result, "nd.tanh")


def arcsinh(data: NDArray, *, out: NDArray | None = None) -> NDArray:
    """Elementwise inverse hyperbolic sine.

    >>> from tape import nd
    >>> nd.arcsinh(nd.array([0, 1.1752012]))
    <BLANKLINE>
    [0. 1.]
    <NDArray 2 @cpu(0)>
    """
    result = arcsinh_op(data)
    return result if out is None else into(out, result, "nd.arcsinh")


def arccosh(data: NDArray, *, out: NDArray | None = None) -> NDArray:
    """Elementwise inverse hyperbolic cosine, defined for `data >= 1`.

    >>> from tape import nd
    >>> nd.arccosh(nd.array([1, 1.5430807]))
    <BLANKLINE>
    [0. 1.]
    <NDArray 2 @cpu(0)>
    """
    result = arccosh_op(data)
    return result if out is None else into(out, result, "nd.arccosh")


def arctanh(data: NDArray, *, out: NDArray | None = None) -> NDArray:
    """Elementwise inverse hyperbolic tangent, defined on `(-1, 1)`.

    >>> from tape import nd
    >>> nd.arctanh(nd.array([0, 0.7615942]))
    <BLANKLINE>
    [0. 1.]
    <NDArray 2 @cpu(0)>
    """
    result = arctanh_op(data)
    return result if out is None else into(out, result, "nd.arctanh")


def degrees(data: NDArray, *, out: NDArray | None = None) -> NDArray:
    """Elementwise conversion from radians to degrees.

    >>> from tape import nd
    >>> nd.degrees(nd.array([0, 3.1415927]))
    <BLANKLINE>
    [  0. 180.]
    <NDArray 2 @cpu(0)>
    """
    result = degrees_op(data)
    return result if out is None else into(out, result, "nd.degrees")


def radians(data: NDArray, *, out: NDArray | None = None) -> NDArray:
    """Elementwise conversion from degrees to radians.

    >>> from tape import nd
    >>> nd.radians(nd.array([0, 180]))
    <BLANKLINE>
    [0.        3.1415927]
    <NDArray 2 @cpu(0)>
    """
    result = radians_op(data)
    return result if out is None else into(out, result, "nd.radians")
