"""Trigonometric and hyperbolic functions, their inverses, and angle conversions."""

from __future__ import annotations

import math

import numpy as np

from .._primitive import Primitive
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


def sin(data: NDArray) -> NDArray:
    """Elementwise sine (radians).

    >>> from tape import nd
    >>> nd.sin(nd.array([0, 1.5707964]))
    <BLANKLINE>
    [0. 1.]
    <NDArray 2 @cpu(0)>
    """
    return sin_op(data)


def cos(data: NDArray) -> NDArray:
    """Elementwise cosine (radians).

    >>> from tape import nd
    >>> nd.cos(nd.array([0, 3.1415927]))
    <BLANKLINE>
    [ 1. -1.]
    <NDArray 2 @cpu(0)>
    """
    return cos_op(data)


def tan(data: NDArray) -> NDArray:
    """Elementwise tangent (radians).

    >>> from tape import nd
    >>> nd.tan(nd.array([0, 0.7853982]))
    <BLANKLINE>
    [0. 1.]
    <NDArray 2 @cpu(0)>
    """
    return tan_op(data)


def arcsin(data: NDArray) -> NDArray:
    """Elementwise inverse sine, in `[-pi/2, pi/2]`.

    >>> from tape import nd
    >>> nd.arcsin(nd.array([0, 1]))
    <BLANKLINE>
    [0.        1.5707964]
    <NDArray 2 @cpu(0)>
    """
    return arcsin_op(data)


def arccos(data: NDArray) -> NDArray:
    """Elementwise inverse cosine, in `[0, pi]`.

    >>> from tape import nd
    >>> nd.arccos(nd.array([1, 0]))
    <BLANKLINE>
    [0.        1.5707964]
    <NDArray 2 @cpu(0)>
    """
    return arccos_op(data)


def arctan(data: NDArray) -> NDArray:
    """Elementwise inverse tangent, in `(-pi/2, pi/2)`.

    >>> from tape import nd
    >>> nd.arctan(nd.array([0, 1]))
    <BLANKLINE>
    [0.        0.7853982]
    <NDArray 2 @cpu(0)>
    """
    return arctan_op(data)


def sinh(data: NDArray) -> NDArray:
    """Elementwise hyperbolic sine.

    >>> from tape import nd
    >>> nd.sinh(nd.array([0, 1]))
    <BLANKLINE>
    [0.        1.1752012]
    <NDArray 2 @cpu(0)>
    """
    return sinh_op(data)


def cosh(data: NDArray) -> NDArray:
    """Elementwise hyperbolic cosine.

    >>> from tape import nd
    >>> nd.cosh(nd.array([0, 1]))
    <BLANKLINE>
    [1.        1.5430807]
    <NDArray 2 @cpu(0)>
    """
    return cosh_op(data)


def tanh(data: NDArray) -> NDArray:
    """Elementwise hyperbolic tangent.

    >>> from tape import nd
    >>> nd.tanh(nd.array([0, 1]))
    <BLANKLINE>
    [0.        0.7615942]
    <NDArray 2 @cpu(0)>
    """
    return tanh_op(data)


def arcsinh(data: NDArray) -> NDArray:
    """Elementwise inverse hyperbolic sine.

    >>> from tape import nd
    >>> nd.arcsinh(nd.array([0, 1.1752012]))
    <BLANKLINE>
    [0. 1.]
    <NDArray 2 @cpu(0)>
    """
    return arcsinh_op(data)


def arccosh(data: NDArray) -> NDArray:
    """Elementwise inverse hyperbolic cosine, defined for `data >= 1`.

    >>> from tape import nd
    >>> nd.arccosh(nd.array([1, 1.5430807]))
    <BLANKLINE>
    [0. 1.]
    <NDArray 2 @cpu(0)>
    """
    return arccosh_op(data)


def arctanh(data: NDArray) -> NDArray:
    """Elementwise inverse hyperbolic tangent, defined on `(-1, 1)`.

    >>> from tape import nd
    >>> nd.arctanh(nd.array([0, 0.7615942]))
    <BLANKLINE>
    [0. 1.]
    <NDArray 2 @cpu(0)>
    """
    return arctanh_op(data)


def degrees(data: NDArray) -> NDArray:
    """Elementwise conversion from radians to degrees.

    >>> from tape import nd
    >>> nd.degrees(nd.array([0, 3.1415927]))
    <BLANKLINE>
    [  0. 180.]
    <NDArray 2 @cpu(0)>
    """
    return degrees_op(data)


def radians(data: NDArray) -> NDArray:
    """Elementwise conversion from degrees to radians.

    >>> from tape import nd
    >>> nd.radians(nd.array([0, 180]))
    <BLANKLINE>
    [0.        3.1415927]
    <NDArray 2 @cpu(0)>
    """
    return radians_op(data)
