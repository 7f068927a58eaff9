"""Arrays that left the graph on purpose, and why: differentiating one says so.

An array that a recorded computation produced but that is not in the graph (the result of
`detach()`, of `stop_gradient`, of an op with no gradient such as `argmax` or a comparison, or a
gradient computed without `create_graph=True`) would otherwise get the error for an array that
was never recorded, whose fix (`record()`, `attach_grad()`) does not apply. The reason is kept
beside the array, weakly, only for as long as the array lives.
"""

from __future__ import annotations

import functools
import weakref
from typing import Any

__all__ = ["DETACHED", "FREED_CUT", "NOT_CREATED", "cut_reason", "no_gradient", "note_cut"]

DETACHED = (
    "it came from detach(), which leaves the graph on purpose: call backward on a result "
    "computed from the array before detach()"
)
FREED_CUT = (
    "its graph was freed by an earlier backward: pass retain_graph=True to that first "
    "backward (or autograd.grad) to differentiate through the graph again"
)
NOT_CREATED = (
    "it is a gradient computed without create_graph=True, so its computation was not recorded: "
    "pass create_graph=True to the autograd.grad call that computed it to differentiate it again"
)


def no_gradient(name: str) -> str:
    """Why the result of the op `name`, which has no gradient, is not in the graph.

    >>> no_gradient("argmax").startswith("it came from 'argmax'")
    True
    """
    if name == "stop_gradient":
        return (
            "it came from stop_gradient (BlockGrad), which stops the gradient on purpose: "
            "call backward on a result computed without it"
        )
    return (
        f"it came from '{name}', which has no gradient (its result is an index or a 0/1 test): "
        "differentiate a result computed from the values themselves (nd.max or nd.pick give "
        "the value at a position)"
    )


# id(array) -> (weak reference to the array, why it is not in the graph)
_reasons: dict[int, tuple[weakref.ref[Any], str]] = {}


def _forget(key: int, _ref: weakref.ref[Any]) -> None:
    _reasons.pop(key, None)


def note_cut(array: Any, why: str) -> None:
    """Note that `array` is outside the graph on purpose, for the reason `why`.

    >>> from tape import nd
    >>> a = nd.ones(1)
    >>> note_cut(a, "a test"); cut_reason(a)
    'a test'
    """
    key = id(array)
    _reasons[key] = (weakref.ref(array, functools.partial(_forget, key)), why)


def cut_reason(array: Any) -> str | None:
    """Why `array` is outside the graph, if it left it on purpose; else None.

    >>> from tape import nd
    >>> cut_reason(nd.ones(1)) is None
    True
    """
    entry = _reasons.get(id(array))
    return entry[1] if entry is not None and entry[0]() is array else None
