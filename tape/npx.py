"""`tape.npx`: MXNet's NumPy extensions (`from mxnet import npx`): neural-network ops and setup.

Each op is `nd`'s, taking and giving `tape.np` arrays. `set_np()` is accepted for the programs
that begin with it: `tape.np` always has NumPy's semantics, so it only records that it was called.

>>> from tape import np, npx
>>> npx.set_np()
>>> npx.relu(np.array([-1, 2]))
array([0., 2.])
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as onp

from . import _xp
from . import serialization as _serialization
from .context import Context, cpu, current_context, gpu, num_gpus, place
from .np import random
from .np._convert import array_arg
from .np._creation import dtype_of, new
from .np._methods import getitem_op
from .np._ndarray import ndarray
from .np._shape import ravel
from .ops import elementwise as _el
from .ops import indexing as _ix
from .ops import linalg as _la
from .ops import nn as _nn
from .ops._axes import axis_index

__all__ = [
    "set_np", "reset_np", "is_np_array", "is_np_shape", "relu", "sigmoid", "softmax", "log_softmax",
    "one_hot", "pick", "batch_dot", "sequence_mask", "topk", "cpu", "gpu", "num_gpus",
    "current_context", "Context", "waitall", "save", "load", "random",
]  # fmt: skip

_NP_MODE = [False]


def set_np(shape: bool = True, array: bool = True, dtype: bool = False) -> None:
    """Turn on MXNet's NumPy semantics: accepted (and remembered) for programs that call it.

    `tape.np` has NumPy's semantics whether or not this is called; `nd` keeps its own.
    NumPy's default dtype (`dtype=True`: float64) is not offered: tape's is float32.

    >>> from tape import npx
    >>> npx.set_np(); npx.is_np_array()
    True
    """
    if dtype:
        raise ValueError(
            "npx.set_np(dtype=True) (float64 by default) is not supported: tape.np is float32 by default"
        )
    _NP_MODE[0] = bool(shape and array)


def reset_np() -> None:
    """Undo `set_np()` (as far as `is_np_array()` reports it).

    >>> from tape import npx
    >>> npx.reset_np(); npx.is_np_array()
    False
    >>> npx.set_np()
    """
    _NP_MODE[0] = False


def is_np_array() -> bool:
    """Whether `set_np()` was called (and not undone by `reset_np()`).

    >>> from tape import npx
    >>> isinstance(npx.is_np_array(), bool)
    True
    """
    return _NP_MODE[0]


is_np_shape = is_np_array


def _array(a: Any, fname: str, arg: str = "data") -> ndarray:
    return a if a.__class__ is ndarray else array_arg(a, f"npx.{fname}", arg)


def relu(data: Any) -> Any:
    """`max(data, 0)`, elementwise; its derivative at 0 is 0.

    >>> from tape import np, npx
    >>> npx.relu(np.array([-1.5, 0, 2]))
    array([0., 0., 2.])
    """
    return _el.relu_op(_array(data, "relu"))


def sigmoid(data: Any) -> Any:
    """The logistic function `1 / (1 + exp(-data))`, elementwise.

    >>> from tape import np, npx
    >>> npx.sigmoid(np.array([0]))
    array([0.5])
    """
    return _el.sigmoid_op(_array(data, "sigmoid"))


def softmax(data: Any, axis: int = -1, temperature: float | None = None, dtype: Any = None) -> Any:
    """The softmax along `axis` (the last by default), computed stably.

    >>> from tape import np, npx
    >>> npx.softmax(np.array([0, 0]))
    array([0.5, 0.5])
    """
    return _nn.softmax(_array(data, "softmax"), axis, temperature, dtype)


def log_softmax(data: Any, axis: int = -1, temperature: float | None = None, dtype: Any = None) -> Any:
    """The logarithm of the softmax along `axis`, computed stably.

    >>> from tape import np, npx
    >>> npx.log_softmax(np.array([0, 0]))
    array([-0.6931472, -0.6931472])
    """
    return _nn.log_softmax(_array(data, "log_softmax"), axis, temperature, dtype)


def one_hot(
    data: Any, depth: int, on_value: float = 1.0, off_value: float = 0.0, dtype: Any = "float32"
) -> Any:
    """Each index of `data` as a vector of length `depth`: `on_value` at the index, else `off_value`.

    >>> from tape import np, npx
    >>> npx.one_hot(np.array([0, 2]), 3)
    array([[1., 0., 0.],
           [0., 0., 1.]])
    """
    out = _ix.one_hot(_array(data, "one_hot"), depth, on_value, off_value, dtype)
    return new(out._data)


def pick(data: Any, index: Any, axis: int | None = -1, mode: str = "clip", keepdims: bool = False) -> Any:
    """The element of `data` at position `index` along `axis`, for each other position.

    >>> from tape import np, npx
    >>> npx.pick(np.array([[1, 2], [3, 4]]), np.array([1, 0]))
    array([2., 3.])
    """
    return _ix.pick(_array(data, "pick"), _array(index, "pick", "index"), axis, keepdims, mode)


def batch_dot(a: Any, b: Any, transpose_a: bool = False, transpose_b: bool = False) -> Any:
    """Matrix products batch by batch: `(B, n, m) . (B, m, k) -> (B, n, k)`.

    >>> from tape import np, npx
    >>> npx.batch_dot(np.ones((2, 1, 3)), np.ones((2, 3, 1)))
    array([[[3.]],
    <BLANKLINE>
           [[3.]]])
    """
    return _la.batch_dot(_array(a, "batch_dot", "a"), _array(b, "batch_dot", "b"), transpose_a, transpose_b)


def sequence_mask(
    data: Any,
    sequence_length: Any = None,
    use_sequence_length: bool = False,
    value: float = 0.0,
    axis: int = 0,
) -> Any:
    """`data` with the steps past each sequence's length set to `value` (time along `axis`,
    0 or 1; the batch along the other). Gradients flow to the kept steps.

    >>> from tape import np, npx
    >>> npx.sequence_mask(np.ones((3, 2)), np.array([1, 3]), use_sequence_length=True)
    array([[1., 1.],
           [0., 1.],
           [0., 1.]])
    """
    x = _array(data, "sequence_mask")
    if not use_sequence_length:
        return x
    if axis not in (0, 1) or x.ndim < 2:
        raise ValueError("npx.sequence_mask: data needs time and batch as its first two axes (axis 0 or 1)")
    # Lengths on another device come to the data's, as index arrays do.
    lengths = place(_array(sequence_length, "sequence_mask", "sequence_length")._data, x.context)
    batch = x.shape[1 - axis]
    if lengths.shape != (batch,):
        raise ValueError(
            f"npx.sequence_mask: sequence_length has shape {lengths.shape}; data of shape {x.shape} "
            f"with time along axis {axis} needs one length per sequence, shape ({batch},)"
        )
    steps = _xp.arange(x.shape[axis], lengths)
    keep = steps[:, None] < lengths[None, :] if axis == 0 else lengths[:, None] > steps[None, :]
    keep = keep.reshape(keep.shape + (1,) * (x.ndim - 2))
    return _ix.where_op(new(onp.broadcast_to(keep, x.shape)), x, float(value))


def topk(
    data: Any,
    axis: int | None = -1,
    k: int = 1,
    ret_typ: str = "indices",
    is_ascend: bool = False,
    dtype: Any = "float32",
) -> Any:
    """The `k` largest (smallest with `is_ascend`) elements along `axis` (of the flattened array
    with `axis=None`; all of them with `k < 1`, as MXNet): their `'indices'` (the default, as
    `dtype`), `'value'`, `'both'` (values, indices) or a 0/1 `'mask'` of the shape of `data`.

    Values are differentiable: the gradient goes back to the positions they came from.

    >>> from tape import np, npx
    >>> x = np.array([3, 1, 4, 2])
    >>> npx.topk(x, k=2), npx.topk(x, k=2, ret_typ="value")
    (array([2., 0.]), array([4., 3.]))
    >>> npx.topk(np.array([[3, 1], [4, 2]]), axis=None, k=2, ret_typ="value")
    array([4., 3.])
    """
    if ret_typ not in ("indices", "value", "both", "mask"):
        raise ValueError(f"npx.topk: ret_typ must be 'indices', 'value', 'both' or 'mask', not {ret_typ!r}")
    x = shaped = _array(data, "topk")
    if axis is None:
        x, axis = ravel(x), 0
    axis = axis_index(x.ndim, axis, "npx.topk")
    n = x.shape[axis]
    if k > n:
        raise ValueError(f"npx.topk: k={k} is more than the {n} elements along axis {axis}")
    order = onp.argsort(x._data if is_ascend else -x._data, axis=axis, kind="stable")
    positions = onp.take(order, _xp.arange(k if k >= 1 else n, order), axis=axis)
    indices = new(positions.astype(dtype_of(dtype, "npx.topk")))
    if ret_typ == "indices":
        return indices
    if ret_typ == "mask":
        mask = _xp.zeros(x.shape, x._data.dtype, x._data)
        onp.put_along_axis(mask, positions, 1, axis=axis)
        return new(mask.reshape(shaped.shape))
    key = tuple(positions if i == axis else _along(x.ndim, i, positions) for i in range(x.ndim))
    values = getitem_op(x, key=key)
    return values if ret_typ == "value" else [values, indices]


def _along(ndim: int, i: int, index: onp.ndarray) -> onp.ndarray:
    # The positions along axis i, shaped to broadcast against the index array `index`.
    n = index.shape[i]
    along: onp.ndarray = _xp.arange(n, index).reshape([n if j == i else 1 for j in range(ndim)])
    return along


def waitall() -> None:
    """Wait for all pending computation: a no-op, NumPy computes eagerly.

    >>> from tape import npx
    >>> npx.waitall()
    """


def save(file: str | Path, arr: Any) -> None:
    """Save an array, a list or a dict of arrays to `file` (`npx.load` reads it back).

    >>> import os, tempfile
    >>> from tape import np, npx
    >>> path = os.path.join(tempfile.mkdtemp(), "w")
    >>> npx.save(path, {"w": np.ones(2)}); npx.load(path)
    {'w': array([1., 1.])}
    """
    _serialization.save(file, arr)


def load(file: str | Path, max_bytes: int | None = None) -> Any:
    """The arrays saved by `npx.save` (or `nd.save`), as `tape.np` arrays; 0-d arrays stay 0-d.

    The file is read as untrusted, as `nd.load` reads it (see there for `max_bytes`).

    >>> import os, tempfile
    >>> from tape import np, npx
    >>> path = os.path.join(tempfile.mkdtemp(), "w")
    >>> npx.save(path, [np.zeros(1), np.array(2.5)]); npx.load(path)
    [array([0.]), array(2.5)]
    """
    loaded = _serialization.read(file, max_bytes, "npx.load")
    if isinstance(loaded, dict):
        return {k: new(v) for k, v in loaded.items()}
    return [new(v) for v in loaded]
