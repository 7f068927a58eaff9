"""`nd.linalg`: MXNet's linear algebra ops (BLAS 3 and LAPACK), batched over leading axes.

Every op takes matrices in the last two axes of its arrays; the leading axes are a batch and
must agree between arrays (no broadcasting, as in MXNet). The triangular ops read only the
triangle that `lower` names, and their gradients lie in that triangle. Each derivative is
written with tape's ops (Cholesky's adjoint through two triangular solves), so every op
differentiates to any order.
"""

from __future__ import annotations

import operator
from typing import Any

import numpy as np

from .._args import NUMBERS, array, wrong_type
from .._primitive import Primitive
from .._xp import asarray, linalg_raises
from ..creation import into
from ..errors import ArgumentError
from ..ndarray import NDArray
from .elementwise import log_op
from .layout import diagonal_op, undiagonal_op
from .linalg import batch_dot_op, det_op, inv_op
from .reduction import sum as _sum
from .shape import reshape_op, transpose_op
from .triangular import extracttrian, gelqf, maketrian  # nd.linalg's too: see triangular.py

__all__ = [
    "gemm", "gemm2", "potrf", "potri", "trsm", "trmm", "syrk", "sumlogdiag", "inverse", "det", "slogdet",
    "extractdiag", "makediag", "extracttrian", "maketrian", "gelqf",
]  # fmt: skip


# ---- the arguments ---------------------------------------------------------------------------
def _floats(value: Any, where: str, arg: str = "A", least: int = 2) -> NDArray:
    """An array argument of floats with at least `least` axes."""
    x = array(value, where, arg)
    if x._data.dtype.kind != "f":
        raise wrong_type(where, arg, "an array of floats", x, f"cast it first, {arg}.astype('float32')")
    if x.ndim < least:
        raise ArgumentError(
            f"{where}: {arg} must have at least {least} axes (matrices in the last two), not shape {x.shape}"
        )
    return x


def _square(value: Any, where: str, arg: str = "A") -> NDArray:
    x = _floats(value, where, arg)
    if x.shape[-1] != x.shape[-2]:
        raise ArgumentError(
            f"{where}: {arg} must hold square matrices (shape (..., n, n)), not shape {x.shape}"
        )
    return x


def _batched(a: NDArray, b: NDArray, where: str, names: str = "A and B") -> None:
    if a.shape[:-2] != b.shape[:-2]:
        raise ArgumentError(
            f"{where}: {names} must have the same batch axes (all but the last two), not shapes {a.shape} "
            f"and {b.shape}"
        )


def _number(value: Any, where: str, arg: str) -> float:
    if isinstance(value, bool) or not isinstance(value, NUMBERS) or isinstance(value, complex):
        raise wrong_type(where, arg, "a real number", value)
    return float(value)


def _flag(value: Any, where: str, arg: str) -> bool:
    if isinstance(value, bool | np.bool_) or (isinstance(value, int) and value in (0, 1)):
        return bool(value)
    raise wrong_type(where, arg, "a bool", value)


def _offset(value: Any, where: str) -> int:
    try:
        return operator.index(value)
    except TypeError:
        raise wrong_type(where, "offset", "an int", value) from None


def _scaled(x: NDArray, alpha: float) -> NDArray:
    return x if alpha == 1.0 else x * alpha


def _swapped(ndim: int) -> tuple[int, ...]:
    return (*range(ndim - 2), ndim - 1, ndim - 2)


def _tri_mask(a: Any, lower: bool, diagonal: float = 1.0) -> np.ndarray:
    """The 0/1 mask of the triangle of `a`'s matrices that `lower` names (its diagonal set to
    `diagonal`), in `a`'s dtype."""
    data = a._data if isinstance(a, NDArray) else a
    ones = np.ones_like(data, shape=data.shape[-2:])
    mask = np.tril(ones) if lower else np.triu(ones)
    np.fill_diagonal(mask, diagonal)
    return mask


# ---- triangular solves: X = alpha op(A)^-1 B, or alpha B op(A)^-1 ------------------------------
def _solve_triangular(
    a: np.ndarray, b: np.ndarray, transpose: bool, rightside: bool, lower: bool, alpha: float
) -> np.ndarray:
    t = a * _tri_mask(a, lower)
    if transpose != rightside:  # X op(A) = B is op(A)^T X^T = B^T
        t = t.swapaxes(-1, -2)
    try:
        with linalg_raises(t):
            if rightside:
                x: np.ndarray = np.linalg.solve(t, alpha * b.swapaxes(-1, -2)).swapaxes(-1, -2)
            else:
                x = np.linalg.solve(t, alpha * b)
    except np.linalg.LinAlgError:
        raise ArgumentError(
            "nd.linalg.trsm: A is singular (a zero on the diagonal of its triangle): it has no inverse"
        ) from None
    return x


def _trsm_vjp_a(
    g: NDArray, ans: NDArray, a: NDArray, b: Any, transpose: bool, rightside: bool, lower: bool, alpha: float
) -> NDArray:
    # With T = op(A), d X = -T^-1 dT X (left side) or -X dT T^-1 (right side); so, with
    # Y = T^-T g (or g T^-T): dT = -Y X^T (or -X^T Y), transposed back where op transposed.
    y = trsm_op(a, g, transpose=not transpose, rightside=rightside, lower=lower, alpha=1.0)
    if rightside:
        first, second = (y, ans) if transpose else (ans, y)
        da = batch_dot_op(first, second, transpose_a=True, transpose_b=False)
    else:
        first, second = (ans, y) if transpose else (y, ans)
        da = batch_dot_op(first, second, transpose_a=False, transpose_b=True)
    return -(da * _tri_mask(a, lower))


trsm_op: Primitive = Primitive(
    "linalg_trsm",
    _solve_triangular,
    _trsm_vjp_a,
    lambda g, ans, a, b, transpose, rightside, lower, alpha: trsm_op(
        a, g, transpose=not transpose, rightside=rightside, lower=lower, alpha=alpha
    ),
)


# ---- Cholesky ----------------------------------------------------------------------------------
def _cholesky(a: np.ndarray) -> np.ndarray:
    # The lower triangle is A, as in MXNet (LAPACK's potrf): its mirror fills the upper one.
    symmetric = np.tril(a) + np.tril(a, -1).swapaxes(-1, -2)
    try:
        with linalg_raises(symmetric):
            return np.linalg.cholesky(symmetric)
    except np.linalg.LinAlgError:
        raise ArgumentError(
            "nd.linalg.potrf: A is not positive definite: the Cholesky factor exists only for "
            "symmetric positive definite matrices (potrf reads the lower triangle of each)"
        ) from None


def _potrf_vjp(g: NDArray, ans: NDArray, a: NDArray) -> NDArray:
    # A = L L^T gives dL = L Phi(L^-1 dA L^-T), Phi the lower triangle with half its diagonal;
    # so the adjoint is L^-T Phi(L^T g) L^-1, made symmetric (A's perturbations are symmetric).
    phi = batch_dot_op(ans, g, transpose_a=True, transpose_b=False) * _tri_mask(a, True, 0.5)
    left = trsm_op(ans, phi, transpose=True, rightside=False, lower=True, alpha=1.0)
    p = trsm_op(ans, left, transpose=False, rightside=True, lower=True, alpha=1.0)
    return (p + transpose_op(p, axes=_swapped(p.ndim))) * 0.5


potrf_op: Primitive = Primitive("linalg_potrf", _cholesky, _potrf_vjp)

# log |det A| (its sign is piecewise constant): d log|det A| = tr(A^-1 dA).
logabsdet_op: Primitive = Primitive(
    "linalg_slogdet",
    lambda a: np.linalg.slogdet(a)[1],
    lambda g, ans, a: reshape_op(g, shape=(*g.shape, 1, 1)) * transpose_op(inv_op(a), axes=_swapped(a.ndim)),
)


def _one_or_batch(x: NDArray) -> NDArray:
    """A result per matrix: shape (1,) for one matrix, as MXNet's nd gives, else the batch shape."""
    return reshape_op(x, shape=(1,)) if x.ndim == 0 else x


# ---- the ops -----------------------------------------------------------------------------------
def gemm2(
    A: NDArray,  # noqa: N803 - MXNet's argument names
    B: NDArray,  # noqa: N803
    transpose_a: bool = False,
    transpose_b: bool = False,
    alpha: float = 1.0,
    *,
    out: NDArray | None = None,
) -> NDArray:
    """`alpha op(A) op(B)`, matrix by matrix, where `op` transposes when `transpose_a`
    (`transpose_b`) says so.

    >>> from tape import nd
    >>> nd.linalg.gemm2(nd.array([[1, 2], [3, 4]]), nd.array([[1, 0], [1, 1]]), transpose_b=True, alpha=2)
    <BLANKLINE>
    [[ 2.  6.]
     [ 6. 14.]]
    <NDArray 2x2 @cpu(0)>
    """
    where = "nd.linalg.gemm2"
    a, b = _floats(A, where, "A"), _floats(B, where, "B")
    product = _product(
        a, b, _flag(transpose_a, where, "transpose_a"), _flag(transpose_b, where, "transpose_b"), where
    )
    return into(out, _scaled(product, _number(alpha, where, "alpha")), where)


def _product(a: NDArray, b: NDArray, transpose_a: bool, transpose_b: bool, where: str) -> NDArray:
    if a.ndim != b.ndim:
        raise ArgumentError(
            f"{where}: A and B must have the same number of axes, not shapes {a.shape} and {b.shape}"
        )
    _batched(a, b, where)
    k, kb = a.shape[-2 if transpose_a else -1], b.shape[-1 if transpose_b else -2]
    if k != kb:
        raise ArgumentError(
            f"{where}: A {a.shape} (transpose_a={transpose_a}) and B {b.shape} (transpose_b={transpose_b}) "
            f"have different inner lengths {k} and {kb}"
        )
    return batch_dot_op(a, b, transpose_a=transpose_a, transpose_b=transpose_b)


def gemm(
    A: NDArray,  # noqa: N803 - MXNet's argument names
    B: NDArray,  # noqa: N803
    C: NDArray,  # noqa: N803
    transpose_a: bool = False,
    transpose_b: bool = False,
    alpha: float = 1.0,
    beta: float = 1.0,
    *,
    out: NDArray | None = None,
) -> NDArray:
    """`alpha op(A) op(B) + beta C`, matrix by matrix; `C` has the shape of the product.

    >>> from tape import nd
    >>> nd.linalg.gemm(nd.array([[1, 2]]), nd.array([[3], [4]]), nd.array([[1]]), alpha=2, beta=-1)
    <BLANKLINE>
    [[21.]]
    <NDArray 1x1 @cpu(0)>
    """
    where = "nd.linalg.gemm"
    a, b, c = _floats(A, where, "A"), _floats(B, where, "B"), _floats(C, where, "C")
    product = _product(
        a, b, _flag(transpose_a, where, "transpose_a"), _flag(transpose_b, where, "transpose_b"), where
    )
    if c.shape != product.shape:
        raise ArgumentError(f"{where}: C must have the shape of op(A) op(B), {product.shape}, not {c.shape}")
    alpha, beta = _number(alpha, where, "alpha"), _number(beta, where, "beta")
    return into(out, _scaled(product, alpha) + _scaled(c, beta), where)


def _triangular_args(
    A: Any,  # noqa: N803
    B: Any,  # noqa: N803
    transpose: Any,
    rightside: Any,
    lower: Any,
    alpha: Any,
    where: str,
) -> tuple[NDArray, NDArray, dict[str, Any]]:
    a, b = _square(A, where, "A"), _floats(B, where, "B")
    if a.ndim != b.ndim:
        raise ArgumentError(
            f"{where}: A and B must have the same number of axes, not shapes {a.shape} and {b.shape}"
        )
    _batched(a, b, where)
    params = {
        "transpose": _flag(transpose, where, "transpose"),
        "rightside": _flag(rightside, where, "rightside"),
        "lower": _flag(lower, where, "lower"),
        "alpha": _number(alpha, where, "alpha"),
    }
    n, m = a.shape[-1], b.shape[-1 if params["rightside"] else -2]
    if n != m:
        side = "columns" if params["rightside"] else "rows"
        raise ArgumentError(
            f"{where}: B {b.shape} must have {n} {side}, as A {a.shape} has (rightside={params['rightside']})"
        )
    return a, b, params


def trsm(
    A: NDArray,  # noqa: N803 - MXNet's argument names
    B: NDArray,  # noqa: N803
    transpose: bool = False,
    rightside: bool = False,
    lower: bool = True,
    alpha: float = 1.0,
    *,
    out: NDArray | None = None,
) -> NDArray:
    """Solve a triangular system: `X` with `op(A) X = alpha B`, or `X op(A) = alpha B` when
    `rightside`. `A` is triangular: only its lower (or, with `lower=False`, upper) triangle is read.

    >>> from tape import nd
    >>> nd.linalg.trsm(nd.array([[2, 0], [1, 1]]), nd.array([[2], [3]]))
    <BLANKLINE>
    [[1.]
     [2.]]
    <NDArray 2x1 @cpu(0)>
    """
    a, b, params = _triangular_args(A, B, transpose, rightside, lower, alpha, "nd.linalg.trsm")
    return into(out, trsm_op(a, b, **params), "nd.linalg.trsm")


def trmm(
    A: NDArray,  # noqa: N803 - MXNet's argument names
    B: NDArray,  # noqa: N803
    transpose: bool = False,
    rightside: bool = False,
    lower: bool = True,
    alpha: float = 1.0,
    *,
    out: NDArray | None = None,
) -> NDArray:
    """A triangular product: `alpha op(A) B`, or `alpha B op(A)` when `rightside`. Only the lower
    (or, with `lower=False`, upper) triangle of `A` is read.

    >>> from tape import nd
    >>> nd.linalg.trmm(nd.array([[2, 9], [1, 1]]), nd.array([[1], [2]]))
    <BLANKLINE>
    [[2.]
     [3.]]
    <NDArray 2x1 @cpu(0)>
    """
    a, b, params = _triangular_args(A, B, transpose, rightside, lower, alpha, "nd.linalg.trmm")
    t = a * _tri_mask(a, params["lower"])
    if params["rightside"]:
        product = batch_dot_op(b, t, transpose_a=False, transpose_b=params["transpose"])
    else:
        product = batch_dot_op(t, b, transpose_a=params["transpose"], transpose_b=False)
    return into(out, _scaled(product, params["alpha"]), "nd.linalg.trmm")


def syrk(
    A: NDArray,  # noqa: N803 - MXNet's argument name
    transpose: bool = False,
    alpha: float = 1.0,
    *,
    out: NDArray | None = None,
) -> NDArray:
    """`alpha A A^T`, or `alpha A^T A` when `transpose`, matrix by matrix.

    >>> from tape import nd
    >>> nd.linalg.syrk(nd.array([[1, 2], [3, 4]]))
    <BLANKLINE>
    [[ 5. 11.]
     [11. 25.]]
    <NDArray 2x2 @cpu(0)>
    """
    where = "nd.linalg.syrk"
    a = _floats(A, where)
    t = _flag(transpose, where, "transpose")
    product = batch_dot_op(a, a, transpose_a=t, transpose_b=not t)
    return into(out, _scaled(product, _number(alpha, where, "alpha")), where)


def potrf(A: NDArray, *, out: NDArray | None = None) -> NDArray:  # noqa: N803 - MXNet's name
    """The Cholesky factor `L` of each symmetric positive definite matrix: lower triangular,
    with `A = L L^T`.

    Only the lower triangle of `A` is read, as in MXNet; the gradient is the symmetric one (for
    a perturbation of `A` that keeps it symmetric), as MXNet's and PyTorch's are. A matrix that
    is not positive definite raises an `ArgumentError` that says so.

    >>> from tape import nd
    >>> nd.linalg.potrf(nd.array([[4, 2], [2, 5]]))
    <BLANKLINE>
    [[2. 0.]
     [1. 2.]]
    <NDArray 2x2 @cpu(0)>
    """
    return into(out, potrf_op(_square(A, "nd.linalg.potrf")), "nd.linalg.potrf")


def potri(A: NDArray, *, out: NDArray | None = None) -> NDArray:  # noqa: N803 - MXNet's name
    """The inverse `(A A^T)^-1` of a matrix from its Cholesky factor `A` (as `potrf` gives it):
    `A` is lower triangular, and only its lower triangle is read.

    >>> from tape import nd
    >>> nd.linalg.potri(nd.linalg.potrf(nd.array([[4, 2], [2, 5]])))
    <BLANKLINE>
    [[ 0.3125 -0.125 ]
     [-0.125   0.25  ]]
    <NDArray 2x2 @cpu(0)>
    """
    where = "nd.linalg.potri"
    a = _square(A, where)
    n = a.shape[-1]
    identity = np.broadcast_to(asarray(np.eye(n, dtype=a.dtype), a._data), a.shape)
    inverse_factor = trsm_op(a, identity, transpose=False, rightside=False, lower=True, alpha=1.0)  # A^-1
    result = batch_dot_op(inverse_factor, inverse_factor, transpose_a=True, transpose_b=False)
    return into(out, result, where)


def sumlogdiag(A: NDArray, *, out: NDArray | None = None) -> NDArray:  # noqa: N803 - MXNet's name
    """The sum of the logarithms of the diagonal of each square matrix (`log det A` for a
    Cholesky factor); shape (1,) for one matrix.

    >>> from tape import nd
    >>> nd.linalg.sumlogdiag(nd.array([[1, 0], [5, 1]]))
    <BLANKLINE>
    [0.]
    <NDArray 1 @cpu(0)>
    """
    where = "nd.linalg.sumlogdiag"
    a = _square(A, where)
    diagonal = diagonal_op(a, offset=0, axis1=a.ndim - 2, axis2=a.ndim - 1)
    return into(out, _sum(log_op(diagonal), axis=-1), where)


def inverse(A: NDArray, *, out: NDArray | None = None) -> NDArray:  # noqa: N803 - MXNet's name
    """The inverse of each square matrix.

    >>> from tape import nd
    >>> nd.linalg.inverse(nd.array([[2, 0], [0, 4]]))
    <BLANKLINE>
    [[0.5  0.  ]
     [0.   0.25]]
    <NDArray 2x2 @cpu(0)>
    """
    where = "nd.linalg.inverse"
    a = _square(A, where)
    try:
        result = inv_op(a)
    except ArgumentError:
        raise ArgumentError(f"{where}: A is singular: it has no inverse") from None
    return into(out, result, where)


def det(A: NDArray, *, out: NDArray | None = None) -> NDArray:  # noqa: N803 - MXNet's name
    """The determinant of each square matrix; shape (1,) for one matrix.

    >>> from tape import nd
    >>> nd.linalg.det(nd.array([[2, 1], [1, 3]]))
    <BLANKLINE>
    [5.]
    <NDArray 1 @cpu(0)>
    """
    return into(out, _one_or_batch(det_op(_square(A, "nd.linalg.det"))), "nd.linalg.det")


def slogdet(A: NDArray) -> list[NDArray]:  # noqa: N803 - MXNet's name
    """The sign and the logarithm of the absolute value of the determinant of each square
    matrix, as a list `[sign, logabsdet]` (as MXNet returns them); the sign has no gradient.

    >>> from tape import nd
    >>> sign, logabsdet = nd.linalg.slogdet(nd.array([[0, 2], [3, 0]]))
    >>> print(sign.asscalar(), round(float(logabsdet.asscalar()), 4))
    -1.0 1.7918
    """
    a = _square(A, "nd.linalg.slogdet")
    sign = NDArray(np.linalg.slogdet(a._data)[0])
    return [_one_or_batch(sign), _one_or_batch(logabsdet_op(a))]


def extractdiag(A: NDArray, offset: int = 0, *, out: NDArray | None = None) -> NDArray:  # noqa: N803
    """Diagonal `offset` of each square matrix (above the main one for `offset` > 0).

    >>> from tape import nd
    >>> nd.linalg.extractdiag(nd.array([[1, 2], [3, 4]]), offset=-1)
    <BLANKLINE>
    [3.]
    <NDArray 1 @cpu(0)>
    """
    where = "nd.linalg.extractdiag"
    a, k = _square(A, where), _offset(offset, where)
    if abs(k) >= a.shape[-1]:
        raise ArgumentError(
            f"{where}: offset {k} is out of range: matrices of size {a.shape[-1]} have diagonals "
            f"{1 - a.shape[-1]} to {a.shape[-1] - 1}"
        )
    return into(out, diagonal_op(a, offset=k, axis1=a.ndim - 2, axis2=a.ndim - 1), where)


def makediag(A: NDArray, offset: int = 0, *, out: NDArray | None = None) -> NDArray:  # noqa: N803
    """Square matrices with the last axis of `A` on diagonal `offset` (above the main one for
    `offset` > 0), zeros elsewhere.

    >>> from tape import nd
    >>> nd.linalg.makediag(nd.array([1, 2]), offset=1)
    <BLANKLINE>
    [[0. 1. 0.]
     [0. 0. 2.]
     [0. 0. 0.]]
    <NDArray 3x3 @cpu(0)>
    """
    where = "nd.linalg.makediag"
    a, k = _floats(A, where, least=1), _offset(offset, where)
    n = a.shape[-1] + abs(k)
    result = undiagonal_op(a, offset=k, axis1=a.ndim - 1, axis2=a.ndim, shape=(*a.shape[:-1], n, n))
    return into(out, result, where)
