"""Layout: diagonals (diag), axes moved (moveaxis) and padding (pad), each with its adjoint.

Their adjoints are ops of their own or `getitem_op`/`scatter_op`, so they differentiate to any
order.
"""

from __future__ import annotations

import builtins
import operator
from collections.abc import Sequence
from typing import Any

import numpy as np

from .._args import array, int_tuple, operand, wrong_type
from .._primitive import Primitive
from .._xp import arange, zeros
from ..creation import into
from ..errors import ArgumentError
from ..ndarray import NDArray
from ._axes import axis_index
from .indexing import getitem_op
from .shape import transpose_op

__all__ = ["diag", "moveaxis", "pad"]


# ---- diagonals --------------------------------------------------------------------------------
def _undiagonal(g: np.ndarray, offset: int, axis1: int, axis2: int, shape: tuple[int, ...]) -> np.ndarray:
    """Zeros of `shape` with `g` (diagonals on its last axis, as np.diagonal gives) on the
    diagonal `offset` of the axes `axis1`, `axis2`: the adjoint of taking that diagonal."""
    out = zeros(shape, g.dtype, g)
    n = g.shape[-1]
    rows = arange(n, g) + max(-offset, 0)
    cols = arange(n, g) + max(offset, 0)
    np.moveaxis(out, (axis1, axis2), (-2, -1))[..., rows, cols] = g
    return out


diagonal_op: Primitive = Primitive(
    "diag",
    lambda x, offset, axis1, axis2: np.diagonal(x, offset, axis1, axis2).copy(),
    lambda g, ans, x, offset, axis1, axis2: undiagonal_op(
        g, offset=offset, axis1=axis1, axis2=axis2, shape=x.shape
    ),
)
undiagonal_op: Primitive = Primitive(
    "diag",
    _undiagonal,
    lambda g, ans, d, offset, axis1, axis2, shape: diagonal_op(g, offset=offset, axis1=axis1, axis2=axis2),
)


def diag(data: NDArray, k: int = 0, axis1: int = 0, axis2: int = 1, *, out: NDArray | None = None) -> NDArray:
    """A diagonal: of a vector, the square matrix with the vector on diagonal `k`; of an array
    of 2 or more axes, diagonal `k` of the axes `axis1` and `axis2` (the diagonals on the last
    axis of the result, as NumPy's `diagonal`). `k` > 0 is above the main diagonal.

    >>> from tape import nd
    >>> nd.diag(nd.array([1, 2]), k=1)
    <BLANKLINE>
    [[0. 1. 0.]
     [0. 0. 2.]
     [0. 0. 0.]]
    <NDArray 3x3 @cpu(0)>
    >>> nd.diag(nd.array([[1, 2, 3], [4, 5, 6]]))
    <BLANKLINE>
    [1. 5.]
    <NDArray 2 @cpu(0)>
    """
    x = array(data, "nd.diag")
    try:
        k = operator.index(k)
    except TypeError:
        raise wrong_type("nd.diag", "k", "an int", k) from None
    if x.ndim == 1:
        m = x.size + abs(k)
        result = undiagonal_op(x, offset=k, axis1=0, axis2=1, shape=(m, m))
        return result if out is None else into(out, result, "nd.diag")
    a1 = axis_index(x.ndim, axis1, "nd.diag", "axis1")
    a2 = axis_index(x.ndim, axis2, "nd.diag", "axis2")
    if a1 == a2:
        raise ArgumentError(f"nd.diag: axis1 and axis2 are both axis {a1}: give two different axes")
    if k > x.shape[a2] or -k > x.shape[a1]:
        raise ArgumentError(
            f"nd.diag: diagonal k={k} does not exist in axes of lengths {x.shape[a1]} and {x.shape[a2]}: "
            f"give k from {-x.shape[a1]} to {x.shape[a2]}"
        )
    result = diagonal_op(x, offset=k, axis1=a1, axis2=a2)
    return result if out is None else into(out, result, "nd.diag")


# ---- moveaxis ------------------------------------------------------------------
def moveaxis(
    tensor: NDArray,
    source: int | Sequence[int],
    destination: int | Sequence[int],
    *,
    out: NDArray | None = None,
) -> NDArray:
    """`tensor` with the axes `source` moved to the positions `destination` (ints, or tuples of
    as many ints), the other axes in their order.

    >>> from tape import nd
    >>> nd.moveaxis(nd.zeros((2, 3, 4)), 0, -1).shape
    (3, 4, 2)
    """
    x = array(tensor, "nd.moveaxis", "tensor")
    src = [axis_index(x.ndim, a, "nd.moveaxis", "source") for a in int_tuple(source, "nd.moveaxis", "source")]
    dst = [
        axis_index(x.ndim, a, "nd.moveaxis", "destination")
        for a in int_tuple(destination, "nd.moveaxis", "destination")
    ]
    if len(src) != len(dst) or len(set(src)) != len(src) or len(set(dst)) != len(dst):
        raise ArgumentError(
            f"nd.moveaxis: source {source} and destination {destination} must name as many axes, each once"
        )
    order = [a for a in range(x.ndim) if a not in src]
    for d, s in sorted(zip(dst, src, strict=True)):
        order.insert(d, s)
    result = transpose_op(x, axes=tuple(order))
    return result if out is None else into(out, result, "nd.moveaxis")


# ---- pad ----------------------------------------------------------------------------------------
def _crop(width: tuple[tuple[int, int], ...], shape: tuple[int, ...]) -> tuple[builtins.slice, ...]:
    return tuple(builtins.slice(b, b + n) for (b, _), n in zip(width, shape, strict=True))


pad_constant_op: Primitive = Primitive(
    "pad",
    lambda x, width, value: np.pad(x, width, constant_values=value),
    lambda g, ans, x, width, value: getitem_op(g, key=_crop(width, x.shape)),
)


def _source(n: int, before: int, after: int, mode: str) -> np.ndarray:
    """For each position of a padded axis, the position of the input it copies."""
    i = np.arange(-before, n + after)
    if mode == "edge":
        return np.clip(i, 0, n - 1)
    i = np.abs(i)  # reflect: -i before the start, 2(n-1) - i after the end
    return np.where(i > n - 1, 2 * (n - 1) - i, i)


def _pad_width(x: NDArray, pad_width: Any, mode: str) -> tuple[tuple[int, int], ...]:
    flat = int_tuple(pad_width, "nd.pad", "pad_width")
    if x.ndim not in (4, 5):
        raise ArgumentError(
            f"nd.pad pads 4-D and 5-D arrays (N, C, ...) as MXNet, not shape {x.shape}: reshape to 4-D first"
        )
    if len(flat) != 2 * x.ndim or any(flat[:4]) or min(flat) < 0:
        raise ArgumentError(
            f"nd.pad: pad_width {flat} must hold 2 * {x.ndim} lengths, before and after each axis, "
            "0 or more, with 0 for the first two axes, such as (0, 0, 0, 0, 1, 1, 2, 2)"
        )
    width = tuple((flat[2 * i], flat[2 * i + 1]) for i in range(x.ndim))
    if mode == "reflect" and any(max(w) >= n for w, n in zip(width, x.shape, strict=True) if max(w)):
        raise ArgumentError(
            f"nd.pad: reflect padding must be shorter than each padded axis: pad_width {flat}, "
            f"shape {x.shape}"
        )
    return width


def pad(
    data: NDArray,
    mode: str,
    pad_width: Sequence[int],
    constant_value: float = 0.0,
    *,
    out: NDArray | None = None,
) -> NDArray:
    """`data` (4-D or 5-D, of a float type) padded on its last axes, as MXNet: `pad_width` holds
    the lengths before and after each axis, ``(0, 0, 0, 0, top, bottom, left, right)`` for 4-D.
    `mode` is `'constant'` (`constant_value`), `'edge'` (the edge value repeated) or
    `'reflect'` (mirrored about the edge, which is not repeated). Differentiable: the gradient
    crops, and with edge or reflect adds up the copies.

    >>> from tape import nd
    >>> nd.pad(nd.array([[[[1, 2, 3]]]]), mode="reflect", pad_width=(0, 0, 0, 0, 0, 0, 2, 1))
    <BLANKLINE>
    [[[[3. 2. 1. 2. 3. 2.]]]]
    <NDArray 1x1x1x6 @cpu(0)>
    """
    x = array(data, "nd.pad")
    if mode not in ("constant", "edge", "reflect"):
        raise ArgumentError(f"nd.pad: mode must be 'constant', 'edge' or 'reflect', not {mode!r}")
    if x._data.dtype.kind != "f":
        raise ArgumentError(f"nd.pad pads float arrays, as MXNet, not {x.dtype}: cast the data first")
    width = _pad_width(x, pad_width, mode)
    if mode == "constant":
        result = pad_constant_op(
            x, width=width, value=float(operand(constant_value, "nd.pad", "constant_value"))
        )
    else:
        sources = [_source(n, b, a, mode) for (b, a), n in zip(width, x.shape, strict=True)]
        result = getitem_op(x, key=np.ix_(*sources))
    return result if out is None else into(out, result, "nd.pad")
