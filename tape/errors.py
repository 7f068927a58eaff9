"""tape's exceptions, and how they line up with MXNet's `MXNetError`.

MXNet raises `mxnet.base.MXNetError` (a `RuntimeError`) for nearly everything its engine
refuses: a graph it cannot differentiate, an op's bad shape, axis or mode, a GPU it cannot
use. Programs catch it (D2L's `try_gpu()` falls back to the CPU on it). tape keeps the built-in
type each of its errors has always had and makes the same errors ALSO MXNetErrors:

- `AutogradError` (graph misuse) is an `MXNetError`, hence a `RuntimeError`, as in MXNet;
- `ArgumentError` is what an `nd` op, an array creation or a device raises for an argument
  it refuses: a `ValueError` and an `MXNetError` at once, so `except ValueError` and
  `except mx.base.MXNetError` both catch it.

A `TypeError` (an argument of the wrong kind) stays a plain `TypeError`: MXNet's Python layer
raises those before its engine sees them. So do the errors NumPy raises itself inside an op
(two shapes that do not broadcast in `a + b`): checking for them first would cost every call.

>>> import tape as mx
>>> try:
...     mx.nd.ones(2, ctx=mx.gpu(0))
... except mx.base.MXNetError:
...     print("no GPU: computing on", mx.cpu())
no GPU: computing on cpu(0)
"""

from __future__ import annotations

__all__ = ["ArgumentError", "AutogradError", "MXNetError"]


class MXNetError(RuntimeError):
    """The base of the errors that MXNet raises as `mxnet.base.MXNetError` (also `tape.base.MXNetError`).

    >>> from tape import nd
    >>> try:
    ...     nd.ones((2, 3)).reshape((7,))
    ... except MXNetError as e:
    ...     print(isinstance(e, ValueError))
    True
    """


class AutogradError(MXNetError):
    """Raised when the recorded graph cannot do what was asked; the message names the fix.

    >>> from tape import AutogradError, nd
    >>> try:
    ...     nd.ones(2).backward()
    ... except AutogradError as e:
    ...     print("record()" in str(e), isinstance(e, RuntimeError))
    True True
    """


class ArgumentError(ValueError, MXNetError):
    """An op, an array creation or a device refused an argument (a shape, an axis, a mode, a GPU).

    >>> from tape import nd
    >>> try:
    ...     nd.sum(nd.ones((2, 3)), axis=5)
    ... except ValueError as e:
    ...     print(type(e).__name__, isinstance(e, MXNetError))
    ArgumentError True
    """
