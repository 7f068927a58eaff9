"""Primitives: an op as a forward on NumPy arrays and one VJP per input, and its fast paths.

A primitive's call computes the forward and, by the recording rule (`_graph.record_node`),
attaches a node. The one- and two-array primitives, nearly every op, get classes of their own
whose calls inline that rule: they are the hottest code in tape.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import numpy as np

from ._args import loose
from ._cuts import no_gradient, note_cut
from ._graph import _NO_PARAMS, Node, class_of, record_node
from ._state import flags
from ._versions import CLOCK
from ._xp import as_data
from .context import mixed
from .errors import ArgumentError, MXNetError
from .ndarray import NDArray

__all__ = ["PLAIN", "Primitive", "refused"]

Vjp = Callable[..., NDArray]
_new = object.__new__
_FIRST = (0,)
_SECOND = (1,)
_BOTH = (0, 1)
_FLOAT32 = np.dtype(np.float32)  # tape's default float type
# NumPy's ufuncs give a scalar, not a 0-d array, for 0-d inputs (`tape.np` has 0-d arrays): an
# array's data is always an ndarray (or a GPU array), so results are checked (one class test)
# and wrapped.
_ARRAY = np.ndarray
_asarray = as_data


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
        # arguments (no *args tuple, no loop), the hot path of both the forward and the VJPs;
        # and most take no parameters: their __call__ has no **params (a dict per call).
        if cls is Primitive and differentiable and 1 <= len(vjps) <= 2:
            bare = not _takes_params(fwd, len(vjps))
            cls = (
                (_Unary if bare else _UnaryWithParams)
                if len(vjps) == 1
                else (_Binary if bare else _BinaryWithParams)
            )
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
        try:
            data = self.fwd(*[x._data if isinstance(x, NDArray) else x for x in args], **params)
        except ValueError as e:  # shapes that do not broadcast...: MXNet's MXNetError
            raise refused(self.name, e)  # noqa: B904 - NumPy's error is its context
        except TypeError as e:
            raise mixed(self.name, e, *[x._data for x in args if isinstance(x, NDArray)])  # noqa: B904
        out._data = data if data.__class__ is _ARRAY else _asarray(data)
        out._node = out._grad = out._grad_req = None
        if flags.recording:  # the flag first: record_node reads it again
            if self.differentiable:
                record_node(self, args, params, (out,))
            elif any(isinstance(x, NDArray) and x._node is not None for x in args):
                note_cut(out, no_gradient(self.name))
        return out


def refused(name: str, e: ValueError) -> ValueError:
    """NumPy's ValueError in an op's forward (shapes that do not broadcast, a bad reshape) as
    the error MXNet raises there: an `ArgumentError`, both a ValueError and an MXNetError. The
    `try` around each forward costs nothing until it raises. An MXNetError stays as it is."""
    return e if isinstance(e, MXNetError) else ArgumentError(f"{name}: {e}")


def _takes_params(fwd: Callable[..., Any], arity: int) -> bool:
    """Whether `fwd` takes parameters after its `arity` arrays (a ufunc takes none here)."""
    if isinstance(fwd, np.ufunc):
        return False
    try:
        return len(inspect.signature(fwd).parameters) > arity
    except (TypeError, ValueError):  # no signature to read: assume parameters
        return True


# THE FAST PATHS. Each of these four __call__ methods is `Primitive.__call__` for one case, with
# the recording rule and wrap() inlined; the two of an arity differ only in `params`. Keep them
# in step: a change to one is a change to its pair.
class _Unary(Primitive):
    """A primitive of one array and no parameters: `Primitive` picks this class itself."""

    __slots__ = ()

    def __call__(self, a: Any) -> NDArray:
        a_in = isinstance(a, NDArray)
        x = a._data if a_in else loose(a, f"nd.{self.name}")  # a NumPy array, else TypeError
        if self.float_valued and a_in and x.dtype is not _FLOAT32 and x.dtype.kind not in "fc":
            # THE RULE FOR INTEGER INPUTS (listed in ops/elementwise.py): a float-valued op
            # computes an integer or bool array in float32, never cuts its result to integers.
            x = x.astype(_FLOAT32)
        out: NDArray = _new(a.__class__ if a_in else NDArray)  # wrap(), inlined; see class_of()
        try:
            data = self.fwd(x)
        except ValueError as e:
            raise refused(self.name, e)  # noqa: B904 - NumPy's error is its context
        out._data = data if data.__class__ is _ARRAY else _asarray(data)
        out._grad = out._grad_req = None
        # The recording rule, inlined; the thread-local flag last: most calls in a backward
        # have no input in a graph.
        if a_in and a._node is not None and flags.recording:
            node = out._node = _new(Node)  # Node.__init__ inlined
            node.op = self
            node.inputs = (a,)
            node.params = _NO_PARAMS
            node.parents = _FIRST
            node.outs = None
            node.stamp = CLOCK[0]
        else:
            out._node = None
        return out


class _UnaryWithParams(Primitive):
    """A primitive of one array and parameters: `Primitive` picks this class itself."""

    __slots__ = ()

    def __call__(self, a: Any, **params: Any) -> NDArray:
        a_in = isinstance(a, NDArray)
        x = a._data if a_in else loose(a, f"nd.{self.name}")  # a NumPy array, else TypeError
        if self.float_valued and a_in and x.dtype is not _FLOAT32 and x.dtype.kind not in "fc":
            x = x.astype(_FLOAT32)  # the rule for integer inputs: see _Unary
        out: NDArray = _new(a.__class__ if a_in else NDArray)
        try:
            data = self.fwd(x, **params)
        except ValueError as e:
            raise refused(self.name, e)  # noqa: B904 - NumPy's error is its context
        out._data = data if data.__class__ is _ARRAY else _asarray(data)
        out._grad = out._grad_req = None
        if a_in and a._node is not None and flags.recording:
            node = out._node = _new(Node)
            node.op = self
            node.inputs = (a,)
            node.params = params
            node.parents = _FIRST
            node.outs = None
            node.stamp = CLOCK[0]
        else:
            out._node = None
        return out


class _Binary(Primitive):
    """A primitive of two arrays and no parameters: `Primitive` picks this class itself."""

    __slots__ = ()

    def __call__(self, a: Any, b: Any) -> NDArray:
        a_in = isinstance(a, NDArray)
        b_in = isinstance(b, NDArray)
        x = a._data if a_in else a
        y = b._data if b_in else b
        out: NDArray = _new(a.__class__ if a_in else b.__class__ if b_in else NDArray)  # class_of()
        try:
            data = self.fwd(x, y)
        except ValueError as e:
            raise refused(self.name, e)  # noqa: B904 - NumPy's error is its context
        except TypeError as e:
            raise mixed(self.name, e, x, y)  # noqa: B904 - the device's error is its context
        out._data = data if data.__class__ is _ARRAY else _asarray(data)
        out._grad = out._grad_req = None
        pa = a_in and a._node is not None
        pb = b_in and b._node is not None
        if (pa or pb) and flags.recording:  # the recording rule, inlined
            node = out._node = _new(Node)  # Node.__init__ inlined
            node.op = self
            node.inputs = (a, b)
            node.params = _NO_PARAMS
            node.parents = (_BOTH if pb else _FIRST) if pa else _SECOND
            node.outs = None
            node.stamp = CLOCK[0]
        else:
            out._node = None
        return out


class _BinaryWithParams(Primitive):
    """A primitive of two arrays and parameters: `Primitive` picks this class itself."""

    __slots__ = ()

    def __call__(self, a: Any, b: Any, **params: Any) -> NDArray:
        a_in = isinstance(a, NDArray)
        b_in = isinstance(b, NDArray)
        x = a._data if a_in else a
        y = b._data if b_in else b
        out: NDArray = _new(a.__class__ if a_in else b.__class__ if b_in else NDArray)
        try:
            data = self.fwd(x, y, **params)
        except ValueError as e:
            raise refused(self.name, e)  # noqa: B904 - NumPy's error is its context
        except TypeError as e:
            raise mixed(self.name, e, x, y)  # noqa: B904 - the device's error is its context
        out._data = data if data.__class__ is _ARRAY else _asarray(data)
        out._grad = out._grad_req = None
        pa = a_in and a._node is not None
        pb = b_in and b._node is not None
        if (pa or pb) and flags.recording:
            node = out._node = _new(Node)
            node.op = self
            node.inputs = (a, b)
            node.params = params
            node.parents = (_BOTH if pb else _FIRST) if pa else _SECOND
            node.outs = None
            node.stamp = CLOCK[0]
        else:
            out._node = None
        return out


# The classes of primitives whose VJPs are called one input at a time (by `_backward`).
PLAIN = frozenset((Primitive, _Unary, _UnaryWithParams, _Binary, _BinaryWithParams))
