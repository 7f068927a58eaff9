"""NDArray: a NumPy array that can be a node of the tape.

This module knows nothing of the op library or the backward walk: the operators and the methods
that are ops (`x + y`, `x.sum()`, `x.T`, `x.attach_grad()`, `x.backward()`) are defined in
`_methods.py` and given to the class by its `install()`, the one setup step the package runs
at import. Type checkers see them through the `_Methods` base below.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

import numpy as np

from . import _xp
from . import context as _context
from ._cuts import DETACHED, note_cut
from ._state import flags
from ._versions import note_write
from .errors import AutogradError

if TYPE_CHECKING:
    from collections.abc import Iterator

    from ._graph import Node
    from ._methods import Methods as _Methods
else:
    _Methods = object

__all__ = ["NDArray", "wrap"]

_INPLACE = (
    "in-place operations on an array that is in a graph are not allowed while recording "
    "(autograd.record()): write the update out of place, e.g. `y = y + 1`, or do it outside "
    "the record() block"
)


def raw(x: Any) -> Any:
    """The NumPy array inside an NDArray; anything else as it is."""
    return x._data if isinstance(x, NDArray) else x


def _index_array(a: np.ndarray) -> np.ndarray:
    # A bool array is a mask, as in NumPy; any other dtype holds positions (MXNet's float
    # indices, a 0/1 comparison result among them, are positions too).
    return a if a.dtype == np.bool_ else a.astype(np.int64)


def index_key(key: Any) -> Any:
    """An index with NDArrays in it, as NumPy takes it (integer positions, or a bool mask)."""
    if isinstance(key, NDArray):
        return _index_array(key._data)
    if isinstance(key, tuple):
        return tuple(_index_array(k._data) if isinstance(k, NDArray) else k for k in key)
    return key


_new = object.__new__


def wrap(data: np.ndarray, cls: type[NDArray] | None = None) -> NDArray:
    """A new array of class `cls` (NDArray by default) around `data`, outside any graph.

    The one definition of a bare array; the primitives' fast paths in `_primitive.py` inline it.
    """
    out: NDArray = _new(cls or NDArray)
    out._data = data
    out._node = out._grad = out._grad_req = None
    return out


def _restore(
    data: np.ndarray,
    grad: NDArray | None,
    grad_req: str | None,
    cls: type[NDArray] | None = None,
    device: int | None = None,
) -> NDArray:
    """A new array (of class `cls`) of `data`, marked with `grad_req` and `grad` if given; back
    on GPU `device` when it came from one and this machine has it (else on the CPU)."""
    if device is not None and device < _xp.device_count():
        data = _xp.to_device(data, device)
    out = wrap(data, cls)
    if grad_req is not None:
        out.attach_grad(grad_req)  # a fresh leaf, through autograd.mark
        out._grad = grad
    return out


class NDArray(_Methods):
    """An n-dimensional array whose operations are taped inside `autograd.record()`.

    Build one with the `nd` creation functions; mark it with `attach_grad()` to receive a
    gradient in `.grad`.

    >>> from tape import autograd, nd
    >>> x = nd.array([1, 2, 3])
    >>> x.attach_grad()
    >>> with autograd.record():
    ...     y = (x * x).sum()
    >>> y.backward()
    >>> x.grad
    <BLANKLINE>
    [2. 4. 6.]
    <NDArray 3 @cpu(0)>
    """

    __slots__ = ("__weakref__", "_data", "_grad", "_grad_req", "_node")
    # Until install() gives it NumPy's protocols (_numpy_calls.py): NumPy defers to NDArray.
    __array_ufunc__ = None

    def __init__(self, data: np.ndarray, node: Node | None = None) -> None:
        self._data = data
        self._node = node
        self._grad: NDArray | None = None
        self._grad_req: str | None = None

    # ---- properties -------------------------------------------------------------------
    @property
    def shape(self) -> tuple[int, ...]:
        """The shape, a tuple of ints."""
        return self._data.shape

    @property
    def dtype(self) -> Any:
        """The NumPy scalar type of the elements (``numpy.float32`` by default)."""
        return self._data.dtype.type

    @property
    def size(self) -> int:
        """The number of elements."""
        return int(self._data.size)

    @property
    def ndim(self) -> int:
        """The number of dimensions."""
        return int(self._data.ndim)

    @property
    def context(self) -> _context.Context:
        """The device that holds the values: ``cpu(0)``, or ``gpu(i)``."""
        return _context.of(self._data)

    ctx = context

    @property
    def stype(self) -> str:
        """The storage type: always ``'default'`` (dense)."""
        return "default"

    @property
    def grad(self) -> NDArray | None:
        """The gradient buffer given by `attach_grad()`, or None when there is none."""
        return self._grad

    @property
    def grad_req(self) -> str | None:
        """How backward fills `.grad`: ``'write'``, ``'add'``, ``'null'``, or None if unmarked."""
        return self._grad_req

    # ---- leaving the tape ---------------------------------------------------------------
    def asnumpy(self) -> np.ndarray:
        """A NumPy copy of the values; the copy is not in any graph. From a GPU it waits for
        the device (as `asscalar`, `item`, `tolist`, `float()` and `numpy.asarray(x)` do).

        >>> from tape import nd
        >>> nd.ones((2,)).asnumpy()
        array([1., 1.], dtype=float32)
        """
        data = self._data
        return data.copy() if data.__class__ is np.ndarray else _xp.to_host(data)

    def asscalar(self) -> Any:
        """The value of a one-element array as a NumPy scalar.

        >>> from tape import nd
        >>> float(nd.array([3]).asscalar())
        3.0
        """
        if self._data.size != 1:
            raise ValueError(f"asscalar() needs an array of size 1, but this one has shape {self.shape}")
        return _xp.to_host(self._data.reshape(())).copy()[()]

    def item(self) -> Any:
        """The value of a one-element array as a Python scalar."""
        return self.asscalar().item()

    def tolist(self) -> Any:
        """The values as nested Python lists."""
        return _xp.to_host(self._data).tolist()

    def __array__(self, dtype: Any = None, copy: bool | None = None) -> np.ndarray:
        data = _xp.to_host(self._data)  # a GPU array comes over (so matplotlib takes it)
        if data is not self._data and copy is False:
            raise ValueError(f"the values are on {self.context}: converting them needs a copy")
        data = data if dtype is None else data.astype(dtype, copy=False)
        if copy is False and data is not self._data:
            raise ValueError(f"converting dtype {self._data.dtype} to {np.dtype(dtype)} needs a copy")
        # NumPy 2 relies on copy=True: `np.array(x)` must not share memory with x.
        return data.copy() if copy and data is self._data else data

    def wait_to_read(self) -> None:
        """Wait until the values are computed: on a GPU, until its device is done; on the CPU,
        where NumPy computes eagerly, at once."""
        if self._data.__class__ is not np.ndarray:
            _xp.synchronize(_xp.device_id(self._data))

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle the values and, of a marked array, its grad_req and `.grad`; never a graph.

        >>> import pickle; from tape import nd
        >>> x = nd.array([1, 2]); x.attach_grad("add")
        >>> y = pickle.loads(pickle.dumps(x))      # a variable of its own: a fresh leaf
        >>> y.grad_req, y.grad.shape, pickle.loads(pickle.dumps(x * 2)).grad_req
        ('add', (2,), None)
        """
        # Pickled from the host; loaded on the GPU it came from where there is one (as `nd.load`).
        device = None if self._data.__class__ is np.ndarray else _xp.device_id(self._data)
        return _restore, (_xp.to_host(self._data), self._grad, self._grad_req, self.__class__, device)

    def __deepcopy__(self, memo: dict[int, Any]) -> NDArray:
        """`copy.deepcopy`: the copy a pickle round trip gives."""
        grad = None if self._grad is None else copy.deepcopy(self._grad, memo)
        return _restore(self._data.copy(), grad, self._grad_req, self.__class__)

    def __copy__(self) -> NDArray:
        """`copy.copy`: a deep copy; as with a NumPy array, no memory is shared."""
        return self.__deepcopy__({})

    # ---- graph ----------------------------------------------------------------------------
    def detach(self) -> NDArray:
        """A new array sharing this one's memory, outside any graph.

        >>> from tape import autograd, nd
        >>> x = nd.ones((2,)); x.attach_grad()
        >>> with autograd.record():
        ...     y = (x * 2).detach() * x
        >>> y.backward(); x.grad
        <BLANKLINE>
        [2. 2.]
        <NDArray 2 @cpu(0)>
        """
        out = wrap(self._data, self.__class__)
        if self._node is not None:
            note_cut(out, DETACHED)
        return out

    # ---- printing -------------------------------------------------------------------------
    def __repr__(self) -> str:
        shape = "x".join(str(n) for n in self.shape)
        return f"\n{self._data}\n<NDArray {shape} @{self.context}>"

    __str__ = __repr__

    # ---- Python protocol -----------------------------------------------------------------
    def __len__(self) -> int:
        if not self.shape:
            raise TypeError("len() of an array with no dimensions")
        return int(self.shape[0])

    def __iter__(self) -> Iterator[NDArray]:
        for i in range(len(self)):
            yield self[i]

    def __bool__(self) -> bool:
        if self._data.size == 0:
            return False
        if self._data.size > 1:
            raise ValueError(
                "the truth value of an array with more than one element is ambiguous: "
                "use (x).sum().asscalar() or compare with .asnumpy().any()/.all()"
            )
        return bool(self._data.reshape(()))

    def __float__(self) -> float:
        return float(self.asscalar())

    def __int__(self) -> int:
        return int(self.asscalar())

    def __index__(self) -> int:
        if not np.issubdtype(self._data.dtype, np.integer):
            raise TypeError("only integer arrays of size 1 can be used as an index")
        return int(self.asscalar())

    __hash__ = object.__hash__

    # ---- mutation (item assignment, `x[key] = v`, is `ops.indexing.setitem`) -------------------
    def _check_inplace(self) -> None:
        """Refuse an in-place write that recording forbids; note the write for the backward."""
        if flags.recording and self._node is not None:
            raise AutogradError(_INPLACE)
        note_write(self._data)
