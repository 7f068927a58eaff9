"""(f) Fan-out: one (10,) array feeds 10,000 branches ``x * c_k``, summed with one add_n.

The graph is wide rather than deep: one n-ary node with 10,000 parents, each a product that
uses `x`, so the backward runs one VJP per input of add_n and sums 10,000 gradients into `x`.
The cost per branch must not grow with the number of branches: when add_n's VJP was called
once per input with all 10,000 inputs unpacked each time, the backward was quadratic and this
ratio was about 47x (53 us per branch); linear, it is about 4.5x, near benchmark (a)'s per-op
overhead. NumPy does the same branches and sum by hand, then the matching backward, branch
by branch.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np

from ._harness import Case, Fn

NAME = "fan_out"
BRANCHES = 10_000
SIZE = 10


def tape_fan_out(x0: np.ndarray, cs: np.ndarray) -> Fn:
    from tape import autograd, nd

    x = nd.array(x0, dtype=x0.dtype)
    x.attach_grad()
    consts = [nd.array(c, dtype=c.dtype) for c in cs]

    def run() -> Any:
        with autograd.record():
            y = nd.add_n(*[x * c for c in consts])
        y.backward()
        return x.grad

    return run


def numpy_fan_out(x: np.ndarray, cs: np.ndarray) -> Fn:
    consts = list(cs)  # one small array per branch, as on the tape side

    def run() -> Any:
        branches = [x * c for c in consts]
        y = functools.reduce(np.add, branches[1:], branches[0].copy())
        g = np.ones_like(y)
        gx = g * consts[0]
        for c in consts[1:]:
            gx = gx + g * c
        return gx

    return run


def cases(quick: bool) -> list[Any]:
    rng = np.random.default_rng(5)
    x0 = rng.uniform(-1, 1, SIZE).astype(np.float32)
    cs = rng.uniform(0.5, 1.5, (BRANCHES, SIZE)).astype(np.float32)
    return [
        Case(
            name=f"f. fan-out of {BRANCHES:,} branches through add_n",
            tape=tape_fan_out(x0, cs),
            numpy=numpy_fan_out(x0, cs),
            target=6.0,
            per=BRANCHES,
            unit="branch",
            rtol=1e-3,
        )
    ]
