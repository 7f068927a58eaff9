"""(d) sum(tanh(A @ B)) for 1024x1024 float32, forward + backward for A and B.

Three matrix products dominate, so this measures what tape adds around big kernels:
temporaries in the VJPs, copies into `.grad`, the head gradient.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._harness import Case, Fn, make_peers, optional

NAME = "matmul_tanh"


def tape_fn(a0: np.ndarray, b0: np.ndarray) -> Fn:
    from tape import autograd, nd

    a, b = nd.array(a0), nd.array(b0)
    a.attach_grad()
    b.attach_grad()

    def run() -> Any:
        with autograd.record():
            y = nd.tanh(nd.dot(a, b)).sum()
        y.backward()
        return [a.grad, b.grad]

    return run


def numpy_fn(a: np.ndarray, b: np.ndarray) -> Fn:
    def run() -> Any:
        t = np.tanh(a @ b)
        t.sum()
        gc = 1 - t * t
        return [gc @ b.T, a.T @ gc]

    return run


def hips_fn(a: np.ndarray, b: np.ndarray) -> Fn | None:
    ag = optional("autograd")
    if ag is None:
        return None
    anp = ag.numpy
    grad = ag.grad(lambda ab: anp.sum(anp.tanh(anp.dot(ab[0], ab[1]))))
    return lambda: grad([a, b])


def torch_fn(a0: np.ndarray, b0: np.ndarray) -> Fn | None:
    torch = optional("torch")
    if torch is None:
        return None
    torch.set_num_threads(1)
    a = torch.tensor(a0, requires_grad=True)
    b = torch.tensor(b0, requires_grad=True)

    def run() -> Any:
        a.grad = b.grad = None
        torch.tanh(a @ b).sum().backward()
        return [a.grad.numpy(), b.grad.numpy()]

    return run


def cases(quick: bool) -> list[Any]:
    n = 256 if quick else 1024
    rng = np.random.default_rng(2)
    # Scaled so that A @ B is O(1): tanh neither saturates nor stays linear.
    a = (rng.standard_normal((n, n)) / np.sqrt(n)).astype(np.float32)
    b = rng.standard_normal((n, n)).astype(np.float32)
    return [
        Case(
            name=f"d. sum(tanh(A@B)) {n}x{n} f32",
            tape=tape_fn(a, b),
            numpy=numpy_fn(a, b),
            target=1.05,
            peers=make_peers({"hips-autograd": hips_fn, "torch": torch_fn}, a, b),
            rtol=1e-3,
            atol=1e-3,
        )
    ]
