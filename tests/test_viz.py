"""`tape.viz`: walking a recorded graph and exporting it as Graphviz DOT text."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from tape import autograd, nd, viz


def recorded_square_sum() -> tuple[nd.NDArray, nd.NDArray]:
    x = nd.ones((2, 3))
    x.attach_grad()
    with autograd.record():
        y = (x * x).sum()
    return x, y


def edges_by_label(graph: viz.Graph) -> set[tuple[str, str]]:
    label = {v.id: v.label.split("\n")[0] for v in graph.vertices}
    return {(label[a], label[b]) for a, b in graph.edges}


def test_walk_follows_ops_back_to_the_variable() -> None:
    x, y = recorded_square_sum()
    graph = viz.walk(y, names={"x": x, "y": y})
    assert [v.kind for v in graph.vertices] == ["array", "op", "array", "op", "variable"]
    assert edges_by_label(graph) == {
        ("sum", "y"),
        ("(2, 3) float32", "sum"),
        ("multiply", "(2, 3) float32"),
        ("x", "multiply"),
    }


def test_an_input_used_twice_gets_two_edges() -> None:
    x, y = recorded_square_sum()
    graph = viz.walk(y, names={"x": x})
    x_id = next(v.id for v in graph.vertices if v.label.startswith("x\n"))
    assert sum(1 for a, _ in graph.edges if a == x_id) == 2


def test_labels_show_shape_dtype_and_op_parameters() -> None:
    _x, y = recorded_square_sum()
    labels = [v.label for v in viz.walk(y).vertices]
    assert "(2, 3) float32\nvariable" in labels
    assert any(label.startswith("sum\n") for label in labels)  # the reduction's parameters follow


def test_constants_and_scalars_are_drawn_but_not_walked_into() -> None:
    x = nd.ones(2)
    x.attach_grad()
    c = nd.array([1.0, 2.0])
    with autograd.record():
        y = x * c + 3
    kinds = sorted(v.kind for v in viz.walk(y).vertices)
    assert kinds == ["array", "array", "constant", "op", "op", "scalar", "variable"]


def test_grad_req_other_than_write_is_shown() -> None:
    x = nd.ones(2)
    x.attach_grad(grad_req="add")
    with autograd.record():
        y = x * 2
    assert any("grad_req=add" in v.label for v in viz.walk(y).vertices)


def test_an_array_never_recorded_is_one_constant_vertex() -> None:
    graph = viz.walk(nd.ones(3))
    assert [v.kind for v in graph.vertices] == ["constant"] and graph.edges == []


def test_a_freed_graph_says_so() -> None:
    _x, y = recorded_square_sum()
    y.backward()
    graph = viz.walk(y)
    assert len(graph.vertices) == 1 and "freed by backward" in graph.vertices[0].label


def test_a_function_with_two_outputs_is_one_op_vertex() -> None:
    class SplitHalves(autograd.Function):
        def forward(self, x: nd.NDArray) -> tuple[nd.NDArray, nd.NDArray]:
            return x[:2] * 1, x[2:] * 1

        def backward(self, da: nd.NDArray, db: nd.NDArray) -> nd.NDArray:
            return nd.array(list(da.asnumpy()) + list(db.asnumpy()))

    x = nd.ones(4)
    x.attach_grad()
    with autograd.record():
        a, b = SplitHalves()(x)
        y = a + b
    graph = viz.walk(y)
    ops = [v.label for v in graph.vertices if v.kind == "op"]
    assert ops == ["add", "SplitHalves"]


def test_a_deep_chain_does_not_hit_the_recursion_limit() -> None:
    x = nd.ones(1)
    x.attach_grad()
    with autograd.record():
        y = x
        for _ in range(5000):
            y = y + 1
    assert sum(1 for v in viz.walk(y).vertices if v.kind == "op") == 5000


def test_dot_text_declares_every_vertex_and_edge() -> None:
    _x, y = recorded_square_sum()
    text = viz.to_dot(y)
    declared = set(re.findall(r"^  (\w+) \[label=", text, re.M))
    edges = re.findall(r"^  (\w+) -> (\w+);$", text, re.M)
    assert text.startswith("digraph tape {") and text.endswith("}")
    assert len(declared) == 5 and len(edges) == 5  # x enters multiply twice
    assert all(a in declared and b in declared for a, b in edges)


def test_dot_labels_escape_quotes_and_newlines() -> None:
    x = nd.ones(2)
    x.attach_grad()
    with autograd.record():
        y = x * 2
    text = viz.to_dot(y, names={'say "hi"': y})
    assert 'label="say \\"hi\\"\\n(2,) float32"' in text


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz is not installed")
def test_graphviz_accepts_the_dot_text() -> None:
    _x, y = recorded_square_sum()
    svg = subprocess.run(["dot", "-Tsvg"], input=viz.to_dot(y), capture_output=True, text=True, check=True)
    assert "<svg" in svg.stdout
