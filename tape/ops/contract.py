"""`einsum`: sums of products over named axes, whose adjoints are einsums themselves."""

from __future__ import annotations

from typing import Any

import numpy as np

from .._xp import as_data
from ..errors import ArgumentError
from ..ndarray import NDArray
from ._variadic import Variadic
from .shape import broadcast_to_op, reshape_op

__all__: list[str] = []


def explicit(subscripts: str, count: int) -> tuple[list[str], str]:
    """The input terms and the output of `subscripts`, with NumPy's implicit output made explicit.

    >>> explicit("ij,jk", 2)
    (['ij', 'jk'], 'ik')
    """
    spec = subscripts.replace(" ", "")
    if "->" in spec:
        lhs, out = spec.split("->")
    else:  # NumPy's rule: the letters used once, in alphabetical order
        lhs = spec
        out = "".join(sorted(c for c in set(lhs) if c.isalpha() and lhs.count(c) == 1))
    terms = lhs.split(",")
    if len(terms) != count:
        raise ArgumentError(f"einsum: {subscripts!r} names {len(terms)} operands, but {count} were given")
    return terms, out


def differentiable(terms: list[str], out: str) -> str | None:
    """Why the einsum of these terms has no adjoint here (None if it has one)."""
    if any("." in t for t in (*terms, out)):
        return "an ellipsis ('...')"
    if any(len(set(t)) != len(t) for t in terms):
        return "a letter repeated within one operand (a diagonal)"
    return None


def _einsum_vjp(
    parents: tuple[int, ...], g: NDArray, ans: NDArray, inputs: tuple[Any, ...], subscripts: str
) -> list[NDArray | None]:
    terms, out = explicit(subscripts, len(inputs))
    grads: list[NDArray | None] = []
    for p in parents:
        term = terms[p]
        others = [i for i in range(len(inputs)) if i != p]
        # Contract g with every other operand; letters that appear in this operand alone were
        # summed away by the forward, so their gradient is the same along them: broadcast back.
        reachable = set(out).union(*(terms[i] for i in others))
        kept = "".join(c for c in term if c in reachable)
        spec = ",".join([out, *(terms[i] for i in others)]) + "->" + kept
        grad = einsum_op(g, *(inputs[i] for i in others), subscripts=spec)
        if kept != term:
            shape = inputs[p].shape
            grad = reshape_op(
                grad, shape=tuple(n if c in kept else 1 for c, n in zip(term, shape, strict=True))
            )
            grad = broadcast_to_op(grad, shape=shape)
        grads.append(grad)
    return grads


einsum_op: Variadic = Variadic(
    "einsum", lambda *xs, subscripts: as_data(np.einsum(subscripts, *xs)), _einsum_vjp
)
