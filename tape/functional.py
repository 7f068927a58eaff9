"""Functional transforms: Jacobians, Hessians and their products with vectors, one call each.

`tape.autograd` offers them (`autograd.jacobian(f, x)`), with PyTorch's conventions:

- `jacobian(f, x)` has shape ``f(x).shape + x.shape``; `hessian(f, x)` ``x.shape + x.shape``;
- `vjp(f, x, v)` is ``(f(x), vᵀJ)``, `jvp(f, x, v)` ``(f(x), J v)``, `hvp(f, x, v)` ``(f(x), H v)``;
- a tuple of inputs gives a tuple of results, one per input.

They leave no trace: `f` runs on aliases of the inputs (the same memory, marked as variables of
their own), so the caller's `.grad` buffers, marks and modes are untouched; the training mode
is the caller's. With ``create_graph=True`` the results are recorded as functions of the inputs
(of the inputs themselves when they are in a graph), so the transforms compose: a Hessian is a
Jacobian of a gradient. Results keep the dtype and the interface (`nd` or `np`) of the inputs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import numpy as np

from ._backward import run_backward
from ._cuts import NOT_CREATED, note_cut
from ._graph import leaf
from ._state import Scope, flags
from ._xp import asarray, zeros
from .ndarray import NDArray, wrap
from .ops.join import stack_op
from .ops.shape import reshape_op, view_op

__all__ = ["jacobian", "hessian", "vjp", "jvp", "hvp"]

Inputs = NDArray | Sequence[NDArray]
Function = Callable[..., NDArray]


def _inputs(x: Inputs, create_graph: bool, what: str) -> tuple[list[NDArray], bool]:
    """The variables to differentiate with respect to, and whether `x` was a tuple.

    Each is an alias of an input (its memory), marked as a variable of its own; when the result
    is to be recorded and the input is in a graph, the alias is a recorded view of it, so that
    the result stays connected to what came before.
    """
    many = isinstance(x, tuple | list)
    xs = list(x) if many else [x]
    if not xs:
        raise ValueError(f"autograd.{what}: give at least one input array")
    out = []
    for k, a in enumerate(xs, 1):
        if not isinstance(a, NDArray):
            raise TypeError(f"autograd.{what}: input {k} must be an array, not {type(a).__name__}")
        if a._data.dtype.kind != "f":
            raise TypeError(f"autograd.{what}: input {k} is {a._data.dtype}; differentiate a float array")
        if create_graph and a._node is not None:
            with Scope(True, None):
                alias = view_op(a)
        else:
            alias = wrap(a._data, a.__class__)
            alias._node = leaf()
        alias._grad_req = "null"  # a variable whose gradients only the transform reads
        out.append(alias)
    return out, many


@contextmanager
def _variables(x: Inputs, create_graph: bool, what: str) -> Iterator[tuple[list[NDArray], bool]]:
    """`_inputs`, unmarked again at the end: a later backward through a recorded result passes
    the aliases as it passes any intermediate array."""
    xs, many = _inputs(x, create_graph, what)
    try:
        yield xs, many
    finally:
        for a in xs:
            a._grad_req = None


def _call(f: Function, xs: list[NDArray], many: bool, what: str) -> NDArray:
    with Scope(True, None):  # record, in the caller's training mode
        y = f(*xs) if many else f(xs[0])
    if not isinstance(y, NDArray):
        raise TypeError(f"autograd.{what}: f must return one array, not {type(y).__name__}")
    return y


def _grads(y: NDArray, head: NDArray, xs: list[NDArray], create_graph: bool) -> list[NDArray]:
    """The gradients of `y` (with head gradient `head`) with respect to each of `xs`; zeros for
    an input that `y` does not depend on."""
    if y._node is None:  # f(x) does not depend on x at all
        return [wrap(np.zeros_like(x._data), x.__class__) for x in xs]
    result = run_backward([y], [head], xs, True, create_graph, flags.training, unreached_zero=True)
    assert result is not None
    out = []
    for g, x in zip(result, xs, strict=True):
        if g.__class__ is not x.__class__:  # a graph that mixes nd and np arrays
            g = g.as_interface(x.__class__)
        if not create_graph:
            note_cut(g, NOT_CREATED)
        out.append(g)
    return out


def _like(y: NDArray, v: Any, what: str) -> NDArray:
    """`v` as a head gradient for `y`: an array of `y`'s shape and class."""
    data = v._data if isinstance(v, NDArray) else asarray(v, y._data, y._data.dtype)
    if data.shape != y._data.shape:
        raise ValueError(f"autograd.{what}: v has shape {data.shape}, but f(x) has shape {y._data.shape}")
    return v if isinstance(v, NDArray) and v.__class__ is y.__class__ else wrap(data, y.__class__)


def _ones(y: NDArray) -> NDArray:
    return wrap(np.ones_like(y._data), y.__class__)


def _dot(gs: list[NDArray], vs: list[Any], xs: list[NDArray], what: str) -> NDArray:
    """The sum over the inputs of `(g * v).sum()`: one number, recorded when recording is on."""
    total: NDArray | None = None
    for g, v, x in zip(gs, vs, xs, strict=True):
        term = (g * _like(x, v, what)).sum()
        total = term if total is None else total + term
    assert total is not None
    return total


def _directions(v: Any, xs: list[NDArray], many: bool, what: str) -> list[Any]:
    """One vector per input: `v` itself for one input, its items for a tuple of inputs."""
    vs = list(v) if many else [v]
    if len(vs) != len(xs):
        raise ValueError(f"autograd.{what}: give one v per input ({len(xs)}), not {len(vs)}")
    return vs


def _result(values: list[NDArray], many: bool) -> Any:
    return tuple(values) if many else values[0]


def vjp(f: Function, x: Inputs, v: Any, create_graph: bool = False) -> tuple[NDArray, Any]:
    """`(f(x), vᵀJ)`: the output and its vector-Jacobian product with `v` (one backward).

    >>> from tape import autograd, nd
    >>> y, g = autograd.vjp(lambda x: x * x, nd.array([1, 2]), nd.array([1, 10]))
    >>> g
    <BLANKLINE>
    [ 2. 40.]
    <NDArray 2 @cpu(0)>
    """
    with _variables(x, create_graph, "vjp") as (xs, many):
        y = _call(f, xs, many, "vjp")
        return y, _result(_grads(y, _like(y, v, "vjp"), xs, create_graph), many)


def jvp(f: Function, x: Inputs, v: Any, create_graph: bool = False) -> tuple[NDArray, Any]:
    """`(f(x), J v)`: the output and its Jacobian-vector product with `v` (one per input).

    Computed with two backwards (the double-VJP trick): `u ↦ uᵀJ` is linear in `u`, and its
    own VJP with `v` is `J v`. So it costs about three times `f`, not a forward-mode pass.

    >>> from tape import autograd, nd
    >>> y, t = autograd.jvp(lambda x: x * x, nd.array([1, 2]), nd.array([1, 10]))
    >>> t
    <BLANKLINE>
    [ 2. 40.]
    <NDArray 2 @cpu(0)>
    """
    with _variables(x, create_graph, "jvp") as (xs, many):
        vs = _directions(v, xs, many, "jvp")
        y = _call(f, xs, many, "jvp")
        with _head_variable(y) as u:
            with Scope(True, None):
                total = _dot(_grads(y, u, xs, True), vs, xs, "jvp")  # uᵀJ v, recorded as a function of u
            (jv,) = _grads(total, _ones(total), [u], create_graph)
        return y, jv


@contextmanager
def _head_variable(y: NDArray) -> Iterator[NDArray]:
    """A variable `u` of `y`'s shape to use as `y`'s head gradient, so that a recorded backward
    gives `uᵀJ` as a function of `u`: linear in `u`, so its own gradients do not depend on `u`'s
    value (zeros)."""
    u = wrap(np.zeros_like(y._data), y.__class__)
    u._node, u._grad_req = leaf(), "null"
    try:
        yield u
    finally:
        u._grad_req = None


def _one_hot(i: int, like: NDArray) -> NDArray:
    hot = zeros(like._data.size, like._data.dtype, like._data)
    hot[i] = 1
    return wrap(hot.reshape(like._data.shape), like.__class__)


def _blocks(y: NDArray, xs: list[NDArray], create_graph: bool) -> list[NDArray]:
    """The Jacobian of `y` with respect to each of `xs`, by rows or by columns: whichever takes
    fewer backwards."""
    if COLUMN_COST * sum(x._data.size for x in xs) < y._data.size:
        parts = _columns(y, xs, create_graph)
        axis = y._data.ndim  # a column per input element: they stack after y's axes
    else:
        parts = _rows(y, xs, create_graph)
        axis = 0
    out = []
    for x, part in zip(xs, parts, strict=True):
        if not part:  # f(x) or x has no elements
            out.append(wrap(zeros(y._data.shape + x._data.shape, x._data.dtype, x._data), x.__class__))
            continue
        stacked = stack_op(*part, axis=axis) if len(part) > 1 else part[0]  # the reshape adds the axis
        jac = reshape_op(stacked, shape=y._data.shape + x._data.shape)
        if not create_graph:
            note_cut(jac, NOT_CREATED)
        out.append(jac)
    return out


# A column costs a backward through the recorded backward of `f` (measured: about twice a
# row's backward through `f` itself), and building that graph costs one more.
COLUMN_COST = 3


def _rows(y: NDArray, xs: list[NDArray], create_graph: bool) -> list[list[NDArray]]:
    """For each of `xs`, the rows `eᵢᵀJ` of the Jacobian of `y`: one backward per element of
    `y`, with a one-hot head."""
    per_input: list[list[NDArray]] = [[] for _ in xs]
    for i in range(y._data.size):
        for k, g in enumerate(_grads(y, _one_hot(i, y), xs, create_graph)):
            per_input[k].append(g)
    return per_input


def _columns(y: NDArray, xs: list[NDArray], create_graph: bool) -> list[list[NDArray]]:
    """For each of `xs`, the columns `J eⱼ` of the Jacobian of `y`: `u ↦ uᵀJ` recorded once
    (one backward with a variable head), then one backward of it per input element."""
    per_input: list[list[NDArray]] = []
    with _head_variable(y) as u:
        with Scope(True, None):
            gs = _grads(y, u, xs, True)
        for g in gs:
            per_input.append([_grads(g, _one_hot(j, g), [u], create_graph)[0] for j in range(g._data.size)])
    return per_input


def jacobian(f: Function, x: Inputs, create_graph: bool = False) -> Any:
    """The Jacobian of `f` at `x`: shape ``f(x).shape + x.shape`` (a tuple for a tuple of inputs).

    `f` runs once. Then the Jacobian is built a row at a time (one backward through `f`'s graph
    per element of `f(x)`), or, when `f(x)` has over three times as many elements as the inputs,
    a column at a time: one recorded backward, then one backward through that per input element
    (the double-VJP trick of `jvp`). The cost is about min(rows, 3 x columns) backwards.

    >>> from tape import autograd, nd
    >>> autograd.jacobian(lambda x: x * x, nd.array([1, 2]))
    <BLANKLINE>
    [[2. 0.]
     [0. 4.]]
    <NDArray 2x2 @cpu(0)>
    """
    with _variables(x, create_graph, "jacobian") as (xs, many):
        y = _call(f, xs, many, "jacobian")
        with Scope(create_graph, None):
            return _result(_blocks(y, xs, create_graph), many)


def hessian(f: Function, x: Inputs, create_graph: bool = False) -> Any:
    """The Hessian of a `f` of size 1 at `x`: shape ``x.shape + x.shape`` (the Jacobian of its
    gradient; for a tuple of inputs, a tuple of tuples of blocks).

    >>> from tape import autograd, nd
    >>> autograd.hessian(lambda x: (x ** 3).sum(), nd.array([1, 2]))
    <BLANKLINE>
    [[ 6.  0.]
     [ 0. 12.]]
    <NDArray 2x2 @cpu(0)>
    """
    with _variables(x, create_graph, "hessian") as (xs, many):
        y = _scalar(_call(f, xs, many, "hessian"), "hessian")
        with Scope(True, None):
            gs = _grads(y, _ones(y), xs, True)
            blocks = [_blocks(g, xs, create_graph) for g in gs]
        if not many:
            return blocks[0][0]
        return tuple(tuple(row) for row in blocks)


def _scalar(y: NDArray, what: str) -> NDArray:
    if y._data.size != 1:
        raise ValueError(f"autograd.{what}: f must return one value (size 1), not shape {y._data.shape}")
    return y


def hvp(f: Function, x: Inputs, v: Any, create_graph: bool = False) -> tuple[NDArray, Any]:
    """`(f(x), H v)` for a `f` of size 1: the Hessian times `v`, without forming the Hessian.

    Two backwards: the gradient (recorded), then its VJP with `v` (the Hessian is symmetric).

    >>> from tape import autograd, nd
    >>> y, hv = autograd.hvp(lambda x: (x ** 3).sum(), nd.array([1, 2]), nd.array([1, 1]))
    >>> hv
    <BLANKLINE>
    [ 6. 12.]
    <NDArray 2 @cpu(0)>
    """
    with _variables(x, create_graph, "hvp") as (xs, many):
        vs = _directions(v, xs, many, "hvp")
        y = _scalar(_call(f, xs, many, "hvp"), "hvp")
        with Scope(True, None):
            total = _dot(_grads(y, _ones(y), xs, True), vs, xs, "hvp")  # gᵀv, recorded
        return y, _result(_grads(total, _ones(total), xs, create_graph), many)
