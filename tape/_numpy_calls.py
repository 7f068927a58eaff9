"""NumPy's own functions on tape arrays (`numpy.exp(x)`, `numpy.sum(x)`, `numpy.all(x)`).

They run on the values. Inside `record()`, on an array that is in a graph, NumPy's result would
silently have no gradient, so they raise instead, naming tape's function to use. Python's
operators with a NumPy operand on the left (`numpy_array * x`) stay tape's recorded operators.
`tape.np` gives its arrays these protocols with its own names and result class (np/_methods.py);
`nd` arrays get them here, with NumPy's results as they are.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any

from . import nd
from ._state import flags
from .errors import AutogradError
from .ndarray import NDArray

__all__ = ["array_function", "array_ufunc", "function_name", "numpy_call"]


def _values(x: Any) -> Any:
    if isinstance(x, NDArray):
        return x._data
    if isinstance(x, list | tuple):
        return type(x)(_values(v) for v in x)
    return x


def _in_graph(x: Any) -> bool:
    if isinstance(x, NDArray):
        return x._node is not None
    return isinstance(x, list | tuple) and any(_in_graph(v) for v in x)


def _tape_arrays(x: Any) -> bool:
    return isinstance(x, NDArray) or (isinstance(x, list | tuple) and any(_tape_arrays(v) for v in x))


def numpy_call(
    name: str,
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    run: Callable[..., Any],
    api: str,
    names: Collection[str],
    finish: Callable[[Any], Any],
) -> Any:
    """Run NumPy's `name` on the values of tape arrays, unless that would lose a gradient.

    `name` is the function's name in NumPy below `numpy.` (`exp`, `linalg.norm`); `api` is
    the tape namespace (`tape.np`) whose `names` the error suggests; `finish` makes NumPy's
    result the namespace's own.
    """
    if flags.recording and (_in_graph(args) or _in_graph(tuple(kwargs.values()))):
        use = f"{api}.{name}" if name in names else f"{api}'s functions ({api} has no {name})"
        raise AutogradError(
            f"numpy.{name} was called inside autograd.record() on a tape array that is in a graph: "
            f"NumPy does not record, so its result would silently have no gradient. Use {use}, or "
            "detach() the array first if no gradient should flow"
        )
    values = {k: _values(v) for k, v in kwargs.items()}
    out = kwargs.get("out")
    if out is not None:
        if _tape_arrays(out):
            raise TypeError(
                f"numpy.{name}(..., out=) cannot write into a tape array: use {api}.{name}(..., out=)"
            )
        return run(*_values(args), **values)  # NumPy's own out array, as NumPy returns it
    return finish(run(*_values(args), **values))


def function_name(func: Any) -> str:
    """NumPy's name of `func` below `numpy.`: `numpy.linalg.norm` is `linalg.norm`; private
    modules are not named."""
    module = (getattr(func, "__module__", None) or "numpy").partition(".")[2]
    return f"{module}.{func.__name__}" if module and not module.startswith("_") else func.__name__


# The ufuncs of Python's operators, as the operator of the tape array on the left and on the
# right: `numpy_array * x` is NumPy's multiply(numpy_array, x), which is `x.__rmul__(numpy_array)`.
_OPERATORS = {
    "add": ("__add__", "__radd__"), "subtract": ("__sub__", "__rsub__"),
    "multiply": ("__mul__", "__rmul__"), "true_divide": ("__truediv__", "__rtruediv__"),
    "divide": ("__truediv__", "__rtruediv__"), "power": ("__pow__", "__rpow__"),
    "remainder": ("__mod__", "__rmod__"), "equal": ("__eq__", "__eq__"),
    "not_equal": ("__ne__", "__ne__"), "less": ("__lt__", "__gt__"),
    "less_equal": ("__le__", "__ge__"), "greater": ("__gt__", "__lt__"),
    "greater_equal": ("__ge__", "__le__"),
}  # fmt: skip
_ND_NAMES = frozenset(nd.__all__)


def _same(result: Any) -> Any:
    return result


def array_ufunc(self: NDArray, ufunc: Any, method: str, *inputs: Any, **kwargs: Any) -> Any:
    """NumPy's ufuncs on `nd` arrays: an operator's ufunc is tape's operator (recorded); any
    other runs on the values (see `numpy_call`)."""
    names = _OPERATORS.get(ufunc.__name__)
    if names is not None and method == "__call__" and not kwargs and len(inputs) == 2:
        left = isinstance(inputs[0], NDArray)
        tape_array, other = (inputs[0], inputs[1]) if left else (inputs[1], inputs[0])
        return getattr(tape_array, names[0] if left else names[1])(other)
    return numpy_call(ufunc.__name__, inputs, kwargs, getattr(ufunc, method), "tape.nd", _ND_NAMES, _same)


def array_function(
    self: NDArray, func: Any, types: Any, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> Any:
    """NumPy's functions on `nd` arrays (`numpy.sum(x)`): run on the values (see `numpy_call`)."""
    return numpy_call(function_name(func), args, kwargs, func, "tape.nd", _ND_NAMES, _same)
