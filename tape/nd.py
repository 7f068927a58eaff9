"""The `nd` namespace: array creation and every op, as `mxnet.nd` offers them.

Every name here is a real function (or an alias of one) defined in `tape.ops` and friends,
so type checkers and documentation tools can see them.
"""

from __future__ import annotations

from . import random
from .creation import arange, array, empty, eye, full, linspace, ones, waitall, zeros
from .ndarray import NDArray
from .ops.arith import (
    abs,
    add,
    add_n,
    divide,
    elemwise_add,
    elemwise_div,
    elemwise_mul,
    elemwise_sub,
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
from .ops.elementwise import (
    cbrt,
    ceil,
    clip,
    exp,
    expm1,
    fix,
    floor,
    log,
    log1p,
    log2,
    log10,
    rcbrt,
    reciprocal,
    relu,
    rint,
    round,
    rsqrt,
    sigmoid,
    softrelu,
    softsign,
    sqrt,
    square,
    trunc,
)
from .ops.indexing import one_hot, pick, take, where
from .ops.join import concat, flip, repeat, reverse, slice, slice_axis, split, stack, tile
from .ops.linalg import batch_dot, dot
from .ops.nn import Activation, Dropout, FullyConnected, log_softmax, softmax, softmax_cross_entropy
from .ops.reduction import argmax, argmin, max, mean, min, nansum, norm, prod, sum
from .ops.shape import (
    broadcast_axis,
    broadcast_like,
    broadcast_to,
    cast,
    expand_dims,
    flatten,
    ones_like,
    reshape,
    squeeze,
    stop_gradient,
    swapaxes,
    transpose,
    zeros_like,
)
from .ops.special import digamma, erf, gamma, gammaln
from .ops.trig import (
    arccos,
    arccosh,
    arcsin,
    arcsinh,
    arctan,
    arctanh,
    cos,
    cosh,
    degrees,
    radians,
    sin,
    sinh,
    tan,
    tanh,
)
from .serialization import load, save

# MXNet's other names for the same ops.
BlockGrad = stop_gradient
Cast = cast
Concat = concat
Flatten = flatten
SliceChannel = split
ElementWiseSum = add_n
broadcast_axes = broadcast_axis
sum_axis = sum
max_axis = max
min_axis = min
broadcast_add = broadcast_plus = add
broadcast_sub = broadcast_minus = subtract
broadcast_mul = multiply
broadcast_div = divide
broadcast_mod = modulo
broadcast_power = power
broadcast_maximum = maximum
broadcast_minimum = minimum
broadcast_equal = equal
broadcast_not_equal = not_equal
broadcast_greater = greater
broadcast_greater_equal = greater_equal
broadcast_lesser = lesser
broadcast_lesser_equal = lesser_equal
random_normal = random.normal
random_uniform = random.uniform

__all__ = [
    "NDArray", "random",
    # creation
    "array", "zeros", "ones", "full", "empty", "arange", "eye", "linspace", "waitall", "zeros_like",
    "ones_like",
    # arithmetic and comparison
    "abs", "add", "add_n", "divide", "elemwise_add", "elemwise_div", "elemwise_mul", "elemwise_sub",
    "equal", "greater", "greater_equal", "lesser", "lesser_equal", "maximum", "minimum", "modulo",
    "multiply", "negative", "not_equal", "power", "sign", "subtract",
    # elementwise math
    "cbrt", "ceil", "clip", "exp", "expm1", "fix", "floor", "log", "log1p", "log2", "log10", "rcbrt",
    "reciprocal", "relu", "rint", "round", "rsqrt", "sigmoid", "softrelu", "softsign", "sqrt",
    "square", "trunc", "arccos", "arccosh", "arcsin", "arcsinh", "arctan", "arctanh", "cos", "cosh",
    "degrees", "radians", "sin", "sinh", "tan", "tanh", "digamma", "erf", "gamma", "gammaln",
    # reductions
    "argmax", "argmin", "max", "mean", "min", "nansum", "norm", "prod", "sum",
    # shapes, joining, indexing
    "broadcast_axis", "broadcast_like", "broadcast_to", "cast", "expand_dims", "flatten", "reshape",
    "squeeze", "stop_gradient", "swapaxes", "transpose", "concat", "flip", "repeat", "reverse",
    "slice", "slice_axis", "split", "stack", "tile", "one_hot", "pick", "take", "where",
    # linear algebra and neural networks
    "batch_dot", "dot", "Activation", "Dropout", "FullyConnected", "log_softmax", "softmax",
    "softmax_cross_entropy",
    # files
    "load", "save",
    # aliases
    "BlockGrad", "Cast", "Concat", "Flatten", "SliceChannel", "ElementWiseSum", "broadcast_axes",
    "sum_axis", "max_axis", "min_axis", "broadcast_add", "broadcast_plus", "broadcast_sub",
    "broadcast_minus", "broadcast_mul", "broadcast_div", "broadcast_mod", "broadcast_power",
    "broadcast_maximum", "broadcast_minimum", "broadcast_equal", "broadcast_not_equal",
    "broadcast_greater", "broadcast_greater_equal", "broadcast_lesser", "broadcast_lesser_equal",
    "random_normal", "random_uniform",
]
