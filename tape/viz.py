"""Look at a recorded graph: walk it from an array, or export it as Graphviz DOT text.

`to_dot(y)` starts at the node that made `y` and follows the inputs of every taped op back
to the marked variables. Arrays are drawn as ellipses (marked variables filled, constants
dashed), ops as boxes labelled with the op's name and its parameters. Render the text with
Graphviz (``dot -Tsvg graph.dot -o graph.svg``) or any DOT viewer.

>>> from tape import autograd, nd, viz
>>> x = nd.array([1.0, 2.0]); x.attach_grad()
>>> with autograd.record():
...     y = nd.exp(x * x) * 2
>>> print(viz.to_dot(y, names={"x": x, "y": y}))
digraph tape {
  node [fontname="Helvetica", fontsize=11];
  a0 [label="y\\n(2,) float32", shape=ellipse];
  n0 [label="multiply", shape=box, style="rounded,filled", fillcolor="#dfe9f7"];
  a1 [label="(2,) float32", shape=ellipse];
  s0 [label="2", shape=plaintext];
  n1 [label="exp", shape=box, style="rounded,filled", fillcolor="#dfe9f7"];
  a2 [label="(2,) float32", shape=ellipse];
  n2 [label="multiply", shape=box, style="rounded,filled", fillcolor="#dfe9f7"];
  a3 [label="x\\n(2,) float32\\nvariable", shape=ellipse, style=filled, fillcolor="#fbe3c0"];
  n0 -> a0;
  a1 -> n0;
  s0 -> n0;
  n1 -> a1;
  a2 -> n1;
  n2 -> a2;
  a3 -> n2;
  a3 -> n2;
}
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ._cuts import FREED_CUT, cut_reason
from ._graph import Node
from .ndarray import NDArray

__all__ = ["Graph", "Vertex", "to_dot", "walk"]

_STYLE = {
    "op": 'shape=box, style="rounded,filled", fillcolor="#dfe9f7"',
    "variable": 'shape=ellipse, style=filled, fillcolor="#fbe3c0"',
    "array": "shape=ellipse",
    "constant": "shape=ellipse, style=dashed",
    "scalar": "shape=plaintext",
}
_MAX_PARAM = 28


@dataclass(frozen=True)
class Vertex:
    """One drawn element: an op, an array (`kind` variable, array or constant) or a scalar."""

    id: str
    kind: str
    label: str


@dataclass
class Graph:
    """The vertices reached from an array and the edges between them (data flows along edges)."""

    vertices: list[Vertex] = field(default_factory=list)
    edges: list[tuple[str, str]] = field(default_factory=list)


def _short(value: Any) -> str:
    if isinstance(value, np.ndarray):
        text = f"array{value.shape}"
    elif isinstance(value, np.dtype):
        text = str(value)
    else:
        text = repr(value)
    return text if len(text) <= _MAX_PARAM else text[: _MAX_PARAM - 3] + "..."


def _op_label(node: Node) -> str:
    name = getattr(node.op, "name", type(node.op).__name__)
    params = " ".join(f"{k}={_short(v)}" for k, v in node.params.items())
    return f"{name}\n{params}" if params else name


def _array_label(a: NDArray, name: str | None) -> tuple[str, str]:
    """The label and kind of an array's vertex."""
    lines = [name] if name else []
    lines.append(f"{a.shape} {a._data.dtype}")
    if a._grad_req is not None:
        lines.append("variable" if a._grad_req == "write" else f"variable, grad_req={a._grad_req}")
        kind = "variable"
    else:
        kind = "array" if a._node is not None else "constant"
    node = a._node
    if (node is not None and node.inputs is None) or cut_reason(a) == FREED_CUT:
        lines.append("(graph freed by backward)")
    return "\n".join(lines), kind


def walk(array: NDArray, names: Mapping[str, NDArray] | None = None) -> Graph:
    """The graph recorded behind `array`, from it back to the marked variables.

    `names` labels arrays (``{"x": x}``); the others show their shape and dtype. An array
    that was never recorded is a graph of one vertex; a graph freed by a backward without
    ``retain_graph=True`` ends at the arrays whose nodes were freed.

    >>> from tape import autograd, nd, viz
    >>> x = nd.ones((2, 3)); x.attach_grad()
    >>> with autograd.record():
    ...     y = nd.tanh(x)
    >>> [v.label for v in viz.walk(y).vertices]
    ['(2, 3) float32', 'tanh', '(2, 3) float32\\nvariable']
    """
    label_of = {id(a): n for n, a in (names or {}).items()}
    graph = Graph()
    array_ids: dict[int, str] = {}
    node_ids: dict[int, str] = {}
    # An explicit stack, not recursion: graphs may be far deeper than Python's recursion limit.
    stack: list[NDArray] = [array]
    kept: list[Any] = []  # keeps every visited object alive, so that no id() is reused
    scalars = 0

    def vertex_for(a: NDArray) -> str:
        key = id(a)
        if key not in array_ids:
            array_ids[key] = f"a{len(array_ids)}"
            label, kind = _array_label(a, label_of.get(key))
            graph.vertices.append(Vertex(array_ids[key], kind, label))
            kept.append(a)
            stack.append(a)
        return array_ids[key]

    vertex_for(stack.pop())
    while stack:
        a = stack.pop()
        node = a._node
        if node is None or node.op is None or node.inputs is None:
            continue  # a constant, a marked leaf, or a freed node: nothing recorded above it
        first = id(node) not in node_ids
        if first:
            node_ids[id(node)] = f"n{len(node_ids)}"
            graph.vertices.append(Vertex(node_ids[id(node)], "op", _op_label(node)))
            kept.append(node)
        op_id = node_ids[id(node)]
        graph.edges.append((op_id, array_ids[id(a)]))
        if not first:
            continue  # another output of an op already drawn
        for x in node.inputs:
            if isinstance(x, NDArray):
                graph.edges.append((vertex_for(x), op_id))
            else:
                scalar_id = f"s{scalars}"
                scalars += 1
                graph.vertices.append(Vertex(scalar_id, "scalar", _short(x)))
                graph.edges.append((scalar_id, op_id))
    return graph


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def to_dot(array: NDArray, names: Mapping[str, NDArray] | None = None) -> str:
    """The graph recorded behind `array` as Graphviz DOT text (see `walk` for `names`).

    Render it with ``dot -Tsvg``; in a notebook, ``graphviz.Source(to_dot(y))`` shows it.

    >>> from tape import autograd, nd, viz
    >>> x = nd.ones(3); x.attach_grad()
    >>> with autograd.record():
    ...     y = nd.exp(x) * 2
    >>> text = viz.to_dot(y)
    >>> text.splitlines()[0], "exp" in text, "multiply" in text
    ('digraph tape {', True, True)
    """
    graph = walk(array, names)
    lines = ["digraph tape {", '  node [fontname="Helvetica", fontsize=11];']
    lines += [f"  {v.id} [label={_quote(v.label)}, {_STYLE[v.kind]}];" for v in graph.vertices]
    lines += [f"  {src} -> {dst};" for src, dst in graph.edges]
    lines.append("}")
    return "\n".join(lines)
