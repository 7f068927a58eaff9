"""Recording: the nodes of the graph and the primitives that create them.

An array in a graph points at the `Node` that made it (or at a leaf node, for a marked
variable). A node holds strong references to its inputs and none to its outputs, so the
graph has no cycles and is freed by reference counting alone. The backward walk over these
nodes is in `_backward.py`.

THE RECORDING RULE: an op is taped when recording is on and at least one of its inputs is in
a graph (`x._node is not None`). `record_node()` below is its one general form; the one- and
two-array primitives inline it (marked "recording rule, inlined") because they are the
hottest calls in tape.
"""

from __future__ import annotations

import sys
import weakref
from collections.abc import Callable, Sequence
from typing import Any, Protocol

import numpy as np

from ._args import loose
from ._cuts import no_gradient, note_cut
from ._state import flags
from ._versions import CLOCK
from .ndarray import NDArray

__all__ = ["Node", "Primitive", "class_of", "leaf", "record_node", "taped"]


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


Vjp = Callable[..., NDArray]
_new = object.__new__
_NO_PARAMS: dict[str, Any] = {}  # shared, never mutated
_FIRST = (0,)
_SECOND = (1,)
_BOTH = (0, 1)
_NEVER_READ = sys.maxsize
_FLOAT32 = np.dtype(np.float32)  # tape's default float type
# NumPy's ufuncs give a scalar, not a 0-d array, for 0-d inputs (`tape.np` has 0-d arrays): an
# array's data is always an ndarray, so results are checked (one class test) and wrapped.
_ARRAY = np.ndarray
_asarray = np.asarray


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


class Primitive:
    """An op: a forward on NumPy arrays and one VJP per input, written with tape's ops.

    A VJP is called as ``vjp(g, ans, *inputs, **params)`` with the gradient of the output,
    the recorded output and the recorded inputs, all as arrays (or the scalars given), so
    that when the backward itself is recorded the result can be differentiated again.
    A VJP of None marks an input that no gradient flows to (an index, a condition).
    """

    __slots__ = ("differentiable", "float_valued", "fwd", "name", "vjps")

    def __new__(
        cls,
        name: str,
        fwd: Callable[..., np.ndarray],
        *vjps: Vjp | None,
        differentiable: bool = True,
        float_valued: bool = False,
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
        float_valued: bool = False,
    ) -> None:
        if float_valued and not (differentiable and len(vjps) == 1):
            raise ValueError(f"{name}: only a differentiable op of one array can be float_valued")
        self.name = name
        self.fwd = fwd
        self.vjps = vjps
        self.differentiable = differentiable
        # Its values are not integers even for integer inputs: see _Unary.__call__.
        self.float_valued = float_valued

    def __repr__(self) -> str:
        return f"<Primitive {self.name}>"

    def __call__(self, *args: Any, **params: Any) -> NDArray:
        out = _new(class_of(args))  # wrap(), inlined
        data = self.fwd(*[x._data if isinstance(x, NDArray) else x for x in args], **params)
        out._data = data if data.__class__ is _ARRAY else _asarray(data)
        out._node = out._grad = out._grad_req = None
        if flags.recording:  # the flag first: record_node reads it again
            if self.differentiable:
                record_node(self, args, params, (out,))
            elif any(isinstance(x, NDArray) and x._node is not None for x in args):
                note_cut(out, no_gradient(self.name))
        return out


class _Unary(Primitive):
    """A primitive of one array: `Primitive` picks this class itself."""

    __slots__ = ()

    def __call__(self, a: Any, **params: Any) -> NDArray:
        a_in = isinstance(a, NDArray)
        x = a._data if a_in else loose(a, f"nd.{self.name}")  # a NumPy array, else TypeError
        if self.float_valued and a_in and x.dtype is not _FLOAT32 and x.dtype.kind not in "fc":
            # THE RULE FOR INTEGER INPUTS (listed in ops/elementwise.py): a float-valued op
            # computes an integer or bool array in float32, never cuts its result to integers.
            x = x.astype(_FLOAT32)
        out: NDArray = _new(a.__class__ if a_in else NDArray)  # wrap(), inlined; see class_of()
        data = self.fwd(x, **params) if params else self.fwd(x)
        out._data = data if data.__class__ is _ARRAY else _asarray(data)
        out._grad = out._grad_req = None
        # The recording rule, inlined; the thread-local flag last: most calls in a backward
        # have no input in a graph.
        if a_in and a._node is not None and flags.recording:
            node = out._node = _new(Node)  # Node.__init__ inlined
            node.op = self
            node.inputs = (a,)
            node.params = params or _NO_PARAMS
            node.parents = _FIRST
            node.outs = None
            node.stamp = CLOCK[0]
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
        out: NDArray = _new(a.__class__ if a_in else b.__class__ if b_in else NDArray)  # class_of()
        data = self.fwd(x, y, **params) if params else self.fwd(x, y)
        out._data = data if data.__class__ is _ARRAY else _asarray(data)
        out._grad = out._grad_req = None
        pa = a_in and a._node is not None
        pb = b_in and b._node is not None
        if (pa or pb) and flags.recording:  # the recording rule, inlined
            node = out._node = _new(Node)  # Node.__init__ inlined
            node.op = self
            node.inputs = (a, b)
            node.params = params or _NO_PARAMS
            node.parents = (_BOTH if pb else _FIRST) if pa else _SECOND
            node.outs = None
            node.stamp = CLOCK[0]
        else:
            out._node = None
        return out
