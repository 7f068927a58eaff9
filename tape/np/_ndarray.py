"""`tape.np.ndarray`: an NDArray with NumPy's conventions, the array of the `np` interface.

It is the same object as an NDArray underneath (the same slots, graph and autograd API); ops
give their results the class of their first array input (`_graph.class_of`), so that `np`
arrays stay `np` arrays through every op and every gradient without a wrapper. What differs is
NumPy's surface: the printed form, the dtype as a NumPy dtype, Python conversions, and the
methods (given by `install()` in `_methods.py`, with NumPy's signatures and 0-d results).
"""

from __future__ import annotations

from typing import Any, NoReturn

import numpy as onp

from .._xp import to_host
from ..ndarray import NDArray

__all__ = ["ndarray"]

_QUIET_DTYPES = (onp.dtype(onp.float32), onp.dtype(onp.bool_))  # printed without `dtype=`


class ndarray(NDArray):  # noqa: N801 - NumPy's (and MXNet's) name
    """An array of the `tape.np` interface: NumPy's methods and printing, tape's autograd.

    >>> from tape import autograd, np
    >>> x = np.array([1, 2, 3])
    >>> x.attach_grad()
    >>> with autograd.record():
    ...     y = (x * x).sum()
    >>> y
    array(14.)
    >>> y.backward()
    >>> x.grad
    array([2., 4., 6.])
    >>> isinstance(x.grad, np.ndarray)
    True
    """

    __slots__ = ()

    @property
    def dtype(self) -> Any:
        """The NumPy dtype of the elements (``dtype('float32')`` by default).

        >>> from tape import np
        >>> np.zeros(2).dtype
        dtype('float32')
        """
        return self._data.dtype

    @property
    def asscalar(self) -> NoReturn:
        """Not on `np` arrays (MXNet's NumPy interface has none either): use `.item()`."""
        raise AttributeError("tape.np.ndarray has no asscalar(): use .item(), NumPy's name for it")

    def item(self, *args: Any) -> Any:
        """The value of a one-element array (or of the element at `args`) as a Python scalar.

        >>> from tape import np
        >>> np.array([1.5, 2.5]).sum().item()
        4.0
        """
        return to_host(self._data).item(*args)

    def as_nd_ndarray(self) -> NDArray:
        """The same values as a legacy `nd` array, sharing memory; gradients flow through it.

        >>> from tape import np
        >>> np.array([1, 2]).as_nd_ndarray().sum()
        <BLANKLINE>
        [3.]
        <NDArray 1 @cpu(0)>
        """
        return self.as_interface(NDArray)

    # ---- printing: NumPy's form, with MXNet's rule for the dtype ----------------------------
    def __repr__(self) -> str:
        body = onp.array2string(self._data, separator=", ", prefix="array(")
        if self._data.dtype in _QUIET_DTYPES:
            return f"array({body})"
        return f"array({body}, dtype={self._data.dtype})"

    def __str__(self) -> str:
        return str(self._data)

    def __format__(self, spec: str) -> str:
        # f"{loss:.3f}" formats the value of a 0-d array, as NumPy does.
        return format(to_host(self._data), spec)

    def __array__(self, dtype: Any = None, copy: bool | None = None) -> onp.ndarray:
        """A NumPy copy of the values (`numpy.asarray(a)`, matplotlib), as `asnumpy()` gives and
        MXNet does: writing into it never changes `a` behind the graph's back. Only an explicit
        `copy=False` shares the memory.

        >>> import numpy
        >>> from tape import np
        >>> a = np.array([1, 2]); numpy.asarray(a)[0] = 5; a
        array([1., 2.])
        """
        return super().__array__(dtype, copy=copy is not False)

    # ---- Python conversions, with NumPy's rules ---------------------------------------------
    def __bool__(self) -> bool:
        if self._data.size != 1:
            raise ValueError(
                f"the truth value of an array of shape {self.shape} is ambiguous: use a.any() or a.all()"
            )
        return bool(self._data.reshape(())[()])

    def __float__(self) -> float:
        return float(self._scalar())

    def __int__(self) -> int:
        return int(self._scalar())

    def _scalar(self) -> Any:
        if self._data.size != 1:
            raise TypeError(
                f"only size-1 arrays can be converted to Python scalars (this one has shape {self.shape})"
            )
        return self._data.reshape(())[()]
