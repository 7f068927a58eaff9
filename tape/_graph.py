"""The recorded graph: nodes, primitives that create them, and the backward walk.

An array in a graph points at the `Node` that made it (or at a leaf node, for a marked
variable). A node holds strong references to its inputs and none to its outputs, so the
graph has no cycles and is freed by reference counting alone.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Sequence
from typing import Any, Protocol

import numpy as np

from ._state import Scope, flags
from .errors import AutogradError
from .ndarray import NDArray

__all__ = ["Node", "Primitive", "leaf", "run_backward"]

Grad = NDArray | None


class Backward(Protocol):
    """What a node calls to turn the gradients of its outputs into those of its parents."""

    name: str

    def backward(self, node: Node, grads: Any, outs: Any) -> Sequence[Grad]:
        """Return one gradient (or None) per entry of `node.parents`."""


class Node:
    """One taped operation.

    `inputs` is None once the node has been freed by a backward without `retain_graph`.
    `parents` are the positions of the inputs that were in a graph when it was recorded.
    `outs` is None for a single output, else weak references to the outputs, in order.
    """

    __slots__ = ("inputs", "op", "outs", "params", "parents")

    def __init__(
        self,
        op: Backward | None,
        inputs: tuple[Any, ...],
        params: dict[str, Any],
        parents: tuple[int, ...],
        outs: tuple[weakref.ref[NDArray], ...] | None = None,
    ) -> None:
        self.op = op
        self.inputs: tuple[Any, ...] | None = inputs
        self.params = params
        self.parents = parents
        self.outs = outs


def leaf() -> Node:
    """A fresh node for a marked variable: no inputs, never freed."""
    return Node(None, (), {}, ())


Vjp = Callable[..., NDArray]


class Primitive:
    """An op: a forward on NumPy arrays and one VJP per input, written with tape's ops.

    A VJP is called as ``vjp(g, ans, *inputs, **params)`` with the gradient of the output,
    the recorded output and the recorded inputs, all as arrays (or the scalars given), so
    that when the backward itself is recorded the result can be differentiated again.
    A VJP of None marks an input that no gradient flows to (an index, a condition).
    """

    __slots__ = ("differentiable", "fwd", "name", "vjps")

    def __init__(
        self,
        name: str,
        fwd: Callable[..., np.ndarray],
        *vjps: Vjp | None,
        differentiable: bool = True,
    ) -> None:
        self.name = name
        self.fwd = fwd
        self.vjps = vjps
        self.differentiable = differentiable

    def __repr__(self) -> str:
        return f"<Primitive {self.name}>"

    def __call__(self, *args: Any, **params: Any) -> NDArray:
        out = NDArray.__new__(NDArray)
        out._data = self.fwd(*[a._data if isinstance(a, NDArray) else a for a in args], **params)
        out._grad = out._grad_req = None
        out._node = None
        if flags.recording and self.differentiable:
            parents = tuple(
                i for i, a in enumerate(args) if isinstance(a, NDArray) and a._node is not None
            )
            if parents:
                out._node = Node(self, args, params, parents)
        return out

    def backward(self, node: Node, grads: NDArray, outs: NDArray) -> list[Grad]:
        """Apply the VJP of each parent of `node`."""
        inputs = node.inputs
        assert inputs is not None
        vjps = self.vjps
        params = node.params
        return [
            None if vjps[i] is None else vjps[i](grads, outs, *inputs, **params)  # type: ignore[misc]
            for i in node.parents
        ]


_FREED = (
    "the graph behind this array was freed by an earlier backward; pass retain_graph=True "
    "to that first backward (or autograd.grad) to differentiate through the graph again"
)
_NEVER = (
    "cannot differentiate an array that was never recorded: call attach_grad() on the inputs "
    "and compute the head inside `with autograd.record():`"
)


def _add(a: NDArray, b: NDArray, create_graph: bool) -> NDArray:
    if create_graph:
        return a + b
    return NDArray(a._data + b._data)


def _output_index(node: Node, arr: NDArray) -> int:
    assert node.outs is not None
    for k, ref in enumerate(node.outs):
        if ref() is arr:
            return k
    raise AutogradError("internal error: an output is missing from its node")


def run_backward(
    heads: Sequence[NDArray],
    head_grads: Sequence[NDArray],
    variables: Sequence[NDArray] | None,
    retain_graph: bool,
    create_graph: bool,
    train_mode: bool,
) -> list[NDArray] | None:
    """Backpropagate `head_grads` from `heads`.

    With `variables` None, write (or add) into the `.grad` buffer of every marked array
    reached; otherwise return the gradients of `variables` and touch no buffer.
    """
    # Phase 1: find every node reachable from the heads and count the edges into each,
    # so that a node runs only once all gradients flowing into it have been summed.
    pending: dict[Node, int] = {}
    found: dict[Node, Any] = {}  # node -> its output array, or a list of them

    def register(node: Node, arr: NDArray) -> None:
        if node.outs is None:
            found[node] = arr
        else:
            outs = found.setdefault(node, [None] * len(node.outs))
            outs[_output_index(node, arr)] = arr

    stack: list[Node] = []
    for h in heads:
        node = h._node
        if node is None:
            raise AutogradError(_NEVER)
        if node not in pending:
            pending[node] = 0
            stack.append(node)
        register(node, h)
    while stack:
        node = stack.pop()
        inputs = node.inputs
        if inputs is None:
            raise AutogradError(_FREED)
        for i in node.parents:
            p = inputs[i]
            pn = p._node
            if pn in pending:
                pending[pn] += 1
            else:
                pending[pn] = 1
                stack.append(pn)
            register(pn, p)

    reached = [a for outs in found.values() for a in (outs if isinstance(outs, list) else (outs,))
               if a is not None and a._grad_req is not None]
    if variables is None:
        if not any(a._grad_req != "null" for a in reached):
            raise AutogradError(
                "no array reached from the heads needs a gradient: call attach_grad() "
                "(with grad_req 'write' or 'add') on an input before autograd.record()"
            )
    else:
        reached_ids = {id(a) for a in reached}
        for k, v in enumerate(variables, 1):
            if v._grad_req is None:
                raise AutogradError(
                    f"variable {k} is not marked: call attach_grad() on it (or pass it to "
                    "autograd.mark_variables) before computing the heads"
                )
            if id(v) not in reached_ids:
                raise AutogradError(
                    f"variable {k} is not reachable from the heads: the heads were not computed "
                    "from it inside autograd.record()"
                )

    # Phase 2: run nodes in reverse topological order.
    grads: dict[Node, Any] = {}
    results: dict[int, NDArray | None] = {}
    with Scope(create_graph, train_mode):
        head_nodes: dict[Node, None] = {}
        for h, g in zip(heads, head_grads, strict=True):
            assert h._node is not None
            head_nodes[h._node] = None
            _accumulate(grads, h._node, h, g, create_graph)
        ready = [n for n in head_nodes if pending[n] == 0]
        while ready:
            node = ready.pop()
            g = grads.pop(node, None)
            outs = found[node]
            if isinstance(outs, list):
                for a, ga in zip(outs, g or [None] * len(outs), strict=True):
                    if a is not None and a._grad_req is not None:
                        _deliver(a, ga, variables, results)
            elif outs._grad_req is not None:
                _deliver(outs, g, variables, results)
            inputs = node.inputs
            if node.op is None or inputs is None:
                continue
            has_grad = g is not None and (not isinstance(g, list) or any(x is not None for x in g))
            in_grads = node.op.backward(node, g, outs) if has_grad else None
            for k, i in enumerate(node.parents):
                p = inputs[i]
                pn = p._node
                if in_grads is not None and in_grads[k] is not None:
                    _accumulate(grads, pn, p, in_grads[k], create_graph)
                pending[pn] -= 1
                if pending[pn] == 0:
                    ready.append(pn)
            if not retain_graph:
                # Drop saved values (and a Function's saved tensors) as soon as the node is done.
                node.inputs = None
                node.params = {}
                node.op = None
        if variables is None:
            return None
        # Inside the scope, so that the copies _results may make are recorded with create_graph.
        return _results(variables, results, head_grads)


def _accumulate(grads: dict[Node, Any], node: Node, arr: NDArray, g: Any, create: bool) -> None:
    if node.outs is None:
        old = grads.get(node)
        grads[node] = g if old is None else _add(old, g, create)
        return
    slots = grads.setdefault(node, [None] * len(node.outs))
    k = _output_index(node, arr)
    slots[k] = g if slots[k] is None else _add(slots[k], g, create)


def _deliver(
    a: NDArray, g: NDArray | None, variables: Sequence[NDArray] | None, results: dict[int, Any]
) -> None:
    if variables is not None:
        results[id(a)] = g
        return
    req, buf = a._grad_req, a._grad
    assert buf is not None
    if req == "write":
        if g is None:
            buf._data[...] = 0
        else:
            np.copyto(buf._data, g._data.reshape(buf._data.shape), casting="unsafe")
    elif req == "add" and g is not None:
        buf._data += g._data.reshape(buf._data.shape)


def _owner(a: np.ndarray) -> int:
    return id(a if a.base is None else a.base)


def _results(
    variables: Sequence[NDArray], results: dict[int, Any], head_grads: Sequence[NDArray]
) -> list[NDArray]:
    """One fresh array per variable: never the caller's head gradient, never shared memory."""
    taken = {_owner(h._data) for h in head_grads}
    out = []
    for v in variables:
        g = results.get(id(v))
        if g is None:
            g = NDArray(np.zeros_like(v._data))
        elif _owner(g._data) in taken:
            g = g.copy()
        taken.add(_owner(g._data))
        out.append(g)
    return out
