"""The connectionist temporal classification loss, as MXNet's `CTCLoss` (alias `ctc_loss`).

The forward recursion of Graves et al. in log space, vectorised over the batch and the
positions of the extended label (blank, l1, blank, l2, ..., blank), with one Python loop over
the time steps, each step written with tape's ops: the loss is a composition, and its
derivatives of every order are those of the composition (the gradient of the activations is
softmax less the posterior of each label, as MXNet's).

Impossible paths carry a large negative log probability, `_NEG`, not -inf: -inf - -inf is NaN,
in the values and in the derivatives. Each log-sum-exp subtracts a maximum that is a constant
of the graph: the log-sum-exp does not depend on it, so neither do its derivatives.

The labels and lengths are checked, and the extended labels built, on the host: on a GPU each
of those arguments is read once (a synchronisation), and the arrays made of them go to the
data's device before the loop, which then runs without reading the device.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._args import array
from .._xp import asarray, to_host
from ..creation import into
from ..errors import ArgumentError
from ..ndarray import NDArray
from .elementwise import exp_op, log_op
from .indexing import getitem_op, where_op
from .layers import _floating
from .layout import pad_constant_op
from .nn import log_softmax_op

__all__ = ["CTCLoss", "ctc_loss"]

_NEG = -1e30  # the log of an impossible path's probability: exp of it is 0 in float32 and float64
_BLANKS = ("first", "last")


def _whole(value: Any, where: str, arg: str, shape: tuple[int, ...], low: int, high: int) -> np.ndarray:
    """An array argument of whole numbers in [low, high], of `shape`, as int64 on the host."""
    v = to_host(array(value, where, arg)._data)
    if v.shape != shape:
        raise ArgumentError(f"{where}: {arg} has shape {v.shape}, but the data needs shape {shape}")
    if v.dtype.kind not in "iub" and not (np.all(np.isfinite(v)) and np.all(v == np.floor(v))):
        raise ArgumentError(f"{where}: {arg} holds whole numbers, not {v.ravel()[:6]}")
    if v.size and (v.min() < low or v.max() > high):
        raise ArgumentError(f"{where}: {arg} holds whole numbers from {low} to {high}, not {v.ravel()[:6]}")
    return v.astype(np.int64)


def _read_only_with(value: Any, use: bool, arg: str, flag: str, where: str) -> bool:
    if (value is None) == bool(use):
        raise ArgumentError(f"{where}: {arg} is read only with {flag}=True: pass both, or neither")
    return bool(use)


def _labels(
    label: Any, label_lengths: Any, use: bool, blank: int, pad: int, n: int, classes: int, where: str
) -> tuple[np.ndarray, np.ndarray]:
    """The labels (N, L) as int64 and the length of each, on the host: `label_lengths`, or up to
    the first padding value."""
    raw = to_host(array(label, where, "label")._data)
    if raw.ndim != 2 or raw.shape[0] != n:
        raise ArgumentError(
            f"{where}: label must have shape (batch, label length) = ({n}, L), not {raw.shape}"
        )
    labels = _whole(raw, where, "label", raw.shape, -1, classes - 1)
    width = labels.shape[1]
    if use:
        lengths = _whole(label_lengths, where, "label_lengths", (n,), 0, width)
    else:
        padding = labels == pad
        lengths = np.where(padding.any(axis=1), padding.argmax(axis=1), width)
    inside = np.arange(width)[None, :] < lengths[:, None]
    if np.any(inside & ((labels == blank) | (labels < 0))):
        raise ArgumentError(
            f"{where}: label holds a blank ({blank}) or -1 within a label's length: with blank_label="
            f"{'first' if blank == 0 else 'last'!r} the labels are {0 if blank else 1} to "
            f"{classes - 2 if blank else classes - 1}"
        )
    return np.where(inside, labels, blank), lengths


def _logsumexp(*terms: NDArray) -> NDArray:
    top_data = terms[0]._data
    for t in terms[1:]:  # not np.maximum.reduce: CuPy has no ufunc reduce but add's and multiply's
        top_data = np.maximum(top_data, t._data)
    top = NDArray(top_data)  # a constant of the graph
    total = exp_op(terms[0] - top)
    for t in terms[1:]:
        total = total + exp_op(t - top)
    return log_op(total) + top


def _shifted(alpha: NDArray, by: int) -> NDArray:
    """`alpha` (N, S) moved `by` positions along S, `_NEG` coming in."""
    s = alpha.shape[1]
    if by >= s:
        return NDArray(np.full_like(alpha._data, _NEG))
    kept = getitem_op(alpha, key=(slice(None), slice(0, s - by)))
    return pad_constant_op(kept, width=((0, 0), (by, 0)), value=_NEG)


def CTCLoss(  # noqa: N802 - MXNet's name
    data: NDArray,
    label: NDArray,
    data_lengths: NDArray | None = None,
    label_lengths: NDArray | None = None,
    use_data_lengths: bool = False,
    use_label_lengths: bool = False,
    blank_label: str = "first",
    *,
    out: NDArray | None = None,
) -> NDArray:
    """The CTC loss of each sequence of the batch: shape (batch,), `-log p(label | data)`.

    `data` holds activations of shape (time, batch, alphabet), not yet normalised: the loss
    takes their `log_softmax` over the alphabet. `label`, of shape (batch, L), holds class
    indices; with `blank_label='first'` class 0 is the blank and a label is padded with 0, with
    'last' the last class is the blank and a label is padded with -1. A label's length is
    `label_lengths` with `use_label_lengths=True`, else the position of its first padding
    value; a sequence's is `data_lengths` (1 to time) with `use_data_lengths=True`, else every
    step. A label that no path of its sequence's length can spell (too long, counting a blank
    between repeated labels) has a loss of inf (`-log 0`; MXNet gives 0 and a meaningless
    gradient) and a zero gradient. No gradient reaches `label` or the lengths.

    >>> from tape import nd
    >>> loss = nd.CTCLoss(nd.zeros((2, 1, 3)), nd.array([[1, 0]]))  # uniform: 3 paths spell "1"
    >>> print(loss.asnumpy().round(4))  # -log(3 / 9)
    [1.0986]
    """
    where = "nd.CTCLoss"
    x = array(data, where)
    if x.ndim != 3:
        raise ArgumentError(f"{where}: data must have shape (time, batch, alphabet size), not {x.shape}")
    if blank_label not in _BLANKS:
        raise ArgumentError(f"{where}: blank_label must be one of {list(_BLANKS)}, not {blank_label!r}")
    steps, n, classes = x.shape
    if steps == 0 or classes < 2:
        raise ArgumentError(
            f"{where}: data needs a time step or more and two classes or more (one a blank), not {x.shape}"
        )
    blank, pad = (0, 0) if blank_label == "first" else (classes - 1, -1)
    use_l = _read_only_with(label_lengths, use_label_lengths, "label_lengths", "use_label_lengths", where)
    labels, label_len = _labels(label, label_lengths, use_l, blank, pad, n, classes, where)
    if _read_only_with(data_lengths, use_data_lengths, "data_lengths", "use_data_lengths", where):
        data_len = _whole(data_lengths, where, "data_lengths", (n,), 1, steps)
    else:
        data_len = np.full(n, steps, dtype=np.int64)

    # The extended labels (N, S): blanks between and around the labels (padding read as blanks).
    width = 2 * labels.shape[1] + 1
    extended = np.full((n, width), blank, dtype=np.int64)
    extended[:, 1::2] = labels
    # A path may skip the blank between two labels that differ.
    skip = np.zeros((n, width), dtype=bool)
    skip[:, 2:] = (extended[:, 2:] != blank) & (extended[:, 2:] != extended[:, :-2])
    logp = log_softmax_op(_floating(x), axis=2)
    dtype, like = logp._data.dtype, logp._data  # the host arrays below go to the data's device
    no_skip = NDArray(asarray(np.where(skip, 0.0, _NEG).astype(dtype), like))
    rows = asarray(np.arange(n), like)
    lp = getitem_op(logp, key=(slice(None), rows[:, None], asarray(extended, like)))  # (T, N, S)
    start = np.full(width, _NEG, dtype=dtype)
    start[:2] = 0.0
    alpha = getitem_op(lp, key=0) + NDArray(asarray(start, like))
    # Which sequences still run at each step, decided on the host; on the device only if one ends early.
    running = data_len[None, :] > np.arange(steps)[:, None]  # (T, N)
    ended = None if running.all() else asarray(running[:, :, None], like)
    for t in range(1, steps):
        step = _logsumexp(alpha, _shifted(alpha, 1), _shifted(alpha, 2) + no_skip) + getitem_op(lp, key=t)
        # A sequence that has ended keeps its last alpha.
        alpha = step if ended is None or running[t].all() else where_op(NDArray(ended[t]), step, alpha)

    # The paths end on the last label or the blank after it.
    last = getitem_op(alpha, key=(rows, asarray(2 * label_len, like)))
    before = getitem_op(alpha, key=(rows, asarray(np.maximum(2 * label_len - 1, 0), like)))
    before = where_op(NDArray(asarray(label_len > 0, like)), before, _NEG)
    loss = -_logsumexp(last, before)
    # A path spells a label in its length plus one blank between each repeated pair, or not at
    # all: then the loss is -log 0 = inf (MXNet gives 0, and a garbage gradient), its gradient 0.
    repeats = ((labels[:, 1:] == labels[:, :-1]) & (labels[:, 1:] != blank)).sum(axis=1)
    possible = data_len >= label_len + repeats
    if not possible.all():
        loss = where_op(NDArray(asarray(possible, like)), loss, np.inf)
    return into(out, loss, where)


ctc_loss = CTCLoss
