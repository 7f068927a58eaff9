"""Recording: the nodes of the graph, and the rule for when an op makes one.

An array in a graph points at the `Node` that made it (or at a leaf node, for a marked
variable). A node holds strong references to its inputs and none to its outputs, so the
graph has no cycles and is freed by reference counting alone. The primitives that create
nodes are in `_primitive.py`; the backward walk over them is in `_backward.py`.

THE RECORDING RULE: an op is taped when recording is on and at least one of its inputs is in
a graph (`x._node is not None`). `record_node()` below is its one general form; the one- and
two-array primitives inline it (their fast paths, in `_primitive.py`) because they are the
hottest calls in tape.
"""

from __future__ import annotations

import sys
import weakref
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Protocol

from ._state import flags
from ._versions import CLOCK
from .ndarray import NDArray

if TYPE_CHECKING:
    from ._primitive import Primitive

__all__ = ["Node", "class_of", "leaf", "record_node", "taped"]


class Backward(Protocol):
    """An op that is not a `Primitive` (a custom Function, a multi-output or variadic op):
    it turns the gradients of its outputs into those of its parents itself."""

    name: str

    def backward(self, node: Node, grads: Any, outs: Any) -> Sequence[NDArray | None]:
        """Return one gradient (or None) per entry of `node.parents`."""


class Node:
    """One taped operation.

    `inputs` is None once the node has been freed by a backward without `retain_graph`.
    `parents` are the positions of the inputs that were in a graph when it was recorded.
    `outs` is None for a single output, else weak references to the outputs, in order.
    `stamp` is the in-place write clock when it was recorded (see `_versions.py`).
    """

    __slots__ = ("inputs", "op", "outs", "params", "parents", "stamp")

    def __init__(
        self,
        op: Primitive | Backward | None,
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
        self.stamp = CLOCK[0]


_new = object.__new__
_NO_PARAMS: dict[str, Any] = {}  # shared, never mutated
_NEVER_READ = sys.maxsize


def leaf() -> Node:
    """A fresh node for a marked variable: no inputs, never freed.

    Its stamp is later than any write: a leaf's backward reads nothing, so writes to the
    variable (the parameter updates of a training loop) never concern the leaf itself.
    """
    node = Node(None, (), {}, ())
    node.stamp = _NEVER_READ
    return node


def class_of(inputs: Sequence[Any]) -> type[NDArray]:
    """The class of an op's results: that of its first array input (NDArray, or the `tape.np`
    interface's ndarray), so that each interface's ops stay in it without wrappers."""
    for x in inputs:
        if isinstance(x, NDArray):
            return x.__class__
    return NDArray


def taped(x: NDArray) -> bool:
    """Whether an op on `x` is recorded now (the recording rule for one array)."""
    return flags.recording and x._node is not None


def record_node(
    op: Primitive | Backward,
    inputs: Sequence[Any],
    params: dict[str, Any],
    outputs: Sequence[NDArray],
    multi: bool = False,
) -> bool:
    """Attach a node for `op` to `outputs` if the recording rule says so; return whether it did.

    `multi` says that the op has several outputs (the node then keeps weak references to them).
    """
    if not flags.recording:
        return False
    # A list comprehension, not a generator: a third of the cost at these sizes.
    parents = tuple([i for i, x in enumerate(inputs) if isinstance(x, NDArray) and x._node is not None])
    if not parents:
        return False
    node = _new(Node)  # Node.__init__ inlined, as in the fast paths below
    node.op = op
    node.inputs = tuple(inputs)
    node.params = params or _NO_PARAMS
    node.parents = parents
    node.outs = tuple([weakref.ref(o) for o in outputs]) if multi else None
    node.stamp = CLOCK[0]
    for o in outputs:
        o._node = node
    return True
