"""More normalisations, as MXNet's `LRN`, `L2Normalization` and `GroupNorm`.

Like the norms of `layers.py`, each is a composition of tape's ops, so its derivatives of every
order are those of the composition: `LRN` sums the squares of neighbouring channels with shifted
slices of a zero-padded copy, `L2Normalization` multiplies by `rsqrt` of a sum of squares, and
`GroupNorm` normalises a (N, groups, channels per group, ...) view of the data.
"""

from __future__ import annotations

import math
from typing import Any

from .._args import array, count
from ..creation import into
from ..errors import ArgumentError
from ..ndarray import NDArray
from .elementwise import rsqrt_op, sqrt_op, square_op
from .indexing import getitem_op
from .layers import _along, _floating, _moments, _real
from .layout import pad_constant_op
from .reduction import sum_op
from .shape import reshape_op

__all__ = ["LRN", "L2Normalization", "GroupNorm"]

_L2_MODES = ("instance", "channel", "spatial")


def _channels_first(data: Any, where: str, least: int) -> NDArray:
    x = array(data, where)
    if x.ndim < least:
        raise ArgumentError(f"{where}: data must have {least} axes or more (N, C, ...), got shape {x.shape}")
    return _floating(x)


# ---- LRN -------------------------------------------------------------------------------------
def LRN(  # noqa: N802 - MXNet's name
    data: NDArray,
    alpha: float = 1e-4,
    beta: float = 0.75,
    knorm: float = 2.0,
    nsize: int = 1,
    *,
    out: NDArray | None = None,
) -> NDArray:
    """Local response normalisation across channels: each value of `data`, of shape (N, C, ...),
    divided by `(knorm + alpha / nsize * s) ** beta`, where `s` is the sum of the squares of the
    `nsize` channels centred on its own (fewer at the edges), at the same position.

    `nsize` must be odd, as in MXNet (which requires it, with no default; tape's default is 1).
    MXNet takes only 4-D data (N, C, H, W); tape takes any data with 2 axes or more.

    >>> from tape import nd
    >>> nd.LRN(nd.ones((1, 3, 1, 1)), alpha=3, beta=1, knorm=2, nsize=3)  # 1 / (2 + s), s = 2, 3, 2
    <BLANKLINE>
    [[[[0.25]]
    <BLANKLINE>
      [[0.2 ]]
    <BLANKLINE>
      [[0.25]]]]
    <NDArray 1x3x1x1 @cpu(0)>
    """
    where = "nd.LRN"
    x = _channels_first(data, where, 2)
    n = count(nsize, where, "nsize")
    if n % 2 == 0:
        raise ArgumentError(f"{where}: nsize must be odd (the window is centred on each channel), not {n}")
    a = _real(alpha, where, "alpha", -math.inf)
    b = _real(beta, where, "beta", -math.inf)
    k = _real(knorm, where, "knorm", -math.inf)
    half, channels = n // 2, x.shape[1]
    # The window of channel c is channels c - half .. c + half: slices of the squares padded with
    # `half` zero channels on each side.
    width = ((0, 0), (half, half), *((0, 0),) * (x.ndim - 2))
    padded = pad_constant_op(square_op(x), width=width, value=0.0)
    window = getitem_op(padded, key=(slice(None), slice(0, channels)))
    for shift in range(1, n):
        window = window + getitem_op(padded, key=(slice(None), slice(shift, shift + channels)))
    result = x * (window * (a / n) + k) ** -b
    return into(out, result, where)


# ---- L2Normalization -------------------------------------------------------------------------
def L2Normalization(  # noqa: N802 - MXNet's name
    data: NDArray, eps: float = 1e-10, mode: str = "instance", *, out: NDArray | None = None
) -> NDArray:
    """`data` divided by `sqrt(sum(data ** 2) + eps)`, the sum by `mode`: 'instance' (the
    default) over all axes but the first (each sample), 'channel' over axis 1 (each sample and
    position), 'spatial' over the axes after the first two (each sample and channel).

    'channel' and 'spatial' need data with 3 axes or more. 1-D data is normalised as one vector,
    as MXNet's documentation says (MXNet itself divides each element by its own magnitude).

    >>> from tape import nd
    >>> nd.L2Normalization(nd.array([[3, 4], [1, 0]]))
    <BLANKLINE>
    [[0.6 0.8]
     [1.  0. ]]
    <NDArray 2x2 @cpu(0)>
    """
    where = "nd.L2Normalization"
    if mode not in _L2_MODES:
        raise ArgumentError(f"{where}: mode must be one of {list(_L2_MODES)}, not {mode!r}")
    x = _channels_first(data, where, 1 if mode == "instance" else 3)
    e = _real(eps, where, "eps", 0.0)
    if mode == "instance":
        axes = tuple(range(1, x.ndim)) if x.ndim > 1 else (0,)
    else:
        axes = (1,) if mode == "channel" else tuple(range(2, x.ndim))
    result = x * rsqrt_op(sum_op(square_op(x), axes=axes, keepdims=True) + e)
    return into(out, result, where)


# ---- GroupNorm -------------------------------------------------------------------------------
def GroupNorm(  # noqa: N802 - MXNet's name
    data: NDArray,
    gamma: NDArray,
    beta: NDArray,
    num_groups: int = 1,
    eps: float = 1e-5,
    output_mean_var: bool = False,
    *,
    out: NDArray | None = None,
) -> NDArray | list[NDArray]:
    """Group normalisation: the channels of `data`, of shape (N, C, spatial...), split into
    `num_groups` groups of consecutive channels; each sample's group less its mean, divided by
    `sqrt(var + eps)` (the biased variance), times `gamma` plus `beta`.

    `gamma` and `beta` have shape (num_groups,), one value per group, as MXNet 1.9.1 requires,
    or (C,), one per channel, as the paper, MXNet 2 and PyTorch have them (when C equals
    num_groups both readings agree). With `output_mean_var=True` the result is a list
    `[out, mean, std]`, the last two of shape (N, num_groups), `std` being `sqrt(var + eps)`, as
    MXNet gives them.

    >>> from tape import nd
    >>> x = nd.array([[[1], [3], [0], [4]]])  # (N, C, W): 4 channels in 2 groups
    >>> nd.GroupNorm(x, nd.array([1, 2]), nd.array([0, 1]), num_groups=2, eps=0)
    <BLANKLINE>
    [[[-1.]
      [ 1.]
      [-1.]
      [ 3.]]]
    <NDArray 1x4x1 @cpu(0)>
    """
    where = "nd.GroupNorm"
    x = _channels_first(data, where, 3)
    groups = count(num_groups, where, "num_groups")
    channels = x.shape[1]
    if groups == 0 or channels % groups:
        raise ArgumentError(
            f"{where}: num_groups must divide the {channels} channels of data {x.shape}: not {groups}"
        )
    e = _real(eps, where, "eps", 0.0)
    g, b = _group_parameter(gamma, "gamma", groups, x), _group_parameter(beta, "beta", groups, x)
    grouped_shape = (x.shape[0], groups, channels // groups, *x.shape[2:])
    grouped = reshape_op(x, shape=grouped_shape)
    mean, centred, var = _moments(grouped, tuple(range(2, len(grouped_shape))))
    normed = centred * rsqrt_op(var + e)
    if g.shape == (groups,):  # MXNet 1.9.1's reading: one value per group
        normed = normed * _along(g, normed.ndim, 1) + _along(b, normed.ndim, 1)
        result = reshape_op(normed, shape=x.shape)
    else:
        result = reshape_op(normed, shape=x.shape) * _along(g, x.ndim, 1) + _along(b, x.ndim, 1)
    result = into(out, result, where)
    if not output_mean_var:
        return result
    stats = (x.shape[0], groups)
    return [result, reshape_op(mean, shape=stats), reshape_op(sqrt_op(var + e), shape=stats)]


def _group_parameter(value: Any, arg: str, groups: int, x: NDArray) -> NDArray:
    p = array(value, "nd.GroupNorm", arg)
    if p.shape not in ((groups,), (x.shape[1],)):
        raise ArgumentError(
            f"nd.GroupNorm: {arg} has shape {p.shape}, but data of shape {x.shape} in {groups} groups needs "
            f"one value per group, ({groups},), or one per channel, ({x.shape[1]},)"
        )
    return p
