"""Primitives over any number of inputs (concat, stack, add_n) or outputs (split).

`Primitive` gives each input position its own VJP; these take one VJP that is told the
position instead, so a single declaration covers every arity.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .._graph import Node, Primitive, record_node
from ..ndarray import NDArray

__all__ = ["MultiOutput", "Variadic"]


class Variadic(Primitive):
    """A primitive over any number of inputs: ``vjp(k, g, ans, *inputs, **params)`` is the
    gradient for input `k`."""

    __slots__ = ()

    def __init__(self, name: str, fwd: Callable[..., np.ndarray], vjp: Callable[..., NDArray]) -> None:
        super().__init__(name, fwd, vjp)

    def backward(self, node: Node, grads: NDArray, outs: NDArray) -> list[NDArray | None]:
        """Apply the one VJP to each parent position of `node`."""
        inputs = node.inputs
        assert inputs is not None
        vjp = self.vjps[0]
        assert vjp is not None
        return [vjp(k, grads, outs, *inputs, **node.params) for k in node.parents]


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
        outs = [NDArray(o) for o in self.fwd(x._data, **params)]
        record_node(self, (x,), params, outs, multi=True)
        return outs

    def backward(self, node: Node, grads: Sequence[NDArray | None], outs: Any) -> list[NDArray | None]:
        """The gradient of the one input from those of the outputs."""
        inputs = node.inputs
        assert inputs is not None
        return [self.vjp(list(grads), inputs[0], **node.params)]
