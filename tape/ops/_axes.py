"""Axis arguments as the ops take them: negative counts from the end, out of range is an error.

The one place that checks an axis against an array's dimensions and words the error, for every
op module (reductions, joins, softmax, take, squeeze...).
"""

from __future__ import annotations

import operator
from collections.abc import Sequence

import numpy as np

__all__ = ["axes_index", "axis_index"]


def axis_index(ndim: int, axis: int, what: str = "") -> int:
    """`axis` (negative counting from the end) as an index in ``range(ndim)``.

    Out of range is a ValueError; `what`, when given, names the op at the start of the message.

    >>> axis_index(3, -1)
    2
    >>> axis_index(2, 2, "softmax")
    Traceback (most recent call last):
    ...
    ValueError: softmax: axis 2 is out of range for an array of 2 dimensions
    """
    axis = operator.index(axis)  # a Python or NumPy integer, as a Python int
    if not -ndim <= axis < ndim:
        where = f"{what}: " if what else ""
        raise ValueError(f"{where}axis {axis} is out of range for an array of {ndim} dimensions")
    return axis % ndim


def axes_index(ndim: int, axis: int | Sequence[int], what: str = "") -> tuple[int, ...]:
    """One axis or several, each checked as by `axis_index`: sorted, without repeats.

    >>> axes_index(3, (-1, 0, 2))
    (0, 2)
    """
    if isinstance(axis, int | np.integer):
        return (axis_index(ndim, axis, what),)
    axes = tuple(axis)
    for a in axes:  # the check inline: a reduction over a tuple of axes is a common call
        if not -ndim <= a < ndim:
            axis_index(ndim, a, what)  # raises
    return tuple(sorted({int(a) % ndim for a in axes}))
