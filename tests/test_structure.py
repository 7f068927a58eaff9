"""The shape of the code: imports run one way, and the core stays small enough to read.

CI runs these with the rest; `ruff` (C901 in pyproject.toml) bounds each function's complexity.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

TAPE = Path(__file__).resolve().parent.parent / "tape"

# The core a newcomer reads in one sitting, and the most lines each may have.
CORE_BUDGET = {
    "_state.py": 120,
    "_graph.py": 130,  # nodes and the recording rule (the primitives left for _primitive.py)
    "_primitive.py": 266,  # Primitive, its four fast paths (by arity, with and without params), and
    # the try around each forward that gives NumPy's ValueError as MXNet's error (issue 12), and
    # CuPy's TypeError for inputs on two devices as an error naming both (issue 14)
    # 380 until the in-place write checks (issue 11); 430 until the arrays of a freed graph
    # leave it, as in MXNet (issue 12: release(), and the checks for a parent released since)
    "_backward.py": 455,  # 380; +50 write checks (11), freed arrays released (12); +5 unreached_zero (16)
    "ndarray.py": 300,  # +6 devices (issue 14): context from the data, pickles keep the device
    "autograd.py": 372,  # 360; +12 devices (issue 14): a Function's unreached outputs, head gradients
    "_methods.py": 401,  # 320; +30 the interfaces (10); +8 NumPy's errors (12); +40 devices (14): copyto
}
# _graph.py + _primitive.py + _backward.py: 600 (then one file less) before issues 11 and 10;
# the fast paths without **params (a dict per call, ~2% of the tiny-op benchmark) added 60;
# freed arrays leaving the graph, as in MXNet (issue 12), 21; NumPy's errors as MXNet's (12), 22;
# inputs on two devices named, and GPU arrays in the walk (issue 14), 10.
RECORD_AND_WALK_BUDGET = 840


def _module_name(path: Path) -> str:
    parts = path.relative_to(TAPE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(path: Path, modules: set[str]) -> set[str]:
    """The tape modules that `path` imports when it runs (not those for type checkers only)."""
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.ImportFrom):
            base = package
            for _ in range(node.level - 1):
                base = base.rpartition(".")[0]
            target = (f"{base}.{node.module}" if node.module else base) if node.level else node.module or ""
            for alias in node.names:
                sub = f"{target}.{alias.name}"
                found.add(sub if sub in modules else target)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(ast.parse(path.read_text()))
    return {m for m in found if m in modules and m != name}


def _graph() -> dict[str, set[str]]:
    paths = sorted(TAPE.rglob("*.py"))
    modules = {_module_name(p) for p in paths}
    # A package's __init__ may import its modules (that is what it is for); only modules count.
    return {_module_name(p): _imports(p, modules) for p in paths if p.name != "__init__.py"}


def test_imports_run_one_way() -> None:
    graph = _graph()
    # Depth-first search for a cycle; report the first one found, as a path.
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(m: str) -> None:
        state[m] = 1
        path.append(m)
        for dep in sorted(graph.get(m, ())):
            if state.get(dep) == 1:
                cycle = [*path[path.index(dep) :], dep]
                pytest.fail("import cycle: " + " -> ".join(cycle))
            if dep not in state:
                visit(dep)
        path.pop()
        state[m] = 2

    for m in sorted(graph):
        if m not in state:
            visit(m)


def test_the_array_knows_nothing_of_ops_graph_or_backward() -> None:
    deps = _graph()["tape.ndarray"]
    allowed = {"tape._state", "tape._versions", "tape._cuts", "tape.context", "tape._xp", "tape.errors"}
    assert deps <= allowed, deps


def test_recording_knows_nothing_of_the_backward_walk() -> None:
    assert "tape._backward" not in _graph()["tape._graph"]
    assert "tape._backward" not in _graph()["tape._primitive"]


@pytest.mark.parametrize("name", sorted(CORE_BUDGET))
def test_core_module_stays_within_its_line_budget(name: str) -> None:
    lines = len((TAPE / name).read_text().splitlines())
    assert lines <= CORE_BUDGET[name], (
        f"tape/{name} has {lines} lines, over its budget of {CORE_BUDGET[name]}: split a concept "
        "out into a module of its own (or raise the budget in tests/test_structure.py, with a reason)"
    )


def test_recording_and_the_walk_stay_within_their_budget() -> None:
    files = ("_graph.py", "_primitive.py", "_backward.py")
    lines = sum(len((TAPE / n).read_text().splitlines()) for n in files)
    assert lines <= RECORD_AND_WALK_BUDGET, lines
