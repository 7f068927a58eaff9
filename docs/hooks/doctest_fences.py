"""A Griffe extension: show the doctest examples of tape's docstrings as code in the API pages.

tape's docstrings carry their examples as bare doctests (they run in the test suite). Markdown
would read a line that starts with ``>>>`` as a quote three levels deep, and code copied with
its prompts does not run. So each doctest run of lines (up to a blank line) becomes a
``python`` block of its source, without the ``>>>`` and ``...`` prompts or doctest directives,
and a ``text`` block of the output that follows it: the copy button copies runnable code.
Docstrings with a numpy ``Examples`` section are left alone: that parser handles doctests itself.
"""

from __future__ import annotations

import re
from typing import Any

import griffe

_EXAMPLES_SECTION = re.compile(r"^Examples\n-{3,}$", re.M)
_DIRECTIVE = re.compile(r"\s*# doctest:.*$")


def _fence(lang: str, lines: list[str]) -> list[str]:
    return [f"```{lang}", *lines, "```", ""]


def render_doctest(lines: list[str]) -> list[str]:
    """One doctest run (source and output lines, no blank line) as python and text blocks."""
    indent = lines[0][: len(lines[0]) - len(lines[0].lstrip())]
    out: list[str] = []
    code: list[str] = []
    output: list[str] = []
    for line in lines:
        body = line[len(indent) :] if line.startswith(indent) else line.lstrip()
        is_source = body.startswith(">>>") or (code and not output and body.startswith("..."))
        if is_source:
            if output:  # a new statement after some output: close the pair
                out += _fence("python", code) + _fence("text", output)
                code, output = [], []
            code.append(_DIRECTIVE.sub("", body[4:]))
        else:
            output.append("" if body == "<BLANKLINE>" else body)
    out += _fence("python", code)
    if output:
        out += _fence("text", output)
    return out[:-1]  # no blank line after the last fence


def fence_doctests(text: str) -> str:
    """Replace every doctest run (from a ``>>>`` line up to a blank line) by code blocks."""
    if _EXAMPLES_SECTION.search(text) or "```" in text:
        return text
    out: list[str] = []
    run: list[str] = []
    for line in [*text.split("\n"), ""]:
        if run and not line.strip():
            if out and out[-1].strip():
                out.append("")  # a fence must not glue onto the paragraph above
            out += render_doctest(run)
            run = []
        if run or line.strip().startswith(">>>"):
            run.append(line)
        else:
            out.append(line)
    return "\n".join(out[:-1])


class DoctestFences(griffe.Extension):
    """Fence the doctests of every docstring once the object tree is loaded."""

    def on_object(self, *, obj: griffe.Object, loader: griffe.GriffeLoader, **kwargs: Any) -> None:
        if obj.docstring is not None:
            obj.docstring.value = fence_doctests(obj.docstring.value)
