"""The methods that make `x.sum()`, `x.reshape()`... mirror the `nd` functions."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

# The op modules load after NDArray (they build on it), so methods reach them through
# the package at call time.
from . import ops as _ops

if TYPE_CHECKING:
    from .ndarray import NDArray


class Fluent:
    """Mixed into NDArray: each method calls the `nd` function of the same name."""

    __slots__ = ()

    def reshape(self: Any, *shape: Any, **kwargs: Any) -> NDArray:
        """The array with a new shape (a tuple or ints; MXNet's codes 0, -1, -2, -3, -4)."""
        if len(shape) == 1 and isinstance(shape[0], tuple | list):
            shape = tuple(shape[0])
        spec = shape or kwargs.get("shape", ())
        return _ops.shape.reshape(self, spec, reverse=kwargs.get("reverse", False))

    def sum(self: Any, axis: Any = None, keepdims: bool = False, exclude: bool = False) -> NDArray:
        """Sum over `axis` (all axes by default); see `nd.sum`."""
        return _ops.reduction.sum(self, axis=axis, keepdims=keepdims, exclude=exclude)

    def mean(self: Any, axis: Any = None, keepdims: bool = False, exclude: bool = False) -> NDArray:
        """Mean over `axis` (all axes by default); see `nd.mean`."""
        return _ops.reduction.mean(self, axis=axis, keepdims=keepdims, exclude=exclude)

    def norm(self: Any, ord: int = 2, axis: Any = None, keepdims: bool = False) -> NDArray:  # noqa: A002
        """The L2 (or L1) norm; see `nd.norm`."""
        return _ops.reduction.norm(self, ord=ord, axis=axis, keepdims=keepdims)

    def abs(self: Any) -> NDArray:
        """Elementwise absolute value; see `nd.abs`."""
        return _ops.arith.abs(self)

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
        return _ops.elementwise.tanh(self)

    def max(self: Any, axis: Any = None, keepdims: bool = False, exclude: bool = False) -> NDArray:
        """Maximum over `axis`; see `nd.max`."""
        return _ops.reduction.max(self, axis=axis, keepdims=keepdims, exclude=exclude)

    def min(self: Any, axis: Any = None, keepdims: bool = False, exclude: bool = False) -> NDArray:
        """Minimum over `axis`; see `nd.min`."""
        return _ops.reduction.min(self, axis=axis, keepdims=keepdims, exclude=exclude)

    def argmax(self: Any, axis: int | None = None, keepdims: bool = False) -> NDArray:
        """Index of the maximum, as float32; see `nd.argmax`."""
        return _ops.reduction.argmax(self, axis=axis, keepdims=keepdims)

    def argmin(self: Any, axis: int | None = None, keepdims: bool = False) -> NDArray:
        """Index of the minimum, as float32; see `nd.argmin`."""
        return _ops.reduction.argmin(self, axis=axis, keepdims=keepdims)

    def transpose(self: Any, axes: Any = None) -> NDArray:
        """Permute the axes; see `nd.transpose`."""
        return _ops.shape.transpose(self, axes)

    def expand_dims(self: Any, axis: int) -> NDArray:
        """Insert an axis of length 1; see `nd.expand_dims`."""
        return _ops.shape.expand_dims(self, axis)

    def flatten(self: Any) -> NDArray:
        """Collapse all axes but the first; see `nd.flatten`."""
        return _ops.shape.flatten(self)

    def broadcast_to(self: Any, shape: Any) -> NDArray:
        """Broadcast to `shape`; see `nd.broadcast_to`."""
        return _ops.shape.broadcast_to(self, shape)

    def zeros_like(self: Any) -> NDArray:
        """Zeros of the same shape; see `nd.zeros_like`."""
        return _ops.shape.zeros_like(self)

    def ones_like(self: Any) -> NDArray:
        """Ones of the same shape; see `nd.ones_like`."""
        return _ops.shape.ones_like(self)
