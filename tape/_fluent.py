"""The methods that make `x.sum()`, `x.reshape()`... mirror the `nd` functions."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

# The op modules load after NDArray (they build on it), so methods reach them through
# the package at call time.
from . import ops as _ops

if TYPE_CHECKING:
    from .ndarray import NDArray

Axis = Any


class Fluent:
    """Mixed into NDArray: each method calls the `nd` function of the same name."""

    __slots__ = ()

    # ---- shape ---------------------------------------------------------------------------
    def reshape(self: Any, *shape: Any, **kwargs: Any) -> NDArray:
        """The array with a new shape (a tuple or ints; MXNet's codes 0, -1, -2, -3, -4)."""
        if len(shape) == 1 and isinstance(shape[0], tuple | list):
            shape = tuple(shape[0])
        spec = shape or kwargs.get("shape", ())
        return _ops.shape.reshape(self, spec, reverse=kwargs.get("reverse", False))

    def reshape_like(self: Any, other: NDArray) -> NDArray:
        """The array in the shape of `other` (same size)."""
        return _ops.shape.reshape(self, other.shape)

    def transpose(self: Any, *axes: Any, **kwargs: Any) -> NDArray:
        """Permute the axes (a tuple, ints or `axes=`; reversed by default); see `nd.transpose`."""
        if len(axes) == 1 and (axes[0] is None or isinstance(axes[0], tuple | list)):
            axes = tuple(axes[0] or ())
        return _ops.shape.transpose(self, axes or kwargs.get("axes"))

    def swapaxes(self: Any, dim1: int = 0, dim2: int = 0) -> NDArray:
        """Exchange two axes; see `nd.swapaxes`."""
        return _ops.shape.swapaxes(self, dim1, dim2)

    def expand_dims(self: Any, axis: int) -> NDArray:
        """Insert an axis of length 1; see `nd.expand_dims`."""
        return _ops.shape.expand_dims(self, axis)

    def squeeze(self: Any, axis: Axis = None) -> NDArray:
        """Remove axes of length 1; see `nd.squeeze`."""
        return _ops.shape.squeeze(self, axis)

    def flatten(self: Any) -> NDArray:
        """Collapse all axes but the first; see `nd.flatten`."""
        return _ops.shape.flatten(self)

    def broadcast_to(self: Any, shape: Any) -> NDArray:
        """Broadcast to `shape`; see `nd.broadcast_to`."""
        return _ops.shape.broadcast_to(self, shape)

    def broadcast_axes(self: Any, axis: Axis = (), size: Any = ()) -> NDArray:
        """Broadcast length-1 axes to `size`; see `nd.broadcast_axis`."""
        return _ops.shape.broadcast_axis(self, axis, size)

    def broadcast_like(self: Any, other: NDArray) -> NDArray:
        """Broadcast to the shape of `other`; see `nd.broadcast_like`."""
        return _ops.shape.broadcast_like(self, other)

    def zeros_like(self: Any) -> NDArray:
        """Zeros of the same shape; see `nd.zeros_like`."""
        return _ops.shape.zeros_like(self)

    def ones_like(self: Any) -> NDArray:
        """Ones of the same shape; see `nd.ones_like`."""
        return _ops.shape.ones_like(self)

    # ---- joining, cutting, indexing ------------------------------------------------------
    def split(self: Any, num_outputs: int, axis: int = 1, squeeze_axis: bool = False) -> Any:
        """Cut into equal parts; see `nd.split`."""
        return _ops.join.split(self, num_outputs, axis=axis, squeeze_axis=squeeze_axis)

    def slice(self: Any, begin: Any, end: Any, step: Any = None) -> NDArray:
        """A slice on the first axes; see `nd.slice`."""
        return _ops.join.slice(self, begin, end, step)

    def slice_axis(self: Any, axis: int, begin: int, end: int | None) -> NDArray:
        """A slice along one axis; see `nd.slice_axis`."""
        return _ops.join.slice_axis(self, axis, begin, end)

    def tile(self: Any, reps: Any) -> NDArray:
        """Repeat the whole array; see `nd.tile`."""
        return _ops.join.tile(self, reps)

    def repeat(self: Any, repeats: int, axis: int | None = None) -> NDArray:
        """Repeat each element; see `nd.repeat`."""
        return _ops.join.repeat(self, repeats, axis)

    def flip(self: Any, axis: Axis) -> NDArray:
        """Reverse the order along `axis`; see `nd.flip`."""
        return _ops.join.flip(self, axis)

    def take(self: Any, indices: Any, axis: int = 0, mode: str = "clip") -> NDArray:
        """The slices at `indices` along `axis`; see `nd.take`."""
        return _ops.indexing.take(self, indices, axis=axis, mode=mode)

    def pick(
        self: Any, index: Any, axis: int | None = -1, keepdims: bool = False, mode: str = "clip"
    ) -> NDArray:
        """One element along `axis` per position; see `nd.pick`."""
        return _ops.indexing.pick(self, index, axis=axis, keepdims=keepdims, mode=mode)

    def one_hot(
        self: Any, depth: int, on_value: float = 1.0, off_value: float = 0.0, dtype: Any = "float32"
    ) -> NDArray:
        """One-hot rows for these indices; see `nd.one_hot`."""
        return _ops.indexing.one_hot(self, depth, on_value, off_value, dtype)

    # ---- reductions ----------------------------------------------------------------------
    def sum(self: Any, axis: Axis = None, keepdims: bool = False, exclude: bool = False) -> NDArray:
        """Sum over `axis` (all axes by default); see `nd.sum`."""
        return _ops.reduction.sum(self, axis=axis, keepdims=keepdims, exclude=exclude)

    def nansum(self: Any, axis: Axis = None, keepdims: bool = False, exclude: bool = False) -> NDArray:
        """Sum with NaNs counted as zero; see `nd.nansum`."""
        return _ops.reduction.nansum(self, axis=axis, keepdims=keepdims, exclude=exclude)

    def mean(self: Any, axis: Axis = None, keepdims: bool = False, exclude: bool = False) -> NDArray:
        """Mean over `axis` (all axes by default); see `nd.mean`."""
        return _ops.reduction.mean(self, axis=axis, keepdims=keepdims, exclude=exclude)

    def prod(self: Any, axis: Axis = None, keepdims: bool = False, exclude: bool = False) -> NDArray:
        """Product over `axis` (all axes by default); see `nd.prod`."""
        return _ops.reduction.prod(self, axis=axis, keepdims=keepdims, exclude=exclude)

    def max(self: Any, axis: Axis = None, keepdims: bool = False, exclude: bool = False) -> NDArray:
        """Maximum over `axis`; see `nd.max`."""
        return _ops.reduction.max(self, axis=axis, keepdims=keepdims, exclude=exclude)

    def min(self: Any, axis: Axis = None, keepdims: bool = False, exclude: bool = False) -> NDArray:
        """Minimum over `axis`; see `nd.min`."""
        return _ops.reduction.min(self, axis=axis, keepdims=keepdims, exclude=exclude)

    def norm(
        self: Any, ord: int = 2, axis: Axis = None, out_dtype: Any = None, keepdims: bool = False  # noqa: A002
    ) -> NDArray:
        """The L2 (or L1) norm; see `nd.norm`."""
        return _ops.reduction.norm(self, ord=ord, axis=axis, out_dtype=out_dtype, keepdims=keepdims)

    def argmax(self: Any, axis: int | None = None, keepdims: bool = False) -> NDArray:
        """Index of the maximum, as float32; see `nd.argmax`."""
        return _ops.reduction.argmax(self, axis=axis, keepdims=keepdims)

    def argmin(self: Any, axis: int | None = None, keepdims: bool = False) -> NDArray:
        """Index of the minimum, as float32; see `nd.argmin`."""
        return _ops.reduction.argmin(self, axis=axis, keepdims=keepdims)

    # ---- elementwise ---------------------------------------------------------------------
    def abs(self: Any) -> NDArray:
        """Elementwise absolute value; see `nd.abs`."""
        return _ops.arith.abs(self)

    def sign(self: Any) -> NDArray:
        """Elementwise sign; see `nd.sign`."""
        return _ops.arith.sign(self)

    def clip(self: Any, a_min: float, a_max: float) -> NDArray:
        """Limit the values to `[a_min, a_max]`; see `nd.clip`."""
        return _ops.elementwise.clip(self, a_min, a_max)

    def exp(self: Any) -> NDArray:
        """Elementwise exponential; see `nd.exp`."""
        return _ops.elementwise.exp(self)

    def log(self: Any) -> NDArray:
        """Elementwise natural logarithm; see `nd.log`."""
        return _ops.elementwise.log(self)

    def sqrt(self: Any) -> NDArray:
        """Elementwise square root; see `nd.sqrt`."""
        return _ops.elementwise.sqrt(self)

    def square(self: Any) -> NDArray:
        """Elementwise square; see `nd.square`."""
        return _ops.elementwise.square(self)

    def relu(self: Any) -> NDArray:
        """Elementwise max(x, 0); see `nd.relu`."""
        return _ops.elementwise.relu(self)

    def sigmoid(self: Any) -> NDArray:
        """Elementwise logistic function; see `nd.sigmoid`."""
        return _ops.elementwise.sigmoid(self)

    def tanh(self: Any) -> NDArray:
        """Elementwise hyperbolic tangent; see `nd.tanh`."""
        return _ops.trig.tanh(self)

    def softmax(self: Any, axis: int = -1, temperature: float | None = None) -> NDArray:
        """Softmax along `axis`; see `nd.softmax`."""
        return _ops.nn.softmax(self, axis=axis, temperature=temperature)

    def log_softmax(self: Any, axis: int = -1, temperature: float | None = None) -> NDArray:
        """Log-softmax along `axis`; see `nd.log_softmax`."""
        return _ops.nn.log_softmax(self, axis=axis, temperature=temperature)

    def expm1(self: Any) -> NDArray:
        """Elementwise exp(x) - 1; see `nd.expm1`."""
        return _ops.elementwise.expm1(self)

    def log2(self: Any) -> NDArray:
        """Elementwise base-2 logarithm; see `nd.log2`."""
        return _ops.elementwise.log2(self)

    def log10(self: Any) -> NDArray:
        """Elementwise base-10 logarithm; see `nd.log10`."""
        return _ops.elementwise.log10(self)

    def log1p(self: Any) -> NDArray:
        """Elementwise log(1 + x); see `nd.log1p`."""
        return _ops.elementwise.log1p(self)

    def rsqrt(self: Any) -> NDArray:
        """Elementwise 1 / sqrt(x); see `nd.rsqrt`."""
        return _ops.elementwise.rsqrt(self)

    def cbrt(self: Any) -> NDArray:
        """Elementwise cube root; see `nd.cbrt`."""
        return _ops.elementwise.cbrt(self)

    def rcbrt(self: Any) -> NDArray:
        """Elementwise 1 / cbrt(x); see `nd.rcbrt`."""
        return _ops.elementwise.rcbrt(self)

    def reciprocal(self: Any) -> NDArray:
        """Elementwise 1 / x; see `nd.reciprocal`."""
        return _ops.elementwise.reciprocal(self)

    def floor(self: Any) -> NDArray:
        """Elementwise floor; see `nd.floor`."""
        return _ops.elementwise.floor(self)

    def ceil(self: Any) -> NDArray:
        """Elementwise ceiling; see `nd.ceil`."""
        return _ops.elementwise.ceil(self)

    def round(self: Any) -> NDArray:
        """Elementwise rounding, halves away from zero; see `nd.round`."""
        return _ops.elementwise.round(self)

    def rint(self: Any) -> NDArray:
        """Elementwise rounding, n.5 down to n; see `nd.rint`."""
        return _ops.elementwise.rint(self)

    def fix(self: Any) -> NDArray:
        """Elementwise rounding towards zero; see `nd.fix`."""
        return _ops.elementwise.fix(self)

    def trunc(self: Any) -> NDArray:
        """Elementwise integer part; see `nd.trunc`."""
        return _ops.elementwise.trunc(self)

    def softrelu(self: Any) -> NDArray:
        """Elementwise log(1 + exp(x)); see `nd.softrelu`."""
        return _ops.elementwise.softrelu(self)

    def sin(self: Any) -> NDArray:
        """Elementwise sine; see `nd.sin`."""
        return _ops.trig.sin(self)

    def cos(self: Any) -> NDArray:
        """Elementwise cosine; see `nd.cos`."""
        return _ops.trig.cos(self)

    def tan(self: Any) -> NDArray:
        """Elementwise tangent; see `nd.tan`."""
        return _ops.trig.tan(self)

    def arcsin(self: Any) -> NDArray:
        """Elementwise inverse sine; see `nd.arcsin`."""
        return _ops.trig.arcsin(self)

    def arccos(self: Any) -> NDArray:
        """Elementwise inverse cosine; see `nd.arccos`."""
        return _ops.trig.arccos(self)

    def arctan(self: Any) -> NDArray:
        """Elementwise inverse tangent; see `nd.arctan`."""
        return _ops.trig.arctan(self)

    def sinh(self: Any) -> NDArray:
        """Elementwise hyperbolic sine; see `nd.sinh`."""
        return _ops.trig.sinh(self)

    def cosh(self: Any) -> NDArray:
        """Elementwise hyperbolic cosine; see `nd.cosh`."""
        return _ops.trig.cosh(self)

    def arcsinh(self: Any) -> NDArray:
        """Elementwise inverse hyperbolic sine; see `nd.arcsinh`."""
        return _ops.trig.arcsinh(self)

    def arccosh(self: Any) -> NDArray:
        """Elementwise inverse hyperbolic cosine; see `nd.arccosh`."""
        return _ops.trig.arccosh(self)

    def arctanh(self: Any) -> NDArray:
        """Elementwise inverse hyperbolic tangent; see `nd.arctanh`."""
        return _ops.trig.arctanh(self)

    def degrees(self: Any) -> NDArray:
        """Elementwise radians to degrees; see `nd.degrees`."""
        return _ops.trig.degrees(self)

    def radians(self: Any) -> NDArray:
        """Elementwise degrees to radians; see `nd.radians`."""
        return _ops.trig.radians(self)

    def erf(self: Any) -> NDArray:
        """Elementwise error function; see `nd.erf`."""
        return _ops.special.erf(self)

    def gamma(self: Any) -> NDArray:
        """Elementwise gamma function; see `nd.gamma`."""
        return _ops.special.gamma(self)

    def gammaln(self: Any) -> NDArray:
        """Elementwise log-gamma; see `nd.gammaln`."""
        return _ops.special.gammaln(self)

    def digamma(self: Any) -> NDArray:
        """Elementwise digamma function; see `nd.digamma`."""
        return _ops.special.digamma(self)
