"""The recorded graph: nodes, primitives that create them, and the backward walk.

An array in a graph points at the `Node` that made it (or at a leaf node, for a marked
variable). A node holds strong references to its inputs and none to its outputs, so the
graph has no cycles and is freed by reference counting alone.
"""

from __future__ import annotations

import sys
import weakref
from collections.abc import Callable, Sequence
from typing import Any, Protocol

import numpy as np

from ._state import flags
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
_new = object.__new__
_NO_PARAMS: dict[str, Any] = {}  # shared, never mutated
_FIRST = (0,)
_SECOND = (1,)
_BOTH = (0, 1)


class Primitive:
    """An op: a forward on NumPy arrays and one VJP per input, written with tape's ops.

    A VJP is called as ``vjp(g, ans, *inputs, **params)`` with the gradient of the output,
    the recorded output and the recorded inputs, all as arrays (or the scalars given), so
    that when the backward itself is recorded the result can be differentiated again.
    A VJP of None marks an input that no gradient flows to (an index, a condition).
    """

    __slots__ = ("differentiable", "fwd", "name", "vjps")

    def __new__(
        cls, name: str, fwd: Callable[..., np.ndarray], *vjps: Vjp | None, differentiable: bool = True
    ) -> Primitive:
        # Nearly every op takes one or two arrays: those get a class whose __call__ names its
        # arguments (no *args tuple, no loop), the hot path of both the forward and the VJPs.
        if cls is Primitive and differentiable and 1 <= len(vjps) <= 2:
            cls = _Unary if len(vjps) == 1 else _Binary
        return object.__new__(cls)

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
        data = self.fwd(*[x._data if isinstance(x, NDArray) else x for x in args], **params)
        out = _new(NDArray)
        out._data = data
        out._node = out._grad = out._grad_req = None
        if flags.recording and self.differentiable:
            parents = tuple(
                i for i, x in enumerate(args) if isinstance(x, NDArray) and x._node is not None
            )
            if parents:
                out._node = Node(self, args, params or _NO_PARAMS, parents)
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


class _Unary(Primitive):
    """A primitive of one array: `Primitive` picks this class itself."""

    __slots__ = ()

    def __call__(self, a: Any, **params: Any) -> NDArray:
        a_in = isinstance(a, NDArray)
        x = a._data if a_in else a
        out = _new(NDArray)
        out._data = self.fwd(x, **params) if params else self.fwd(x)
        out._grad = out._grad_req = None
        # The thread-local flag last: most calls in a backward have no input in a graph.
        if a_in and a._node is not None and flags.recording:
            node = out._node = _new(Node)  # Node.__init__ inlined: the hottest call in tape
            node.op = self
            node.inputs = (a,)
            node.params = params or _NO_PARAMS
            node.parents = _FIRST
            node.outs = None
        else:
            out._node = None
        return out


class _Binary(Primitive):
    """A primitive of two arrays: `Primitive` picks this class itself."""

    __slots__ = ()

    def __call__(self, a: Any, b: Any, **params: Any) -> NDArray:
        a_in = isinstance(a, NDArray)
        b_in = isinstance(b, NDArray)
        x = a._data if a_in else a
        y = b._data if b_in else b
        out = _new(NDArray)
        out._data = self.fwd(x, y, **params) if params else self.fwd(x, y)
        out._grad = out._grad_req = None
        pa = a_in and a._node is not None
        pb = b_in and b._node is not None
        if (pa or pb) and flags.recording:
            node = out._node = _new(Node)  # inlined, as in _Unary
            node.op = self
            node.inputs = (a, b)
            node.params = params or _NO_PARAMS
            node.parents = (_BOTH if pb else _FIRST) if pa else _SECOND
            node.outs = None
        else:
            out._node = None
        return out


# The node types whose backward the hot loop of run_backward may run inline.
_PLAIN = (_Unary, _Binary, Primitive)

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
    multi: dict[Node, list[NDArray | None]] = {}  # the outputs reached of multi-output nodes
    stack: list[Node] = []
    reached: list[NDArray] = []  # marked arrays found, for the checks below
    for h in heads:
        node = h._node
        if node is None:
            raise AutogradError(_NEVER)
        if h._grad_req is not None:
            reached.append(h)
        if node not in pending:
            pending[node] = 0
            stack.append(node)
        if node.outs is not None:
            _register(multi, node, h)
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
            if pn.outs is not None:
                _register(multi, pn, p)
            if p._grad_req is not None:
                reached.append(p)
    _check_reached(reached, variables)

    # Phase 2: run nodes in reverse topological order.
    grads: dict[Node, Any] = {}
    results: dict[int, NDArray | None] = {}
    # The backward runs in its own scope: recording follows create_graph. The flags are saved
    # in locals rather than through a Scope object: this runs once per backward call.
    saved = flags.recording, flags.training
    flags.recording = create_graph
    flags.training = train_mode
    try:
        # A ready entry is a node all of whose gradients are in, with its output (or the list
        # of its outputs reached, for a multi-output node).
        ready: list[tuple[Node, Any]] = []
        for h, hg in zip(heads, head_grads, strict=True):
            node = h._node
            assert node is not None
            if node not in grads and pending[node] == 0:
                ready.append((node, h if node.outs is None else multi[node]))
            _accumulate(grads, node, h, hg, create_graph)
        while ready:
            node, outs = ready.pop()
            g: Any = grads.pop(node, None)
            while True:
                if type(outs) is list:
                    for a, ga in zip(outs, g or [None] * len(outs), strict=True):
                        if a is not None and a._grad_req is not None:
                            _deliver(a, ga, variables, results)
                elif outs._grad_req is not None:
                    # Counted in a statement of its own, where `g` is a plain local: see _adopt.
                    unshared = sys.getrefcount(g) <= _LOCAL_ONLY
                    _deliver(outs, g, variables, results, unshared)
                op: Any = node.op  # a Backward; a primitive where the fast path below runs
                inputs = node.inputs
                if op is None or inputs is None:
                    break  # a leaf
                parents = node.parents
                if len(parents) != 1 or type(op) not in _PLAIN:
                    _backward_general(node, g, outs, grads, pending, ready, multi, create_graph)
                    if not retain_graph:
                        _free(node)
                    break
                # Most nodes: one parent, a primitive. Call its VJP directly; when this is the
                # last gradient into the parent, carry on down the chain with it in hand
                # (no tables): this loop is the hot path of every backward.
                i = parents[0]
                p = inputs[i]
                pn = p._node
                vjp = op.vjps[i]
                if g is None or vjp is None:
                    gk = None
                elif node.params is not _NO_PARAMS:
                    gk = vjp(g, outs, *inputs, **node.params)
                elif len(inputs) == 2:  # spelled out: a call with *args costs more
                    gk = vjp(g, outs, inputs[0], inputs[1])
                elif len(inputs) == 1:
                    gk = vjp(g, outs, inputs[0])
                else:
                    gk = vjp(g, outs, *inputs)
                if not retain_graph:
                    # The inputs are what hold the graph upstream alive; a primitive's op and
                    # params go with the node itself (the other kinds get _free, above).
                    node.inputs = None
                left = pending[pn] - 1
                if left == 0 and pn.outs is None:
                    old = grads.pop(pn, None)
                    g = gk if old is None else (old if gk is None else _add(old, gk, create_graph))
                    gk = old = None  # `g` alone holds the gradient now, as _adopt's test needs
                    node, outs = pn, p
                    continue
                pending[pn] = left
                if gk is not None:
                    _accumulate(grads, pn, p, gk, create_graph)
                if left == 0:
                    ready.append((pn, multi[pn]))
                break
        if variables is None:
            return None
        # Inside the scope, so that the copies _results may make are recorded with create_graph.
        return _results(variables, results, head_grads)
    finally:
        flags.recording, flags.training = saved


def _free(node: Node) -> None:
    # Drop saved values (and a Function's saved tensors) as soon as the node is done.
    node.inputs = None
    node.params = _NO_PARAMS
    node.op = None


def _check_reached(reached: list[NDArray], variables: Sequence[NDArray] | None) -> None:
    if variables is None:
        for a in reached:  # a loop: a generator costs more than this usually takes
            if a._grad_req != "null":
                return
        raise AutogradError(
            "no array reached from the heads needs a gradient: call attach_grad() "
            "(with grad_req 'write' or 'add') on an input before autograd.record()"
        )
    reached_ids = set(map(id, reached))
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


def _backward_general(
    node: Node,
    g: Any,
    outs: Any,
    grads: dict[Node, Any],
    pending: dict[Node, int],
    ready: list[tuple[Node, Any]],
    multi: dict[Node, list[NDArray | None]],
    create_graph: bool,
) -> None:
    """Run one node with several parents, several outputs, or a custom Function."""
    inputs = node.inputs
    op: Any = node.op
    assert inputs is not None and op is not None
    # A primitive's VJPs are called one by one below (a bias add, a product: no lists); other
    # kinds return the gradients of all their parents at once.
    plain = type(op) in _PLAIN
    in_grads: Sequence[Grad] | None = None
    if not plain and g is not None and not (isinstance(g, list) and all(x is None for x in g)):
        in_grads = op.backward(node, g, outs)
    for k, i in enumerate(node.parents):
        p = inputs[i]
        pn = p._node
        if plain:
            vjp = op.vjps[i]
            gk = None if g is None or vjp is None else vjp(g, outs, *inputs, **node.params)
        else:
            gk = None if in_grads is None else in_grads[k]
        if gk is not None:
            _accumulate(grads, pn, p, gk, create_graph)
        left = pending[pn] - 1
        pending[pn] = left
        if left == 0:
            ready.append((pn, p if pn.outs is None else multi[pn]))


def _register(multi: dict[Node, list[NDArray | None]], node: Node, arr: NDArray) -> None:
    """Note `arr` as the output of a multi-output `node` that the backward reached."""
    assert node.outs is not None
    outs = multi.setdefault(node, [None] * len(node.outs))
    outs[_output_index(node, arr)] = arr


def _accumulate(grads: dict[Node, Any], node: Node, arr: NDArray, g: Any, create: bool) -> None:
    if node.outs is None:
        old = grads.get(node)
        grads[node] = g if old is None else _add(old, g, create)
        return
    slots = grads.setdefault(node, [None] * len(node.outs))
    k = _output_index(node, arr)
    slots[k] = g if slots[k] is None else _add(slots[k], g, create)


def _deliver(
    a: NDArray,
    g: NDArray | None,
    variables: Sequence[NDArray] | None,
    results: dict[int, Any],
    unshared: bool = False,
) -> None:
    """Hand the gradient `g` of the marked array `a` to its buffer (or to `results`).

    `unshared` says that no one but the backward holds the NDArray `g`.
    """
    if variables is not None:
        results[id(a)] = g
        return
    req, buf = a._grad_req, a._grad
    assert buf is not None
    if req == "write":
        if g is None:
            buf._data[...] = 0
        elif not (unshared and _adopt(buf, g)):
            np.copyto(buf._data, g._data.reshape(buf._data.shape), casting="unsafe")
    elif req == "add" and g is not None:
        buf._data += g._data.reshape(buf._data.shape)


def _refs(holder: NDArray) -> int:
    return sys.getrefcount(holder._data)


def _local_only() -> int:
    g = NDArray(np.empty(0))
    count = sys.getrefcount(g)  # the same statement shape as in run_backward
    return count


# Reference counts of an object held by nothing but one local variable, and of an array held
# by nothing but one NDArray, measured with the same code that tests them later, so that they
# are right for the interpreter at hand.
_LOCAL_ONLY = _local_only()
_SOLE = _refs(NDArray(np.empty(0)))


def _adopt(buf: NDArray, g: NDArray) -> bool:
    """Give the gradient buffer `buf` the memory of `g` instead of copying `g` into it.

    Only where no one could tell the difference: the backward alone holds `g` (the caller
    checks), `g`'s array is held by `g` alone and owns its memory (no views of it, no other
    NDArray around it), the buffer's old array is held by `buf` alone (no one kept
    `np.asarray(x.grad)`), and dtype, shape and layout agree. The old array is then garbage and
    the new one is the array a copy would have made; a weight-sized gradient is not copied on
    every step. (PyTorch's AccumulateGrad steals a gradient on the same kind of condition.)
    """
    if _refs(g) > _SOLE or _refs(buf) > _SOLE:
        return False
    new, old = g._data, buf._data
    if (
        new.base is not None
        or new.dtype != old.dtype
        or new.shape != old.shape
        or not new.flags.c_contiguous
        or not new.flags.writeable
    ):
        return False
    buf._data = new
    return True


def _owner(a: np.ndarray) -> int:
    return id(a if a.base is None else a.base)


def _results(
    variables: Sequence[NDArray], results: dict[int, Any], head_grads: Sequence[NDArray]
) -> list[NDArray]:
    """One fresh array per variable: never the caller's head gradient, never shared memory."""
    if len(variables) == 1 and len(head_grads) == 1:
        # The common call, grad(y, [x]): one ownership test instead of the sets below.
        g = results.get(id(variables[0]))
        if g is None:
            return [NDArray(np.zeros_like(variables[0]._data))]
        return [g.copy() if _owner(g._data) == _owner(head_grads[0]._data) else g]
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
