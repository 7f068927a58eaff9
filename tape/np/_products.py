"""Products of `tape.np`: dot, matmul, tensordot, einsum, outer, inner, vdot.

Each is built from `nd`'s matrix-product primitives (`dot2_op`, `batch_dot_op`) with
reshapes and transposes, or is `einsum`, so every derivative is one already written.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as onp

from .._graph import taped
from ..errors import AutogradError
from ..ops import arith as _ar
from ..ops import contract as _contract
from ..ops import linalg as _la
from ..ops import shape as _shapes
from ._convert import array_arg, into
from ._ndarray import ndarray
from ._reduction import sum_op

__all__ = ["dot", "matmul", "tensordot", "einsum", "outer", "inner", "vdot"]


def _array(a: Any, fname: str, arg: str) -> ndarray:
    return a if a.__class__ is ndarray else array_arg(a, fname, arg)


def _reshape(x: Any, shape: tuple[int, ...]) -> Any:
    return x if x.shape == shape else _shapes.reshape_op(x, shape=shape)


def _check(k1: int, k2: int, a: ndarray, b: ndarray, fname: str) -> None:
    if k1 != k2:
        raise ValueError(f"np.{fname}: shapes {a.shape} and {b.shape} are not aligned: {k1} != {k2}")


def dot(a: Any, b: Any, out: Any = None) -> Any:
    """NumPy's dot: a product of numbers, the inner product of vectors (0-d), the matrix product,
    or the sum over the last axis of `a` and the second-to-last of `b`.

    >>> from tape import np
    >>> x = np.array([1, 2, 3])
    >>> np.dot(x, x)
    array(14.)
    >>> np.dot(np.ones((2, 3)), x)
    array([6., 6.])
    """
    x, y = _array(a, "dot", "a"), _array(b, "dot", "b")
    xs, ys = x._data.shape, y._data.shape
    if len(xs) == 2 and len(ys) == 2 and xs[1] == ys[0] and out is None:  # the common call, first
        return _la.dot2_op(x, y, transpose_a=False, transpose_b=False)
    if x.ndim == 0 or y.ndim == 0:
        return into(out, _ar.multiply_op(x, y), "dot")
    if y.ndim > 2:
        return tensordot(x, y, ((x.ndim - 1,), (y.ndim - 2,)), out=out)
    k = x.shape[-1]
    _check(k, y.shape[0], x, y, "dot")
    rows = math.prod(x.shape[:-1])
    cols = y.shape[1] if y.ndim == 2 else 1
    product = _la.dot2_op(
        _reshape(x, (rows, k)), _reshape(y, (k, cols)), transpose_a=False, transpose_b=False
    )
    return into(out, _reshape(product, x.shape[:-1] + y.shape[1:]), "dot")


def matmul(a: Any, b: Any, out: Any = None) -> Any:
    """The matrix product, batch by batch over leading axes that broadcast (the `@` operator).

    A 1-D operand is a row (first) or a column (second) vector, and that axis is dropped from
    the result, as in NumPy.

    >>> from tape import np
    >>> np.matmul(np.ones((2, 2, 3)), np.ones((3, 4))).shape
    (2, 2, 4)
    >>> np.ones((2, 3)) @ np.ones(3)
    array([3., 3.])
    """
    x, y = _array(a, "matmul", "a"), _array(b, "matmul", "b")
    if x.ndim == 0 or y.ndim == 0:
        raise ValueError("np.matmul: operands must have at least one dimension (use * for numbers)")
    xm = _reshape(x, (1, x.shape[0])) if x.ndim == 1 else x
    ym = _reshape(y, (y.shape[0], 1)) if y.ndim == 1 else y
    _check(xm.shape[-1], ym.shape[-2], x, y, "matmul")
    if xm.ndim == 2 and ym.ndim == 2:
        product = _la.dot2_op(xm, ym, transpose_a=False, transpose_b=False)
    else:
        try:
            batch = onp.broadcast_shapes(xm.shape[:-2], ym.shape[:-2])
        except ValueError:
            raise ValueError(
                f"np.matmul: the batch axes of {x.shape} and {y.shape} do not broadcast"
            ) from None
        # Broadcast explicitly: broadcast_to's adjoint sums the gradient back over the batch.
        if xm.shape[:-2] != batch:
            xm = _shapes.broadcast_to_op(xm, shape=batch + xm.shape[-2:])
        if ym.shape[:-2] != batch:
            ym = _shapes.broadcast_to_op(ym, shape=batch + ym.shape[-2:])
        product = _la.batch_dot_op(xm, ym, transpose_a=False, transpose_b=False)
    shape = product.shape
    if x.ndim == 1:
        shape = shape[:-2] + shape[-1:]
    if y.ndim == 1:
        shape = shape[:-1]
    return into(out, _reshape(product, shape), "matmul")


def _tensordot_axes(axes: Any, xdim: int, ydim: int) -> tuple[tuple[int, ...], tuple[int, ...]]:
    if isinstance(axes, int | onp.integer):
        n = int(axes)
        if not 0 <= n <= min(xdim, ydim):
            raise ValueError(f"np.tensordot: axes={n} needs at least {n} axes in each operand")
        return tuple(range(xdim - n, xdim)), tuple(range(n))
    if not isinstance(axes, Sequence) or len(axes) != 2:
        raise TypeError("np.tensordot: axes must be an int or a pair of axis lists")
    pair = [(int(i),) if isinstance(i, int | onp.integer) else tuple(int(j) for j in i) for i in axes]
    return tuple(i % xdim for i in pair[0]), tuple(i % ydim for i in pair[1])


def tensordot(a: Any, b: Any, axes: Any = 2, out: Any = None) -> Any:
    """The sum of products over `axes`: the last `axes` of `a` with the first of `b`, or the
    listed pairs of axes.

    >>> from tape import np
    >>> np.tensordot(np.ones((2, 3)), np.ones((3, 4)), axes=1).shape
    (2, 4)
    >>> np.tensordot(np.ones((3, 2)), np.ones((3, 4)), axes=([0], [0])).shape
    (2, 4)
    """
    x, y = _array(a, "tensordot", "a"), _array(b, "tensordot", "b")
    ax, ay = _tensordot_axes(axes, x.ndim, y.ndim)
    if len(ax) != len(ay):
        raise ValueError("np.tensordot: the two lists of axes must have the same length")
    for i, j in zip(ax, ay, strict=True):
        _check(x.shape[i], y.shape[j], x, y, "tensordot")
    free_x = [i for i in range(x.ndim) if i not in ax]
    free_y = [j for j in range(y.ndim) if j not in ay]
    k = math.prod(x.shape[i] for i in ax)
    xt = (
        x
        if list(ax) == list(range(x.ndim - len(ax), x.ndim)) and free_x == list(range(len(free_x)))
        else (_shapes.transpose_op(x, axes=(*free_x, *ax)))
    )
    yt = y if list(ay) == list(range(len(ay))) else _shapes.transpose_op(y, axes=(*ay, *free_y))
    rows = math.prod(x.shape[i] for i in free_x)
    cols = math.prod(y.shape[j] for j in free_y)
    product = _la.dot2_op(
        _reshape(xt, (rows, k)), _reshape(yt, (k, cols)), transpose_a=False, transpose_b=False
    )
    shape = tuple(x.shape[i] for i in free_x) + tuple(y.shape[j] for j in free_y)
    return into(out, _reshape(product, shape), "tensordot")


def einsum(subscripts: str, *operands: Any, out: Any = None, optimize: Any = False) -> Any:
    """Einstein summation: `np.einsum("ij,jk->ik", a, b)` is `a @ b`; differentiable.

    Recorded einsums take explicit letters: an ellipsis or a letter repeated within one operand
    (a diagonal) is refused inside `record()` with the way around it.

    >>> from tape import np
    >>> x = np.array([1, 2, 3])
    >>> np.einsum("i,i->", x, x), np.einsum("ij->j", np.ones((2, 3)))
    (array(14.), array([2., 2., 2.]))
    """
    if not isinstance(subscripts, str):
        raise TypeError(
            f"np.einsum: subscripts must be a str such as 'ij,jk->ik', not {type(subscripts).__name__}"
        )
    xs = [_array(o, "einsum", f"operand {i}") for i, o in enumerate(operands, 1)]
    terms, result = _contract.explicit(subscripts, len(xs))
    if any(taped(x) for x in xs):
        why = _contract.differentiable(terms, result)
        if why is not None:
            raise AutogradError(
                f"np.einsum({subscripts!r}) has {why}, which tape cannot differentiate: write it with "
                "explicit letters, each once per operand, or compute it outside record()"
            )
        subscripts = ",".join(terms) + "->" + result
    return into(out, _contract.einsum_op(*xs, subscripts=subscripts), "einsum")


def outer(a: Any, b: Any, out: Any = None) -> Any:
    """The outer product of the flattened `a` and `b`.

    >>> from tape import np
    >>> np.outer(np.array([1, 2]), np.array([1, 10, 100]))
    array([[  1.,  10., 100.],
           [  2.,  20., 200.]])
    """
    x, y = _array(a, "outer", "a"), _array(b, "outer", "b")
    return into(out, _ar.multiply_op(_reshape(x, (x.size, 1)), _reshape(y, (1, y.size))), "outer")


def inner(a: Any, b: Any) -> Any:
    """The sum of products over the last axes of `a` and `b`.

    >>> from tape import np
    >>> np.inner(np.array([1, 2]), np.array([3, 4]))
    array(11.)
    """
    x, y = _array(a, "inner", "a"), _array(b, "inner", "b")
    if x.ndim == 0 or y.ndim == 0:
        return _ar.multiply_op(x, y)
    return tensordot(x, y, ((x.ndim - 1,), (y.ndim - 1,)))


def vdot(a: Any, b: Any) -> Any:
    """The inner product of the flattened `a` and `b` (0-d).

    >>> from tape import np
    >>> np.vdot(np.ones((2, 2)), np.ones((2, 2)))
    array(4.)
    """
    x, y = _array(a, "vdot", "a"), _array(b, "vdot", "b")
    if x.size != y.size:
        raise ValueError(f"np.vdot: the arrays have {x.size} and {y.size} elements; they must match")
    return sum_op(_ar.multiply_op(_reshape(x, (x.size,)), _reshape(y, (y.size,))), axes=(0,), keepdims=False)
