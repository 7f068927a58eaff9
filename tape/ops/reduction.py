"""Reductions over axes, with MXNet's `axis`, `keepdims` and `exclude`."""

from __future__ import annotations

from typing import Any

import numpy as np

from .._graph import Primitive
from ..ndarray import NDArray
from . import arith, elementwise
from .shape import broadcast_to_op, reshape_op

__all__ = ["sum", "mean", "max", "min", "norm", "argmax", "argmin"]

Axis = int | tuple[int, ...] | list[int] | None


def axes_of(ndim: int, axis: Axis, exclude: bool = False) -> tuple[int, ...]:
    """The reduced axes, as non-negative ints, for MXNet's `axis` and `exclude`."""
    if axis is None:
        axes: tuple[int, ...] = tuple(range(ndim))
    else:
        raw = (axis,) if isinstance(axis, int) else tuple(axis)
        for a in raw:
            if not -ndim <= a < ndim:
                raise ValueError(f"axis {a} is out of range for an array of {ndim} dimensions")
        axes = tuple(sorted({a % ndim for a in raw}))
    if exclude:
        axes = tuple(i for i in range(ndim) if i not in axes)
    return axes


def _kept(shape: tuple[int, ...], axes: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(1 if i in axes else n for i, n in enumerate(shape))


def _no_0d(out: np.ndarray) -> np.ndarray:
    # Legacy MXNet has no 0-d arrays: a full reduction has shape (1,).
    return out.reshape(1) if out.ndim == 0 else out


def _spread(g: NDArray, x: NDArray, axes: tuple[int, ...]) -> NDArray:
    """`g`, the gradient of a reduction of `x` over `axes`, broadcast back to `x`'s shape."""
    return broadcast_to_op(reshape_op(g, shape=_kept(x.shape, axes)), shape=x.shape)


sum_op: Primitive = Primitive(
    "sum",
    lambda x, axes, keepdims: _no_0d(np.sum(x, axis=axes, keepdims=keepdims)),
    lambda g, ans, x, axes, keepdims: _spread(g, x, axes),
)


def _extreme_vjp(g: NDArray, ans: NDArray, x: NDArray, axes: tuple[int, ...], keepdims: bool) -> NDArray:
    # The gradient is shared among the positions that attain the extreme.
    hit = arith.step_ge_op(x, _spread(ans, x, axes)) * arith.step_ge_op(_spread(ans, x, axes), x)
    count = sum_op(hit, axes=axes, keepdims=True)
    return _spread(g, x, axes) * hit / broadcast_to_op(count, shape=x.shape)


max_op: Primitive = Primitive(
    "max", lambda x, axes, keepdims: _no_0d(np.max(x, axis=axes, keepdims=keepdims)), _extreme_vjp
)
min_op: Primitive = Primitive(
    "min", lambda x, axes, keepdims: _no_0d(np.min(x, axis=axes, keepdims=keepdims)), _extreme_vjp
)


def _arg(f: Any) -> Any:
    def arg(x: np.ndarray, axis: int | None, keepdims: bool) -> np.ndarray:
        out = f(x, axis=axis, keepdims=keepdims if axis is not None else False)
        return _no_0d(np.asarray(out, dtype=np.float32))

    return arg


argmax_op: Primitive = Primitive("argmax", _arg(np.argmax), differentiable=False)
argmin_op: Primitive = Primitive("argmin", _arg(np.argmin), differentiable=False)


def sum(data: NDArray, axis: Axis = None, keepdims: bool = False, exclude: bool = False) -> NDArray:  # noqa: A001
    """Sum over `axis` (all axes by default; all but `axis` with `exclude=True`).

    A full reduction has shape (1,), as in MXNet.

    >>> from tape import nd
    >>> x = nd.array([[1, 2], [3, 4]])
    >>> nd.sum(x)
    <BLANKLINE>
    [10.]
    <NDArray 1 @cpu(0)>
    >>> nd.sum(x, axis=0, keepdims=True).shape
    (1, 2)
    """
    return sum_op(data, axes=axes_of(data.ndim, axis, exclude), keepdims=keepdims)


def mean(data: NDArray, axis: Axis = None, keepdims: bool = False, exclude: bool = False) -> NDArray:
    """Mean over `axis` (all axes by default).

    >>> from tape import nd
    >>> nd.mean(nd.array([[1, 2], [3, 4]]), axis=1)
    <BLANKLINE>
    [1.5 3.5]
    <NDArray 2 @cpu(0)>
    """
    axes = axes_of(data.ndim, axis, exclude)
    count = int(np.prod([data.shape[a] for a in axes]))
    return sum_op(data, axes=axes, keepdims=keepdims) / count


def max(data: NDArray, axis: Axis = None, keepdims: bool = False, exclude: bool = False) -> NDArray:  # noqa: A001
    """Maximum over `axis`; ties share the gradient equally.

    >>> from tape import nd
    >>> nd.max(nd.array([[1, 5], [3, 4]]), axis=1)
    <BLANKLINE>
    [5. 4.]
    <NDArray 2 @cpu(0)>
    """
    return max_op(data, axes=axes_of(data.ndim, axis, exclude), keepdims=keepdims)


def min(data: NDArray, axis: Axis = None, keepdims: bool = False, exclude: bool = False) -> NDArray:  # noqa: A001
    """Minimum over `axis`; ties share the gradient equally.

    >>> from tape import nd
    >>> nd.min(nd.array([[1, 5], [3, 4]]), axis=1)
    <BLANKLINE>
    [1. 3.]
    <NDArray 2 @cpu(0)>
    """
    return min_op(data, axes=axes_of(data.ndim, axis, exclude), keepdims=keepdims)


def norm(data: NDArray, ord: int = 2, axis: Axis = None, keepdims: bool = False) -> NDArray:  # noqa: A002
    """The L2 norm (or L1 with `ord=1`) over `axis`, all axes by default.

    >>> from tape import nd
    >>> nd.norm(nd.array([3, 4]))
    <BLANKLINE>
    [5.]
    <NDArray 1 @cpu(0)>
    """
    if ord == 2:
        return elementwise.sqrt(sum(data * data, axis=axis, keepdims=keepdims))
    if ord == 1:
        return sum(arith.abs(data), axis=axis, keepdims=keepdims)
    raise ValueError(f"norm supports ord=1 and ord=2, not {ord}")


def argmax(data: NDArray, axis: int | None = None, keepdims: bool = False) -> NDArray:
    """Index of the maximum along `axis`, as float32 (MXNet's convention).

    >>> from tape import nd
    >>> nd.argmax(nd.array([[1, 5], [4, 3]]), axis=1)
    <BLANKLINE>
    [1. 0.]
    <NDArray 2 @cpu(0)>
    """
    return argmax_op(data, axis=axis, keepdims=keepdims)


def argmin(data: NDArray, axis: int | None = None, keepdims: bool = False) -> NDArray:
    """Index of the minimum along `axis`, as float32.

    >>> from tape import nd
    >>> nd.argmin(nd.array([[1, 5], [4, 3]]), axis=1)
    <BLANKLINE>
    [0. 1.]
    <NDArray 2 @cpu(0)>
    """
    return argmin_op(data, axis=axis, keepdims=keepdims)
