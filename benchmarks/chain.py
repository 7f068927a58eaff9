"""(c) A 10,000-op chain on a (1,) array: time per op, and memory per recorded op.

Same block as tiny_ops (mul by a constant, add a scalar, sin, tanh), ten times longer and on
one element, so the cost is all bookkeeping. Memory is the tracemalloc peak while recording
(NumPy's buffers included: NumPy reports them to tracemalloc) divided by the number of ops.
"""

from __future__ import annotations

import gc
import tracemalloc
from typing import Any

import numpy as np

from ._harness import Case, Metric, make_peers
from .tiny_ops import OPS_PER_BLOCK, PEERS, numpy_chain, tape_chain

NAME = "chain"
N_OPS = 10_000


def graph_bytes_per_op(n_ops: int) -> float:
    """Peak bytes traced while recording an `n_ops` chain, per op (the graph is kept alive)."""
    from tape import autograd, nd

    x = nd.array([0.3])
    x.attach_grad()
    c = nd.array([0.9])
    gc.collect()
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        base = tracemalloc.get_traced_memory()[0]
        with autograd.record():
            y = x
            for _ in range(n_ops // OPS_PER_BLOCK):
                y = nd.tanh(nd.sin(y * c + 0.5))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    del y
    return (peak - base) / n_ops


def cases(quick: bool) -> list[Any]:
    x0 = np.array([0.3], dtype=np.float32)
    c = np.array([0.9], dtype=np.float32)
    blocks = N_OPS // OPS_PER_BLOCK
    return [
        Case(
            name=f"c. {N_OPS} op chain (1,) f32",
            tape=tape_chain(x0, c, blocks),
            numpy=numpy_chain(x0, c, blocks),
            target=4.0,
            per=N_OPS,
            unit="op",
            peers=make_peers(PEERS, x0, c, blocks),
        ),
        Metric(f"c. {N_OPS} op chain memory", graph_bytes_per_op(N_OPS), "B/op", 600.0),
    ]
