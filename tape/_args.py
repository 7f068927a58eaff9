"""The arguments of the public `nd` functions: what each kind takes, and the words of its errors.

An argument of the wrong type raises a TypeError (a wrong value, such as an axis out of range,
a ValueError) that names the function, the argument, what it takes and, where there is one,
the fix: ``nd.exp: data must be an NDArray (or a NumPy array), not list: make one with
nd.array(...)``. Never NumPy's incidental error, and never a silent conversion (NumPy would
turn a list into a float64 array, a string into a shape).

What each kind of argument takes:
- an array: an NDArray, or a NumPy array (taken as a constant, without a copy);
- an operand of an elementwise op of two arrays: an array, or a Python or NumPy number;
- a shape (and the like: `reps`, `size`): an int, or a tuple (or list, or 1-D NumPy array) of ints;
- a count (`num_outputs`, `depth`, ...): an int, 0 or more;
- a file name: a str or `os.PathLike`.
Axes are checked where they are resolved, in `ops/_axes.py`.

The checks cost the common call nothing measurable: the one-array primitive calls `loose` only
for an input that is not an NDArray; elsewhere a check is one type test in a function that
does far more work.
"""

from __future__ import annotations

import operator
import os
from typing import Any

import numpy as np

from .errors import ArgumentError
from .ndarray import NDArray

__all__ = [
    "NUMBERS", "array", "count", "describe", "int_tuple", "loose", "narrowing", "not_an_array", "operand",
    "path", "wrong_type",
]  # fmt: skip

# The types that hold one number (bool is an int).
NUMBERS = (int, float, complex, np.number, np.bool_)
AN_ARRAY = "an NDArray (or a NumPy array)"
_FIX_ARRAY = "make one with nd.array(...)"
_MAKES_AN_ARRAY = (list, tuple, *NUMBERS)  # what nd.array takes


_SHOWN = frozenset((str, bytes, bool, int, float, tuple, list, dict))  # values that a message shows


def describe(value: Any) -> str:
    """The type of `value` as a message names it, with the value itself when short.

    >>> describe(None), describe("2"), describe([1.5]), describe(np.float64(1))
    ('None', "str '2'", 'list [1.5]', 'numpy.float64')
    """
    if value is None:
        return "None"
    t = type(value)
    name = t.__name__ if t.__module__ == "builtins" else f"{t.__module__.partition('.')[0]}.{t.__name__}"
    if t in _SHOWN and len(text := repr(value)) <= 30:
        return f"{name} {text}"
    return name


def wrong_type(where: str, arg: str, takes: str, value: Any, fix: str = "") -> TypeError:
    """The TypeError for `value` given as argument `arg` of `where`, which takes `takes`."""
    return TypeError(f"{where}: {arg} must be {takes}, not {describe(value)}" + (f": {fix}" if fix else ""))


def not_an_array(where: str, arg: str, value: Any, takes: str = AN_ARRAY) -> TypeError:
    """The TypeError for `value` where an array is expected, with the fix for a list or a number."""
    # nd.array makes an array of a list or a number; of anything else, it cannot.
    fix = _FIX_ARRAY if isinstance(value, _MAKES_AN_ARRAY) else ""
    return wrong_type(where, arg, takes, value, fix)


def loose(value: Any, where: str, arg: str = "data") -> np.ndarray:
    """An input of a one-array op that is not an NDArray: a NumPy array, as it is.

    >>> loose([1, 2], "nd.exp")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    TypeError: nd.exp: data must be an NDArray (or a NumPy array), not list [1, 2]: make one with ...
    """
    if isinstance(value, np.ndarray):
        return value
    raise not_an_array(where, arg, value)


def array(value: Any, where: str, arg: str = "data") -> NDArray:
    """`value` as an array argument of `where`: an NDArray as it is, a NumPy array wrapped.

    >>> array(np.ones(2), "nd.sum").shape
    (2,)
    """
    if isinstance(value, NDArray):
        return value
    if isinstance(value, np.ndarray):
        return NDArray(value)
    raise not_an_array(where, arg, value)


def operand(value: Any, where: str, arg: str) -> Any:
    """An operand of an elementwise op of two arrays that is not an NDArray: a NumPy array as
    it is, a number as a Python number (a NumPy scalar leaves an array's dtype as a Python
    number does).

    >>> operand(np.float32(0.5), "nd.add", "rhs")
    0.5
    """
    if isinstance(value, np.ndarray | NDArray):
        return value
    if isinstance(value, NUMBERS):
        return value.item() if isinstance(value, np.generic) else value
    raise not_an_array(where, arg, value, "an NDArray, a NumPy array or a number")


def int_tuple(value: Any, where: str, arg: str = "shape") -> tuple[int, ...]:
    """A shape-like argument (an int, or a tuple, list or 1-D NumPy array of ints) as a tuple of
    ints.

    >>> int_tuple(3, "nd.zeros"), int_tuple([2, np.int64(3)], "nd.zeros")
    ((3,), (2, 3))
    >>> int_tuple("3", "nd.zeros")
    Traceback (most recent call last):
    ...
    TypeError: nd.zeros: shape must be an int or a tuple of ints, not str '3'
    """
    if isinstance(value, int | np.integer):
        return (operator.index(value),)
    if isinstance(value, np.ndarray) and value.ndim == 1 and value.dtype.kind in "iu":
        return tuple(value.tolist())
    if isinstance(value, tuple | list):
        try:
            return tuple([operator.index(n) for n in value])
        except TypeError:
            pass
    raise wrong_type(where, arg, "an int or a tuple of ints", value)


def count(value: Any, where: str, arg: str) -> int:
    """A count (a number of outputs, a depth, a length): an int, 0 or more.

    >>> count(np.int32(3), "nd.one_hot", "depth")
    3
    """
    try:
        n = operator.index(value)
    except TypeError:
        raise wrong_type(where, arg, "an int", value) from None
    if n < 0:
        raise ArgumentError(f"{where}: {arg} must be 0 or more, not {n}")
    return n


def path(value: Any, where: str, arg: str = "fname") -> str | os.PathLike[str]:
    """A file name: a str or `os.PathLike` (not an int, which `open` takes as a file descriptor).

    >>> path("params.npz", "nd.save")
    'params.npz'
    """
    if isinstance(value, str | os.PathLike):
        return value
    raise wrong_type(where, arg, "a file name (a str or os.PathLike)", value)


def narrowing(symbol: str, dtype: np.dtype[Any], result: np.dtype[Any]) -> TypeError:
    """The TypeError of an in-place operator (`x += y` for `symbol` "+") whose `result` would
    be cut to the array's `dtype`: a float result into an integer array, an int into a bool one.

    >>> print(narrowing("+", np.dtype("int32"), np.dtype("float64")))  # doctest: +ELLIPSIS
    x += y cannot keep the int32 array x in place: its float64 result would be cut to int32. ...
    """
    to = "float32" if result.kind == "f" else result
    return TypeError(
        f"x {symbol}= y cannot keep the {dtype} array x in place: its {result} result would be cut to "
        f"{dtype}. Write it out of place, x = x {symbol} y, or convert x first, x = x.astype('{to}')"
    )
