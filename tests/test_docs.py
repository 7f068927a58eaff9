"""Every python code block of the documentation runs, and prints what the page says it prints.

Conventions for docs/**/*.md (see docs/contributing-docs.md):
- the ```python blocks of one page run in order, in one namespace, in a fresh working folder;
- a ```text block right after a python block is that block's expected standard output,
  compared line by line (trailing spaces ignored);
- a python block preceded by the line ``<!-- no-run -->`` is shown but not run (use rarely).
"""

from __future__ import annotations

import contextlib
import importlib.util
import inspect
import io
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import pytest

from tape._methods import Methods

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
NO_RUN = "<!-- no-run -->"
_FENCE = re.compile(
    r"^(?P<indent>[ \t]*)```(?P<info>[^\n`]*)\n(?P<body>.*?)^(?P=indent)```[ \t]*$", re.M | re.S
)


@dataclass(frozen=True)
class Block:
    lang: str
    code: str
    line: int
    skipped: bool
    expected: str | None = None


def _dedent(body: str, indent: str) -> str:
    return "\n".join(line[len(indent) :] if line.startswith(indent) else line for line in body.split("\n"))


def blocks_of(text: str) -> list[Block]:
    """The fenced python blocks of a page, each with the text block that follows it, if any."""
    fences = list(_FENCE.finditer(text))
    found: list[Block] = []
    for k, m in enumerate(fences):
        lang = m.group("info").strip().split(" ")[0]
        if lang != "python":
            continue
        before = text[: m.start()].rstrip().rsplit("\n", 1)[-1].strip()
        expected = None
        if k + 1 < len(fences):
            nxt = fences[k + 1]
            if nxt.group("info").strip() == "text" and not text[m.end() : nxt.start()].strip():
                expected = _dedent(nxt.group("body"), nxt.group("indent"))
        code = _dedent(m.group("body"), m.group("indent"))
        line = text.count("\n", 0, m.start()) + 2
        found.append(Block(lang, code, line, before == NO_RUN, expected))
    return found


def _normal(output: str) -> list[str]:
    return [line.rstrip() for line in output.strip("\n").split("\n")]


PAGES = sorted(p for p in DOCS.rglob("*.md") if "hooks" not in p.parts)
CODE_PAGES = [p for p in PAGES if blocks_of(p.read_text(encoding="utf-8"))]


def test_the_docs_have_pages_with_code() -> None:
    assert sum(len(blocks_of(p.read_text(encoding="utf-8"))) for p in PAGES) >= 30


@pytest.mark.parametrize("page", CODE_PAGES, ids=[str(p.relative_to(DOCS)) for p in CODE_PAGES])
def test_page_code_runs_and_prints_what_the_page_shows(
    page: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tape import autograd

    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {"__name__": f"docs_{page.stem}"}
    for block in blocks_of(page.read_text(encoding="utf-8")):
        if block.skipped:
            continue
        where = f"{page.relative_to(ROOT)}, code block at line {block.line}"
        out = io.StringIO()
        try:
            with contextlib.redirect_stdout(out):
                exec(compile(block.code, where, "exec"), namespace)
        except Exception as e:
            raise AssertionError(f"{where} raised {type(e).__name__}: {e}") from e
        finally:
            # A block that fails inside a scope must not leave recording on for the next test.
            autograd.set_recording(False)
            autograd.set_training(False)
        if block.expected is not None:
            got = out.getvalue()
            assert _normal(got) == _normal(block.expected), (
                f"{where} printed\n{got}\nbut the page shows\n{block.expected}"
            )


def test_a_text_block_after_python_is_its_expected_output() -> None:
    page = "```python\nprint(1)\n```\n\n```text\n1\n```\n"
    assert blocks_of(page) == [Block("python", "print(1)\n", 2, False, "1\n")]


def test_the_no_run_marker_skips_only_the_next_block() -> None:
    page = "<!-- no-run -->\n```python\nimport missing\n```\n```python\nx = 1\n```\n"
    assert [b.skipped for b in blocks_of(page)] == [True, False]


def test_indented_blocks_inside_admonitions_are_found() -> None:
    page = "!!! note\n    ```python\n    x = 1\n    ```\n"
    assert blocks_of(page)[0].code == "x = 1\n"


# ---- the tools that build the site -----------------------------------------------------------
def _load(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[path.stem] = module
    spec.loader.exec_module(module)
    return module


@pytest.mark.skipif(importlib.util.find_spec("griffe") is None, reason="the docs tools are not installed")
def test_doctests_in_docstrings_become_code_without_prompts_and_their_output() -> None:
    fences = _load(DOCS / "hooks" / "doctest_fences.py")
    text = "Sum.\n\n>>> f(1)\n<BLANKLINE>\n[1.]\n\nMore."
    assert fences.fence_doctests(text) == "Sum.\n\n```python\nf(1)\n```\n\n```text\n\n[1.]\n```\n\nMore."


@pytest.mark.skipif(importlib.util.find_spec("griffe") is None, reason="the docs tools are not installed")
def test_a_doctest_becomes_one_code_block_per_output_without_directives() -> None:
    fences = _load(DOCS / "hooks" / "doctest_fences.py")
    text = ">>> for i in range(2):\n...     i\n0\n1\n>>> x = f()  # doctest: +ELLIPSIS\n>>> x"
    assert blocks_of(fences.fence_doctests(text)) == [
        Block("python", "for i in range(2):\n    i\n", 2, False, "0\n1\n"),
        Block("python", "x = f()\nx\n", 12, False),
    ]


def _tape_docstrings() -> dict[str, str]:
    """The docstring of every module, class, function and method of the tape package."""
    import pkgutil

    import tape

    found: dict[str, str] = {}
    for info in pkgutil.walk_packages(tape.__path__, "tape."):
        module = importlib.import_module(info.name)
        objects = [module, *vars(module).values()]
        objects += [m for c in list(objects) if inspect.isclass(c) for m in vars(c).values()]
        for obj in objects:
            doc = inspect.getdoc(obj) if getattr(obj, "__doc__", None) else None
            owner = getattr(obj, "__module__", module.__name__) or ""
            if doc and ">>>" in doc and owner.startswith("tape"):
                found[f"{owner}.{getattr(obj, '__qualname__', '')}"] = doc
    return found


@pytest.mark.skipif(importlib.util.find_spec("griffe") is None, reason="the docs tools are not installed")
def test_the_api_reference_examples_copy_as_code_that_compiles() -> None:
    # What the copy button of an API page copies is the text of one python block.
    fences = _load(DOCS / "hooks" / "doctest_fences.py")
    docstrings = _tape_docstrings()
    assert len(docstrings) > 100
    for name, doc in docstrings.items():
        for block in blocks_of(fences.fence_doctests(doc)):
            assert ">>>" not in block.code, name
            compile(block.code, name, "exec")


@pytest.mark.skipif(importlib.util.find_spec("griffe") is None, reason="the docs tools are not installed")
def test_numpy_examples_sections_are_left_to_the_numpy_parser() -> None:
    fences = _load(DOCS / "hooks" / "doctest_fences.py")
    text = "Sum.\n\nExamples\n--------\n>>> f(1)\n2"
    assert fences.fence_doctests(text) == text


def test_every_page_is_in_the_navigation() -> None:
    nav = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    missing = [str(p.relative_to(DOCS)) for p in PAGES if str(p.relative_to(DOCS)) not in nav]
    assert missing == []


_DRAWING_TOOLS = all(importlib.util.find_spec(m) is not None for m in ("matplotlib", "mkdocs"))


@pytest.mark.skipif(not _DRAWING_TOOLS, reason="the docs tools are not installed")
def test_figure_hook_derivatives_are_taken_by_tape_correctly() -> None:
    import numpy as np

    from tape import nd

    figures = _load(DOCS / "hooks" / "figures.py")
    grid = np.linspace(-3, 3, 50)
    d = figures.derivatives(nd.tanh, grid, 2)
    t = np.tanh(grid)
    np.testing.assert_allclose(d[2], -2 * t * (1 - t**2), rtol=1e-12, atol=1e-15)


@pytest.mark.skipif(not _DRAWING_TOOLS, reason="the docs tools are not installed")
def test_figure_hook_newton_path_reaches_rosenbrocks_minimum() -> None:
    import numpy as np

    figures = _load(DOCS / "hooks" / "figures.py")
    path = figures.newton_path(figures.rosenbrock, [-1.2, 1.0], 6)
    assert path.shape == (7, 2)
    np.testing.assert_allclose(path[-1], [1.0, 1.0], rtol=0, atol=1e-9)


@pytest.mark.skipif(not _DRAWING_TOOLS, reason="the docs tools are not installed")
def test_figure_hook_draws_a_graph_without_graphviz() -> None:
    from tape import viz

    figures = _load(DOCS / "hooks" / "figures.py")
    head, names = figures.neuron_graph()
    svg = figures.draw_graph(viz.walk(head, names=names))
    assert svg.lstrip().startswith(b"<?xml") and b"sigmoid" in svg


@pytest.mark.skipif(not _DRAWING_TOOLS, reason="the docs tools are not installed")
def test_figure_hook_feature_maps_are_those_of_the_trained_filters() -> None:
    import numpy as np

    figures = _load(DOCS / "hooks" / "figures.py")
    image, filters, maps = figures.cnn_feature_maps(epochs=1)
    assert image.shape == (8, 8) and filters.shape == (16, 3, 3) and maps.shape == (16, 8, 8)
    assert maps.min() >= 0 and (maps.reshape(16, -1).max(axis=1) > 0).sum() >= 8  # most filters fire
    # Each map is its filter slid over the zero-padded image (plus a bias), through the ReLU:
    # where the map is positive, its differences between positions are the filter's.
    padded = np.pad(image, 1)
    windows = np.lib.stride_tricks.sliding_window_view(padded, (3, 3))
    raw = np.einsum("ijkl,fkl->fij", windows, filters)
    k = int(np.argmax(maps.reshape(16, -1).max(axis=1)))
    on = maps[k] > 0
    bias = (maps[k] - raw[k])[on]
    np.testing.assert_allclose(bias, bias[0], atol=1e-5)


def test_the_ndarray_reference_lists_every_method_that_is_an_op() -> None:
    # Those methods are the op functions themselves, which the API reference does not render
    # as methods: the page lists them by hand, and this keeps the list exact.
    ops = {
        name
        for name, value in vars(Methods).items()
        if inspect.isfunction(value) and value.__module__.startswith("tape.ops") and name[0] != "_"
    }
    page = (DOCS / "reference" / "ndarray.md").read_text()
    names = page.split("## Methods that are ops")[1].strip().split("\n\n")[-1]  # the last paragraph
    listed = set(re.findall(r"`(\w+)`", names))
    assert listed == ops - {"copy"}, sorted(listed ^ (ops - {"copy"}))


def _directive_members(page: str) -> list[str]:
    """The dotted names that the `::: module` directives of a page render, with `members:`."""
    names = []
    for block in re.finditer(r"^::: (\S+)\n((?:    .*\n)+)", page, re.M):
        root = block.group(1)
        members = re.findall(r"^        - (\w+)$", block.group(2), re.M)
        names += [f"{root}.{m}" for m in members] or [root]
    return names


def _resolve(dotted: str) -> object:
    module, _, attr = dotted.partition(".")
    obj: object = importlib.import_module(module)
    for part in attr.split("."):
        obj = getattr(obj, part)
    return obj


# Each reference page and the module (or class) it documents.
_REFERENCE_PAGES = [
    ("tape.md", "tape"),
    ("autograd.md", "tape.autograd"),
    ("nd.md", "tape.nd"),
    ("ndarray.md", "tape.NDArray"),
    ("np.md", "tape.np"),
    ("npx.md", "tape.npx"),
    ("random.md", "tape.random"),
    ("testing.md", "tape.testing"),
    ("viz.md", "tape.viz"),
    ("demo.md", "tape.demo"),
]
_NAMED_MODULES = [
    ("autograd.md", "tape.autograd"),
    ("nd.md", "tape.nd"),
    ("np.md", "tape.np"),
    ("np.md", "tape.np.linalg"),
    ("np.md", "tape.np.random"),
    ("npx.md", "tape.npx"),
    ("random.md", "tape.random"),
    ("testing.md", "tape.testing"),
    ("viz.md", "tape.viz"),
    ("distributed.md", "tape.kvstore"),
    ("distributed.md", "tape.distributed"),
]


@pytest.mark.parametrize(("page", "module"), _NAMED_MODULES)
def test_the_reference_pages_name_every_public_name(page: str, module: str) -> None:
    text = (DOCS / "reference" / page).read_text(encoding="utf-8")
    mentioned = set(re.findall(r"`(?:\w+\.)*(\w+)[(`]", text))
    missing = [name for name in importlib.import_module(module).__all__ if name not in mentioned]
    assert missing == []


_WITH_MEMBERS = ["tape.md", "autograd.md", "nd.md", "np.md", "npx.md", "random.md", "testing.md", "viz.md"]


@pytest.mark.parametrize("page", _WITH_MEMBERS)
def test_every_name_the_reference_renders_exists(page: str) -> None:
    text = (DOCS / "reference" / page).read_text(encoding="utf-8")
    rendered = _directive_members(text)
    assert rendered
    for dotted in rendered:
        _resolve(dotted)  # raises AttributeError for a name that does not exist


def _summary_names(page: str) -> list[str]:
    """The names in the summary table that opens a page: its first table, column "name(s)"."""
    table = re.search(r"^(\|.*)\n\|[-|]+\|\n((?:\|.*\n)+)", page, re.M)
    assert table is not None, "the page has no summary table"
    column = [c.strip() for c in table.group(1).split("|")].index(
        "names" if "| names |" in table.group(1) else "name"
    )
    cells = [row.split("|")[column] for row in table.group(2).splitlines()]
    return [n for cell in cells for n in re.findall(r"`([A-Za-z_][\w.]*)`", cell)]


@pytest.mark.parametrize(("page", "target"), _REFERENCE_PAGES)
def test_every_name_in_a_summary_table_exists(page: str, target: str) -> None:
    text = (DOCS / "reference" / page).read_text(encoding="utf-8")
    names = _summary_names(text)
    assert names
    short = target.rsplit(".", 1)[-1] + "."  # `npx.random.seed` on the npx page is npx's `random.seed`
    for name in names:
        _resolve(f"{target}.{name.removeprefix(short)}")


def _missing_nd_names(page: str) -> list[str]:
    """The names in the second column of the table under "`nd` names that tape does not have",
    leaving out the replacements given in brackets."""
    section = page.split("## `nd` names that tape does not have")[1].split("\n## ")[0]
    rows = [r for r in section.splitlines() if r.startswith("| ") and not r.startswith("| why")]
    cells = [re.sub(r"\([^)]*\)", "", row.split("|")[2]) for row in rows]
    return [name for cell in cells for name in re.findall(r"`(\w+)`", cell)]


def test_the_migration_guide_lists_only_nd_names_that_tape_lacks() -> None:
    from tape import nd

    page = (DOCS / "migrating.md").read_text(encoding="utf-8")
    names = _missing_nd_names(page)
    assert len(names) == len(set(names)) > 40  # a sanity floor: the table was read whole
    counted = re.search(r"tape's `nd` has (\d+) of them.*?one of the (\d+) others", page, re.S)
    assert counted is not None and int(counted.group(2)) == len(names) == 333 - int(counted.group(1))
    present = [name for name in names if hasattr(nd, name)]
    assert present == [], f"tape.nd has these now: remove them from the table in migrating.md: {present}"
