"""The `nd` namespace: array creation and every op, as `mxnet.nd` offers them."""

from __future__ import annotations

from . import random
from .creation import arange, array, empty, eye, full, linspace, ones, waitall, zeros
from .ndarray import NDArray
from .ops.arith import (
    abs,
    add,
    divide,
    equal,
    greater,
    greater_equal,
    lesser,
    lesser_equal,
    maximum,
    minimum,
    modulo,
    multiply,
    negative,
    not_equal,
    power,
    sign,
    subtract,
)
from .ops.elementwise import cos, exp, floor, log, relu, sigmoid, sin, sqrt, square, tanh
from .ops.linalg import dot
from .ops.reduction import argmax, argmin, max, mean, min, norm, sum
from .ops.shape import (
    broadcast_to,
    expand_dims,
    flatten,
    ones_like,
    reshape,
    stop_gradient,
    transpose,
    zeros_like,
)

BlockGrad = stop_gradient

__all__ = [
    "NDArray", "random", "array", "zeros", "ones", "full", "empty", "arange", "eye", "linspace",
    "waitall", "abs", "add", "divide", "equal", "greater", "greater_equal", "lesser",
    "lesser_equal", "maximum", "minimum", "modulo", "multiply", "negative", "not_equal", "power",
    "sign", "subtract", "cos", "exp", "floor", "log", "relu", "sigmoid", "sin", "sqrt", "square",
    "tanh", "dot", "argmax", "argmin", "max", "mean", "min", "norm", "sum", "broadcast_to",
    "expand_dims", "flatten", "ones_like", "reshape", "stop_gradient", "BlockGrad", "transpose",
    "zeros_like",
]
