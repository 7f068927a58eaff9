"""Primitives over any number of inputs (concat, stack, add_n) or outputs (split).

`Primitive` gives each input position its own VJP; a variadic primitive takes one VJP for all
its inputs instead, so a single declaration covers every arity.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .._graph import Node, record_node
from .._primitive import Primitive
from ..ndarray import NDArray, wrap

__all__ = ["MultiOutput", "Variadic"]


class Variadic(Primitive):
    """A primitive over any number of inputs.

    Its one VJP runs once per node and backward, for all the inputs that need a gradient:
    ``vjp(parents, g, ans, inputs, **params)`` gets their positions `parents` and the tuple of
    all `inputs` (one argument, never unpacked) and returns one gradient per position, in
    order. So a backward through W inputs costs O(W), not O(W) per input, and whatever the
    gradients share (concat's offsets) is computed once. Like any VJP it is written with
    tape's ops, so that a recorded backward can be differentiated again.
    """

    __slots__ = ()

    def __init__(
        self, name: str, fwd: Callable[..., np.ndarray], vjp: Callable[..., list[NDArray | None]]
    ) -> None:
        stored: Any = vjp  # kept in `vjps` like a primitive's, though it returns a list
        super().__init__(name, fwd, stored)

    def backward(self, node: Node, grads: NDArray, outs: NDArray) -> list[NDArray | None]:
        """The gradients of the parents of `node`, from one call of the VJP."""
        inputs = node.inputs
        assert inputs is not None
        vjp: Any = self.vjps[0]
        assert vjp is not None
        parents = node.parents
        out: list[NDArray | None] = vjp(parents, grads, outs, inputs, **node.params)
        assert len(out) == len(parents), f"{self.name}: the VJP returned {len(out)} gradients"
        return out


class MultiOutput:
    """An op with one input array and several outputs.

    `fwd(x, **params)` returns a list of NumPy arrays; ``vjp(grads, x, **params)`` gets one
    gradient per output (None for an output the backward did not reach) and returns the
    gradient of `x`.
    """

    __slots__ = ("fwd", "name", "vjp")

    def __init__(
        self,
        name: str,
        fwd: Callable[..., list[np.ndarray]],
        vjp: Callable[..., NDArray],
    ) -> None:
        self.name = name
        self.fwd = fwd
        self.vjp = vjp

    def __repr__(self) -> str:
        return f"<MultiOutput {self.name}>"

    def __call__(self, x: NDArray, **params: Any) -> list[NDArray]:
        outs = [wrap(o, x.__class__) for o in self.fwd(x._data, **params)]
        record_node(self, (x,), params, outs, multi=True)
        return outs

    def backward(self, node: Node, grads: Sequence[NDArray | None], outs: Any) -> list[NDArray | None]:
        """The gradient of the one input from those of the outputs."""
        inputs = node.inputs
        assert inputs is not None
        return [self.vjp(list(grads), inputs[0], **node.params)]
