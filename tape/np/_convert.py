"""How `tape.np` functions take their arguments, and write `out=`.

An array argument may be a `tape.np` array (used as it is: one class test on the hot path), a
number, a list or a NumPy array (converted, float32 for Python numbers as `np.array` does). A
legacy `nd` array is refused with the conversion to use: the two interfaces differ in shapes
and dtypes (`nd` has no 0-d arrays), so mixing them silently would change results.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as onp

from .._primitive import Primitive
from ..creation import into as _into
from ..ndarray import NDArray
from ..ops.elementwise import NUMPY_SCALARS
from ._creation import asarray
from ._ndarray import ndarray

__all__ = ["array_arg", "operand", "unary", "binary", "bool_op", "boolean", "into"]

_CONVERTIBLE = (int, float, complex, list, tuple, range, onp.ndarray, *NUMPY_SCALARS)


def array_arg(x: Any, fname: str, arg: str) -> ndarray:
    """`x` as a `tape.np` array, or a TypeError that names the function and the argument.

    `fname` is a name in `np` (`"exp"`, `"linalg.norm"`) or one given with `npx.`.
    """
    if isinstance(x, ndarray):
        return x
    where = fname if fname.startswith("npx.") else f"np.{fname}"
    if isinstance(x, NDArray):
        raise TypeError(
            f"{where}: {arg} is a legacy nd array; tape.np functions take tape.np arrays: "
            f"convert it with {arg}.as_np_ndarray()"
        )
    if isinstance(x, _CONVERTIBLE):
        return asarray(x)
    raise TypeError(f"{where}: {arg} must be an array, a number or a list of numbers, not {type(x).__name__}")


def operand(x: Any, fname: str, arg: str) -> Any:
    """An operand of an elementwise op: an array, or a number (which keeps the array's dtype).

    A NumPy scalar counts as the Python number it holds (`np.float64(2) * x` stays float32).
    """
    t = type(x)
    if t is ndarray or t is int or t is float or t is bool:
        return x
    if isinstance(x, NUMPY_SCALARS):
        return x.item()
    return array_arg(x, fname, arg)


def into(out: Any, result: NDArray, fname: str) -> NDArray:
    """`result`, or `out` with `result` written into it (NumPy's `out=`): `creation.into`."""
    return result if out is None else _into(out, result, f"np.{fname}", ndarray)


def unary(op: Primitive, x: Any, out: Any, fname: str) -> Any:
    """`op(x)` for an elementwise function of one array."""
    result = op(x if x.__class__ is ndarray else array_arg(x, fname, "x"))
    return result if out is None else into(out, result, fname)


def binary(op: Primitive, x1: Any, x2: Any, out: Any, fname: str) -> Any:
    """`op(x1, x2)` for an elementwise function of two operands, broadcast as NumPy does."""
    a = x1 if x1.__class__ is ndarray else operand(x1, fname, "x1")
    b = x2 if x2.__class__ is ndarray else operand(x2, fname, "x2")
    if not isinstance(a, NDArray) and not isinstance(b, NDArray):
        a = asarray(a)  # two numbers: a 0-d array of the default dtype, as np.array(number)
    result = op(a, b)
    return result if out is None else into(out, result, fname)


_BOOLEAN: dict[Callable[..., Any], Primitive] = {}


def bool_op(f: Callable[..., onp.ndarray], name: str) -> Primitive:
    """The primitive (not differentiable) of the NumPy function `f`, whose values are bools."""
    op = _BOOLEAN.get(f)
    if op is None:
        op = _BOOLEAN[f] = Primitive(name, f, differentiable=False)
    return op


def boolean(f: Callable[..., onp.ndarray], args: tuple[Any, ...], out: Any, fname: str) -> Any:
    """`f(*args)` for a NumPy function with bool values: a constant, never recorded."""
    op = bool_op(f, fname)
    arrays = [operand(a, fname, f"x{i}" if len(args) > 1 else "x") for i, a in enumerate(args, 1)]
    if not any(isinstance(a, NDArray) for a in arrays):
        arrays[0] = asarray(arrays[0])
    result = op(*arrays)
    return result if out is None else into(out, result, fname)
