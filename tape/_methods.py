"""NDArray's operators and the methods that are ops, and `install()`, which gives them to it.

`ndarray.py` cannot define these itself: they call the op library, and the op library builds
on `NDArray`. So they are written here, on `Methods`, and `install()` copies them onto the
class once, when the package is imported; type checkers see them through NDArray's base.
A method that is exactly an op (`x.exp()` is `nd.exp(x)`) is the op's own function.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar, cast

import numpy as np

from . import _numpy_calls, autograd
from ._args import narrowing
from ._primitive import Primitive, refused
from ._state import flags
from ._xp import as_data, asarray, is_device_array
from .context import Context, check, mixed
from .ndarray import NDArray, raw, wrap
from .ops import arith, elementwise, indexing, join, linalg, nn, reduction, special, trig
from .ops import shape as shapes
from .ops.elementwise import NUMPY_SCALARS

__all__ = ["INTERFACES", "Methods", "binary_operator", "install", "register"]

# The array class of each interface, by name: `tape.np` registers its own when it is imported.
INTERFACES: dict[str, type[NDArray]] = {"nd": NDArray}


def register(name: str, cls: type[NDArray]) -> None:
    """Make `cls` the array class of the interface `name`; operators take it as they take NDArray."""
    INTERFACES[name] = cls
    _DIRECT.add(cls)


# The operand types an operator hands to its primitive as they are (a set: one hash lookup);
# `register` adds each interface's array class.
_DIRECT = {NDArray, int, float, bool}
_NUMBERS = frozenset((int, float, bool))
_OPERANDS = (NDArray, int, float)  # and their subclasses (bool is one of int)
_ARRAY = np.ndarray
_asarray = as_data


def _operand(x: Any, like: Any) -> Any:
    """An operator's other side as an op input, or None when it is not one.

    A NumPy scalar becomes the Python number it holds (`elementwise.scalar`), so that it leaves
    the array's dtype as a Python number does: `np.float64(3) * x` is float32 for float32 `x`.
    A NumPy array goes to the device of `like`, the data of the array on the other side, as a
    number does; a GPU array is taken as it is.
    """
    if type(x) in _DIRECT:
        return x
    if isinstance(x, NUMPY_SCALARS):  # before _OPERANDS: np.float64 is a subclass of float
        return x.item()
    if isinstance(x, _OPERANDS):
        return x
    if isinstance(x, np.ndarray):
        return NDArray(x if like.__class__ is _ARRAY else asarray(x, like))
    if is_device_array(x):
        return NDArray(x)
    return None


Operator = Callable[[Any, Any], NDArray]  # (self, other): bound as a method of NDArray


def _arithmetic(ufunc: np.ufunc, op: Primitive) -> tuple[Operator, Operator]:
    """An arithmetic operator and its reflection, for the primitive `op` whose forward is `ufunc`.

    NDArrays and Python scalars skip the general operand check; outside `record()` they skip
    the primitive too and call `ufunc` directly: the path of every VJP in a plain backward.
    """

    def forward(self: Any, o: Any) -> NDArray:
        t = type(o)
        if t in _DIRECT:
            if not flags.recording:  # a 0-d result is a NumPy scalar: made an array (see _primitive.py)
                try:
                    r = ufunc(self._data, o if t in _NUMBERS else o._data)
                except ValueError as e:
                    raise refused(op.name, e)  # noqa: B904 - NumPy's error is its context
                except TypeError as e:
                    raise mixed(op.name, e, self._data, raw(o))  # noqa: B904 - the device's error
                return wrap(r if r.__class__ is _ARRAY else _asarray(r), self.__class__)
        elif (o := _operand(o, self._data)) is None:
            return NotImplemented  # type: ignore[no-any-return]
        return op(self, o)

    def reflected(self: Any, o: Any) -> NDArray:
        t = type(o)
        if t in _DIRECT:
            if not flags.recording:
                try:
                    r = ufunc(o if t in _NUMBERS else o._data, self._data)
                except ValueError as e:
                    raise refused(op.name, e)  # noqa: B904 - NumPy's error is its context
                except TypeError as e:
                    raise mixed(op.name, e, raw(o), self._data)  # noqa: B904 - the device's error
                return wrap(r if r.__class__ is _ARRAY else _asarray(r), self.__class__)
        elif (o := _operand(o, self._data)) is None:
            return NotImplemented  # type: ignore[no-any-return]
        return op(o, self)

    return forward, reflected


def binary_operator(op: Primitive, reflect: bool = False) -> Operator:
    """An operator that hands any operand to `op` (reflected: as its first input)."""

    def operator(self: Any, o: Any) -> NDArray:
        o = _operand(o, self._data)
        if o is None:
            return NotImplemented  # type: ignore[no-any-return]
        return op(o, self) if reflect else op(self, o)

    return operator


def _inplace(op: Primitive, symbol: str) -> Operator:
    """An augmented assignment (`x += y`, `symbol` is `+`) that writes into the array itself."""

    def operator(self: Any, other: Any) -> NDArray:
        o = _operand(other, self._data)
        if o is None:
            return NotImplemented  # type: ignore[no-any-return]
        if flags.recording and isinstance(o, NDArray) and o._node is not None and self._node is None:
            # `total += loss` inside record(): rebind the name to a recorded result.
            return op(self, o)
        self._check_inplace()
        # The four in-place operators' forwards are ufuncs: write into the array itself, with
        # no temporary, casting as NumPy's `x += y` does: `p -= lr * g` with a float64 `lr * g`
        # leaves a float32 p float32, but a float result is never cut into an integer array.
        try:
            op.fwd(self._data, raw(o), out=self._data, casting="same_kind")
        except TypeError as e:  # what same_kind refuses (a result of a wider kind), or two devices
            two_devices = mixed(f"x {symbol}= y", e, self._data, raw(o))
            if two_devices is not e:
                raise two_devices from e
            raise narrowing(symbol, self._data.dtype, op.fwd(self._data, raw(o)).dtype) from e
        return cast(NDArray, self)

    return operator


class Methods:
    """What `install()` gives NDArray: its operators and the methods that are ops."""

    __slots__ = ()

    # ---- operators --------------------------------------------------------------------------
    # Annotated: the types of attributes made by a factory are not inferred in an import cycle.
    __add__: ClassVar[Operator]
    __radd__: ClassVar[Operator]
    __sub__: ClassVar[Operator]
    __rsub__: ClassVar[Operator]
    __mul__: ClassVar[Operator]
    __rmul__: ClassVar[Operator]
    __truediv__: ClassVar[Operator]
    __rtruediv__: ClassVar[Operator]
    __add__, __radd__ = _arithmetic(np.add, arith.add_op)
    __sub__, __rsub__ = _arithmetic(np.subtract, arith.subtract_op)
    __mul__, __rmul__ = _arithmetic(np.multiply, arith.multiply_op)
    __truediv__, __rtruediv__ = _arithmetic(np.true_divide, arith.divide_op)
    __mod__, __rmod__ = binary_operator(arith.modulo_op), binary_operator(arith.modulo_op, reflect=True)
    __pow__, __rpow__ = binary_operator(arith.power_op), binary_operator(arith.power_op, reflect=True)
    __iadd__ = _inplace(arith.add_op, "+")
    __isub__ = _inplace(arith.subtract_op, "-")
    __imul__ = _inplace(arith.multiply_op, "*")
    __itruediv__ = _inplace(arith.divide_op, "/")
    # Comparisons give float 0/1 arrays, outside the graph.
    __eq__ = binary_operator(arith.equal_op)  # type: ignore[assignment]
    __ne__ = binary_operator(arith.not_equal_op)  # type: ignore[assignment]
    __lt__ = binary_operator(arith.lesser_op)
    __le__ = binary_operator(arith.lesser_equal_op)
    __gt__ = binary_operator(arith.greater_op)
    __ge__ = binary_operator(arith.greater_equal_op)
    __matmul__ = linalg.dot
    __getitem__ = indexing.getitem
    __setitem__ = indexing.setitem
    # NumPy's ufuncs and functions: operators recorded, the rest on the values (_numpy_calls.py).
    __array_ufunc__ = _numpy_calls.array_ufunc
    __array_function__ = _numpy_calls.array_function

    def __neg__(self: Any) -> NDArray:
        return arith.negative_op(self)

    def __pos__(self: Any) -> NDArray:
        return cast(NDArray, self)

    def __abs__(self: Any) -> NDArray:
        return elementwise.abs_op(self)

    @property
    def T(self: Any) -> NDArray:  # noqa: N802 - MXNet's name
        """The transpose (all axes reversed); differentiable."""
        return shapes.transpose(self)

    # ---- autograd -----------------------------------------------------------------------------
    def attach_grad(self: Any, grad_req: str = "write", stype: str | None = None) -> None:
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
        if stype not in (None, "default"):
            raise ValueError(f"tape arrays are dense: stype must be None or 'default', not {stype!r}")
        autograd.mark(self, wrap(np.zeros_like(self._data), self.__class__), grad_req)

    def backward(
        self: Any, out_grad: NDArray | None = None, retain_graph: bool = False, train_mode: bool = True
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
        autograd.backward(self, out_grad, retain_graph, train_mode)

    # ---- copies, dtypes and interfaces ----------------------------------------------------------
    copy = shapes.copy

    def copyto(self: Any, other: NDArray | Context) -> NDArray:
        """Copy into the array `other` (and return it), or to a new array on context `other`;
        recorded, so gradients flow back to this array's device.

        >>> import tape
        >>> tape.nd.ones((2,)).copyto(tape.cpu())
        <BLANKLINE>
        [1. 1.]
        <NDArray 2 @cpu(0)>
        """
        if isinstance(other, Context):
            check(other)
            return shapes.to_context_op(self, ctx=other)
        if not isinstance(other, NDArray):
            raise TypeError(f"copyto takes an NDArray or a Context, not {type(other).__name__}")
        other[...] = self if other.context == self.context else shapes.to_context_op(self, ctx=other.context)
        return other

    def as_in_context(self: Any, context: Context) -> NDArray:
        """This array on `context`: the array itself when it is already there, else a copy
        (recorded, as `copyto`).

        >>> import tape
        >>> x = tape.nd.ones((2,))
        >>> x.as_in_context(tape.cpu()) is x
        True
        """
        check(context)
        return self if context == self.context else shapes.to_context_op(self, ctx=context)

    as_in_ctx = as_in_context

    def as_interface(self: Any, cls: type[NDArray]) -> NDArray:
        """The same memory as an array of class `cls`; recorded, so gradients flow through it."""
        out = shapes.view_op(self)
        out.__class__ = cls
        return out

    def as_np_ndarray(self: Any) -> NDArray:
        """The same values as a `tape.np` array (NumPy's conventions), sharing memory.

        >>> from tape import nd
        >>> nd.array([1, 2]).as_np_ndarray().sum()
        array(3.)
        """
        return cast(NDArray, self.as_interface(INTERFACES["np"]))

    def astype(self: Any, dtype: Any, copy: bool = True) -> NDArray:
        """The array cast to `dtype`; differentiable between floating types."""
        if not copy and np.dtype(dtype) == self._data.dtype:
            return cast(NDArray, self)
        return shapes.cast(self, dtype=np.dtype(dtype))

    # ---- shape: the methods whose signatures differ from their ops' ----------------------------
    def reshape(self: Any, *shape: Any, **kwargs: Any) -> NDArray:
        """The array with a new shape (a tuple or ints; MXNet's codes 0, -1, -2, -3, -4)."""
        if len(shape) == 1 and isinstance(shape[0], tuple | list):
            shape = tuple(shape[0])
        spec = shape or kwargs.get("shape", ())
        return shapes.reshape(self, spec, reverse=kwargs.get("reverse", False))

    reshape_like = shapes.reshape_like

    def transpose(self: Any, *axes: Any, **kwargs: Any) -> NDArray:
        """Permute the axes (a tuple, ints or `axes=`; reversed by default); see `nd.transpose`."""
        if len(axes) == 1 and (axes[0] is None or isinstance(axes[0], tuple | list)):
            axes = tuple(axes[0] or ())
        return shapes.transpose(self, axes or kwargs.get("axes"))

    # ---- the methods that are ops ---------------------------------------------------------------
    swapaxes = shapes.swapaxes
    expand_dims = shapes.expand_dims
    squeeze = shapes.squeeze
    flatten = shapes.flatten
    broadcast_to = shapes.broadcast_to
    broadcast_axes = shapes.broadcast_axis
    broadcast_like = shapes.broadcast_like
    zeros_like = shapes.zeros_like
    ones_like = shapes.ones_like
    split = join.split
    slice = join.slice
    slice_axis = join.slice_axis
    tile = join.tile
    repeat = join.repeat
    flip = join.flip
    take = indexing.take
    pick = indexing.pick
    one_hot = indexing.one_hot
    sum = reduction.sum
    nansum = reduction.nansum
    mean = reduction.mean
    prod = reduction.prod
    max = reduction.max
    min = reduction.min
    norm = reduction.norm
    argmax = reduction.argmax
    argmin = reduction.argmin
    abs = elementwise.abs
    sign = elementwise.sign
    clip = elementwise.clip
    exp = elementwise.exp
    expm1 = elementwise.expm1
    log = elementwise.log
    log2 = elementwise.log2
    log10 = elementwise.log10
    log1p = elementwise.log1p
    sqrt = elementwise.sqrt
    rsqrt = elementwise.rsqrt
    cbrt = elementwise.cbrt
    rcbrt = elementwise.rcbrt
    square = elementwise.square
    reciprocal = elementwise.reciprocal
    floor = elementwise.floor
    ceil = elementwise.ceil
    round = elementwise.round
    rint = elementwise.rint
    fix = elementwise.fix
    trunc = elementwise.trunc
    relu = elementwise.relu
    sigmoid = elementwise.sigmoid
    softrelu = elementwise.softrelu
    sin = trig.sin
    cos = trig.cos
    tan = trig.tan
    arcsin = trig.arcsin
    arccos = trig.arccos
    arctan = trig.arctan
    sinh = trig.sinh
    cosh = trig.cosh
    tanh = trig.tanh
    arcsinh = trig.arcsinh
    arccosh = trig.arccosh
    arctanh = trig.arctanh
    degrees = trig.degrees
    radians = trig.radians
    erf = special.erf
    gamma = special.gamma
    gammaln = special.gammaln
    digamma = special.digamma
    softmax = nn.softmax
    log_softmax = nn.log_softmax


def install(cls: type[NDArray] = NDArray) -> None:
    """Give `cls` (NDArray) every operator and method defined on `Methods`: the one setup step.

    >>> from tape import nd
    >>> install()                       # done at import; running it again changes nothing
    >>> nd.array([1, 2]).sum()
    <BLANKLINE>
    [3.]
    <NDArray 1 @cpu(0)>
    """
    for name, value in vars(Methods).items():
        if callable(value) or isinstance(value, property):  # not __doc__, __slots__...
            setattr(cls, name, value)
