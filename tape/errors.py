"""The exception raised for misuse of the graph."""

from __future__ import annotations

__all__ = ["AutogradError"]


class AutogradError(RuntimeError):
    """Raised when the recorded graph cannot do what was asked; the message names the fix.

    >>> from tape import AutogradError, nd
    >>> try:
    ...     nd.ones(2).backward()
    ... except AutogradError as e:
    ...     print("record()" in str(e))
    True
    """
