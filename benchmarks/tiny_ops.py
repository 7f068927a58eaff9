"""(a) 1000 tiny elementwise ops on a (10,) array, record + backward: the per-op overhead.

The chain repeats the block ``y = tanh(sin(y * c + 0.5))`` (4 ops: mul by a constant array,
add a scalar, sin, tanh), so values stay bounded. NumPy does the same forward, keeping what
its hand-written backward needs, then walks the blocks in reverse.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._harness import Case, Fn, make_peers, optional

NAME = "tiny_ops"
OPS_PER_BLOCK = 4
SIZE = 10


def tape_chain(x0: np.ndarray, c: np.ndarray, blocks: int) -> Fn:
    from tape import autograd, nd

    x = nd.array(x0, dtype=x0.dtype)
    x.attach_grad()
    cc = nd.array(c, dtype=c.dtype)

    def run() -> Any:
        with autograd.record():
            y = x
            for _ in range(blocks):
                y = nd.tanh(nd.sin(y * cc + 0.5))
        y.backward()
        return x.grad

    return run


def tape_np_chain(x0: np.ndarray, c: np.ndarray, blocks: int) -> Fn:
    """The same chain written with the `tape.np` interface (D2L's current dialect)."""
    from tape import autograd
    from tape import np as tnp

    x = tnp.array(x0)
    x.attach_grad()
    cc = tnp.array(c)

    def run() -> Any:
        with autograd.record():
            y = x
            for _ in range(blocks):
                y = tnp.tanh(tnp.sin(y * cc + 0.5))
        y.backward()
        return x.grad

    return run


def numpy_chain(x0: np.ndarray, c: np.ndarray, blocks: int) -> Fn:
    def run() -> Any:
        saved = []
        y = x0
        for _ in range(blocks):
            b = y * c + 0.5
            y = np.tanh(np.sin(b))
            saved.append((b, y))
        g = np.ones_like(y)
        for b, t in reversed(saved):
            g = g * (1 - t * t)
            g = g * np.cos(b)
            g = g * c
        return g

    return run


def hips_chain(x0: np.ndarray, c: np.ndarray, blocks: int) -> Fn | None:
    ag = optional("autograd")
    if ag is None:
        return None
    anp = ag.numpy

    def f(x: Any) -> Any:
        for _ in range(blocks):
            x = anp.tanh(anp.sin(x * c + 0.5))
        return anp.sum(x)

    g = ag.grad(f)
    return lambda: g(x0)


def torch_chain(x0: np.ndarray, c: np.ndarray, blocks: int) -> Fn | None:
    torch = optional("torch")
    if torch is None:
        return None
    torch.set_num_threads(1)
    x = torch.tensor(x0, requires_grad=True)
    tc = torch.tensor(c)

    def run() -> Any:
        x.grad = None
        y = x
        for _ in range(blocks):
            y = torch.tanh(torch.sin(y * tc + 0.5))
        y.backward(torch.ones_like(y))
        return x.grad.numpy()

    return run


PEERS = {"hips-autograd": hips_chain, "torch": torch_chain}


def cases(quick: bool) -> list[Any]:
    rng = np.random.default_rng(0)
    n_ops = 1000
    blocks = n_ops // OPS_PER_BLOCK
    x0 = rng.uniform(-1, 1, SIZE).astype(np.float32)
    c = rng.uniform(0.5, 1.5, SIZE).astype(np.float32)
    return [
        Case(
            name=f"a. {n_ops} tiny ops ({SIZE},) f32",
            tape=tape_chain(x0, c, blocks),
            numpy=numpy_chain(x0, c, blocks),
            target=3.0,
            per=n_ops,
            unit="op",
            peers=make_peers(PEERS, x0, c, blocks),
        ),
        # The same ops through `tape.np`: the target is a's plus 5% (issue 10: "as fast as nd").
        Case(
            name=f"a. {n_ops} tiny ops ({SIZE},) f32, tape.np",
            tape=tape_np_chain(x0, c, blocks),
            numpy=numpy_chain(x0, c, blocks),
            target=3.0 * 1.05,
            per=n_ops,
            unit="op",
        ),
    ]
