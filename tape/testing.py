"""Check tape's derivatives against finite differences: `numeric_grad` and `check_grads`.

Both work in float64, whatever the dtype of the arrays given, and both differentiate the
SUM of what `f` returns, so `f` may return an array of any shape.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from . import autograd
from . import context as _context
from .errors import AutogradError
from .ndarray import NDArray, wrap
from .ops.shape import zeros_like

__all__ = ["numeric_grad", "check_grads", "GradientMismatchError"]

Fn = Callable[..., Any]


class GradientMismatchError(AssertionError):
    """Raised by `check_grads` when tape's derivative and the numerical one disagree.

    The attributes describe the worst element: `order` (1 for the gradient), `argument`
    (1-based position among the arguments of `f`), `index` (the element, a tuple),
    `tape` and `numeric` (the two values), `abs_error` and `rel_error`.
    """

    def __init__(
        self, message: str, *, order: int, argument: int, index: tuple[int, ...], tape: float, numeric: float
    ) -> None:
        super().__init__(message)
        self.order = order
        self.argument = argument
        self.index = index
        self.tape = tape
        self.numeric = numeric
        self.abs_error = abs(tape - numeric)
        self.rel_error = self.abs_error / abs(numeric) if numeric else float("inf")


def _as_float64(a: Any) -> NDArray:
    # A copy in float64, of the argument's interface (nd, or tape.np: whose arrays may be 0-d)
    # and on its device; anything else on the current context.
    if isinstance(a, NDArray):
        data, cls = a._data.astype(np.float64), a.__class__
    else:
        data, cls = _context.place(np.array(a, dtype=np.float64), None), NDArray
    return wrap(data.reshape(1) if data.ndim == 0 and cls is NDArray else data, cls)


def _total(out: Any) -> NDArray:
    """The scalar that is differentiated: the sum of every element `f` returned."""
    if isinstance(out, NDArray):
        return out.sum()
    if isinstance(out, list | tuple) and out and all(isinstance(o, NDArray) for o in out):
        total: NDArray = out[0].sum()
        for o in out[1:]:
            total = total + o.sum()
        return total
    raise TypeError(
        f"the function under test returned a {type(out).__name__}: it must return an NDArray "
        "(or a list of them) computed from its arguments with tape's ops"
    )


def _grads(f: Fn, xs: list[NDArray], create_graph: bool, training: bool) -> list[NDArray]:
    """The gradients of the total of `f(*xs)`; call inside `record(training)`."""
    y = _total(f(*xs))
    try:
        return autograd.grad(y, xs, retain_graph=True, create_graph=create_graph, train_mode=training)
    except AutogradError:
        # An argument f ignores, or a derivative that has become constant: adding
        # sum(zeros_like(x)) changes no value but connects every argument, whose gradient
        # is then zero rather than an "unreachable" error.
        for x in xs:
            y = y + zeros_like(x).sum()
        return autograd.grad(y, xs, create_graph=create_graph, train_mode=training)


def _value(f: Fn, xs: Sequence[NDArray], k: int, moved: np.ndarray) -> float:
    trial = list(xs)
    trial[k] = wrap(moved, xs[k].__class__)
    return float(_total(f(*trial)).item())


def numeric_grad(f: Fn, *args: Any, eps: float = 1e-6) -> list[np.ndarray]:
    """The gradient of `f(*args).sum()` with respect to each argument, by central differences.

    Arguments (NDArrays, NumPy arrays, lists or numbers) are copied to float64. Element `x`
    is moved by `eps * max(1, |x|)` either way, so that large values still move. Returns one
    float64 NumPy array per argument, of that argument's shape. `f` must be deterministic.

    >>> from tape import nd, testing
    >>> gx, gy = testing.numeric_grad(lambda x, y: x * x * y, nd.array([3.0, 1.0]), 2.0)
    >>> gx.round(6), gy.round(6)
    (array([12.,  4.]), array([10.]))
    """
    xs = [_as_float64(a) for a in args]
    grads = []
    for k, x in enumerate(xs):
        g = np.zeros(x.shape, dtype=np.float64)
        for idx in np.ndindex(*x.shape):
            h = eps * max(1.0, abs(float(x._data[idx])))
            up, down = x._data.copy(), x._data.copy()
            up[idx] += h
            down[idx] -= h
            # The step actually taken, which rounding may have changed a little.
            step = float(up[idx] - down[idx])
            g[idx] = (_value(f, xs, k, up) - _value(f, xs, k, down)) / step
        grads.append(g)
    return grads


def _tape_grad(f: Fn, xs: Sequence[NDArray], training: bool) -> list[np.ndarray]:
    vs = [wrap(x._data.copy(), x.__class__) for x in xs]
    for v in vs:
        v.attach_grad()
    with autograd.record(train_mode=training):
        grads = _grads(f, vs, create_graph=False, training=training)
    return [g.asnumpy() for g in grads]


def _directional(f: Fn, direction: Sequence[np.ndarray], training: bool) -> Fn:
    """x -> <grad f(x), direction>, with its backward recorded: its gradient is a
    directional derivative of one order more."""

    def g(*args: NDArray) -> NDArray:
        xs = list(args)
        ds = [wrap(_context.place(d, x.context)) for d, x in zip(direction, xs, strict=True)]
        for i, x in enumerate(xs):
            if x._node is None:  # a plain input (numerical evaluation): mark a fresh wrapper
                xs[i] = wrap(x._data, x.__class__)
                xs[i].attach_grad()
        with autograd.record(train_mode=training):
            grads = _grads(f, xs, create_graph=True, training=training)
            total = (grads[0] * ds[0]).sum()
            for gr, d in zip(grads[1:], ds[1:], strict=True):
                total = total + (gr * d).sum()
        return total

    return g


def _arg_names(f: Fn, n: int) -> list[str | None]:
    try:
        params = list(inspect.signature(f).parameters.values())
    except (TypeError, ValueError):
        params = []
    names: list[str | None] = []
    for p in params:
        if p.kind not in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD):
            break
        names.append(p.name)
    return (names + [None] * n)[:n]


def _what(order: int, seed: int) -> str:
    if order == 1:
        return "order 1 (the gradient of f(*args).sum())"
    vs = ", ".join(f"v{i}" for i in range(1, order))
    inner = "f"
    for i in range(1, order):
        inner = f"<grad {inner}, v{i}>"
    return (
        f"order {order} (the gradient of {inner}: a directional derivative along random "
        f"directions {vs} drawn with seed {seed})"
    )


def _compare(
    order: int,
    got: list[np.ndarray],
    want: list[np.ndarray],
    names: list[str | None],
    rtol: float,
    atol: float,
    seed: int,
) -> None:
    n = len(want)
    label = [f"argument {k} of {n}" + (f" ({name!r})" if name else "") for k, name in enumerate(names, 1)]
    worst: tuple[float, int, tuple[int, ...]] | None = None
    bad = total = 0
    for k, (g, w) in enumerate(zip(got, want, strict=True)):
        if g.shape != w.shape:
            raise GradientMismatchError(
                f"{_what(order, seed)}: tape's gradient for {label[k]} has shape {g.shape}, "
                f"but the argument has shape {w.shape}",
                order=order,
                argument=k + 1,
                index=(),
                tape=float("nan"),
                numeric=float("nan"),
            )
        if g.dtype != np.float64:
            raise GradientMismatchError(
                f"{_what(order, seed)}: tape's gradient for {label[k]} has dtype {g.dtype}, but the "
                "argument is float64: some VJP computes in lower precision",
                order=order,
                argument=k + 1,
                index=(),
                tape=float("nan"),
                numeric=float("nan"),
            )
        ok = np.isclose(g, w, rtol=rtol, atol=atol)
        bad += int(ok.size - np.count_nonzero(ok))
        total += ok.size
        if ok.all():
            continue
        excess = np.where(ok, -np.inf, np.abs(g - w) - (atol + rtol * np.abs(w)))
        excess = np.where(np.isnan(excess), np.inf, excess)
        idx = tuple(int(i) for i in np.unravel_index(int(np.argmax(excess)), excess.shape))
        if worst is None or excess[idx] > worst[0]:
            worst = (float(excess[idx]), k, idx)
    if worst is None:
        return
    _, k, idx = worst
    t, num = float(got[k][idx]), float(want[k][idx])
    err = GradientMismatchError("", order=order, argument=k + 1, index=idx, tape=t, numeric=num)
    err.args = (
        f"tape's derivative disagrees with central differences at {_what(order, seed)}.\n"
        f"  worst element: {label[k]}, shape {want[k].shape}, index {idx}\n"
        f"    tape    {t:.12g}\n"
        f"    numeric {num:.12g}\n"
        f"    abs error {err.abs_error:.3g}, rel error {err.rel_error:.3g} "
        f"(allowed: atol {atol:g} + rtol {rtol:g} * |numeric| = {atol + rtol * abs(num):.3g})\n"
        f"  {bad} of {total} elements disagree. If f has a kink (relu, abs, max...) within eps "
        "of the point, move the point; otherwise a VJP is wrong.",
    )
    raise err


def check_grads(
    f: Fn,
    *args: Any,
    order: int = 2,
    rtol: float = 1e-5,
    atol: float = 1e-6,
    eps: float = 1e-6,
    seed: int = 0,
) -> None:
    """Check tape's derivatives of `f(*args).sum()` against central differences, up to `order`.

    The arguments (NDArrays, NumPy arrays, lists or numbers) are copied to float64 and `f`
    is called with NDArrays; it may return an array of any shape (or a list of arrays): the
    sum of all its elements is differentiated; keep what is not differentiated (labels,
    indices) in a closure, as `lambda x: loss(x, labels)`. Order 1 checks the gradient with respect to
    every argument. Order 2 checks the gradient of ``<grad f, v1>`` for a random direction
    `v1` (a Hessian-vector product), computed with ``autograd.grad(..., create_graph=True)``;
    order 3 the gradient of ``<grad <grad f, v1>, v2>``, and so on to any order. Directions
    are drawn from a generator seeded with `seed`.

    Both sides call `f` in the caller's mode: predict mode by default, where Dropout passes
    values through, or training mode inside ``autograd.train_mode()`` (where a random `f`,
    such as Dropout, differs between calls and cannot be checked).

    An element passes when ``|tape - numeric| <= atol + rtol * |numeric|``; the defaults suit
    float64 and smooth functions of values of moderate size. The first order that fails
    raises `GradientMismatchError` describing its worst element; returns None when all pass.

    >>> from tape import nd, testing
    >>> w = nd.array([[0.1], [0.2], [-0.3]])
    >>> testing.check_grads(lambda x, w: nd.tanh(nd.dot(x, w)), nd.ones((2, 3)), w, order=3)
    >>> from tape import autograd
    >>> class BadSquare(autograd.Function):
    ...     def forward(self, x):
    ...         self.save_for_backward(x)
    ...         return x * x
    ...     def backward(self, dy):
    ...         x, = self.saved_tensors
    ...         return dy * x                      # wrong: the derivative is 2 * x
    >>> try:
    ...     testing.check_grads(lambda x: BadSquare()(x), nd.array([1.0, 3.0]), order=1)
    ... except testing.GradientMismatchError as e:
    ...     print(e.argument, e.index, e.tape, round(e.numeric, 6))
    1 (1,) 3.0 6.0
    """
    if order < 1:
        raise ValueError(f"order must be 1 or more, not {order}")
    xs = [_as_float64(a) for a in args]
    if not xs:
        raise ValueError("check_grads needs at least one argument to differentiate with respect to")
    names = _arg_names(f, len(xs))
    rng = np.random.default_rng(seed)
    # Both sides in the caller's mode: numeric_grad calls f as it is, and the tape's side
    # records in that mode rather than record()'s default, training (which would drop out).
    training = autograd.is_training()
    fn = f
    for level in range(1, order + 1):
        got = _tape_grad(fn, xs, training)
        want = numeric_grad(fn, *xs, eps=eps)
        _compare(level, got, want, names, rtol, atol, seed)
        if level < order:
            fn = _directional(fn, [rng.standard_normal(x.shape) for x in xs], training)
