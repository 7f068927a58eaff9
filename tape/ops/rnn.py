"""MXNet's fused recurrent layer, `RNN`: rnn_relu, rnn_tanh, lstm and gru, stacked and
bidirectional, with its parameters packed in one vector as MXNet packs them.

The layout (checked against MXNet 1.9.1): first every weight, layer by layer and, within a
layer, direction by direction (forward, then backward), each direction's `W_x` (G H, input)
then `W_h` (G H, H); then every bias in the same order, `b_x` (G H) then `b_h` (G H). G is the
number of gates: 1 for the plain RNNs, 4 for lstm (input, forget, cell, output), 3 for gru
(reset, update, new; the new gate reads `r * (W_hn h + b_hn)`, as cuDNN's). A layer's input is
the data for the first, else the previous layer's output, both directions concatenated.

The recursion is a Python loop over the time steps, each written with tape's ops (the inputs'
projections for every step in one product first): the layer is a composition, and its
derivatives of every order are those of the composition.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .._args import array, count
from .._state import flags
from .._xp import asarray, to_host
from ..creation import into
from ..errors import ArgumentError
from ..ndarray import NDArray
from .elementwise import clip_op, relu_op, sigmoid_op
from .indexing import getitem_op, where_op
from .join import concat_op, stack_op
from .layers import _floating
from .linalg import dot2_op
from .nn import Dropout
from .shape import reshape_op
from .trig import tanh_op

__all__ = ["RNN"]

_GATES = {"rnn_relu": 1, "rnn_tanh": 1, "lstm": 4, "gru": 3}


def parameter_count(mode: str, input_size: int, state_size: int, num_layers: int, directions: int) -> int:
    """The length of the packed parameter vector of `RNN`."""
    gates_h = _GATES[mode] * state_size
    return sum(
        directions
        * (
            gates_h * (input_size if layer == 0 else state_size * directions)
            + gates_h * state_size
            + 2 * gates_h
        )
        for layer in range(num_layers)
    )


def _unpack(
    params: NDArray, mode: str, inputs: int, h: int, layers: int, dirs: int
) -> dict[Any, list[NDArray]]:
    """The weights and biases of each (layer, direction): [W_x, W_h, b_x, b_h], slices of `params`."""
    gh, at, found = _GATES[mode] * h, 0, {}

    def take(*shape: int) -> NDArray:
        nonlocal at
        size = math.prod(shape)
        part = getitem_op(params, key=slice(at, at + size))
        at += size
        return part if len(shape) == 1 else reshape_op(part, shape=shape)

    for layer in range(layers):
        width = inputs if layer == 0 else h * dirs
        for d in range(dirs):
            found[layer, d] = [take(gh, width), take(gh, h)]
    for layer in range(layers):
        for d in range(dirs):
            found[layer, d] += [take(gh), take(gh)]
    return found


def _gate(x: NDArray, k: int, h: int) -> NDArray:
    return getitem_op(x, key=(slice(None), slice(k * h, (k + 1) * h)))


def _step(
    mode: str, gx: NDArray, h: NDArray, c: Any, wh: NDArray, bh: NDArray, clip: Any
) -> tuple[NDArray, Any]:
    """One time step of one direction: the new state and cell from the input's projection `gx`."""
    gh = dot2_op(h, wh, transpose_a=False, transpose_b=True) + bh
    n = h.shape[1]
    if mode == "rnn_relu":
        return relu_op(gx + gh), c
    if mode == "rnn_tanh":
        return tanh_op(gx + gh), c
    if mode == "lstm":
        g = gx + gh
        cell = sigmoid_op(_gate(g, 1, n)) * c + sigmoid_op(_gate(g, 0, n)) * tanh_op(_gate(g, 2, n))
        if clip is not None:
            cell = clip_op(cell, a_min=clip[0], a_max=clip[1])
        return sigmoid_op(_gate(g, 3, n)) * tanh_op(cell), cell
    r = sigmoid_op(_gate(gx, 0, n) + _gate(gh, 0, n))
    z = sigmoid_op(_gate(gx, 1, n) + _gate(gh, 1, n))
    new = tanh_op(_gate(gx, 2, n) + r * _gate(gh, 2, n))
    return new + z * (h - new), c  # (1 - z) new + z h


def _direction(
    mode: str, x: NDArray, weights: list[NDArray], h: NDArray, c: Any, reverse: bool, lengths: Any, clip: Any
) -> tuple[NDArray, NDArray, Any]:
    """One direction of one layer over the whole sequence: its outputs (T, N, H), last state and cell."""
    wx, wh, bx, bh = weights
    steps, batch = x.shape[:2]
    # Every step's input projection in one product.
    flat = dot2_op(reshape_op(x, shape=(steps * batch, -1)), wx, transpose_a=False, transpose_b=True)
    gx = reshape_op(flat + bx, shape=(steps, batch, -1))
    outs: list[NDArray] = []
    for t in reversed(range(steps)) if reverse else range(steps):
        new_h, new_c = _step(mode, getitem_op(gx, key=t), h, c, wh, bh, clip)
        if lengths is None:
            h, c = new_h, new_c
            outs.append(h)
        else:  # a sequence past its length keeps its state and outputs zeros
            running = NDArray((t < lengths)[:, None])
            h = where_op(running, new_h, h)
            c = where_op(running, new_c, c) if mode == "lstm" else c
            outs.append(where_op(running, h, 0.0))
    return stack_op(*(outs[::-1] if reverse else outs), axis=0), h, c


def _state(value: Any, where: str, arg: str, shape: tuple[int, ...]) -> NDArray:
    s = array(value, where, arg)
    if s.shape != shape:
        raise ArgumentError(
            f"{where}: {arg} has shape {s.shape}, but needs (layers * directions, batch, state_size): {shape}"
        )
    return _floating(s)


def _clip(low: Any, high: Any, nan: Any, mode: str, where: str) -> tuple[float, float] | None:
    if low is None and high is None:
        return None
    if low is None or high is None or mode != "lstm":
        raise ArgumentError(
            f"{where}: lstm_state_clip_min and lstm_state_clip_max go together, and with mode='lstm' only"
        )
    if nan:
        raise ArgumentError(f"{where}: lstm_state_clip_nan=True is not supported: drop it")
    return float(low), float(high)


def _sequence_lengths(
    value: Any, use: Any, steps: int, batch: int, like: Any, where: str
) -> np.ndarray | None:
    """The lengths as int64 on the device of the array `like`, checked on the host (on a GPU, one
    read of them: a synchronisation, before the loop, which then reads nothing back)."""
    if (value is None) == bool(use):
        raise ArgumentError(
            f"{where}: sequence_length is read only with use_sequence_length=True: pass both, or neither"
        )
    if value is None:
        return None
    n = to_host(array(value, where, "sequence_length")._data)
    if n.shape != (batch,) or not np.all(n == np.floor(n)) or (n.size and (n.min() < 1 or n.max() > steps)):
        raise ArgumentError(
            f"{where}: sequence_length must hold one whole length from 1 to {steps} per sequence, shape "
            f"({batch},), not {n.ravel()[:6]} of shape {n.shape}"
        )
    return asarray(n.astype(np.int64), like)


def RNN(  # noqa: N802 - MXNet's name
    data: NDArray,
    parameters: NDArray,
    state: NDArray,
    state_cell: NDArray | None = None,
    sequence_length: NDArray | None = None,
    state_size: int | None = None,
    num_layers: int | None = None,
    bidirectional: bool = False,
    mode: str | None = None,
    p: float = 0.0,
    state_outputs: bool = False,
    projection_size: int | None = None,
    lstm_state_clip_min: float | None = None,
    lstm_state_clip_max: float | None = None,
    lstm_state_clip_nan: bool = False,
    use_sequence_length: bool = False,
    *,
    out: NDArray | None = None,
) -> NDArray | list[NDArray]:
    """A stack of `num_layers` recurrent layers over `data` of shape (time, batch, input), by
    `mode`: 'rnn_relu', 'rnn_tanh', 'lstm' or 'gru', each of `state_size` units, in both
    directions with `bidirectional=True`. `state_size`, `num_layers` and `mode` are required.

    `parameters` is the vector of every weight and bias, packed as MXNet packs them (the module
    docstring gives the layout; `tape.ops.rnn.parameter_count` its length). `state`, and for
    lstm `state_cell`, have shape (num_layers * directions, batch, state_size), layer by layer,
    the forward direction first. The result has shape (time, batch, directions * state_size);
    with `state_outputs=True` it is the list `[out, state]` (and the cell state for lstm),
    each at the last step. `p` drops the outputs of every layer but the last in training mode.

    With `use_sequence_length=True`, `sequence_length` gives each sequence's length: its
    outputs past it are 0 and its final state is the one at its last step, the backward
    direction starting there (cuDNN's meaning: MXNet 1.9.1 ignores the lengths on the CPU, and
    the LSTM clipping too, which tape applies to the cell state). `projection_size` and
    `lstm_state_clip_nan` are not supported.

    >>> from tape import nd
    >>> x, h0 = nd.ones((3, 1, 1)), nd.zeros((1, 1, 1))
    >>> w = nd.array([1.0, 0.5, 0.0, 0.0])  # W_x, W_h, b_x, b_h of one unit
    >>> nd.RNN(x, w, h0, state_size=1, num_layers=1, mode="rnn_relu").reshape((3,))  # h = x + h / 2
    <BLANKLINE>
    [1.   1.5  1.75]
    <NDArray 3 @cpu(0)>
    """
    where = "nd.RNN"
    x = array(data, where)
    if mode not in _GATES:
        raise ArgumentError(f"{where}: mode is required, one of {list(_GATES)}, not {mode!r}")
    for name, value in (("state_size", state_size), ("num_layers", num_layers)):
        if value is None:
            raise ArgumentError(f"{where}: {name} is required: give it, an int of 1 or more")
    h, layers = count(state_size, where, "state_size"), count(num_layers, where, "num_layers")
    if x.ndim != 3 or h == 0 or layers == 0:
        raise ArgumentError(
            f"{where}: data must have shape (time, batch, input), not {x.shape}, and state_size and "
            f"num_layers must be 1 or more, not {h} and {layers}"
        )
    if projection_size is not None:
        raise ArgumentError(f"{where}: projection_size is not supported: drop it")
    steps, batch, inputs = x.shape
    dirs = 2 if bidirectional else 1
    want = parameter_count(mode, inputs, h, layers, dirs)
    w = array(parameters, where, "parameters")
    if w.shape != (want,):
        raise ArgumentError(
            f"{where}: parameters has shape {w.shape}, but mode={mode!r} with input size {inputs}, "
            f"state_size={h}, num_layers={layers} and {dirs} direction(s) needs ({want},)"
        )
    h0 = _state(state, where, "state", (layers * dirs, batch, h))
    if (mode == "lstm") != (state_cell is not None):
        raise ArgumentError(f"{where}: state_cell is the cell state of mode='lstm': give it for lstm only")
    c0 = _state(state_cell, where, "state_cell", h0.shape) if state_cell is not None else None
    clip = _clip(lstm_state_clip_min, lstm_state_clip_max, lstm_state_clip_nan, mode, where)
    lengths = _sequence_lengths(sequence_length, use_sequence_length, steps, batch, x._data, where)
    if not 0 <= p < 1:
        raise ArgumentError(f"{where}: p is a probability in [0, 1), not {p}")

    weights = _unpack(_floating(w), mode, inputs, h, layers, dirs)
    layer_in, last_h, last_c = _floating(x), [], []
    for layer in range(layers):
        outs = []
        for d in range(dirs):
            k = layer * dirs + d
            c = getitem_op(c0, key=k) if c0 is not None else None
            o, hk, ck = _direction(
                mode, layer_in, weights[layer, d], getitem_op(h0, key=k), c, d == 1, lengths, clip
            )
            outs.append(o)
            last_h.append(hk)
            last_c.append(ck)
        layer_in = outs[0] if dirs == 1 else concat_op(*outs, axis=2)
        if p > 0 and layer < layers - 1 and flags.training:
            layer_in = Dropout(layer_in, p=p)
    result = into(out, layer_in, where)
    if not state_outputs:
        return result
    states = [result, stack_op(*last_h, axis=0)]
    return [*states, stack_op(*last_c, axis=0)] if mode == "lstm" else states
