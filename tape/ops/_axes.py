"""Axis arguments as the ops take them: negative counts from the end, out of range is an error.

The one place that checks an axis against an array's dimensions and words the error, for every
op module (reductions, joins, softmax, take, squeeze...).
"""

from __future__ import annotations

import operator
from collections.abc import Sequence

import numpy as np

from .._args import wrong_type
from ..errors import ArgumentError

__all__ = ["axes_index", "axis_index"]


def axis_index(ndim: int, axis: int, what: str = "", arg: str = "axis") -> int:
    """`axis` (negative counting from the end) as an index in ``range(ndim)``.

    Out of range is a ValueError, anything but an integer a TypeError; `what`, when given,
    names the function at the start of the message, and `arg` the argument.

    >>> axis_index(3, -1)
    2
    >>> axis_index(2, 2, "nd.softmax")
    Traceback (most recent call last):
    ...
    tape.errors.ArgumentError: nd.softmax: axis 2 is out of range: it takes an axis from -2 to 1
    >>> axis_index(2, "1", "nd.concat", "dim")
    Traceback (most recent call last):
    ...
    TypeError: nd.concat: dim must be an int, not str '1'
    """
    try:
        axis = operator.index(axis)  # a Python or NumPy integer, as a Python int
    except TypeError:
        raise wrong_type(what or "tape", arg, "an int", axis) from None
    if not -ndim <= axis < ndim:
        where = f"{what}: " if what else ""
        raise ArgumentError(
            f"{where}{arg} {axis} is out of range: it takes an axis from {-ndim} to {ndim - 1}"
            if ndim
            else f"{where}{arg} {axis} is out of range: an array of no dimensions has no axes"
        )
    return axis % ndim


def axes_index(ndim: int, axis: int | Sequence[int], what: str = "", arg: str = "axis") -> tuple[int, ...]:
    """One axis or several (a tuple or list), each checked as by `axis_index`: sorted, without
    repeats.

    >>> axes_index(3, (-1, 0, 2))
    (0, 2)
    """
    if isinstance(axis, int | np.integer):
        return (axis_index(ndim, axis, what, arg),)
    if not isinstance(axis, tuple | list):
        raise wrong_type(what or "tape", arg, "an int or a tuple of ints", axis)
    for a in axis:  # the check inline: a reduction over a tuple of axes is a common call
        if not (isinstance(a, int | np.integer) and -ndim <= a < ndim):
            axis_index(ndim, a, what, arg)  # raises
    return tuple(sorted({int(a) % ndim for a in axis}))
