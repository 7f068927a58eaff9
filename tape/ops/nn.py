"""Neural-network ops: softmax, log_softmax, cross-entropy, Dropout, FullyConnected, Activation."""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import random as _random
from .._args import array, count
from .._primitive import Primitive
from .._state import flags
from .._xp import arange, zeros
from ..creation import into
from ..errors import ArgumentError
from ..ndarray import NDArray
from . import elementwise, trig
from ._axes import axes_index, axis_index
from .arith import multiply_op
from .elementwise import DEFAULT_FLOAT, exp_op
from .indexing import pick
from .linalg import dot2_op
from .reduction import _add_reduce, sum_op
from .shape import cast_op, copy_op, reshape_op

__all__ = ["softmax", "log_softmax", "softmax_cross_entropy", "Dropout", "FullyConnected", "Activation"]


# The ufuncs' reduce methods directly: ndarray.max and .sum add a Python wrapper per call, and
# these run on every training step. Fresh temporaries are reused in place.
_max_reduce = np.maximum.reduce
_HOST = np.ndarray


def _top(x: np.ndarray, axis: int) -> np.ndarray:
    # CuPy's ufuncs have no reduce but add's and multiply's: a GPU array takes its max method.
    return (
        _max_reduce(x, axis=axis, keepdims=True) if x.__class__ is _HOST else x.max(axis=axis, keepdims=True)
    )


def _softmax(x: np.ndarray, axis: int) -> np.ndarray:
    e: np.ndarray = np.exp(x - _top(x, axis))
    e /= _add_reduce(e, axis=axis, keepdims=True)
    return e


def _log_softmax(x: np.ndarray, axis: int) -> np.ndarray:
    # x is floating: the primitive computes an integer array in float32 (float_valued).
    shifted: np.ndarray = x - _top(x, axis)
    shifted -= np.log(_add_reduce(np.exp(shifted), axis=axis, keepdims=True))
    return shifted


def _masked_softmax(x: np.ndarray, axis: int, mask: np.ndarray) -> np.ndarray:
    z = np.where(mask, x, -np.inf)
    top = _top(z, axis)
    e: np.ndarray = np.exp(z - np.where(np.isfinite(top), top, 0))
    total = _add_reduce(e, axis=axis, keepdims=True)
    e /= np.where(total == 0, 1, total)
    return e


def _softmax_grad(g: np.ndarray, y: np.ndarray, axis: int) -> np.ndarray:
    gy: np.ndarray = g * y
    out: np.ndarray = g - _add_reduce(gy, axis=axis, keepdims=True)
    out *= y
    return out


def _log_softmax_grad(g: np.ndarray, y: np.ndarray, axis: int) -> np.ndarray:
    e: np.ndarray = np.exp(y)
    e *= _add_reduce(g, axis=axis, keepdims=True)
    return np.subtract(g, e, out=e)  # type: ignore[no-any-return]


def _sum(x: NDArray, axis: int) -> NDArray:
    return sum_op(x, axes=(axis,), keepdims=True)


# The backward of each is one fused primitive (one call on the hot path), itself differentiable:
# for y = softmax(x), dx = y * (g - sum(g * y)), a map symmetric in g, so it is its own VJP in g;
# for y = log_softmax(x), dx = g - exp(y) * sum(g).
softmax_grad_op: Primitive = Primitive(
    "softmax_backward",
    _softmax_grad,
    lambda u, ans, g, y, axis: softmax_grad_op(u, y, axis=axis),
    lambda u, ans, g, y, axis: u * (g - _sum(g * y, axis)) - g * _sum(u * y, axis),
)
log_softmax_grad_op: Primitive = Primitive(
    "log_softmax_backward",
    _log_softmax_grad,
    lambda u, ans, g, y, axis: u - _sum(u * exp_op(y), axis),
    lambda u, ans, g, y, axis: -(u * exp_op(y)) * _sum(g, axis),
)
# Float-valued: an integer or bool array is computed in float32 (THE RULE FOR INTEGER INPUTS,
# ops/elementwise.py), never in its own type, where x - max(x) wraps around and exp overflows.
softmax_op: Primitive = Primitive(
    "softmax", _softmax, lambda g, ans, x, axis: softmax_grad_op(g, ans, axis=axis), float_valued=True
)
# softmax over the first `length` positions along `axis` (`mask`), zeros elsewhere: a row of
# length 0 is all zeros, as in MXNet. Its Jacobian has softmax's form, zero off the mask.
masked_softmax_op: Primitive = Primitive(
    "softmax",
    lambda x, axis, mask: _masked_softmax(x, axis, mask),
    lambda g, ans, x, axis, mask: softmax_grad_op(g, ans, axis=axis),
    float_valued=True,
)
log_softmax_op: Primitive = Primitive(
    "log_softmax",
    _log_softmax,
    lambda g, ans, x, axis: log_softmax_grad_op(g, ans, axis=axis),
    float_valued=True,
)


def _scaled(data: Any, temperature: float | None, dtype: Any, what: str) -> NDArray:
    """The input of `what` (softmax or log_softmax): `data` as `dtype`, if given, divided by
    `temperature`; an integer array is divided in float32, as the op would compute it."""
    x = array(data, what)
    if dtype is not None:
        x = x.astype(dtype)
    if temperature is None or temperature == 1:
        return x
    return (x if x._data.dtype.kind in "fc" else cast_op(x, dtype=DEFAULT_FLOAT)) / temperature


def softmax(
    data: NDArray,
    axis: int = -1,
    temperature: float | None = None,
    dtype: Any = None,
    length: NDArray | None = None,
    use_length: bool = False,
    *,
    out: NDArray | None = None,
) -> NDArray:
    """`exp(data / temperature)` normalised to sum to 1 along `axis` (the last by default).

    Computed stably (the maximum is subtracted first). With `use_length=True`, `length` (the
    shape of `data` without `axis`) gives how many leading positions of each row count; the
    others are 0, as is a whole row of length 0.

    >>> from tape import nd
    >>> nd.softmax(nd.array([[1, 1], [0, 2]]))
    <BLANKLINE>
    [[0.5        0.5       ]
     [0.11920292 0.880797  ]]
    <NDArray 2x2 @cpu(0)>
    >>> nd.softmax(nd.array([[1, 1, 5], [0, 0, 0]]), length=nd.array([2, 3]), use_length=True)
    <BLANKLINE>
    [[0.5        0.5        0.        ]
     [0.33333334 0.33333334 0.33333334]]
    <NDArray 2x3 @cpu(0)>
    """
    x = _scaled(data, temperature, dtype, "nd.softmax")
    a = axis_index(x._data.ndim, axis, "nd.softmax")
    if length is None and not use_length:
        result = softmax_op(x, axis=a)
    else:
        result = masked_softmax_op(x, axis=a, mask=_length_mask(x.shape, a, length, use_length))
    return result if out is None else into(out, result, "nd.softmax")


def _length_mask(shape: tuple[int, ...], axis: int, length: Any, use_length: bool) -> np.ndarray:
    """Where along `axis` of an array of `shape` each row is within its `length`."""
    what = "nd.softmax"
    if not use_length or length is None:
        raise ArgumentError(
            f"{what}: length is read only with use_length=True: pass both, "
            f"nd.softmax(data, axis, length=lengths, use_length=True), or neither"
        )
    n = array(length, what, "length")._data
    rows = shape[:axis] + shape[axis + 1 :]
    if n.shape != rows:
        raise ArgumentError(
            f"{what}: length has shape {n.shape}, but data of shape {shape} along axis {axis} needs "
            f"one length per row: shape {rows}"
        )
    if n.dtype.kind not in "iub" and not (np.all(np.isfinite(n)) and np.all(n == np.floor(n))):
        raise ArgumentError(f"{what}: length holds counts of positions, whole numbers, not {n.ravel()[:6]}")
    if np.any(n < 0):
        raise ArgumentError(f"{what}: length holds counts of positions, never negative: {n.ravel()[:6]}")
    positions = arange(shape[axis], n).reshape((-1,) + (1,) * (len(shape) - axis - 1))
    mask: np.ndarray = positions < np.expand_dims(n, axis)
    return mask


def log_softmax(
    data: NDArray,
    axis: int = -1,
    temperature: float | None = None,
    dtype: Any = None,
    *,
    out: NDArray | None = None,
) -> NDArray:
    """The logarithm of `softmax`, computed stably along `axis` (the last by default).

    >>> from tape import nd
    >>> nd.log_softmax(nd.array([0, 0]))
    <BLANKLINE>
    [-0.6931472 -0.6931472]
    <NDArray 2 @cpu(0)>
    """
    x = _scaled(data, temperature, dtype, "nd.log_softmax")
    result = log_softmax_op(x, axis=axis_index(x._data.ndim, axis, "nd.log_softmax"))
    return result if out is None else into(out, result, "nd.log_softmax")


def softmax_cross_entropy(data: NDArray, label: NDArray, *, out: NDArray | None = None) -> NDArray:
    """The cross-entropy of `softmax(data)` (classes on the last axis) and the class indices
    `label`, SUMMED over the batch as in MXNet: a shape-(1,) array.

    >>> from tape import nd
    >>> nd.softmax_cross_entropy(nd.array([[0, 0], [0, 0]]), nd.array([0, 1]))
    <BLANKLINE>
    [1.3862944]
    <NDArray 1 @cpu(0)>
    """
    data = array(data, "nd.softmax_cross_entropy")
    label = array(label, "nd.softmax_cross_entropy", "label")
    picked = pick(log_softmax_op(data, axis=data.ndim - 1), label, axis=-1)
    result = -sum_op(picked, axes=tuple(range(picked.ndim)), keepdims=False)
    return result if out is None else into(out, result, "nd.softmax_cross_entropy")


def Dropout(  # noqa: N802 - MXNet's name
    data: NDArray,
    p: float = 0.5,
    mode: str = "training",
    axes: tuple[int, ...] = (),
    cudnn_off: bool = False,
    *,
    out: NDArray | None = None,
) -> NDArray:
    """Zero each element with probability `p` and scale the rest by `1 / (1 - p)`.

    Active only in training mode (`autograd.record()` or `autograd.train_mode()`), or always
    with `mode='always'`; otherwise a copy of `data`. Elements along `axes` share one
    draw (variational dropout). Draws come from `tape.random`, so `nd.random.seed` repeats them.

    >>> from tape import autograd, nd
    >>> nd.Dropout(nd.ones((2, 2)), p=0.5)             # predict mode: unchanged
    <BLANKLINE>
    [[1. 1.]
     [1. 1.]]
    <NDArray 2x2 @cpu(0)>
    >>> with autograd.train_mode():
    ...     y = nd.Dropout(nd.ones((1000,)), p=0.5)
    >>> sorted(set(y.asnumpy().tolist()))
    [0.0, 2.0]
    """
    if not 0 <= p <= 1:
        raise ArgumentError(f"nd.Dropout: p is a probability in [0, 1], not {p}")
    if mode not in ("training", "always"):
        raise ArgumentError(f"nd.Dropout: mode must be 'training' or 'always', not {mode!r}")
    data = array(data, "nd.Dropout")
    shared = axes_index(data.ndim, axes, "nd.Dropout", "axes")
    if p == 0 or (mode == "training" and not flags.training):
        result = copy_op(data)
        return result if out is None else into(out, result, "nd.Dropout")
    shape = tuple(1 if i in shared else n for i, n in enumerate(data.shape))
    if p == 1:
        mask = zeros(shape, data._data.dtype, data._data)
    else:
        keep = _random.uniform_like(shape, data._data) >= p
        mask = keep.astype(data._data.dtype) * data._data.dtype.type(1 / (1 - p))
    result = multiply_op(data, NDArray(mask))
    return result if out is None else into(out, result, "nd.Dropout")


def FullyConnected(  # noqa: N802 - MXNet's name
    data: NDArray,
    weight: NDArray,
    bias: NDArray | None = None,
    num_hidden: int | None = None,
    no_bias: bool = False,
    flatten: bool = True,
    *,
    out: NDArray | None = None,
) -> NDArray:
    """A dense layer, `dot(data, weight.T) + bias`, with `weight` of shape (num_hidden, in).

    With `flatten` (the default) every axis of `data` after the first is flattened into
    the input; otherwise the layer applies to the last axis.

    >>> from tape import nd
    >>> nd.FullyConnected(nd.ones((2, 3)), nd.ones((4, 3)), nd.arange(4), num_hidden=4)
    <BLANKLINE>
    [[3. 4. 5. 6.]
     [3. 4. 5. 6.]]
    <NDArray 2x4 @cpu(0)>
    """
    data, weight = array(data, "nd.FullyConnected"), array(weight, "nd.FullyConnected", "weight")
    if bias is not None:
        bias = array(bias, "nd.FullyConnected", "bias")
    if num_hidden is not None and weight.shape[0] != count(num_hidden, "nd.FullyConnected", "num_hidden"):
        raise ArgumentError(
            f"nd.FullyConnected: weight has shape {weight.shape} but num_hidden is {num_hidden}"
        )
    if flatten:
        lead: tuple[int, ...] = data.shape[:1]
        x = data if data.ndim == 2 else reshape_op(data, shape=(data.shape[0], data.size // data.shape[0]))
    else:
        lead = data.shape[:-1]
        x = data if data.ndim == 2 else reshape_op(data, shape=(data.size // data.shape[-1], data.shape[-1]))
    if x.shape[1] != weight.shape[1]:
        raise ArgumentError(
            f"nd.FullyConnected: {x.shape[1]} input features but weight of shape {weight.shape} "
            f"expects {weight.shape[1]}"
        )
    y = dot2_op(x, weight, transpose_a=False, transpose_b=True)
    if bias is not None and not no_bias:
        y = y + bias
    result = y if flatten or data.ndim == 2 else reshape_op(y, shape=(*lead, weight.shape[0]))
    return result if out is None else into(out, result, "nd.FullyConnected")


_ACTIVATIONS = {
    "relu": elementwise.relu_op,
    "sigmoid": elementwise.sigmoid_op,
    "tanh": trig.tanh_op,
    "softrelu": elementwise.softrelu_op,
    "softsign": elementwise.softsign_op,
}


def Activation(data: NDArray, act_type: str, *, out: NDArray | None = None) -> NDArray:  # noqa: N802 - MXNet's name
    """Apply the activation `act_type`: 'relu', 'sigmoid', 'tanh', 'softrelu' or 'softsign'.

    >>> from tape import nd
    >>> nd.Activation(nd.array([-1, 2]), act_type="relu")
    <BLANKLINE>
    [0. 2.]
    <NDArray 2 @cpu(0)>
    """
    data = array(data, "nd.Activation")
    op = _ACTIVATIONS.get(act_type)
    if op is None:
        raise ArgumentError(
            f"nd.Activation: act_type must be one of {sorted(_ACTIVATIONS)}, not {act_type!r}"
        )
    result = op(data)
    return result if out is None else into(out, result, "nd.Activation")
