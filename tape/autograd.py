"""The public autograd API: recording scopes, backward, grad and custom Functions.

The mode flags are thread-local: a scope entered in one thread is never seen in another.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ._backward import run_backward
from ._cuts import NOT_CREATED, note_cut
from ._graph import Node, leaf, record_node
from ._primitive import Primitive
from ._state import Scope, is_recording, is_training, set_recording, set_training
from ._xp import is_array, zeros
from .errors import AutogradError
from .functional import hessian, hvp, jacobian, jvp, vjp
from .ndarray import NDArray, wrap
from .ops.shape import zeros_like_op

__all__ = [
    "record", "pause", "train_mode", "predict_mode", "is_recording", "is_training",
    "set_recording", "set_training", "mark_variables", "backward", "grad", "Function",
    "jacobian", "hessian", "vjp", "jvp", "hvp",
]  # fmt: skip

Arrays = NDArray | Sequence[NDArray]
OptArrays = NDArray | Sequence[NDArray | None] | None


# `g` itself, joined to the variable `x` with a zero derivative (see the end of grad).
constant_gradient_op: Primitive = Primitive(
    "constant_gradient", lambda g, x: g, lambda u, ans, g, x: u, lambda u, ans, g, x: zeros_like_op(x)
)


def record(train_mode: bool = True) -> Scope:
    """A scope that tapes operations on arrays in a graph (and sets training mode).

    Thread-local: it affects only the thread that enters it.

    >>> from tape import autograd, nd
    >>> x = nd.array([3]); x.attach_grad()
    >>> with autograd.record():
    ...     y = x * x
    >>> y.backward(); x.grad
    <BLANKLINE>
    [6.]
    <NDArray 1 @cpu(0)>
    """
    return Scope(True, train_mode)


def pause(train_mode: bool = False) -> Scope:
    """A scope inside `record()` where nothing is taped (and training mode is off).

    >>> from tape import autograd
    >>> with autograd.record():
    ...     with autograd.pause():
    ...         autograd.is_recording()
    False
    """
    return Scope(False, train_mode)


def train_mode() -> Scope:
    """A scope in training mode; recording is left as it is.

    >>> from tape import autograd
    >>> with autograd.train_mode():
    ...     autograd.is_training(), autograd.is_recording()
    (True, False)
    """
    return Scope(None, True)


def predict_mode() -> Scope:
    """A scope in prediction mode (training off); recording is left as it is.

    >>> from tape import autograd
    >>> with autograd.record():
    ...     with autograd.predict_mode():
    ...         autograd.is_training(), autograd.is_recording()
    (False, True)
    """
    return Scope(None, False)


def _as_list(x: Any, what: str) -> list[Any]:
    if isinstance(x, NDArray) or x is None:
        return [x]
    if isinstance(x, list | tuple):
        return list(x)
    raise TypeError(f"{what} must be an NDArray or a list of NDArrays, not {type(x).__name__}")


def mark_variables(variables: Arrays, gradients: Arrays, grad_reqs: str | Sequence[str] = "write") -> None:
    """Mark arrays as variables whose gradients go into the given buffers.

    >>> from tape import autograd, nd
    >>> x, gx = nd.array([2]), nd.zeros(1)
    >>> autograd.mark_variables(x, gx)
    >>> with autograd.record():
    ...     y = x * x * x
    >>> y.backward(); gx
    <BLANKLINE>
    [12.]
    <NDArray 1 @cpu(0)>
    """
    vs = _as_list(variables, "variables")
    gs = _as_list(gradients, "gradients")
    reqs = [grad_reqs] * len(vs) if isinstance(grad_reqs, str) else list(grad_reqs)
    if not len(vs) == len(gs) == len(reqs):
        raise ValueError(
            f"mark_variables got {len(vs)} variables, {len(gs)} gradients and {len(reqs)} "
            "grad_reqs: give one gradient buffer and one grad_req per variable"
        )
    for v, g, r in zip(vs, gs, reqs, strict=True):
        if not isinstance(v, NDArray) or not isinstance(g, NDArray):
            raise TypeError("mark_variables takes NDArrays as variables and gradients")
        mark(v, g, r)


GRAD_REQS = ("write", "add", "null")


def mark(x: NDArray, grad: NDArray, grad_req: str) -> None:
    """Make `x` a variable whose gradients go into `grad` as `grad_req` says.

    The one check of a variable and its buffer, for `attach_grad` and `mark_variables`.

    >>> from tape import autograd, nd
    >>> x = nd.array([1.5])
    >>> autograd.mark(x, nd.zeros(1), "add"); x.grad_req
    'add'
    """
    if grad_req not in GRAD_REQS:
        raise ValueError(f"grad_req must be one of {GRAD_REQS}, not {grad_req!r}")
    if not np.issubdtype(x._data.dtype, np.floating):
        raise TypeError(
            f"cannot attach a gradient to an array of dtype {x._data.dtype}: gradients "
            "need a floating-point array; convert it first, e.g. x = x.astype('float32')"
        )
    if not np.issubdtype(grad._data.dtype, np.floating):
        raise TypeError(
            f"cannot use an array of dtype {grad._data.dtype} as a gradient buffer: gradients "
            "are floating-point and would be cut to integers; give a floating-point buffer, "
            "e.g. nd.zeros_like(x)"
        )
    if grad.shape != x.shape:
        raise ValueError(
            f"gradient buffer of shape {grad.shape} does not fit a variable of shape {x.shape}: "
            "give a buffer of the variable's shape, e.g. nd.zeros_like(x)"
        )
    x._grad = grad
    x._grad_req = grad_req
    # A fresh leaf unless the array is in a live graph (an intermediate keeps its upstream).
    if x._node is None or x._node.inputs is None:
        x._node = leaf()


def _heads(heads: Arrays, head_grads: OptArrays) -> tuple[list[NDArray], list[NDArray]]:
    if head_grads is None and isinstance(heads, NDArray):
        # The common call, y.backward(): one head, ones as its gradient.
        ones = np.empty_like(heads._data)
        ones.fill(1)  # empty_like + fill: half the cost of ones_like
        return [heads], [wrap(ones, heads.__class__)]
    hs = _as_list(heads, "heads")
    if not hs:
        raise ValueError("heads is empty: pass the array (or list of arrays) to differentiate")
    gs = [None] * len(hs) if head_grads is None else _as_list(head_grads, "head_grads")
    if len(gs) != len(hs):
        raise ValueError(f"got {len(hs)} heads but {len(gs)} head gradients: give one per head")
    out = []
    for h, g in zip(hs, gs, strict=True):
        if not isinstance(h, NDArray):
            raise TypeError(f"heads must be NDArrays, not {type(h).__name__}")
        if g is None:
            out.append(wrap(np.ones_like(h._data), h.__class__))
            continue
        if is_array(g):
            g = wrap(g, h.__class__)
        if not isinstance(g, NDArray):
            raise TypeError(f"a head gradient must be an NDArray, not {type(g).__name__}")
        if g.size != h.size:
            raise ValueError(
                f"head gradient of shape {g.shape} does not fit head of shape {h.shape}: "
                "it must have the same number of elements"
            )
        if g.shape != h.shape:
            g = g.reshape(h.shape)
        out.append(g if g._data.dtype == h._data.dtype else g.astype(h._data.dtype))
    return hs, out


def backward(
    heads: Arrays, head_grads: OptArrays = None, retain_graph: bool = False, train_mode: bool = True
) -> None:
    """Backpropagate from `heads` into the `.grad` of every marked array they depend on.

    Several heads add up their contributions. Without `retain_graph` the graph is freed.

    >>> from tape import autograd, nd
    >>> x = nd.array([1, 2]); x.attach_grad()
    >>> with autograd.record():
    ...     y, z = x * 2, x * x
    >>> autograd.backward([y, z]); x.grad
    <BLANKLINE>
    [4. 6.]
    <NDArray 2 @cpu(0)>
    """
    hs, gs = _heads(heads, head_grads)
    run_backward(hs, gs, None, retain_graph, False, train_mode)


def grad(
    heads: Arrays,
    variables: Arrays,
    head_grads: OptArrays = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    train_mode: bool = True,
) -> list[NDArray]:
    """Return the gradients of `heads` with respect to `variables`, as a list.

    `.grad` buffers are not touched. With `create_graph=True` the backward computation is
    itself recorded, so the results can be differentiated again, to any order.

    >>> from tape import autograd, nd
    >>> x = nd.array([2]); x.attach_grad()
    >>> with autograd.record():
    ...     y = x ** 3
    ...     dy = autograd.grad(y, x, create_graph=True)[0]   # 3 x^2
    >>> autograd.grad(dy, x)                                 # 6 x
    [
    [12.]
    <NDArray 1 @cpu(0)>]
    """
    hs, gs = _heads(heads, head_grads)
    vs = _as_list(variables, "variables")
    if not vs:
        raise ValueError("variables is empty: pass the arrays to differentiate with respect to")
    for k, v in enumerate(vs, 1):
        if not isinstance(v, NDArray):
            raise TypeError(f"variable {k} is a {type(v).__name__}, not an NDArray")
    retain = create_graph if retain_graph is None else retain_graph
    result = run_backward(hs, gs, vs, retain, create_graph, train_mode)
    assert result is not None
    # Each gradient in its variable's interface (nd or np), also where a graph mixes the two.
    result = [
        g if g.__class__ is v.__class__ else g.as_interface(v.__class__)
        for g, v in zip(result, vs, strict=True)
    ]
    for g in result if not create_graph else ():
        note_cut(g, NOT_CREATED)
    if not create_graph or all(g._node is not None for g in result):
        return result
    with Scope(True, None):  # a gradient not depending on its variable (of x * 2): joined to it
        return [constant_gradient_op(g, v) if g._node is None else g for g, v in zip(result, vs, strict=True)]


class _FunctionOp:
    """Adapts a user's `Function` to the node protocol of the graph."""

    __slots__ = ("fn", "like", "n_inputs", "name", "shapes")

    def __init__(
        self, fn: Function, shapes: list[tuple[int, ...]], dtypes: list[Any], n_inputs: int, like: Any
    ) -> None:
        self.fn = fn
        self.like = like  # an empty array on the outputs' device: where zeros for an unreached output go
        self.name = type(fn).__name__
        self.shapes = list(zip(shapes, dtypes, strict=True))
        self.n_inputs = n_inputs

    def backward(self, node: Node, grads: Any, outs: Any) -> list[NDArray | None]:
        gs = grads if isinstance(grads, list) else [grads]
        gs = [
            NDArray(zeros(s, d, self.like)) if g is None else g
            for g, (s, d) in zip(gs, self.shapes, strict=True)
        ]
        result = self.fn.backward(*gs)
        res = list(result) if isinstance(result, list | tuple) else [result]
        if len(res) != self.n_inputs:
            raise AutogradError(
                f"{self.name}.backward returned {len(res)} gradients but forward took {self.n_inputs} "
                "inputs: return one gradient per forward input, in order"
            )
        inputs = node.inputs
        assert inputs is not None
        for k, (r, x) in enumerate(zip(res, inputs, strict=True), 1):
            if not isinstance(r, NDArray):
                raise AutogradError(
                    f"{self.name}.backward returned a {type(r).__name__} as gradient {k}: return NDArrays"
                )
            if isinstance(x, NDArray) and r.shape != x.shape:
                raise AutogradError(
                    f"{self.name}.backward returned gradient {k} of shape {r.shape} for an input "
                    f"of shape {x.shape}"
                )
        return [res[i] for i in node.parents]


class Function:
    """A custom differentiable function: subclass it with `forward` and `backward`.

    `forward(*inputs)` runs with recording off; `backward(*output_grads)` returns one
    gradient per input. Keep what backward needs with `save_for_backward`. An instance
    is called once.

    >>> from tape import autograd, nd
    >>> class Sigmoid(autograd.Function):
    ...     def forward(self, x):
    ...         y = 1 / (1 + nd.exp(-x))
    ...         self.save_for_backward(y)
    ...         return y
    ...     def backward(self, dy):
    ...         y, = self.saved_tensors
    ...         return dy * y * (1 - y)
    >>> x = nd.array([0]); x.attach_grad()
    >>> with autograd.record():
    ...     y = Sigmoid()(x)
    >>> y.backward(); x.grad
    <BLANKLINE>
    [0.25]
    <NDArray 1 @cpu(0)>
    """

    def __init__(self) -> None:
        self._used = False
        self.saved_tensors: tuple[Any, ...] = ()

    def save_for_backward(self, *args: Any) -> None:
        """Keep arrays for `backward`; they come back as `self.saved_tensors`."""
        self.saved_tensors = args

    def forward(self, *inputs: NDArray) -> NDArray | tuple[NDArray, ...]:
        """Compute the outputs from the inputs (recording is off here)."""
        raise NotImplementedError("a Function subclass must define forward(self, *inputs)")

    def backward(self, *output_grads: NDArray) -> NDArray | tuple[NDArray, ...]:
        """Return the gradient of each input, given the gradient of each output."""
        raise NotImplementedError("a Function subclass must define backward(self, *output_grads)")

    def __call__(self, *inputs: NDArray) -> Any:
        if self._used:
            raise AutogradError(
                f"this {type(self).__name__} instance was already called: create a new instance for each call"
            )
        self._used = True
        with Scope(False, None):
            outputs = self.forward(*inputs)
        single = isinstance(outputs, NDArray)
        outs: tuple[NDArray, ...] = (outputs,) if isinstance(outputs, NDArray) else tuple(outputs)
        for k, o in enumerate(outs, 1):
            if not isinstance(o, NDArray):
                raise TypeError(f"{type(self).__name__}.forward output {k} is not an NDArray")
        # Fresh wrappers, so that an output that is an input (or a view) gets its own node.
        new = tuple(wrap(o._data, o.__class__) for o in outs)
        op = _FunctionOp(
            self,
            [o.shape for o in outs],
            [o._data.dtype for o in outs],
            len(inputs),
            zeros(0, outs[0]._data.dtype, outs[0]._data),
        )
        if not record_node(op, inputs, {}, new, multi=not single):
            return outputs
        return new[0] if single else new
