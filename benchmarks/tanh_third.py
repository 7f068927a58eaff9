"""(e) Third derivative of tanh on 1000 values: grad(create_graph) twice, then backward.

NumPy evaluates the closed form tanh''' = 2 (1 - t^2)(3 t^2 - 1), t = tanh(x).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._harness import Case, Fn, make_peers, optional

NAME = "tanh_third"


def tape_fn(x0: np.ndarray) -> Fn:
    from tape import autograd, nd

    x = nd.array(x0, dtype=x0.dtype)
    x.attach_grad()

    def run() -> Any:
        with autograd.record():
            y = nd.tanh(x)
            (d1,) = autograd.grad(y, [x], create_graph=True)
            (d2,) = autograd.grad(d1, [x], create_graph=True)
        d2.backward()
        return x.grad

    return run


def numpy_fn(x: np.ndarray) -> Fn:
    def run() -> Any:
        t = np.tanh(x)
        t2 = t * t
        return 2 * (1 - t2) * (3 * t2 - 1)

    return run


def hips_fn(x: np.ndarray) -> Fn | None:
    ag = optional("autograd")
    if ag is None:
        return None
    d3 = ag.elementwise_grad(ag.elementwise_grad(ag.elementwise_grad(ag.numpy.tanh)))
    return lambda: d3(x)


def torch_fn(x0: np.ndarray) -> Fn | None:
    torch = optional("torch")
    if torch is None:
        return None
    torch.set_num_threads(1)
    x = torch.tensor(x0, requires_grad=True)

    def run() -> Any:
        x.grad = None
        y = torch.tanh(x)
        (d1,) = torch.autograd.grad(y.sum(), x, create_graph=True)
        (d2,) = torch.autograd.grad(d1.sum(), x, create_graph=True)
        d2.sum().backward()
        return x.grad.numpy()

    return run


def cases(quick: bool) -> list[Any]:
    x = np.random.default_rng(3).uniform(-2, 2, 1000).astype(np.float32)
    return [
        Case(
            name="e. tanh''' on 1000 values f32",
            tape=tape_fn(x),
            numpy=numpy_fn(x),
            target=6.0,
            peers=make_peers({"hips-autograd": hips_fn, "torch": torch_fn}, x),
            rtol=1e-3,
            atol=1e-4,
        )
    ]
