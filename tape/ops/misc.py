"""MXNet's other elementwise and row ops: erfinv, hard_sigmoid, broadcast_hypot, softmin, identity,
khatri_rao, batch_take, argmax_channel, split_v2.

Each is a primitive whose VJP is written with tape's ops, or a composition of tape's ops, so
every one differentiates to any order (argmax_channel gives indices, outside the graph).
"""

from __future__ import annotations

import math
import operator
from collections.abc import Sequence
from itertools import pairwise
from typing import Any

import numpy as np

from .._args import array, wrong_type
from .._primitive import Primitive
from .._xp import is_array, is_host, special
from ..creation import into
from ..errors import ArgumentError
from ..ndarray import NDArray
from . import elementwise, indexing, nn, reduction
from ._axes import axis_index
from .arith import _call
from .elementwise import clip_op, exp_op, floating
from .indexing import getitem_op
from .shape import copy_op, reshape_op, unbroadcast

__all__ = [
    "erfinv", "hard_sigmoid", "broadcast_hypot", "softmin", "identity", "khatri_rao", "batch_take",
    "argmax_channel", "split_v2",
]  # fmt: skip

_SQRT_PI_OVER_2 = math.sqrt(math.pi) / 2
_erf = np.frompyfunc(math.erf, 1, 1)


# ---- erfinv -----------------------------------------------------------------------------------
def _giles(x: np.ndarray) -> np.ndarray:
    """Giles' single-precision approximation of erfinv ("Approximating the erfinv function",
    2010): the start of the Newton steps below."""
    with np.errstate(divide="ignore", invalid="ignore"):
        w = -np.log((1 - x) * (1 + x))
        c = w - 2.5
        central = 2.81022636e-08
        for k in (3.43273939e-07, -3.5233877e-06, -4.39150654e-06, 0.00021858087, -0.00125372503,
                  -0.00417768164, 0.246640727, 1.50140941):  # fmt: skip
            central = k + central * c
        t = np.sqrt(w) - 3
        tail = -0.000200214257
        for k in (0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773, -0.0076224613,
                  0.00943887047, 1.00167406, 2.83297682):  # fmt: skip
            tail = k + tail * t
        out: np.ndarray = np.where(w < 5, central, tail) * x
    return out


def _erfinv(x: np.ndarray) -> np.ndarray:
    if not is_host(x):  # a GPU array: CuPy's own (cupyx.scipy.special), without the host's Newton
        gpu: np.ndarray = special("erfinv")(x)
        return gpu.astype(x.dtype, copy=False)
    x64 = x.astype(np.float64)
    y = _giles(x64)
    inside = np.isfinite(y)
    for _ in range(2):  # Newton on erf(y) = x: each step doubles the digits, to float64's
        yi = y[inside]
        step = (np.asarray(_erf(yi), dtype=np.float64) - x64[inside]) / (np.exp(-yi * yi) / _SQRT_PI_OVER_2)
        y[inside] = yi - step
    y = np.where(x64 == 1, np.inf, np.where(x64 == -1, -np.inf, y))  # the poles, exactly
    out: np.ndarray = y.astype(x.dtype)
    return out


# d/dx erfinv(x) = sqrt(pi)/2 exp(erfinv(x)^2), written on the recorded output: any order follows.
erfinv_op: Primitive = Primitive(
    "erfinv", _erfinv, lambda g, ans, x: g * exp_op(ans * ans) * _SQRT_PI_OVER_2, float_valued=True
)


def erfinv(data: NDArray, *, out: NDArray | None = None) -> NDArray:
    """Elementwise inverse of the error function `erf`: `inf` at 1, `-inf` at -1, NaN beyond.

    >>> from tape import nd
    >>> nd.erfinv(nd.array([0, 0.5, -0.9]))
    <BLANKLINE>
    [ 0.          0.47693628 -1.1630871 ]
    <NDArray 3 @cpu(0)>
    """
    result = erfinv_op(array(data, "nd.erfinv"))
    return result if out is None else into(out, result, "nd.erfinv")


# ---- hard_sigmoid, broadcast_hypot, softmin, identity -------------------------------------------
def hard_sigmoid(
    data: NDArray, alpha: float = 0.2, beta: float = 0.5, *, out: NDArray | None = None
) -> NDArray:
    """Elementwise `max(0, min(1, alpha * data + beta))`; the gradient is `alpha` between the
    bounds, else 0. An integer array is computed in float32 (MXNet refuses it).

    >>> from tape import nd
    >>> nd.hard_sigmoid(nd.array([-3, -1, 0, 1, 3]))
    <BLANKLINE>
    [0.  0.3 0.5 0.7 1. ]
    <NDArray 5 @cpu(0)>
    """
    x = array(data, "nd.hard_sigmoid")
    for name, v in (("alpha", alpha), ("beta", beta)):
        if not isinstance(v, int | float) or isinstance(v, bool):
            raise wrong_type("nd.hard_sigmoid", name, "a number", v)
    if x._data.dtype.kind not in "fc":
        x = x.astype(elementwise.DEFAULT_FLOAT)
    result = clip_op(x * float(alpha) + float(beta), a_min=0.0, a_max=1.0)
    return result if out is None else into(out, result, "nd.hard_sigmoid")


def _hypot(x: Any, y: Any) -> np.ndarray:
    # Integers in float32 (the rule for float-valued ops); NumPy would give float64.
    arrays = [floating(a) if is_array(a) else a for a in (x, y)]
    out: np.ndarray = np.hypot(*arrays)
    return out


hypot_op: Primitive = Primitive(
    "broadcast_hypot",
    _hypot,
    lambda g, ans, x, y: unbroadcast(g * x / ans, x),
    lambda g, ans, x, y: unbroadcast(g * y / ans, y),
)


def broadcast_hypot(lhs: NDArray | float, rhs: NDArray | float, *, out: NDArray | None = None) -> NDArray:
    """Elementwise `sqrt(lhs ** 2 + rhs ** 2)`, without overflow; shapes broadcast.

    >>> from tape import nd
    >>> nd.broadcast_hypot(nd.array([[3], [5]]), nd.array([4, 12]))
    <BLANKLINE>
    [[ 5.        12.369317 ]
     [ 6.4031243 13.       ]]
    <NDArray 2x2 @cpu(0)>
    """
    if not isinstance(lhs, NDArray | np.ndarray) and not isinstance(rhs, NDArray | np.ndarray):
        raise ArgumentError("nd.broadcast_hypot: lhs and rhs are both numbers: give at least one array")
    result = _call(hypot_op, lhs, rhs)
    return result if out is None else into(out, result, "nd.broadcast_hypot")


def softmin(
    data: NDArray,
    axis: int = -1,
    temperature: float | None = None,
    dtype: Any = None,
    use_length: bool = False,
    *,
    out: NDArray | None = None,
) -> NDArray:
    """`softmax` of `-data`: `exp(-data / temperature)` normalised along `axis` (the last by
    default), so the smallest value gets the largest weight. `use_length` must be False: MXNet's
    `softmin` takes no `length` array to go with it.

    >>> from tape import nd
    >>> nd.softmin(nd.array([[1, 2, 3]]))
    <BLANKLINE>
    [[0.66524094 0.24472846 0.09003057]]
    <NDArray 1x3 @cpu(0)>
    """
    x = array(data, "nd.softmin")
    if use_length:
        raise ArgumentError(
            "nd.softmin: use_length=True needs lengths, which softmin does not take: use nd.softmax"
        )
    axis = axis_index(x.ndim, axis, "nd.softmin")
    if dtype is not None:
        x = x.astype(dtype)
    if x._data.dtype.kind not in "fc":  # computed in float32, as softmax computes integers
        x = x.astype(elementwise.DEFAULT_FLOAT)
    result = nn.softmax(-x, axis, temperature)
    return result if out is None else into(out, result, "nd.softmin")


def identity(data: NDArray, *, out: NDArray | None = None) -> NDArray:
    """A copy of `data` (same dtype), through which the gradient passes unchanged.

    >>> from tape import nd
    >>> nd.identity(nd.array([1, 2]))
    <BLANKLINE>
    [1. 2.]
    <NDArray 2 @cpu(0)>
    """
    result = copy_op(array(data, "nd.identity"))
    return result if out is None else into(out, result, "nd.identity")


# ---- khatri_rao, batch_take, argmax_channel -----------------------------------------------------
def khatri_rao(*args: NDArray, out: NDArray | None = None) -> NDArray:
    """The column-wise Kronecker product of matrices with one number of columns: for (m, k)
    and (n, k) matrices, the (m * n, k) matrix whose row `i * n + j` is `a[i] * b[j]`.

    >>> from tape import nd
    >>> nd.khatri_rao(nd.array([[1, 2], [3, 4]]), nd.array([[1, -1], [2, 0], [1, 1]]))
    <BLANKLINE>
    [[ 1. -2.]
     [ 2.  0.]
     [ 1.  2.]
     [ 3. -4.]
     [ 6.  0.]
     [ 3.  4.]]
    <NDArray 6x2 @cpu(0)>
    """
    if not args:
        raise ArgumentError("nd.khatri_rao needs at least one matrix")
    mats = [array(a, "nd.khatri_rao", f"args[{k}]") for k, a in enumerate(args)]
    for k, m in enumerate(mats):
        if m.ndim != 2 or m.shape[1] != mats[0].shape[1]:
            raise ArgumentError(
                f"nd.khatri_rao: args[{k}] has shape {m.shape}, but every argument must be a matrix "
                f"with the {mats[0].shape[-1]} columns of the first"
            )
    k = mats[0].shape[1]
    result = copy_op(mats[0])
    for m in mats[1:]:  # rows of the product so far times the rows of m, column by column
        rows = result.shape[0] * m.shape[0]
        product = reshape_op(result, shape=(result.shape[0], 1, k)) * reshape_op(m, shape=(1, m.shape[0], k))
        result = reshape_op(product, shape=(rows, k))
    return result if out is None else into(out, result, "nd.khatri_rao")


def batch_take(a: NDArray, indices: NDArray, *, out: NDArray | None = None) -> NDArray:
    """`a[i, indices[i]]` for each row `i` of `a` (the rows along its last axis), indices out of
    range clipped. Use `pick`, which MXNet advises too. The result has the shape of `indices`.

    >>> from tape import nd
    >>> nd.batch_take(nd.array([[1, 5, 3], [4, 2, 6]]), nd.array([2, 0]))
    <BLANKLINE>
    [3. 4.]
    <NDArray 2 @cpu(0)>
    """
    x = array(a, "nd.batch_take", "a")
    idx = array(indices, "nd.batch_take", "indices")
    if x.ndim == 0 or idx.size * x.shape[-1] != x.size:
        raise ArgumentError(
            f"nd.batch_take: indices of shape {idx.shape} need one index per row of a, but a of shape "
            f"{x.shape} has {x.size // x.shape[-1] if x.ndim and x.shape[-1] else 0} rows along its last axis"
        )
    # MXNet reads past the rows for a of more than two axes; tape takes each row of the last axis.
    rows = reshape_op(x, shape=(idx.size, x.shape[-1])) if x.ndim != 2 else x
    picked = indexing.pick(rows, reshape_op(idx, shape=(idx.size,)), axis=-1, mode="clip")
    result = picked if picked.shape == idx.shape else reshape_op(picked, shape=idx.shape)
    return result if out is None else into(out, result, "nd.batch_take")


def argmax_channel(data: NDArray, *, out: NDArray | None = None) -> NDArray:
    """The index of the maximum along axis 1 (the channels), as float32; not differentiable.

    >>> from tape import nd
    >>> nd.argmax_channel(nd.array([[1, 5, 3], [4, 2, 6]]))
    <BLANKLINE>
    [1. 2.]
    <NDArray 2 @cpu(0)>
    """
    x = array(data, "nd.argmax_channel")
    if x.ndim < 2:
        raise ArgumentError(
            f"nd.argmax_channel needs an array of 2 or more axes (axis 1), not shape {x.shape}"
        )
    result = reduction.argmax_op(x, axis=1, keepdims=False)
    return result if out is None else into(out, result, "nd.argmax_channel")


# ---- split_v2 -----------------------------------------------------------------------------------
def split_v2(
    ary: NDArray, indices_or_sections: int | Sequence[int], axis: int = 0, squeeze_axis: bool = False
) -> NDArray | list[NDArray]:
    """Split `ary` along `axis` as `numpy.split`: into `indices_or_sections` equal parts (an
    int), or at the positions it lists (a tuple). Returns a list, or the one array for one
    part, as MXNet. With `squeeze_axis` (parts of length 1) the axis is removed. Differentiable.

    >>> from tape import nd
    >>> [p.shape for p in nd.split_v2(nd.zeros((6, 2)), (1, 4))]
    [(1, 2), (3, 2), (2, 2)]
    """
    x = array(ary, "nd.split_v2", "ary")
    ax = axis_index(x.ndim, axis, "nd.split_v2")
    n = x.shape[ax]
    if isinstance(indices_or_sections, int | np.integer):
        sections = operator.index(indices_or_sections)
        if sections < 1 or n % sections:
            raise ArgumentError(
                f"nd.split_v2: axis {ax} of length {n} cannot be cut into {sections} equal parts: give a "
                "number of parts that divides it, or a tuple of split positions"
            )
        cuts = [*range(0, n, n // sections), n] if n else [0] * (sections + 1)
    elif isinstance(indices_or_sections, tuple | list):
        try:
            positions = [operator.index(i) for i in indices_or_sections]
        except TypeError:
            raise wrong_type(
                "nd.split_v2", "indices_or_sections", "an int or a tuple of ints", indices_or_sections
            ) from None
        if any(b < a for a, b in pairwise([0, *positions])) or any(p > n for p in positions):
            raise ArgumentError(
                f"nd.split_v2: the split positions {tuple(positions)} must rise from 0 to at most {n}, the "
                f"length of axis {ax}"
            )
        cuts = [0, *positions, n]
    else:
        raise wrong_type(
            "nd.split_v2", "indices_or_sections", "an int or a tuple of ints", indices_or_sections
        )
    if squeeze_axis and any(b - a != 1 for a, b in pairwise(cuts)):
        raise ArgumentError("nd.split_v2 with squeeze_axis=True needs parts of length 1 along the axis")
    parts = []
    for a, b in pairwise(cuts):
        key = (slice(None),) * ax + ((a if squeeze_axis else slice(a, b)),)
        part = getitem_op(x, key=key)
        parts.append(part if part.ndim else reshape_op(part, shape=(1,)))
    return parts[0] if len(parts) == 1 else parts
