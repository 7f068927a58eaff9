"""Normalisation and other layers, as MXNet's `BatchNorm`, `LayerNorm`, `InstanceNorm`,
`Embedding`, `LeakyReLU` and `SequenceMask`.

None needs a primitive of its own: each is a composition of tape's ops, so its derivatives of
every order are those of the composition. A normalisation is `(x - mean) * rsqrt(var + eps)`
with the statistics computed by `mean` over the normalised axes (the biased variance, as MXNet's);
an embedding is `take` of the weight's rows (whose adjoint adds the gradient of a repeated
index into its row once per use); the activations and the mask select with `where` on a
condition that is a constant of the graph.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .._args import array, count, wrong_type
from .._state import flags
from .._xp import arange, asarray, to_host
from ..creation import into
from ..errors import ArgumentError
from ..ndarray import NDArray
from ._axes import axis_index
from .elementwise import DEFAULT_FLOAT, expm1_op, rsqrt_op, square_op
from .indexing import take_op, where_op
from .reduction import mean_op
from .shape import cast_op, copy_op, reshape_op
from .special import erf_op

__all__ = ["BatchNorm", "LayerNorm", "InstanceNorm", "Embedding", "LeakyReLU", "SequenceMask"]

_SELU_SCALE = 1.0507009873554804934193349852946
_SELU_ALPHA = 1.6732632423543772848170429916717


# ---- arguments -------------------------------------------------------------------------------
def _number(value: Any, where: str, arg: str) -> float:
    """A real number (not a bool), as a float."""
    if isinstance(value, int | float | np.integer | np.floating) and not isinstance(value, bool):
        return float(value)
    raise wrong_type(where, arg, "a real number", value)


def _real(value: Any, where: str, arg: str, low: float, high: float = math.inf) -> float:
    """A real number in [low, high]."""
    x = _number(value, where, arg)
    if not low <= x <= high:  # NaN too
        span = f"[{low}, {high}]" if high < math.inf else f"{low} or more"
        raise ArgumentError(f"{where}: {arg} must be {span}, not {value}")
    return x


def _floating(x: NDArray) -> NDArray:
    """`x`, or an integer or bool array as float32: a normalisation is never integer-valued."""
    return x if x._data.dtype.kind in "fc" else cast_op(x, dtype=DEFAULT_FLOAT)


def _per_channel(value: Any, where: str, arg: str, channels: int, what: str) -> NDArray:
    """A parameter of shape (channels,) (`gamma`, `beta`, a moving statistic)."""
    p = array(value, where, arg)
    if p.shape != (channels,):
        raise ArgumentError(
            f"{where}: {arg} has shape {p.shape}, but {what} needs one value per channel: ({channels},)"
        )
    return p


def _along(p: NDArray, ndim: int, axis: int) -> NDArray:
    """A per-channel parameter reshaped to broadcast along `axis` of an array of `ndim` axes."""
    return reshape_op(p, shape=tuple(-1 if i == axis else 1 for i in range(ndim)))


def _moments(x: NDArray, axes: tuple[int, ...]) -> tuple[NDArray, NDArray, NDArray]:
    """The mean of `x` over `axes`, `x` less it, and the biased variance (axes kept)."""
    n = math.prod(x.shape[a] for a in axes)
    mean = mean_op(x, axes=axes, keepdims=True, count=n)
    centred = x - mean
    return mean, centred, mean_op(square_op(centred), axes=axes, keepdims=True, count=n)


def _no_output_mean_var(output_mean_var: bool, where: str) -> None:
    if output_mean_var:
        raise ArgumentError(
            f"{where}: output_mean_var=True is not supported: compute the statistics with nd.mean "
            "(MXNet's second and third outputs differ between its devices)"
        )


# ---- BatchNorm -------------------------------------------------------------------------------
def BatchNorm(  # noqa: N802 - MXNet's name
    data: NDArray,
    gamma: NDArray,
    beta: NDArray,
    moving_mean: NDArray,
    moving_var: NDArray,
    eps: float = 1e-3,
    momentum: float = 0.9,
    fix_gamma: bool = True,
    use_global_stats: bool = False,
    output_mean_var: bool = False,
    axis: int = 1,
    cudnn_off: bool = False,
    *,
    out: NDArray | None = None,
) -> NDArray:
    """Batch normalisation: `(data - mean) / sqrt(var + eps) * gamma + beta`, per channel
    (`axis`, 1 by default), the statistics taken over every other axis.

    In training mode (inside `autograd.record()`, or `autograd.train_mode()`) `mean` and `var`
    are the batch's own (the biased variance), the gradient flows through them, and the
    moving statistics are updated in place: `moving_mean = moving_mean * momentum + mean *
    (1 - momentum)`, and so `moving_var`. tape updates them when the forward runs; MXNet does
    it in the backward of that forward, so after a training step both hold the same values. In
    predict mode, or with `use_global_stats=True`, `moving_mean` and `moving_var` are used and
    left as they are. No gradient reaches the moving statistics.

    As in MXNet, `fix_gamma=True` (the default) takes gamma as 1: `gamma` is not read and gets
    no gradient. `gamma`, `beta`, `moving_mean` and `moving_var` have shape (channels,).
    `output_mean_var=True` is refused; `cudnn_off` changes nothing.

    >>> from tape import autograd, nd
    >>> x = nd.array([[1, 2], [3, 6]])
    >>> mm, mv = nd.zeros((2,)), nd.ones((2,))
    >>> with autograd.train_mode():
    ...     nd.BatchNorm(x, nd.ones((2,)), nd.zeros((2,)), mm, mv, eps=0, momentum=0.5)
    <BLANKLINE>
    [[-1. -1.]
     [ 1.  1.]]
    <NDArray 2x2 @cpu(0)>
    >>> print(mm.asnumpy(), mv.asnumpy())  # updated: the batch's [2, 4] and [1, 4], momentum 0.5
    [1. 2.] [1.  2.5]
    >>> nd.BatchNorm(x, nd.ones((2,)), nd.zeros((2,)), mm, mv, eps=0)  # predict mode: moving statistics
    <BLANKLINE>
    [[0.       0.      ]
     [2.       2.529822]]
    <NDArray 2x2 @cpu(0)>
    """
    where = "nd.BatchNorm"
    data = array(data, where)
    a = axis_index(data.ndim, axis, where)
    channels = data.shape[a]
    g, b, mm, mv = (
        _per_channel(p, where, name, channels, f"data of shape {data.shape} along axis {axis}")
        for p, name in (
            (gamma, "gamma"),
            (beta, "beta"),
            (moving_mean, "moving_mean"),
            (moving_var, "moving_var"),
        )
    )
    e = _real(eps, where, "eps", 0.0)
    m = _real(momentum, where, "momentum", 0.0, 1.0)
    _no_output_mean_var(output_mean_var, where)
    x = _floating(data)
    if flags.training and not use_global_stats:
        axes = tuple(i for i in range(data.ndim) if i != a)
        mean, centred, var = _moments(x, axes)
        with np.errstate(all="ignore"):  # the update is as NumPy computes it: NaN in, NaN kept
            mm[:] = mm._data * m + mean._data.reshape(channels) * (1 - m)
            mv[:] = mv._data * m + var._data.reshape(channels) * (1 - m)
    else:
        mean = _along(mm.detach(), data.ndim, a)
        var = _along(mv.detach(), data.ndim, a)
        centred = x - mean
    scale = rsqrt_op(var + e)
    if not fix_gamma:
        scale = scale * _along(g, data.ndim, a)
    result = centred * scale + _along(b, data.ndim, a)
    return result if out is None else into(out, result, where)


# ---- LayerNorm and InstanceNorm --------------------------------------------------------------
def LayerNorm(  # noqa: N802 - MXNet's name
    data: NDArray,
    gamma: NDArray,
    beta: NDArray,
    axis: int = -1,
    eps: float = 1e-5,
    output_mean_var: bool = False,
    *,
    out: NDArray | None = None,
) -> NDArray:
    """Layer normalisation: each slice along `axis` (the last by default) less its mean, divided
    by `sqrt(var + eps)` (the biased variance), times `gamma` plus `beta`, both of shape
    (data.shape[axis],). The same in training and predict mode. `output_mean_var=True` is refused.

    >>> from tape import nd
    >>> nd.LayerNorm(nd.array([[1, 3], [2, 6]]), nd.array([1, 2]), nd.array([0, 1]), eps=0)
    <BLANKLINE>
    [[-1.  3.]
     [-1.  3.]]
    <NDArray 2x2 @cpu(0)>
    """
    where = "nd.LayerNorm"
    data = array(data, where)
    a = axis_index(data.ndim, axis, where)
    what = f"data of shape {data.shape} along axis {axis}"
    g = _per_channel(gamma, where, "gamma", data.shape[a], what)
    b = _per_channel(beta, where, "beta", data.shape[a], what)
    e = _real(eps, where, "eps", 0.0)
    _no_output_mean_var(output_mean_var, where)
    _, centred, var = _moments(_floating(data), (a,))
    result = centred * rsqrt_op(var + e) * _along(g, data.ndim, a) + _along(b, data.ndim, a)
    return result if out is None else into(out, result, where)


def InstanceNorm(  # noqa: N802 - MXNet's name
    data: NDArray, gamma: NDArray, beta: NDArray, eps: float = 1e-3, *, out: NDArray | None = None
) -> NDArray:
    """Instance normalisation: for each sample and channel of `data`, of shape (N, C, spatial...),
    the spatial values less their mean, divided by `sqrt(var + eps)` (the biased variance),
    times `gamma` plus `beta`, both of shape (C,). The same in training and predict mode.

    >>> from tape import nd
    >>> nd.InstanceNorm(nd.array([[[1, 3], [0, 4]]]), nd.array([1, 2]), nd.array([0, 1]), eps=0)
    <BLANKLINE>
    [[[-1.  1.]
      [-1.  3.]]]
    <NDArray 1x2x2 @cpu(0)>
    """
    where = "nd.InstanceNorm"
    data = array(data, where)
    if data.ndim < 3:
        raise ArgumentError(
            f"{where}: data must have 3 axes or more (N, C, spatial...), got shape {data.shape}"
        )
    what = f"data of shape {data.shape}"
    g = _per_channel(gamma, where, "gamma", data.shape[1], what)
    b = _per_channel(beta, where, "beta", data.shape[1], what)
    e = _real(eps, where, "eps", 0.0)
    _, centred, var = _moments(_floating(data), tuple(range(2, data.ndim)))
    result = centred * rsqrt_op(var + e) * _along(g, data.ndim, 1) + _along(b, data.ndim, 1)
    return result if out is None else into(out, result, where)


# ---- Embedding -------------------------------------------------------------------------------
def _whole_indices(data: NDArray, n: int, where: str) -> np.ndarray:
    """The indices in `data` as int64, each a whole number in [0, n)."""
    raw = data._data
    if not raw.size:
        return raw.astype(np.int64)
    # Every check in one value, read once: on a GPU, one synchronisation (of a bool, not the indices).
    whole = True if raw.dtype.kind in "iub" else np.all(np.isfinite(raw) & (raw == np.floor(raw)))
    if not bool(whole & (raw.min() >= 0) & (raw.max() < n)):
        if not whole:
            raise ArgumentError(f"{where}: data holds row indices, whole numbers, not {raw.ravel()[:6]}")
        idx = raw.astype(np.int64)
        raise ArgumentError(
            f"{where}: data holds row indices from 0 to input_dim - 1 = {n - 1}, not "
            f"{idx.min()}..{idx.max()} (MXNet clips them to that range: nd.clip them first for its result)"
        )
    return raw.astype(np.int64)


def Embedding(  # noqa: N802 - MXNet's name
    data: NDArray,
    weight: NDArray,
    input_dim: int,
    output_dim: int,
    dtype: Any = None,
    sparse_grad: bool = False,
    *,
    out: NDArray | None = None,
) -> NDArray:
    """The rows of `weight`, of shape (input_dim, output_dim), at the indices in `data`: an array
    of shape `data.shape + (output_dim,)`.

    The gradient goes to `weight` only, each row's the sum over every place its index appears;
    `data` gets none. An index that is not a whole number in [0, input_dim) is refused (MXNet
    truncates and clips it). The result has the weight's dtype; `dtype` and `sparse_grad`
    change nothing (tape's gradients are dense).

    >>> from tape import nd
    >>> nd.Embedding(nd.array([[0, 2], [2, 2]]), nd.arange(6).reshape((3, 2)), input_dim=3, output_dim=2)
    <BLANKLINE>
    [[[0. 1.]
      [4. 5.]]
    <BLANKLINE>
     [[4. 5.]
      [4. 5.]]]
    <NDArray 2x2x2 @cpu(0)>
    """
    where = "nd.Embedding"
    data, weight = array(data, where), array(weight, where, "weight")
    n, d = count(input_dim, where, "input_dim"), count(output_dim, where, "output_dim")
    if weight.shape != (n, d):
        raise ArgumentError(
            f"{where}: weight has shape {weight.shape}, but input_dim={n} and output_dim={d} need ({n}, {d})"
        )
    result = take_op(weight, indices=_whole_indices(data, n, where), axis=0)
    return result if out is None else into(out, result, where)


# ---- LeakyReLU -------------------------------------------------------------------------------
_ACT_TYPES = ("leaky", "elu", "selu", "gelu", "prelu")


def _prelu_slope(gamma: Any, x: NDArray, where: str) -> NDArray:
    if gamma is None:
        raise ArgumentError(
            f"{where}: act_type='prelu' learns its slopes: pass gamma, of shape (channels,) or (1,)"
        )
    g = array(gamma, where, "gamma")
    if g.shape == (1,):
        return g
    channels = x.shape[1] if x.ndim >= 2 else None
    if channels is None or g.shape != (channels,):
        raise ArgumentError(
            f"{where}: gamma has shape {g.shape}, but data of shape {x.shape} needs one slope per channel "
            f"(axis 1): ({channels},), or one for all: (1,)"
        )
    return _along(g, x.ndim, 1)


def LeakyReLU(  # noqa: N802 - MXNet's name
    data: NDArray,
    gamma: NDArray | None = None,
    act_type: str = "leaky",
    slope: float = 0.25,
    *,
    out: NDArray | None = None,
) -> NDArray:
    """A rectifier with a slope below zero, by `act_type`:
    'leaky' (`x`, or `slope * x` where `x <= 0`), 'elu' (`slope * (exp(x) - 1)` there),
    'selu' (`scale * x`, or `scale * alpha * (exp(x) - 1)`, with the constants of the SELU
    paper; `slope` is not read), 'gelu' (`x * (1 + erf(x / sqrt(2))) / 2`) or 'prelu' (`x`, or
    `gamma * x`, with `gamma` of shape (channels,) for axis 1, or (1,); it gets a gradient).
    At 0 the derivative is that of the negative side, as in MXNet. 'rrelu' (random slopes) is
    not supported.

    >>> from tape import nd
    >>> nd.LeakyReLU(nd.array([-2, 3]), act_type="leaky", slope=0.1)
    <BLANKLINE>
    [-0.2  3. ]
    <NDArray 2 @cpu(0)>
    """
    where = "nd.LeakyReLU"
    x = array(data, where)
    if act_type not in _ACT_TYPES:
        raise ArgumentError(f"{where}: act_type must be one of {list(_ACT_TYPES)}, not {act_type!r}")
    if act_type != "prelu" and gamma is not None:
        raise ArgumentError(f"{where}: gamma is read only with act_type='prelu', not {act_type!r}: drop it")
    s = _real(slope, where, "slope", -math.inf)
    x = _floating(x)
    positive = NDArray(x._data > 0)  # a constant of the graph: where's condition gets no gradient
    if act_type == "gelu":
        result = x * (erf_op(x * (1 / math.sqrt(2))) + 1) * 0.5
    elif act_type == "prelu":
        result = where_op(positive, x, x * _prelu_slope(gamma, x, where))
    elif act_type == "leaky":
        result = where_op(positive, x, x * s)
    else:  # exp of the negative part only: exp(x) of a large x would overflow, and its
        # gradient, 0 * inf, be NaN
        curve = expm1_op(where_op(positive, 0.0, x))
        if act_type == "elu":
            result = where_op(positive, x, curve * s)
        else:
            result = where_op(positive, x * _SELU_SCALE, curve * (_SELU_SCALE * _SELU_ALPHA))
    return result if out is None else into(out, result, where)


# ---- SequenceMask ----------------------------------------------------------------------------
def _fill(value: Any, x: NDArray, where: str) -> Any:
    """`value` as a number of `x`'s dtype: a whole number for an integer array, never cut."""
    v = _number(value, where, "value")
    if x._data.dtype.kind in "fc":
        return v
    if not (math.isfinite(v) and v == math.floor(v)):
        raise ArgumentError(
            f"{where}: value {value} would be cut to fit data of dtype {x.dtype}: give a whole number"
        )
    return x._data.dtype.type(int(v))


def _sequence_mask(shape: tuple[int, ...], length: Any, axis: int, like: Any, where: str) -> np.ndarray:
    """Where each position of `data` (of `shape`, time along `axis`, batch along the other of
    the first two axes) is within its sequence's length, on the device of the array `like`."""
    n = to_host(array(length, where, "sequence_length")._data)  # checked on the host: one read of a GPU
    batch = shape[1 - axis]
    if n.shape != (batch,):
        raise ArgumentError(
            f"{where}: sequence_length has shape {n.shape}, but data of shape {shape} with axis={axis} "
            f"needs one length per sequence: ({batch},)"
        )
    if n.dtype.kind not in "iub" and not (np.all(np.isfinite(n)) and np.all(n == np.floor(n))):
        raise ArgumentError(f"{where}: sequence_length holds lengths, whole numbers, not {n.ravel()[:6]}")
    if np.any(n < 0):
        raise ArgumentError(f"{where}: sequence_length holds lengths, never negative: {n.ravel()[:6]}")
    n, steps = asarray(n, like), arange(shape[axis], like)
    mask: np.ndarray = steps[:, None] < n[None, :] if axis == 0 else n[:, None] > steps[None, :]
    return mask.reshape(mask.shape + (1,) * (len(shape) - 2))


def SequenceMask(  # noqa: N802 - MXNet's name
    data: NDArray,
    sequence_length: NDArray | None = None,
    use_sequence_length: bool = False,
    value: float = 0.0,
    axis: int = 0,
    *,
    out: NDArray | None = None,
) -> NDArray:
    """`data` with each position past its sequence's length set to `value`.

    `data` has time along `axis` (0: shape (time, batch, ...); or 1: (batch, time, ...)) and
    `sequence_length` one length per sequence, read only with `use_sequence_length=True`
    (without it, `data` is returned as it is). A length past the end keeps the whole sequence.
    No gradient reaches the masked positions, nor `sequence_length`.

    >>> from tape import nd
    >>> nd.SequenceMask(nd.array([[1, 2, 3], [4, 5, 6]]), nd.array([1, 3]), use_sequence_length=True,
    ...                 value=-1, axis=1)
    <BLANKLINE>
    [[ 1. -1. -1.]
     [ 4.  5.  6.]]
    <NDArray 2x3 @cpu(0)>
    """
    where = "nd.SequenceMask"
    x = array(data, where)
    a = axis_index(x.ndim, axis, where)
    if x.ndim < 2 or a > 1:
        raise ArgumentError(
            f"{where}: axis is the time axis, 0 or 1 of data with 2 axes or more (data has shape {x.shape}), "
            f"not {axis}"
        )
    v = _fill(value, x, where)
    if not use_sequence_length or sequence_length is None:
        if use_sequence_length or sequence_length is not None:
            raise ArgumentError(
                f"{where}: sequence_length is read only with use_sequence_length=True: pass both, or neither"
            )
        result = copy_op(x)
    else:
        result = where_op(NDArray(_sequence_mask(x.shape, sequence_length, a, x._data, where)), x, v)
    return result if out is None else into(out, result, where)
