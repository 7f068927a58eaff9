"""The backward walk: from the heads' gradients to those of every marked array reached.

`run_backward` is the whole algorithm; `_Walk` holds its state (the edge counts, the
gradients summed so far, the nodes ready to run) and runs one node at a time, with one fast
path, `_Walk.run_chain`, for the chains of one-parent primitives that most graphs are.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Sequence
from typing import Any

import numpy as np

from ._cuts import FREED_CUT, cut_reason, note_cut
from ._graph import _NO_PARAMS, Node, leaf
from ._primitive import PLAIN
from ._state import flags
from ._versions import CLOCK, note_write, written_after
from ._xp import as_data, writeable
from .errors import AutogradError
from .ndarray import NDArray, wrap

__all__ = ["run_backward"]

FREED = (
    "the graph behind this array was freed by an earlier backward; pass retain_graph=True "
    "to that first backward (or autograd.grad) to differentiate through the graph again"
)
NEVER = (
    "cannot differentiate an array that was never recorded: call attach_grad() on the inputs "
    "and compute the head inside `with autograd.record():`"
)
_ADD_LOCK = threading.Lock()
# A shared empty dict for the walk's tables that most backwards never fill; never written to.
_EMPTY: dict[Any, Any] = {}
# The op types whose VJPs the walk calls itself; any other op has a `backward` (see Backward).


def run_backward(
    heads: Sequence[NDArray],
    head_grads: Sequence[NDArray],
    variables: Sequence[NDArray] | None,
    retain_graph: bool,
    create_graph: bool,
    train_mode: bool,
    unreached_zero: bool = False,
) -> list[NDArray] | None:
    """Backpropagate `head_grads` from `heads`.

    With `variables` None, write (or add) into the `.grad` buffer of every marked array
    reached; otherwise return the gradients of `variables` and touch no buffer (zeros for a
    variable the heads do not reach, with `unreached_zero`; else that is an error).
    """
    # 1. Find every node reachable from the heads and count the edges into each, so that a
    #    node runs only once all the gradients flowing into it have been summed.
    walk = _Walk(heads, variables, retain_graph, create_graph, unreached_zero)
    # 2. Run the nodes whose gradients are all in, in reverse topological order, with
    #    recording set to create_graph (so that the VJPs record themselves) and training to
    #    train_mode. Saved in locals rather than through a Scope: this is once per backward.
    saved = flags.recording, flags.training
    flags.recording = create_graph
    flags.training = train_mode
    try:
        ready, grads, pending = walk.ready, walk.grads, walk.pending
        for h, hg in zip(heads, head_grads, strict=True):
            node = h._node
            assert node is not None  # _Walk checked
            # A head that no other head depends on is ready at once.
            if node not in grads and pending[node] == 0:
                ready.append((node, h if node.outs is None else walk.multi[node]))
            walk.accumulate(node, h, hg)
        while ready:
            walk.run_chain(*ready.pop())
        for h in heads if not retain_graph else ():  # differentiated again, they say why not
            if h._node is None:
                note_cut(h, FREED_CUT)
        # 3. The gradients went to the buffers as their arrays were reached, or wait in
        #    `results`; inside the scope, so that the copies this may make are recorded too.
        return None if variables is None else walk.results_for(variables, head_grads)
    finally:
        flags.recording, flags.training = saved


class _Walk:
    """The state of one backward pass."""

    __slots__ = ("create_graph", "grads", "multi", "pending", "ready", "results", "retain_graph")

    def __init__(
        self,
        heads: Sequence[NDArray],
        variables: Sequence[NDArray] | None,
        retain_graph: bool,
        create_graph: bool,
        unreached_zero: bool = False,
    ) -> None:
        """Phase 1: count the edges into every node reachable from `heads`; check what they reach."""
        self.retain_graph = retain_graph
        self.create_graph = create_graph
        # The outputs reached of multi-output nodes, by position (made on first use: rare).
        self.multi: dict[Node, list[NDArray | None]] = _EMPTY
        # The gradient summed so far into each node (a list by position, for multi-output).
        self.grads: dict[Node, Any] = {}
        # Nodes all of whose gradients are in, with their output (or list of outputs).
        self.ready: list[tuple[Node, Any]] = []
        # id(variable) -> gradient, for grad(); _EMPTY for backward(), which delivers to the
        # buffers instead.
        self.results: dict[int, NDArray | None] = _EMPTY if variables is None else {}
        pending: dict[Node, int] = {}  # edges into each node not yet run
        self.pending = pending
        stack: list[Node] = []
        reached: list[NDArray] = []  # marked arrays found, for the checks below
        now = CLOCK[0]  # a node recorded before `now` may have arrays written since: see _versions
        for h in heads:
            node = h._node
            if node is None:
                why = cut_reason(h)
                raise AutogradError(NEVER if why is None else f"cannot differentiate this array: {why}")
            if node.stamp < now and written_after(h._data, node.stamp):
                raise _modified(node, "its output")
            if h._grad_req is not None:
                reached.append(h)
            if node not in pending:
                pending[node] = 0
                stack.append(node)
            if node.outs is not None:
                self._register(node, h)
        while stack:
            node = stack.pop()
            inputs = node.inputs
            if inputs is None:
                raise AutogradError(FREED)
            if node.stamp < now:
                _check_inputs(node, inputs)
            for i in node.parents:
                p = inputs[i]
                pn = p._node
                # A parent released by a backward since this node was recorded: see release().
                if pn is None or (pn.stamp < now and written_after(p._data, pn.stamp)):
                    raise AutogradError(FREED) if pn is None else _modified(pn, "its output")
                if pn in pending:
                    pending[pn] += 1
                else:
                    pending[pn] = 1
                    stack.append(pn)
                if pn.outs is not None:
                    self._register(pn, p)
                if p._grad_req is not None:
                    reached.append(p)
        _check_reached(reached, variables, unreached_zero)

    def _register(self, node: Node, arr: NDArray) -> None:
        """Note `arr` as a reached output of the multi-output `node`."""
        assert node.outs is not None
        if self.multi is _EMPTY:
            self.multi = {}
        outs = self.multi.setdefault(node, [None] * len(node.outs))
        outs[_output_index(node, arr)] = arr

    # ---- phase 2 ----------------------------------------------------------------------------
    def accumulate(self, node: Node, arr: NDArray, g: Any) -> None:
        """Add `g`, the gradient of `arr`, to what its node has received."""
        grads = self.grads
        if node.outs is None:
            old = grads.get(node)
            grads[node] = g if old is None else _add(old, g, self.create_graph)
            return
        slots = grads.setdefault(node, [None] * len(node.outs))
        k = _output_index(node, arr)
        slots[k] = g if slots[k] is None else _add(slots[k], g, self.create_graph)

    # C901: one branch over the limit, the KeyError of a parent released meanwhile (a helper
    # would be a call per node on the hottest loop of the backward)
    def run_chain(self, node: Node, outs: Any) -> None:  # noqa: C901
        """Run a ready node, then down its chain while each next node has one parent.

        The fast path of every backward: a one-parent primitive calls its VJP directly, and
        when that is the last gradient into its parent the walk carries on with the gradient
        in hand, without tables. Anything else goes to `run_node`.
        """
        pending, grads, retain, create = self.pending, self.grads, self.retain_graph, self.create_graph
        g: Any = grads.pop(node, None)
        while True:
            if type(outs) is list:
                self.deliver_outputs(outs, g)
            elif outs._grad_req is not None:
                # Counted in a statement of its own, where `g` is a plain local: see _adopt.
                unshared = sys.getrefcount(g) <= _LOCAL_ONLY
                self.deliver(outs, g, unshared)
            op: Any = node.op
            inputs = node.inputs
            if inputs is None:  # counted alive, freed since: by another backward meanwhile
                raise AutogradError(FREED)
            if op is None:
                return  # a leaf
            parents = node.parents
            if len(parents) != 1 or type(op) not in PLAIN:
                self.run_node(node, g, outs)
                return
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
            if not retain:
                # The inputs are what hold the graph upstream alive; a primitive's op and
                # params go with the node itself. Its array leaves the graph (see release()).
                node.inputs = None
                outs._node = None if outs._grad_req is None else leaf()
            try:
                left = pending[pn] - 1
            except KeyError:  # `pn` is None: the parent was released meanwhile, by another backward
                raise AutogradError(FREED) from None
            if left == 0 and pn.outs is None:
                old = grads.pop(pn, None)
                g = gk if old is None else (old if gk is None else _add(old, gk, create))
                gk = old = None  # `g` alone holds the gradient now, as _adopt's test needs
                node, outs = pn, p
                continue
            pending[pn] = left
            if gk is not None:
                self.accumulate(pn, p, gk)
            if left == 0:
                self.ready.append((pn, self.multi[pn]))
            return

    def run_node(self, node: Node, g: Any, outs: Any) -> None:
        """Run a node with several parents, several outputs, or a custom backward."""
        inputs = node.inputs
        op: Any = node.op
        assert inputs is not None  # run_chain, the one caller, raised if it was freed
        # A primitive's VJPs are called one by one (a bias add, a product: no lists); other
        # kinds return the gradients of all their parents at once.
        plain = type(op) in PLAIN
        in_grads: Sequence[NDArray | None] | None = None
        if not plain and g is not None and not (type(g) is list and all(x is None for x in g)):
            in_grads = op.backward(node, g, outs)
        pending = self.pending
        for k, i in enumerate(node.parents):
            p = inputs[i]
            pn = p._node
            if pn is None:  # released meanwhile, by another backward
                raise AutogradError(FREED)
            if plain:
                vjp = op.vjps[i]
                gk = None if g is None or vjp is None else vjp(g, outs, *inputs, **node.params)
            else:
                gk = None if in_grads is None else in_grads[k]
            if gk is not None:
                self.accumulate(pn, p, gk)
            left = pending[pn] - 1
            pending[pn] = left
            if left == 0:
                self.ready.append((pn, p if pn.outs is None else self.multi[pn]))
        if not self.retain_graph:
            # Drop saved values (and a Function's saved tensors) now that the node is done.
            node.inputs = None
            node.params = _NO_PARAMS
            node.op = None
            release(node, outs)

    # ---- delivery ---------------------------------------------------------------------------
    def deliver_outputs(self, outs: list[NDArray | None], g: list[NDArray | None] | None) -> None:
        """Deliver the gradients of the marked outputs of a multi-output node."""
        for a, ga in zip(outs, g or [None] * len(outs), strict=True):
            if a is not None and a._grad_req is not None:
                self.deliver(a, ga)

    def deliver(self, a: NDArray, g: NDArray | None, unshared: bool = False) -> None:
        """Hand `g`, the gradient of the marked array `a`, to its buffer (or to the results).

        `unshared` says that no one but the backward holds the NDArray `g`.
        """
        if self.results is not _EMPTY:
            self.results[id(a)] = g
            return
        req, buf = a._grad_req, a._grad
        assert buf is not None
        if req == "write":
            if g is None:
                buf._data[...] = 0
            elif not (unshared and _adopt(buf, g)):
                np.copyto(buf._data, g._data.reshape(buf._data.shape), casting="unsafe")
        elif req == "add" and g is not None:
            # NumPy lets go of the GIL inside a large `+=`: backwards in several threads into
            # one 'add' buffer would interleave their read-add-writes and lose updates.
            with _ADD_LOCK:
                buf._data += g._data.reshape(buf._data.shape)
        else:
            return
        # A graph that holds the buffer, or its memory through a view, as an input must see this
        # write (see _versions). In the training loop nothing but `a` holds either: counted first.
        if sys.getrefcount(buf) > _BUF_HELD or sys.getrefcount(buf._data) > _SOLE:
            note_write(buf._data)

    def results_for(self, variables: Sequence[NDArray], head_grads: Sequence[NDArray]) -> list[NDArray]:
        """A fresh, writable array per variable: never a head gradient, shared memory, a read-only view."""
        results = self.results
        if len(variables) == 1 and len(head_grads) == 1:
            # The common call, grad(y, [x]): one ownership test instead of the sets below.
            g = results.get(id(variables[0]))
            if g is None:
                return [wrap(np.zeros_like(variables[0]._data), variables[0].__class__)]
            a, h = g._data, head_grads[0]._data
            shared = (a if a.base is None else a.base) is (h if h.base is None else h.base)
            return [g.copy() if shared or not writeable(a) else g]
        taken = {_owner(h._data) for h in head_grads}
        out = []
        for v in variables:
            g = results.get(id(v))
            if g is None:
                g = wrap(np.zeros_like(v._data), v.__class__)
            elif _owner(g._data) in taken or not writeable(g._data):
                g = g.copy()
            taken.add(_owner(g._data))
            out.append(g)
        return out


def release(node: Node, outs: Any) -> None:
    """Take the outputs `outs` (an array or a list) of the node just freed out of the graph, as
    MXNet does: in a later `record()` they are constants (the state that truncated backprop
    carries between minibatches), and a marked one is a variable of its own. A backward that
    runs into the freed node still raises: a graph recorded before the free finds its parent
    released. (`run_chain` does the same for its single outputs, inlined.)
    """
    for a in [outs] if node.outs is None else [ref() for ref in node.outs]:
        if a is not None and a._node is node:
            a._node = None if a._grad_req is None else leaf()


def _check_inputs(node: Node, inputs: tuple[Any, ...]) -> None:
    """Raise if an input of `node` was written in place after `node` was recorded."""
    for k, x in enumerate(inputs, 1):
        if isinstance(x, NDArray) and written_after(x._data, node.stamp):
            raise _modified(node, f"its input {k}")


def _modified(node: Node, which: str) -> AutogradError:
    name = getattr(node.op, "name", "an op")
    return AutogradError(
        f"{which.replace('its', 'the', 1)} of '{name}' was modified in place after '{name}' was "
        "recorded, so its backward would read the new values: write the update out of place "
        "(`x = x + 1` rather than `x += 1` or `x[:] = ...`), change a copy (`x.copy()`), or "
        "record the computation again after the change"
    )


def _check_reached(reached: list[NDArray], variables: Sequence[NDArray] | None, unreached_zero: bool) -> None:
    """Raise unless the marked arrays `reached` include what the backward must deliver to."""
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
        if id(v) not in reached_ids and not unreached_zero:
            raise AutogradError(
                f"variable {k} is not reachable from the heads: the heads were not computed "
                "from it inside autograd.record()"
            )


def _add(a: NDArray, b: NDArray, create_graph: bool) -> NDArray:
    if create_graph:
        return a + b
    total = a._data + b._data  # NumPy gives a scalar for 0-d arrays: an array's data is an array
    return NDArray(total if total.__class__ is np.ndarray else as_data(total))


def _output_index(node: Node, arr: NDArray) -> int:
    assert node.outs is not None
    for k, ref in enumerate(node.outs):
        if ref() is arr:
            return k
    raise AutogradError("internal error: an output is missing from its node")  # pragma: no cover


def _owner(a: np.ndarray) -> int:
    return id(a if a.base is None else a.base)


def _sole() -> int:
    holder = NDArray(np.empty(0))
    return sys.getrefcount(holder._data)  # the same expression as in _adopt


def _buf_held() -> int:
    a = NDArray(np.empty(0))
    a._grad = NDArray(np.empty(0))
    _req, buf = a._grad_req, a._grad
    count = sys.getrefcount(buf)  # the same statement shape as in _Walk.deliver
    return count


def _local_only() -> int:
    g = NDArray(np.empty(0))
    count = sys.getrefcount(g)  # the same statement shape as in _Walk.run_chain
    return count


# Reference counts of an object held by nothing but one local variable, and of an array held
# by nothing but one NDArray, measured with the same code that tests them later, so that they
# are right for the interpreter at hand.
_LOCAL_ONLY = _local_only()
_SOLE = _sole()
_BUF_HELD = _buf_held()


def _adopt(buf: NDArray, g: NDArray) -> bool:
    """Give the gradient buffer `buf` the memory of `g` instead of copying `g` into it.

    Only where no one could tell the difference: the backward alone holds `g` (the caller
    checks), `g`'s array is held by `g` alone and owns its memory (no views of it, no other
    NDArray around it), the buffer's old array is held by `buf` alone (no one kept
    `np.asarray(x.grad)`), and dtype, shape and layout agree. The old array is then garbage and
    the new one is the array a copy would have made; a weight-sized gradient is not copied on
    every step. (PyTorch's AccumulateGrad steals a gradient on the same kind of condition.)
    """
    if sys.getrefcount(g._data) > _SOLE or sys.getrefcount(buf._data) > _SOLE:
        return False
    new, old = g._data, buf._data
    if (
        new.base is not None
        or new.dtype != old.dtype
        or new.shape != old.shape
        or not new.flags.c_contiguous
        or not writeable(new)
    ):
        return False
    buf._data = new
    return True
