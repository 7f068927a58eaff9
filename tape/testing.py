"""Numerical gradients by central differences, and `check_grads` to compare tape against them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from . import autograd
from .ndarray import NDArray

__all__ = ["numeric_grad", "check_grads", "GradientMismatchError"]


class GradientMismatchError(AssertionError):
    """Raised by `check_grads` when tape's gradient and the numerical one disagree."""


def _scalar(f: Callable[..., NDArray], args: list[NDArray]) -> float:
    return float(f(*args).sum().asscalar())


def numeric_grad(f: Callable[..., NDArray], *args: NDArray, eps: float = 1e-6) -> list[np.ndarray]:
    """The gradient of `f(*args).sum()` with respect to each argument, by central differences.

    >>> from tape import nd, testing
    >>> g, = testing.numeric_grad(lambda x: x * x, nd.array([3.0], dtype="float64"))
    >>> round(float(g[0]), 6)
    6.0
    """
    grads = []
    for k, a in enumerate(args):
        base = a._data
        g = np.zeros(base.shape, dtype=np.float64)
        for idx in np.ndindex(base.shape):
            shifted = []
            for step in (eps, -eps):
                moved = base.copy()
                moved[idx] += step
                trial = list(args)
                trial[k] = NDArray(moved)
                shifted.append(_scalar(f, trial))
            g[idx] = (shifted[0] - shifted[1]) / (2 * eps)
        grads.append(g)
    return grads


def _tape_grad(f: Callable[..., NDArray], args: list[NDArray]) -> list[NDArray]:
    xs = [NDArray(a._data.copy()) for a in args]
    for x in xs:
        x.attach_grad()
    with autograd.record():
        y = f(*xs)
    return autograd.grad(y, xs)


def _grad_fn(f: Callable[..., NDArray], direction: list[np.ndarray]) -> Callable[..., NDArray]:
    """x -> <grad f(x), direction>: differentiating it checks the second order."""

    def g(*args: NDArray) -> NDArray:
        xs = list(args)
        marked = []
        for x in xs:
            if x._node is None:
                x.attach_grad()
            marked.append(x)
        with autograd.record():
            y = f(*xs)
            grads = autograd.grad(y, marked, create_graph=True)
            total: Any = 0
            for gr, d in zip(grads, direction, strict=True):
                total = total + (gr * NDArray(d)).sum()
        return total  # type: ignore[no-any-return]

    return g


def check_grads(
    f: Callable[..., NDArray],
    *args: Any,
    order: int = 2,
    rtol: float = 1e-5,
    atol: float = 1e-6,
    eps: float = 1e-6,
    seed: int = 0,
) -> None:
    """Check tape's gradients of `f(*args).sum()` against central differences, up to `order`.

    Arguments are converted to float64. Order 2 checks a directional second derivative
    (the gradient of `<grad f, v>` for a random `v`), and so on. Raises `GradientMismatchError`
    naming the worst element.

    >>> from tape import nd, testing
    >>> testing.check_grads(lambda x: nd.tanh(x) * x, nd.array([0.5, -1.0]), order=2)
    """
    xs = [NDArray(np.asarray(a._data if isinstance(a, NDArray) else a, dtype=np.float64)) for a in args]
    rng = np.random.default_rng(seed)
    fn = f
    for level in range(1, order + 1):
        got = [g.asnumpy() for g in _tape_grad(fn, xs)]
        want = numeric_grad(fn, *xs, eps=eps)
        for k, (g, w) in enumerate(zip(got, want, strict=True), 1):
            g = g.reshape(w.shape)
            err = np.abs(g - w) - (atol + rtol * np.abs(w))
            if (err.size and np.nanmax(err) > 0) or np.isnan(g).any() != np.isnan(w).any():
                worst = np.unravel_index(int(np.nanargmax(err)), err.shape) if err.size else ()
                raise GradientMismatchError(
                    f"order {level}, argument {k}: tape gives {g[worst]!r} but central "
                    f"differences give {w[worst]!r} at index {worst} "
                    f"(max abs error {np.nanmax(np.abs(g - w)):.3g})"
                )
        if level < order:
            fn = _grad_fn(fn, [rng.standard_normal(x.shape) for x in xs])
