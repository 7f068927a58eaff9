"""`nd.linalg`'s triangle packing and LQ factorisation: `extracttrian`, `maketrian`, `gelqf`.

`la.py` imports these into `nd.linalg` (one line), so they sit beside its other ops; this
module does not import `la.py`, so the imports run one way. Packing is one `getitem` (its
adjoint, a scatter, is `maketrian`); the LQ factorisation is a primitive whose VJP is written
with tape's ops, so every op here differentiates to any order.
"""

from __future__ import annotations

import functools
import operator
from typing import Any

import numpy as np

from .._args import array, wrong_type
from .._primitive import Primitive
from .._xp import device_id, is_host, to_device
from ..creation import into
from ..errors import ArgumentError
from ..ndarray import NDArray
from .indexing import getitem_op, scatter_op
from .linalg import batch_dot_op, inv_op
from .shape import transpose_op

__all__ = ["extracttrian", "maketrian", "gelqf"]


# ---- the arguments ---------------------------------------------------------------------------
def _floats(value: Any, where: str, least: int) -> NDArray:
    x = array(value, where, "A")
    if x._data.dtype.kind != "f":
        raise wrong_type(where, "A", "an array of floats", x, "cast it first, A.astype('float32')")
    if x.ndim < least:
        raise ArgumentError(f"{where}: A must have at least {least} axes, not shape {x.shape}")
    return x


def _offset(value: Any, where: str) -> int:
    try:
        return operator.index(value)
    except TypeError:
        raise wrong_type(where, "offset", "an int", value) from None


def _lower(value: Any, where: str) -> bool:
    if isinstance(value, bool | np.bool_) or (isinstance(value, int) and value in (0, 1)):
        return bool(value)
    raise wrong_type(where, "lower", "a bool", value)


def _triangle(n: int, offset: int, lower: bool, like: Any) -> tuple[np.ndarray, np.ndarray]:
    """The (rows, columns) of the triangle of an n x n matrix, in MXNet's packing order, on the
    device of the array `like`: a lower triangle (offset < 0, or 0 with `lower`) row by row, an
    upper one column by column (the lower triangle of the transpose, row by row)."""
    return _triangle_on(n, offset, lower, None if is_host(like) else device_id(like))


@functools.lru_cache(maxsize=64)
def _triangle_on(n: int, offset: int, lower: bool, device: int | None) -> tuple[np.ndarray, np.ndarray]:
    # Cached per device: a model packs matrices of one size every step. Read-only, as shared.
    if offset < 0 or (offset == 0 and lower):
        rows, columns = np.tril_indices(n, offset)
    else:
        columns, rows = np.tril_indices(n, -offset)
    if device is not None:
        return to_device(rows, device), to_device(columns, device)
    rows.flags.writeable = columns.flags.writeable = False
    return rows, columns


# ---- packing ---------------------------------------------------------------------------------
def extracttrian(
    A: NDArray,  # noqa: N803 - MXNet's argument name
    offset: int = 0,
    lower: bool = True,
    *,
    out: NDArray | None = None,
) -> NDArray:
    """The triangle of each square matrix as a vector: the lower one (with `lower`, the default)
    or upper one for `offset` 0, the part below diagonal `offset` for `offset` < 0, above it for
    `offset` > 0. A lower triangle is read row by row, an upper one column by column, as MXNet
    packs them; `maketrian` unpacks.

    >>> from tape import nd
    >>> nd.linalg.extracttrian(nd.array([[1, 2], [3, 4]]))
    <BLANKLINE>
    [1. 3. 4.]
    <NDArray 3 @cpu(0)>
    """
    where = "nd.linalg.extracttrian"
    a, k, low = _floats(A, where, 2), _offset(offset, where), _lower(lower, where)
    n = a.shape[-1]
    if a.shape[-2] != n:
        raise ArgumentError(f"{where}: A must hold square matrices (shape (..., n, n)), not shape {a.shape}")
    if abs(k) >= n:
        raise ArgumentError(
            f"{where}: offset {k} is out of range: matrices of size {n} have diagonals {1 - n} to {n - 1}"
        )
    rows, columns = _triangle(n, k, low, a._data)
    return into(out, getitem_op(a, key=(Ellipsis, rows, columns)), where)


def maketrian(
    A: NDArray,  # noqa: N803 - MXNet's argument name
    offset: int = 0,
    lower: bool = True,
    *,
    out: NDArray | None = None,
) -> NDArray:
    """Square matrices with the last axis of `A` on the triangle that `extracttrian` reads with
    the same `offset` and `lower`, zeros elsewhere: `A` of length m = n (n + 1) / 2 gives
    matrices of size n + |offset|.

    >>> from tape import nd
    >>> nd.linalg.maketrian(nd.array([1, 2, 3]), lower=False)
    <BLANKLINE>
    [[1. 2.]
     [0. 3.]]
    <NDArray 2x2 @cpu(0)>
    """
    where = "nd.linalg.maketrian"
    a, k, low = _floats(A, where, 1), _offset(offset, where), _lower(lower, where)
    m = a.shape[-1]
    side = int((np.sqrt(8 * m + 1) - 1) / 2)
    if side * (side + 1) // 2 != m or m == 0:
        raise ArgumentError(
            f"{where}: the last axis of A must hold a triangle, n (n + 1) / 2 values (1, 3, 6, 10...), "
            f"not {m}"
        )
    n = side + abs(k)
    rows, columns = _triangle(n, k, low, a._data)
    result = scatter_op(a, key=(Ellipsis, rows, columns), shape=(*a.shape[:-1], n, n))
    return into(out, result, where)


# ---- LQ --------------------------------------------------------------------------------------
def _lq(a: np.ndarray) -> np.ndarray:
    # A = L Q is A^T = Q^T L^T, a QR factorisation: LAPACK's geqrf of A^T makes the Householder
    # reflectors of gelqf of A, so the signs of L's diagonal are MXNet's. Q and L side by side,
    # in one array: a primitive has one output.
    q, r = np.linalg.qr(a.swapaxes(-1, -2))
    return np.concatenate([q.swapaxes(-1, -2), r.swapaxes(-1, -2)], axis=-1)


def _lq_vjp(g: NDArray, ans: NDArray, a: NDArray) -> NDArray:
    # With M = L^T dL - dQ Q^T and copyltu(M) its lower triangle mirrored (symmetric):
    # dA = L^-T (dQ + copyltu(M) Q), MXNet's formula (la_op.h), written with tape's ops.
    m = a.shape[-1]
    q = getitem_op(ans, key=(Ellipsis, slice(0, m)))
    low = getitem_op(ans, key=(Ellipsis, slice(m, None)))
    dq = getitem_op(g, key=(Ellipsis, slice(0, m)))
    dl = getitem_op(g, key=(Ellipsis, slice(m, None)))
    mm = batch_dot_op(low, dl, transpose_a=True, transpose_b=False)
    mm = mm - batch_dot_op(dq, q, transpose_a=False, transpose_b=True)
    n = mm.shape[-1]
    ones = np.ones_like(mm._data, shape=(n, n))  # on mm's device
    swapped = (*range(mm.ndim - 2), mm.ndim - 1, mm.ndim - 2)
    copyltu = mm * np.tril(ones) + transpose_op(mm * np.tril(ones, -1), axes=swapped)
    inner = dq + batch_dot_op(copyltu, q, transpose_a=False, transpose_b=False)
    return batch_dot_op(inv_op(low), inner, transpose_a=True, transpose_b=False)


lq_op: Primitive = Primitive("linalg_gelqf", _lq, _lq_vjp)


def gelqf(A: NDArray) -> list[NDArray]:  # noqa: N803 - MXNet's argument name
    """The LQ factorisation `A = L Q` of each matrix of shape (x, y), x <= y, of full rank x:
    the list `[Q, L]` (MXNet's order), `Q` of shape (x, y) with orthonormal rows, `L` of shape
    (x, x) lower triangular, with LAPACK's signs, as MXNet's. The gradient needs `A` of full
    rank (it solves with `L`).

    >>> from tape import nd
    >>> q, l = nd.linalg.gelqf(nd.array([[3, 0, 4]]))
    >>> print(q.asnumpy(), l.asnumpy())
    [[-0.6 -0.  -0.8]] [[-5.]]
    """
    where = "nd.linalg.gelqf"
    a = _floats(A, where, 2)
    x, y = a.shape[-2:]
    if x > y:
        raise ArgumentError(
            f"{where}: A must have no more rows than columns (shape (..., x, y), x <= y), not shape "
            f"{a.shape}: factorise its transpose"
        )
    both = lq_op(a)
    return [getitem_op(both, key=(Ellipsis, slice(0, y))), getitem_op(both, key=(Ellipsis, slice(y, None)))]
