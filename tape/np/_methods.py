"""The methods of `tape.np.ndarray` that are ops, NumPy's protocols, and `install()`.

Like `tape/_methods.py` for NDArray: the class itself (`_ndarray.py`) knows no op, and
`install()` gives it these once, when `tape.np` is imported. The arithmetic operators are
NDArray's own (the same primitives; results keep the class of their input); what changes is
what NumPy does differently: comparisons give bool arrays, indexing and reductions give 0-d
arrays, and the methods take NumPy's arguments.

NumPy's own functions applied to a `tape.np` array (`numpy.exp(x)`, `numpy.sum(x)`) run on its
values and return a `tape.np` array; inside `record()`, where their result would silently leave
the graph, they raise an error naming the `tape.np` function to use. Python's operators with a
NumPy array on the left (`numpy_array * x`) are tape's own operators, recorded as `x * a` is.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as onp

from .. import _methods as _nd_methods
from .._numpy_calls import function_name, numpy_call
from .._primitive import Primitive
from .._xp import as_data, is_device_array
from ..ndarray import index_key
from ..ops import indexing as _ix
from . import _math, _products, _reduction, _shape
from ._convert import bool_op
from ._creation import new
from ._ndarray import ndarray

__all__ = ["install"]

# NumPy's indexing: x[3] of a vector is 0-d (nd's is (1,)); nd's adjoint (a scatter) as it is.
getitem_op: Primitive = Primitive("getitem", lambda x, key: as_data(x[key]), *_ix.getitem_op.vjps)


def _getitem(self: ndarray, key: Any) -> Any:
    return getitem_op(self, key=index_key(key))


def _reshape(self: ndarray, *shape: Any, order: str = "C") -> Any:
    """The array with a new shape, given as a tuple or as ints (`x.reshape(2, -1)`)."""
    if len(shape) == 1 and isinstance(shape[0], tuple | list):
        shape = tuple(shape[0])
    return _shape.reshape(self, shape, order)


def _transpose(self: ndarray, *axes: Any) -> Any:
    """The array with its axes permuted (given as a tuple or as ints; reversed by default)."""
    if len(axes) == 1 and (axes[0] is None or isinstance(axes[0], tuple | list)):
        axes = tuple(axes[0] or ())
    return _shape.transpose(self, axes or None)


def _flatten(self: ndarray, order: str = "C") -> Any:
    """A 1-D copy of the values (NumPy's flatten; nd's keeps the first axis)."""
    return _shape.reshape(self, (self._data.size,), order).copy()


# ---- NumPy's protocols -------------------------------------------------------------------------
_OPERATOR_UFUNCS = {
    "add": _math.add, "subtract": _math.subtract, "multiply": _math.multiply,
    "true_divide": _math.divide, "divide": _math.divide, "power": _math.power,
    "remainder": _math.mod, "matmul": _products.matmul, "equal": _math.equal,
    "not_equal": _math.not_equal, "less": _math.less, "less_equal": _math.less_equal,
    "greater": _math.greater, "greater_equal": _math.greater_equal,
}  # fmt: skip


def _wrapped(result: Any) -> Any:
    if isinstance(result, onp.ndarray | onp.generic) and not isinstance(result, onp.str_ | onp.bytes_):
        return new(onp.asarray(result))
    if is_device_array(result):  # NumPy's function ran on GPU values (through CuPy)
        return new(result)
    if isinstance(result, tuple | list):
        items = [_wrapped(r) for r in result]
        # A named tuple (numpy.linalg.svd's SVDResult) is rebuilt by its fields.
        return result._make(items) if hasattr(result, "_make") else type(result)(items)
    return result


NAMES: set[str] = set()  # the public names of tape.np (`linalg.norm` too), given by install()


def _array_ufunc(self: ndarray, ufunc: onp.ufunc, method: str, *inputs: Any, **kwargs: Any) -> Any:
    operator = _OPERATOR_UFUNCS.get(ufunc.__name__)
    if operator is not None and method == "__call__" and not kwargs:
        return operator(*inputs)  # `numpy_array * x`: tape's operator, recorded
    return numpy_call(ufunc.__name__, inputs, kwargs, getattr(ufunc, method), "tape.np", NAMES, _wrapped)


def _array_function(
    self: ndarray, func: Any, types: Any, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> Any:
    return numpy_call(function_name(func), args, kwargs, func, "tape.np", NAMES, _wrapped)


# ---- install -----------------------------------------------------------------------------------
def _compare(f: Callable[..., onp.ndarray], name: str) -> Callable[..., Any]:
    op = bool_op(f, name)
    return _nd_methods.binary_operator(op)


def install(names: set[str]) -> None:
    """Give `ndarray` its NumPy-style methods and protocols; `names` are tape.np's public names.

    >>> from tape import np
    >>> np.array([[1, 2], [3, 4]]).sum(axis=0), np.array([3, 1]).argmax()
    (array([4., 6.]), array(0, dtype=int64))
    """
    NAMES.update(names)
    _nd_methods.register("np", ndarray)
    methods: dict[str, Any] = {
        "__getitem__": _getitem,
        "__eq__": _compare(onp.equal, "equal"),
        "__ne__": _compare(onp.not_equal, "not_equal"),
        "__lt__": _compare(onp.less, "less"),
        "__le__": _compare(onp.less_equal, "less_equal"),
        "__gt__": _compare(onp.greater, "greater"),
        "__ge__": _compare(onp.greater_equal, "greater_equal"),
        "__and__": _compare(onp.bitwise_and, "bitwise_and"),
        "__or__": _compare(onp.bitwise_or, "bitwise_or"),
        "__xor__": _compare(onp.bitwise_xor, "bitwise_xor"),
        "__invert__": lambda self: bool_op(onp.invert, "invert")(self),
        "__matmul__": _products.matmul,
        "__rmatmul__": lambda self, other: _products.matmul(other, self),
        "__array_ufunc__": _array_ufunc,
        "__array_function__": _array_function,
        "reshape": _reshape,
        "transpose": _transpose,
        "flatten": _flatten,
    }
    for f in (
        _reduction.sum, _reduction.mean, _reduction.max, _reduction.min, _reduction.prod,
        _reduction.std, _reduction.var, _reduction.argmax, _reduction.argmin, _reduction.cumsum,
        _reduction.all, _reduction.any, _shape.ravel, _shape.squeeze, _shape.swapaxes,
        _shape.repeat, _math.clip, _math.round, _math.nonzero, _products.dot,
    ):  # fmt: skip
        methods[f.__name__] = f  # the function itself: the array is its first argument
    for name, value in methods.items():
        setattr(ndarray, name, value)
