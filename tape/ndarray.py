"""NDArray: a NumPy array that can be a node of the tape."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from . import context as _context
from ._fluent import Fluent
from ._state import flags
from .errors import AutogradError

if TYPE_CHECKING:
    from collections.abc import Iterator

    from ._graph import Node

__all__ = ["NDArray"]

Operand = "NDArray | float | int | np.ndarray"
_SCALARS = (int, float, bool, np.generic)
_GRAD_REQS = ("write", "add", "null")
_INPLACE = (
    "in-place operations on an array that is in a graph are not allowed while recording "
    "(autograd.record()): write the update out of place, e.g. `y = y + 1`, or do it outside "
    "the record() block"
)


def _operand(x: Any) -> Any:
    """An operator's other side as an op input, or None when it is not one."""
    if isinstance(x, _OPERANDS):
        return x
    if isinstance(x, np.ndarray):
        return NDArray(x)
    return None


def _raw(x: Any) -> Any:
    return x._data if isinstance(x, NDArray) else x


def _index_key(key: Any) -> Any:
    """An index with NDArrays in it, as NumPy takes it (integer arrays for array indices)."""
    if isinstance(key, NDArray):
        return key._data.astype(np.int64)
    if isinstance(key, tuple):
        return tuple(k._data.astype(np.int64) if isinstance(k, NDArray) else k for k in key)
    return key


Operator = Callable[["NDArray", Any], "NDArray"]


def _arithmetic(ufunc: np.ufunc, op_name: str) -> tuple[Operator, Operator]:
    """An arithmetic operator and its reflection, for the primitive `op_name` of ops.arith.

    NDArrays and Python scalars skip the general operand check; outside `record()` they skip
    the primitive too and call its forward, `ufunc`, directly: the path of every VJP in a plain
    backward. (The primitive is looked up when called: ops.arith is imported after this class.)
    """

    def forward(self: NDArray, o: Any) -> NDArray:
        t = type(o)
        if t in _DIRECT:
            if not flags.recording:
                return _wrap(ufunc(self._data, o._data if t is NDArray else o))
        elif (o := _operand(o)) is None:
            return NotImplemented  # type: ignore[no-any-return]
        result: NDArray = getattr(_arith, op_name)(self, o)
        return result

    def reflected(self: NDArray, o: Any) -> NDArray:
        t = type(o)
        if t in _DIRECT:
            if not flags.recording:
                return _wrap(ufunc(o._data if t is NDArray else o, self._data))
        elif (o := _operand(o)) is None:
            return NotImplemented  # type: ignore[no-any-return]
        result: NDArray = getattr(_arith, op_name)(o, self)
        return result

    return forward, reflected


def _wrap(data: np.ndarray) -> NDArray:
    """A new NDArray around `data`, outside any graph (NDArray.__init__ without its frame)."""
    out: NDArray = _new(NDArray)
    out._data = data
    out._node = out._grad = out._grad_req = None
    return out


_new = object.__new__


class NDArray(Fluent):
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
    # NumPy defers to NDArray's reflected operators, so `np_array * x` is taped too.
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
        """The device: always ``cpu(0)``."""
        return _context.cpu()

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

    @property
    def T(self) -> NDArray:  # noqa: N802 - MXNet's name
        """The transpose (all axes reversed); differentiable."""
        return _shape.transpose(self)

    # ---- leaving the tape ---------------------------------------------------------------
    def asnumpy(self) -> np.ndarray:
        """A NumPy copy of the values; the copy is not in any graph.

        >>> from tape import nd
        >>> nd.ones((2,)).asnumpy()
        array([1., 1.], dtype=float32)
        """
        return np.array(self._data, copy=True)

    def asscalar(self) -> Any:
        """The value of a one-element array as a NumPy scalar.

        >>> from tape import nd
        >>> float(nd.array([3]).asscalar())
        3.0
        """
        if self._data.size != 1:
            raise ValueError(
                f"asscalar() needs an array of size 1, but this one has shape {self.shape}"
            )
        return self._data.reshape(()).copy()[()]

    def item(self) -> Any:
        """The value of a one-element array as a Python scalar."""
        return self.asscalar().item()

    def tolist(self) -> Any:
        """The values as nested Python lists."""
        return self._data.tolist()

    def __array__(self, dtype: Any = None, copy: bool | None = None) -> np.ndarray:
        data = self._data if dtype is None else self._data.astype(dtype, copy=False)
        if copy is False and data is not self._data:
            raise ValueError(f"converting dtype {self._data.dtype} to {np.dtype(dtype)} needs a copy")
        # NumPy 2 relies on copy=True: `np.array(x)` must not share memory with x.
        return data.copy() if copy and data is self._data else data

    def wait_to_read(self) -> None:
        """Wait until the values are computed: a no-op, NumPy computes eagerly."""

    # ---- autograd -------------------------------------------------------------------------
    def attach_grad(self, grad_req: str = "write", stype: str | None = None) -> None:
        """Mark this array as a variable and give it a fresh zero gradient buffer, `.grad`.

        `grad_req` is ``'write'`` (each backward overwrites), ``'add'`` (backwards accumulate
        until you zero `.grad`) or ``'null'`` (recorded, but receives nothing). Marking an
        intermediate result keeps the graph above it.

        >>> from tape import nd
        >>> x = nd.zeros((2,))
        >>> x.attach_grad()
        >>> x.grad
        <BLANKLINE>
        [0. 0.]
        <NDArray 2 @cpu(0)>
        """
        if grad_req not in _GRAD_REQS:
            raise ValueError(f"grad_req must be one of {_GRAD_REQS}, not {grad_req!r}")
        if stype not in (None, "default"):
            raise ValueError(f"tape arrays are dense: stype must be None or 'default', not {stype!r}")
        self._mark(NDArray(np.zeros_like(self._data)), grad_req)

    def _mark(self, grad: NDArray, grad_req: str) -> None:
        if not np.issubdtype(self._data.dtype, np.floating):
            raise TypeError(
                f"cannot attach a gradient to an array of dtype {self._data.dtype}: gradients "
                "need a floating-point array; convert it first, e.g. x = x.astype('float32')"
            )
        if grad.shape != self.shape:
            raise ValueError(
                f"gradient buffer of shape {grad.shape} does not fit a variable of shape {self.shape}: "
                "give a buffer of the variable's shape, e.g. nd.zeros_like(x)"
            )
        self._grad = grad
        self._grad_req = grad_req
        # A fresh leaf unless the array is in a live graph (an intermediate keeps its upstream).
        if self._node is None or self._node.inputs is None:
            self._node = _graph.leaf()

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
        return NDArray(self._data)

    def backward(
        self, out_grad: NDArray | None = None, retain_graph: bool = False, train_mode: bool = True
    ) -> None:
        """Backpropagate from this array into the `.grad` of every marked array it depends on.

        `out_grad` is the head gradient (ones by default; an array of the same size is
        accepted). Without `retain_graph` the graph is freed afterwards.

        >>> from tape import autograd, nd
        >>> x = nd.array([1, 2]); x.attach_grad()
        >>> with autograd.record():
        ...     y = x * x
        >>> y.backward(nd.array([1, 10]))
        >>> x.grad
        <BLANKLINE>
        [ 2. 40.]
        <NDArray 2 @cpu(0)>
        """
        _autograd.backward(self, out_grad, retain_graph=retain_graph, train_mode=train_mode)

    # ---- copies, dtypes, devices ----------------------------------------------------------
    def copy(self) -> NDArray:
        """A differentiable copy with its own memory."""
        return _shape.copy(self)

    def astype(self, dtype: Any, copy: bool = True) -> NDArray:
        """The array cast to `dtype`; differentiable between floating types."""
        if not copy and np.dtype(dtype) == self._data.dtype:
            return self
        return _shape.cast(self, dtype=np.dtype(dtype))

    def copyto(self, other: NDArray | _context.Context) -> NDArray:
        """Copy into the array `other` (and return it), or to a new array on context `other`."""
        if isinstance(other, _context.Context):
            _context.check(other)
            return self.copy()
        if not isinstance(other, NDArray):
            raise TypeError(f"copyto takes an NDArray or a Context, not {type(other).__name__}")
        other[...] = self
        return other

    def as_in_context(self, context: _context.Context) -> NDArray:
        """This array on `context`; the array itself when it is already there (always cpu)."""
        _context.check(context)
        return self

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

    # ---- indexing and mutation ------------------------------------------------------------
    def __getitem__(self, key: Any) -> NDArray:
        return _indexing.getitem(self, key)

    def __setitem__(self, key: Any, value: Any) -> None:
        self._check_inplace(value)
        self._data[_index_key(key)] = _raw(value)

    def _check_inplace(self, other: Any) -> None:
        if flags.recording:
            if self._node is not None:
                raise AutogradError(_INPLACE)
            if isinstance(other, NDArray) and other._node is not None:
                raise AutogradError(
                    "writing an array that is in a graph into another array is not recorded "
                    "(its gradient would be lost): build the result out of place, for example "
                    "with nd.concat, nd.where or arithmetic"
                )

    def _inplace(self, op: Any, other: Any) -> NDArray:
        o = _operand(other)
        if o is None:
            return NotImplemented  # type: ignore[no-any-return]
        if flags.recording and isinstance(o, NDArray) and o._node is not None and self._node is None:
            # `total += loss` inside record(): rebind the name to a recorded result.
            result: NDArray = op(self, o)
            return result
        self._check_inplace(o)
        # The four in-place operators' forwards are ufuncs: write into the array itself, with no
        # temporary; "unsafe" casts as `self._data[...] = result` would.
        op.fwd(self._data, _raw(o), out=self._data, casting="unsafe")
        return self

    # ---- arithmetic -----------------------------------------------------------------------
    __add__, __radd__ = _arithmetic(np.add, "add_op")
    __sub__, __rsub__ = _arithmetic(np.subtract, "subtract_op")
    __mul__, __rmul__ = _arithmetic(np.multiply, "multiply_op")
    __truediv__, __rtruediv__ = _arithmetic(np.true_divide, "divide_op")

    def __mod__(self, o: Any) -> NDArray:
        o = _operand(o)
        return NotImplemented if o is None else _arith.modulo_op(self, o)

    def __rmod__(self, o: Any) -> NDArray:
        o = _operand(o)
        return NotImplemented if o is None else _arith.modulo_op(o, self)

    def __pow__(self, o: Any) -> NDArray:
        o = _operand(o)
        return NotImplemented if o is None else _arith.power_op(self, o)

    def __rpow__(self, o: Any) -> NDArray:
        o = _operand(o)
        return NotImplemented if o is None else _arith.power_op(o, self)

    def __neg__(self) -> NDArray:
        return _arith.negative_op(self)

    def __pos__(self) -> NDArray:
        return self

    def __abs__(self) -> NDArray:
        return _arith.abs_op(self)

    def __iadd__(self, o: Any) -> NDArray:
        return self._inplace(_arith.add_op, o)

    def __isub__(self, o: Any) -> NDArray:
        return self._inplace(_arith.subtract_op, o)

    def __imul__(self, o: Any) -> NDArray:
        return self._inplace(_arith.multiply_op, o)

    def __itruediv__(self, o: Any) -> NDArray:
        return self._inplace(_arith.divide_op, o)

    # ---- comparisons: float 0/1 arrays, outside the graph ----------------------------------
    def __eq__(self, o: Any) -> NDArray:  # type: ignore[override]
        o = _operand(o)
        return NotImplemented if o is None else _arith.equal_op(self, o)

    def __ne__(self, o: Any) -> NDArray:  # type: ignore[override]
        o = _operand(o)
        return NotImplemented if o is None else _arith.not_equal_op(self, o)

    def __lt__(self, o: Any) -> NDArray:
        o = _operand(o)
        return NotImplemented if o is None else _arith.lesser_op(self, o)

    def __le__(self, o: Any) -> NDArray:
        o = _operand(o)
        return NotImplemented if o is None else _arith.lesser_equal_op(self, o)

    def __gt__(self, o: Any) -> NDArray:
        o = _operand(o)
        return NotImplemented if o is None else _arith.greater_op(self, o)

    def __ge__(self, o: Any) -> NDArray:
        o = _operand(o)
        return NotImplemented if o is None else _arith.greater_equal_op(self, o)

    def __matmul__(self, o: NDArray) -> NDArray:
        return _linalg.dot(self, o)


_OPERANDS = (NDArray, *_SCALARS)
# The operand types an operator hands to its primitive as they are (a set: one hash lookup).
_DIRECT = frozenset((NDArray, int, float, bool))

# Imported last: the op modules build on the class above.
from . import _graph  # noqa: E402
from . import autograd as _autograd  # noqa: E402
from .ops import arith as _arith  # noqa: E402
from .ops import indexing as _indexing  # noqa: E402
from .ops import linalg as _linalg  # noqa: E402
from .ops import shape as _shape  # noqa: E402
