"""Ops on batches of sequences, as MXNet's `SequenceLast` and `SequenceReverse`.

Both read `data` with time along `axis` (0: shape (time, batch, ...); or 1: (batch, time, ...))
and, with `use_sequence_length=True`, one length per sequence. Each is one `getitem` with an
integer index computed from the lengths (a constant of the graph), so the gradient is the
scatter of the output's back to the positions read, and differentiates again to any order.

The lengths are checked and the index computed on the host: on a GPU that reads the lengths
once (one synchronisation), and the index then goes to the data's device.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._args import array
from .._xp import asarray, to_host
from ..creation import into
from ..errors import ArgumentError
from ..ndarray import NDArray
from ._axes import axis_index
from .indexing import getitem_op

__all__ = ["SequenceLast", "SequenceReverse"]


def _time_axis(x: NDArray, axis: Any, where: str) -> int:
    a = axis_index(x.ndim, axis, where)
    if x.ndim < 2 or a > 1:
        raise ArgumentError(
            f"{where}: axis is the time axis, 0 or 1 of data with 2 axes or more (data has shape {x.shape}), "
            f"not {axis}"
        )
    return a


def _lengths(
    x: NDArray, axis: int, sequence_length: Any, use_sequence_length: bool, least: int, where: str
) -> np.ndarray:
    """The length of each sequence as int64 on the host, whole numbers from `least` to the number
    of steps: every step when `use_sequence_length` is off."""
    steps, batch = x.shape[axis], x.shape[1 - axis]
    if not use_sequence_length or sequence_length is None:
        if use_sequence_length or sequence_length is not None:
            raise ArgumentError(
                f"{where}: sequence_length is read only with use_sequence_length=True: pass both, or neither"
            )
        return np.full(batch, steps, dtype=np.int64)
    n = to_host(array(sequence_length, where, "sequence_length")._data)  # one read of a GPU's lengths
    if n.shape != (batch,):
        raise ArgumentError(
            f"{where}: sequence_length has shape {n.shape}, but data of shape {x.shape} with axis={axis} "
            f"needs one length per sequence: ({batch},)"
        )
    if n.dtype.kind not in "iub" and not (np.all(np.isfinite(n)) and np.all(n == np.floor(n))):
        raise ArgumentError(f"{where}: sequence_length holds lengths, whole numbers, not {n.ravel()[:6]}")
    if n.size and (n.min() < least or n.max() > steps):
        # MXNet reads memory past the sequence for these: garbage, never an error.
        raise ArgumentError(
            f"{where}: sequence_length holds lengths from {least} to the {steps} steps of data, "
            f"not {n.ravel()[:6]}"
        )
    return n.astype(np.int64)


def SequenceLast(  # noqa: N802 - MXNet's name
    data: NDArray,
    sequence_length: NDArray | None = None,
    use_sequence_length: bool = False,
    axis: int = 0,
    *,
    out: NDArray | None = None,
) -> NDArray:
    """The last step of each sequence: of shape (batch, ...), `data` without its time axis.

    `data` has time along `axis` (0 or 1); with `use_sequence_length=True`, `sequence_length`
    holds one length per sequence, from 1 to the number of steps, and step `length - 1` is
    taken (MXNet returns garbage for a length of 0 or past the end; tape refuses them). The
    gradient goes to the steps taken; `sequence_length` gets none.

    >>> from tape import nd
    >>> nd.SequenceLast(nd.array([[1, 2], [3, 4], [5, 6]]), nd.array([3, 1]), use_sequence_length=True)
    <BLANKLINE>
    [5. 2.]
    <NDArray 2 @cpu(0)>
    """
    where = "nd.SequenceLast"
    x = array(data, where)
    a = _time_axis(x, axis, where)
    n = _lengths(x, a, sequence_length, use_sequence_length, 1, where)
    last, batch = asarray(n - 1, x._data), asarray(np.arange(n.size), x._data)
    result = getitem_op(x, key=(last, batch) if a == 0 else (batch, last))
    return into(out, result, where)


def SequenceReverse(  # noqa: N802 - MXNet's name
    data: NDArray,
    sequence_length: NDArray | None = None,
    use_sequence_length: bool = False,
    axis: int = 0,
    *,
    out: NDArray | None = None,
) -> NDArray:
    """`data` with the first `length` steps of each sequence in reverse order; the steps past
    its length stay where they are.

    `data` has time along `axis`, with shape (time, batch, ...) for 0 (MXNet supports only 0;
    tape also takes 1, (batch, time, ...)); `sequence_length` is read only with
    `use_sequence_length=True`, one length per sequence from 0 to the number of steps (without
    it, every sequence is reversed whole).

    >>> from tape import nd
    >>> nd.SequenceReverse(nd.array([[1, 2], [3, 4], [5, 6]]), nd.array([2, 3]), use_sequence_length=True)
    <BLANKLINE>
    [[3. 6.]
     [1. 4.]
     [5. 2.]]
    <NDArray 3x2 @cpu(0)>
    """
    where = "nd.SequenceReverse"
    x = array(data, where)
    a = _time_axis(x, axis, where)
    n = _lengths(x, a, sequence_length, use_sequence_length, 0, where)
    t = np.arange(x.shape[a])[:, None]
    # Step t of a sequence of length n reads step n - 1 - t, or t itself past the length.
    source = asarray(np.where(t < n[None, :], n[None, :] - 1 - t, t), x._data)  # (time, batch)
    batch = asarray(np.arange(n.size)[None, :], x._data)
    result = getitem_op(x, key=(source, batch) if a == 0 else (batch.T, source.T))
    return into(out, result, where)
