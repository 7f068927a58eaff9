"""A Griffe extension: show the doctest examples of tape's docstrings as code in the API pages.

tape's docstrings carry their examples as bare doctests (they run in the test suite). Markdown
would read a line that starts with ``>>>`` as a quote three levels deep, so each doctest run of
lines (prompts, continuation lines and the expected output) is wrapped in a ``pycon`` fence.
Docstrings with a numpy ``Examples`` section are left alone: that parser handles doctests itself.
"""

from __future__ import annotations

import re
from typing import Any

import griffe

_EXAMPLES_SECTION = re.compile(r"^Examples\n-{3,}$", re.M)


def fence_doctests(text: str) -> str:
    """Wrap every doctest block (from a ``>>>`` line up to a blank line) in a pycon fence."""
    if _EXAMPLES_SECTION.search(text) or "```pycon" in text:
        return text
    out: list[str] = []
    in_block = False
    for line in text.split("\n"):
        stripped = line.strip()
        if not in_block and stripped.startswith(">>>"):
            if out and out[-1].strip():
                out.append("")  # a fence must not glue onto the paragraph above
            out.append("```pycon")
            in_block = True
        elif in_block and not stripped:
            out.append("```")
            in_block = False
        out.append("" if in_block and stripped == "<BLANKLINE>" else line)
    if in_block:
        out.append("```")
    return "\n".join(out)


class DoctestFences(griffe.Extension):
    """Fence the doctests of every docstring once the object tree is loaded."""

    def on_object(self, *, obj: griffe.Object, loader: griffe.GriffeLoader, **kwargs: Any) -> None:
        if obj.docstring is not None:
            obj.docstring.value = fence_doctests(obj.docstring.value)
