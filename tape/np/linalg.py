"""`tape.np.linalg`: norms, inverses and determinants, differentiable."""

from __future__ import annotations

from typing import Any

import numpy as onp

from ..ops import elementwise as _el
from ..ops import linalg as _la
from ..ops import shape as _shapes
from ._convert import array_arg
from ._ndarray import ndarray
from ._reduction import max as _max
from ._reduction import min as _min
from ._reduction import sum as _sum

__all__ = ["norm", "inv", "det"]

_VECTOR_ORDS = "None, 2, 1, inf, -inf, or a positive number"
_MATRIX_ORDS = "None, 'fro', 1, -1, inf or -inf"


def _square(a: Any, fname: str) -> ndarray:
    x = a if a.__class__ is ndarray else array_arg(a, f"linalg.{fname}", "a")
    if x.ndim < 2 or x.shape[-1] != x.shape[-2]:
        raise ValueError(f"np.linalg.{fname} needs square matrices (shape (..., n, n)), not shape {x.shape}")
    return x


def inv(a: Any) -> Any:
    """The inverse of each square matrix in `a` (the last two axes).

    >>> from tape import np
    >>> np.linalg.inv(np.array([[2, 0], [0, 4]]))
    array([[0.5 , 0.  ],
           [0.  , 0.25]])
    """
    return _la.inv_op(_square(a, "inv"))


def det(a: Any) -> Any:
    """The determinant of each square matrix in `a` (the last two axes).

    >>> from tape import np
    >>> np.linalg.det(np.array([[2, 1], [1, 3]]))
    array(5.)
    """
    return _la.det_op(_square(a, "det"))


def _vector_norm(x: ndarray, ord: Any, axis: int, keepdims: bool) -> Any:  # noqa: A002
    if ord is None or ord == 2:
        return _el.sqrt_op(_sum(x * x, axis=axis, keepdims=keepdims))
    if ord == 1:
        return _sum(_el.abs_op(x), axis=axis, keepdims=keepdims)
    if ord == onp.inf:
        return _max(_el.abs_op(x), axis=axis, keepdims=keepdims)
    if ord == -onp.inf:
        return _min(_el.abs_op(x), axis=axis, keepdims=keepdims)
    if isinstance(ord, int | float) and ord > 0:
        return _sum(_el.abs_op(x) ** ord, axis=axis, keepdims=keepdims) ** (1.0 / ord)
    raise ValueError(f"np.linalg.norm: vector norms take ord {_VECTOR_ORDS}, not {ord!r}")


def _matrix_norm(x: ndarray, ord: Any, axes: tuple[int, int], keepdims: bool) -> Any:  # noqa: A002
    if ord is None or ord == "fro":
        return _el.sqrt_op(_sum(x * x, axis=axes, keepdims=keepdims))
    if ord in (1, -1, onp.inf, -onp.inf):
        # 1: the largest column sum of |x|; inf: the largest row sum (-1, -inf: the smallest).
        summed, over = (axes[0], axes[1]) if ord in (1, -1) else (axes[1], axes[0])
        sums = _sum(_el.abs_op(x), axis=summed, keepdims=True)
        pick = _max if ord in (1, onp.inf) else _min
        out = pick(sums, axis=over, keepdims=True)
        kept = tuple(n for i, n in enumerate(out.shape) if i not in axes)
        return out if keepdims else _shapes.reshape_op(out, shape=kept)
    raise NotImplementedError(
        f"np.linalg.norm: matrix norms take ord {_MATRIX_ORDS}; ord={ord!r} (singular values) is not in tape"
    )


def norm(x: Any, ord: Any = None, axis: Any = None, keepdims: bool = False) -> Any:  # noqa: A002
    """The vector or matrix norm of `x`: by default the 2-norm of all its values.

    With an int `axis`, vector norms along it; with two axes, matrix norms over them. Its
    derivative at the zero vector is NaN (as the square root's at 0).

    >>> from tape import np
    >>> np.linalg.norm(np.array([3, 4])), np.linalg.norm(np.array([[1, -2], [3, 0]]), 1, axis=1)
    (array(5.), array([3., 3.]))
    """
    a = x if x.__class__ is ndarray else array_arg(x, "linalg.norm", "x")
    if axis is None:
        if ord is None:
            return _el.sqrt_op(_sum(a * a, keepdims=keepdims)) if a.size else _sum(a * a, keepdims=keepdims)
        if a.ndim not in (1, 2):
            raise ValueError(
                f"np.linalg.norm: ord={ord!r} without axis needs a 1-D or 2-D array, not {a.ndim}-D"
            )
        axis = 0 if a.ndim == 1 else (0, 1)
    if isinstance(axis, int | onp.integer):
        return _vector_norm(a, ord, int(axis), keepdims)
    if isinstance(axis, tuple | list) and len(axis) == 2:
        return _matrix_norm(a, ord, (int(axis[0]) % a.ndim, int(axis[1]) % a.ndim), keepdims)
    raise ValueError(f"np.linalg.norm: axis must be None, an int or a pair of ints, not {axis!r}")
