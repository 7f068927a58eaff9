"""Every differentiable `tape.np` / `tape.npx` function: values against NumPy, derivatives
against finite differences in float64, first and second order.

A row of `NP_CASES` is `(id, f, args)` where `f(m, *arrays)` is written once for both
modules: `f(tape.np, ...)` is checked with `check_grads`, `f(numpy, ...)` is the reference
for its values (the interface has NumPy's signatures, so one lambda serves both). Rows of
`NPX_CASES` are `(id, f, args, reference)`: `f(npx, ...)`, with a NumPy reference written
out. `check_grads` calls its function with `nd` arrays; `_on_np` converts them to `np`
arrays (and the result back), and weights the squared results by position, so that a VJP
sending a gradient to the wrong element fails. tests/test_np_coverage.py checks that every
public function is in a table.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import numpy as onp
import pytest

from tape import autograd, nd, np, npx
from tape.testing import check_grads

_seeds = itertools.count()


def _u(*shape: int, lo: float = -1.0, hi: float = 1.0) -> onp.ndarray:
    """Uniform values of `shape`, each call with its own seed (no accidental ties)."""
    return onp.random.default_rng(next(_seeds)).uniform(lo, hi, shape)


def _away(*shape: int) -> onp.ndarray:
    """Values in +-[0.2, 1]: away from the kink at 0 (abs, sign, relu, masks)."""
    x = _u(*shape, lo=0.2, hi=1.0)
    return x * onp.where(_u(*shape) > 0, 1.0, -1.0)


def _halfway(*shape: int) -> onp.ndarray:
    """Values between -3 and 3, at least 0.1 from every multiple of 0.5 (rounding kinks)."""
    return onp.floor(_u(*shape, lo=-6, hi=6)) / 2 + _u(*shape, lo=0.1, hi=0.4)


def _matrices(*shape: int) -> onp.ndarray:
    """Well-conditioned square matrices (the last two axes): random plus 2 on the diagonal."""
    return _u(*shape) + 2 * onp.eye(shape[-1])


def _weights(y: Any) -> Any:
    return np.array(onp.arange(1, y.size + 1).reshape(y.shape) / max(y.size, 1), dtype="float64")


def _on_np(f: Callable[..., Any], *args: onp.ndarray) -> Callable[..., Any]:
    """`f` as `check_grads` calls it: `nd` arrays in (made `np` arrays of the arguments' shapes,
    0-d included), `sum(w * f(...) ** 2)` out as an `nd` array."""
    shapes = [onp.shape(a) for a in args]

    def g(*xs: nd.NDArray) -> nd.NDArray:
        out = f(*(x.as_np_ndarray().reshape(s) for x, s in zip(xs, shapes, strict=True)))
        outs = out if isinstance(out, list | tuple) else [out]
        total = sum(((y * y) * _weights(y)).sum() for y in outs)
        return total.as_nd_ndarray()  # type: ignore[union-attr]

    return g


def _check(f: Callable[..., Any], *args: onp.ndarray, order: int = 2, **tols: float) -> None:
    check_grads(_on_np(f, *args), *args, order=order, **tols)


Row = tuple[str, Callable[..., Any], list[onp.ndarray]]

# ---- elementwise: one argument ----------------------------------------------------------------
UNARY: list[Row] = [
    ("exp", lambda m, x: m.exp(x), [_u(2, 3)]),
    ("expm1", lambda m, x: m.expm1(x), [_u(2, 3)]),
    ("log", lambda m, x: m.log(x), [_u(2, 3, lo=0.3, hi=3)]),
    ("log2", lambda m, x: m.log2(x), [_u(2, 3, lo=0.3, hi=3)]),
    ("log10", lambda m, x: m.log10(x), [_u(2, 3, lo=0.3, hi=3)]),
    ("log1p", lambda m, x: m.log1p(x), [_u(2, 3, lo=-0.5, hi=3)]),
    ("sqrt", lambda m, x: m.sqrt(x), [_u(2, 3, lo=0.3, hi=3)]),
    ("cbrt", lambda m, x: m.cbrt(x), [_u(2, 3, lo=0.3, hi=3)]),
    ("square", lambda m, x: m.square(x), [_u(2, 3)]),
    ("reciprocal", lambda m, x: m.reciprocal(x), [_u(2, 3, lo=0.3, hi=3)]),
    ("abs", lambda m, x: m.abs(x), [_away(2, 3)]),
    ("absolute", lambda m, x: m.absolute(x), [_away(2, 3)]),
    ("sign", lambda m, x: m.sign(x) * x, [_away(2, 3)]),
    ("negative", lambda m, x: m.negative(x), [_u(2, 3)]),
    ("floor", lambda m, x: m.floor(x) + x, [_halfway(2, 3)]),
    ("ceil", lambda m, x: m.ceil(x) + x, [_halfway(2, 3)]),
    ("trunc", lambda m, x: m.trunc(x) + x, [_halfway(2, 3)]),
    ("fix", lambda m, x: m.fix(x) + x, [_halfway(2, 3)]),
    ("rint", lambda m, x: m.rint(x) + x, [_halfway(2, 3)]),
    ("round", lambda m, x: m.round(x) + x, [_halfway(2, 3)]),
    ("around-1", lambda m, x: m.around(x / 10, 1) + x, [_halfway(2, 3)]),
    ("round_", lambda m, x: getattr(m, "round_", m.round)(x) + x, [_halfway(2, 3)]),
    ("sin", lambda m, x: m.sin(x), [_u(2, 3, lo=-3, hi=3)]),
    ("cos", lambda m, x: m.cos(x), [_u(2, 3, lo=-3, hi=3)]),
    ("tan", lambda m, x: m.tan(x), [_u(2, 3, lo=-1.2, hi=1.2)]),
    ("arcsin", lambda m, x: m.arcsin(x), [_u(2, 3, lo=-0.8, hi=0.8)]),
    ("arccos", lambda m, x: m.arccos(x), [_u(2, 3, lo=-0.8, hi=0.8)]),
    ("arctan", lambda m, x: m.arctan(x), [_u(2, 3, lo=-3, hi=3)]),
    ("sinh", lambda m, x: m.sinh(x), [_u(2, 3)]),
    ("cosh", lambda m, x: m.cosh(x), [_u(2, 3)]),
    ("tanh", lambda m, x: m.tanh(x), [_u(2, 3)]),
    ("arcsinh", lambda m, x: m.arcsinh(x), [_u(2, 3, lo=-3, hi=3)]),
    ("arccosh", lambda m, x: m.arccosh(x), [_u(2, 3, lo=1.2, hi=3)]),
    ("arctanh", lambda m, x: m.arctanh(x), [_u(2, 3, lo=-0.8, hi=0.8)]),
    ("degrees", lambda m, x: m.degrees(x), [_u(2, 3)]),
    ("radians", lambda m, x: m.radians(x), [_u(2, 3, lo=-90, hi=90)]),
    ("rad2deg", lambda m, x: m.rad2deg(x), [_u(2, 3)]),
    ("deg2rad", lambda m, x: m.deg2rad(x), [_u(2, 3, lo=-90, hi=90)]),
    ("clip", lambda m, x: m.clip(x, -0.5, 0.5), [onp.array([[-2.0, -0.7, 0.1], [0.3, 0.9, 3.0]])]),
    ("clip-one-side", lambda m, x: m.clip(x, None, 0.5), [onp.array([-2.0, 0.3, 0.9])]),
    ("0-d", lambda m, x: m.exp(m.sin(x)), [onp.array(0.7)]),
]

# ---- elementwise: two arguments, broadcasting, numbers on either side -------------------------
_PAIRS = [((3, 1), (1, 4)), ((2, 3), (3,)), ((2, 3), (2, 3)), ((), (2, 2)), ((2, 1, 3), ())]


def _pairs(name: str, lhs: tuple[float, float] = (-1, 1), rhs: tuple[float, float] = (-1, 1)) -> list[Row]:
    rows: list[Row] = [
        (
            f"{name}{sa}{sb}",
            lambda m, x, y: getattr(m, name)(x, y),
            [_u(*sa, lo=lhs[0], hi=lhs[1]), _u(*sb, lo=rhs[0], hi=rhs[1])],
        )
        for sa, sb in _PAIRS
    ]
    a, b = sum(lhs) / 2 + 0.123, sum(rhs) / 2 + 0.123
    rows.append(
        (f"{name}-number-right", lambda m, x: getattr(m, name)(x, b), [_u(2, 3, lo=lhs[0], hi=lhs[1])])
    )
    rows.append(
        (f"{name}-number-left", lambda m, y: getattr(m, name)(a, y), [_u(2, 3, lo=rhs[0], hi=rhs[1])])
    )
    return rows


BINARY: list[Row] = [
    *_pairs("add"),
    *_pairs("subtract"),
    *_pairs("multiply"),
    *_pairs("divide", rhs=(0.5, 2)),
    *_pairs("true_divide", rhs=(0.5, 2)),
    *_pairs("power", lhs=(0.5, 2)),
    *_pairs("mod", lhs=(0.1, 0.9), rhs=(1.1, 2)),
    *_pairs("remainder", lhs=(-0.9, -0.1), rhs=(1.1, 2)),
    *_pairs("maximum"),
    *_pairs("minimum"),
    ("where", lambda m, x, y: m.where(x > 0, x, y), [_away(2, 3), _u(3)]),
    ("where-number", lambda m, x: m.where(x > 0, 2.0, x), [_away(2, 3)]),
    ("operators", lambda m, x, y: (x + y) * (x - y) / (y**2 + 1) - x % 2.5 + 3**x, [_u(2, 3), _u(3)]),
]

# ---- reductions ---------------------------------------------------------------------------------
_AXES: list[dict[str, Any]] = [
    {},
    {"axis": 1},
    {"axis": -1, "keepdims": True},
    {"axis": (0, 2)},
    {"axis": (0, 1), "keepdims": True},
    {"axis": ()},
]


def _reductions(name: str, **extra: Any) -> list[Row]:
    return [
        (
            f"{name}{kw}{extra or ''}",
            lambda m, x, kw=kw: getattr(m, name)(x, **kw, **extra),
            [_u(2, 3, 2, lo=0.5, hi=1.5)],
        )
        for kw in _AXES
    ]


REDUCTIONS: list[Row] = [
    *_reductions("sum"),
    *_reductions("mean"),
    *_reductions("max"),
    *_reductions("min"),
    *_reductions("amax"),
    *_reductions("amin"),
    *_reductions("prod"),
    *_reductions("var"),
    *_reductions("var", ddof=1)[:4],
    *_reductions("std")[:5],  # not axis=(): a spread of 0 everywhere, where sqrt has no derivative
    *_reductions("std", ddof=1)[:4],
    ("prod-with-zeros", lambda m, x: m.prod(x * m.array([1.0, 0.0, 1.0]), axis=1), [_u(2, 3)]),
    ("cumsum", lambda m, x: m.cumsum(x), [_u(2, 3)]),
    ("cumsum-axis", lambda m, x: m.cumsum(x, axis=0), [_u(3, 2)]),
    ("cumsum-negative-axis", lambda m, x: m.cumsum(x, axis=-1), [_u(2, 3)]),
    (
        "methods",
        lambda m, x: x.sum(0) + x.mean(axis=0) * x.max(0) - x.std(0, ddof=1) + x.cumsum(0)[1],
        [_u(3, 2)],
    ),
]

# ---- shapes ------------------------------------------------------------------------------------
SHAPES: list[Row] = [
    ("reshape", lambda m, x: m.reshape(x, (3, -1)), [_u(2, 3, 2)]),
    ("reshape-int", lambda m, x: m.reshape(x, 6), [_u(2, 3)]),
    ("reshape-method", lambda m, x: x.reshape(3, 2) + x.reshape((2, 3)).T, [_u(2, 3)]),
    ("ravel", lambda m, x: m.ravel(x), [_u(2, 3)]),
    ("flatten-method", lambda m, x: x.flatten(), [_u(2, 3)]),
    ("transpose", lambda m, x: m.transpose(x), [_u(2, 3, 2)]),
    ("transpose-axes", lambda m, x: m.transpose(x, (1, 0, 2)), [_u(2, 3, 2)]),
    ("swapaxes", lambda m, x: m.swapaxes(x, 0, -1), [_u(2, 3, 2)]),
    ("moveaxis", lambda m, x: m.moveaxis(x, 0, -1), [_u(2, 3, 2)]),
    ("moveaxis-lists", lambda m, x: m.moveaxis(x, [0, 1], [2, 0]), [_u(2, 3, 4)]),
    ("expand_dims", lambda m, x: m.expand_dims(x, 1), [_u(2, 3)]),
    ("expand_dims-negative", lambda m, x: m.expand_dims(x, -1), [_u(2, 3)]),
    ("squeeze", lambda m, x: m.squeeze(x), [_u(1, 3, 1)]),
    ("squeeze-axis", lambda m, x: m.squeeze(x, axis=2), [_u(1, 3, 1)]),
    ("concatenate", lambda m, x, y: m.concatenate([x, y]), [_u(1, 3), _u(2, 3)]),
    ("concatenate-axis", lambda m, x, y: m.concatenate((x, y, x), axis=-1), [_u(2, 1), _u(2, 3)]),
    ("concatenate-none", lambda m, x, y: m.concatenate([x, y], axis=None), [_u(2, 2), _u(3)]),
    ("stack", lambda m, x, y: m.stack([x, y]), [_u(2, 3), _u(2, 3)]),
    ("stack-last", lambda m, x, y: m.stack((x, y), axis=-1), [_u(2, 3), _u(2, 3)]),
    ("split", lambda m, x: m.split(x, 3, axis=1), [_u(2, 3)]),
    ("split-indices", lambda m, x: m.split(x, [1, 3]), [_u(4, 2)]),
    ("tile", lambda m, x: m.tile(x, 2), [_u(2, 3)]),
    ("tile-tuple", lambda m, x: m.tile(x, (2, 1, 2)), [_u(2, 3)]),
    ("repeat", lambda m, x: m.repeat(x, 2), [_u(2, 3)]),
    ("repeat-axis", lambda m, x: m.repeat(x, 3, axis=1), [_u(2, 2)]),
    ("flip", lambda m, x: m.flip(x), [_u(2, 3)]),
    ("flip-axis", lambda m, x: m.flip(x, 1), [_u(2, 3)]),
    ("broadcast_to", lambda m, x: m.broadcast_to(x, (2, 3, 3)), [_u(3, 1)]),
    ("zeros_like", lambda m, x: m.zeros_like(x) + x, [_u(2, 3)]),
    ("ones_like", lambda m, x: m.ones_like(x) * x, [_u(2, 3)]),
]

# ---- products ----------------------------------------------------------------------------------
PRODUCTS: list[Row] = [
    ("dot-number", lambda m, x, y: m.dot(x, y), [_u(), _u(2, 3)]),
    ("dot-number-right", lambda m, x, y: m.dot(x, y), [_u(2, 3), _u()]),
    ("dot-0d-0d", lambda m, x, y: m.dot(x, y), [_u(), _u()]),
    ("dot-1d-1d", lambda m, x, y: m.dot(x, y), [_u(3), _u(3)]),
    ("dot-2d-1d", lambda m, x, y: m.dot(x, y), [_u(2, 3), _u(3)]),
    ("dot-1d-2d", lambda m, x, y: m.dot(x, y), [_u(3), _u(3, 2)]),
    ("dot-2d-2d", lambda m, x, y: m.dot(x, y), [_u(2, 3), _u(3, 2)]),
    ("dot-3d-1d", lambda m, x, y: m.dot(x, y), [_u(2, 2, 3), _u(3)]),
    ("dot-3d-2d", lambda m, x, y: m.dot(x, y), [_u(2, 2, 3), _u(3, 2)]),
    ("dot-2d-3d", lambda m, x, y: m.dot(x, y), [_u(2, 3), _u(2, 3, 2)]),
    ("dot-method", lambda m, x, y: x.dot(y), [_u(2, 3), _u(3)]),
    ("matmul", lambda m, x, y: m.matmul(x, y), [_u(2, 3), _u(3, 2)]),
    ("matmul-batch", lambda m, x, y: m.matmul(x, y), [_u(2, 2, 3), _u(2, 3, 2)]),
    ("matmul-broadcast", lambda m, x, y: m.matmul(x, y), [_u(2, 1, 2, 3), _u(3, 3, 2)]),
    ("matmul-broadcast-2d", lambda m, x, y: m.matmul(x, y), [_u(2, 3), _u(2, 3, 2)]),
    ("matmul-1d-left", lambda m, x, y: m.matmul(x, y), [_u(3), _u(2, 3, 2)]),
    ("matmul-1d-right", lambda m, x, y: m.matmul(x, y), [_u(2, 2, 3), _u(3)]),
    ("matmul-1d-1d", lambda m, x, y: m.matmul(x, y), [_u(3), _u(3)]),
    ("matmul-operator", lambda m, x, y: x @ y, [_u(2, 3), _u(3)]),
    ("tensordot-1", lambda m, x, y: m.tensordot(x, y, axes=1), [_u(2, 3), _u(3, 2)]),
    ("tensordot-2", lambda m, x, y: m.tensordot(x, y), [_u(2, 2, 3), _u(2, 3, 2)]),
    ("tensordot-0", lambda m, x, y: m.tensordot(x, y, axes=0), [_u(2), _u(3)]),
    ("tensordot-pairs", lambda m, x, y: m.tensordot(x, y, axes=([0, 2], [1, 0])), [_u(2, 3, 2), _u(2, 2, 3)]),
    ("tensordot-ints", lambda m, x, y: m.tensordot(x, y, axes=(-1, 0)), [_u(2, 3), _u(3, 2)]),
    ("einsum-matmul", lambda m, x, y: m.einsum("ij,jk->ik", x, y), [_u(2, 3), _u(3, 2)]),
    ("einsum-implicit", lambda m, x, y: m.einsum("ij,jk", x, y), [_u(2, 3), _u(3, 2)]),
    ("einsum-implicit-transpose", lambda m, x: m.einsum("ji", x), [_u(2, 3)]),
    ("einsum-inner", lambda m, x, y: m.einsum("i,i->", x, y), [_u(3), _u(3)]),
    ("einsum-outer", lambda m, x, y: m.einsum("i,j->ij", x, y), [_u(2), _u(3)]),
    ("einsum-batch", lambda m, x, y: m.einsum("bij,bjk->bik", x, y), [_u(2, 2, 3), _u(2, 3, 2)]),
    ("einsum-sum-one-operand", lambda m, x, y: m.einsum("ij,jk->k", x, y), [_u(2, 3), _u(3, 2)]),
    ("einsum-sum-alone", lambda m, x, y: m.einsum("ij,k->jk", x, y), [_u(2, 3), _u(2)]),
    ("einsum-reduce", lambda m, x: m.einsum("ijk->k", x), [_u(2, 3, 2)]),
    ("einsum-three", lambda m, x, y, z: m.einsum("ij,jk,kl->il", x, y, z), [_u(2, 3), _u(3, 2), _u(2, 2)]),
    ("einsum-same-operand", lambda m, x: m.einsum("ij,ij->i", x, x), [_u(2, 3)]),
    ("outer", lambda m, x, y: m.outer(x, y), [_u(2), _u(3)]),
    ("outer-flattens", lambda m, x, y: m.outer(x, y), [_u(2, 2), _u(3)]),
    ("inner", lambda m, x, y: m.inner(x, y), [_u(3), _u(3)]),
    ("inner-nd", lambda m, x, y: m.inner(x, y), [_u(2, 3), _u(2, 2, 3)]),
    ("inner-number", lambda m, x, y: m.inner(x, y), [_u(2, 3), _u()]),
    ("vdot", lambda m, x, y: m.vdot(x, y), [_u(2, 3), _u(3, 2)]),
]

# ---- linalg ------------------------------------------------------------------------------------
LINALG: list[Row] = [
    ("norm", lambda m, x: m.linalg.norm(x), [_u(2, 3, 2)]),
    ("norm-keepdims", lambda m, x: m.linalg.norm(x, keepdims=True), [_u(2, 3)]),
    ("norm-vector-2", lambda m, x: m.linalg.norm(x, 2), [_u(4)]),
    ("norm-vector-1", lambda m, x: m.linalg.norm(x, 1), [_away(4)]),
    ("norm-vector-inf", lambda m, x: m.linalg.norm(x, onp.inf), [_away(4)]),
    ("norm-vector--inf", lambda m, x: m.linalg.norm(x, -onp.inf), [_away(4)]),
    ("norm-vector-3", lambda m, x: m.linalg.norm(x, 3), [_away(4)]),
    ("norm-vector-1.5", lambda m, x: m.linalg.norm(x, 1.5), [_away(4)]),
    ("norm-axis", lambda m, x: m.linalg.norm(x, axis=1), [_u(2, 3, 2)]),
    ("norm-axis-1-keepdims", lambda m, x: m.linalg.norm(x, 1, axis=-1, keepdims=True), [_away(2, 3)]),
    ("norm-axis-inf", lambda m, x: m.linalg.norm(x, onp.inf, axis=0), [_away(2, 3)]),
    ("norm-fro", lambda m, x: m.linalg.norm(x, "fro"), [_u(2, 3)]),
    ("norm-matrix-1", lambda m, x: m.linalg.norm(x, 1), [_away(3, 3)]),
    ("norm-matrix--1", lambda m, x: m.linalg.norm(x, -1), [_away(3, 3)]),
    ("norm-matrix-inf", lambda m, x: m.linalg.norm(x, onp.inf), [_away(3, 3)]),
    ("norm-matrix--inf", lambda m, x: m.linalg.norm(x, -onp.inf), [_away(3, 3)]),
    ("norm-matrix-axes", lambda m, x: m.linalg.norm(x, axis=(0, 2)), [_u(2, 3, 2)]),
    ("norm-matrix-1-axes", lambda m, x: m.linalg.norm(x, 1, axis=(2, 0)), [_away(2, 3, 3)]),
    ("norm-matrix-inf-keepdims", lambda m, x: m.linalg.norm(x, onp.inf, (-2, -1), True), [_away(2, 3, 3)]),
    ("inv", lambda m, x: m.linalg.inv(x), [_matrices(3, 3)]),
    ("inv-batch", lambda m, x: m.linalg.inv(x), [_matrices(2, 2, 2)]),
    ("det", lambda m, x: m.linalg.det(x), [_matrices(3, 3)]),
    ("det-batch", lambda m, x: m.linalg.det(x), [_matrices(2, 2, 2)]),
]

# ---- indexing ----------------------------------------------------------------------------------
INDEXING: list[Row] = [
    ("integer", lambda m, x: x[1], [_u(3, 4)]),
    ("integers-0d", lambda m, x: x[1, -2], [_u(3, 4)]),
    ("slices", lambda m, x: x[1:, ::2], [_u(3, 4)]),
    ("negative-step", lambda m, x: x[::-1, 1:3], [_u(3, 4)]),
    ("ellipsis-newaxis", lambda m, x: x[..., None, 1], [_u(2, 3, 4)]),
    ("list", lambda m, x: x[[0, 2, 0]], [_u(3, 4)]),
    ("lists-pairs", lambda m, x: x[[0, 2], [1, 3]], [_u(3, 4)]),
    ("range", lambda m, x: x[range(3), [0, 3, 1]], [_u(3, 4)]),
    ("integer-array", lambda m, x: x[onp.array([[0, 1], [2, 2]])], [_u(3, 4)]),
    ("float32-index-array", lambda m, x: x[:, m.array([0, 2, 2])], [_u(3, 4)]),
    ("slice-and-list", lambda m, x: x[1:, [3, 0]], [_u(3, 4)]),
    ("boolean-mask", lambda m, x: x[x > 0], [_away(3, 4)]),
    ("boolean-rows", lambda m, x: x[onp.array([True, False, True])], [_u(3, 4)]),
    ("then-function", lambda m, x: m.log(m.abs(x[range(2), [0, 1]])), [_away(2, 3)]),
]
NP_CASES: list[Row] = [*UNARY, *BINARY, *REDUCTIONS, *SHAPES, *PRODUCTS, *LINALG, *INDEXING]
NP_IDS = [row[0] for row in NP_CASES]


@pytest.mark.parametrize(("name", "f", "args"), NP_CASES, ids=NP_IDS)
def test_np_value_matches_numpy_in_float64(name: str, f: Callable[..., Any], args: list[onp.ndarray]) -> None:
    got = f(np, *(np.array(a) for a in args))
    want = f(onp, *args)
    for g, w in zip(
        got if isinstance(got, list) else [got], want if isinstance(want, list) else [want], strict=True
    ):
        assert isinstance(g, np.ndarray)
        assert g.dtype == onp.float64 and g.shape == onp.shape(w)
        onp.testing.assert_allclose(g.asnumpy(), w, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize(("name", "f", "args"), NP_CASES, ids=NP_IDS)
def test_np_derivatives_to_second_order(name: str, f: Callable[..., Any], args: list[onp.ndarray]) -> None:
    _check(lambda *xs: f(np, *xs), *args, order=2)


# ---- npx: (id, f, args, NumPy reference) --------------------------------------------------------
def _softmax(x: onp.ndarray, axis: int = -1, t: float = 1.0) -> onp.ndarray:
    e = onp.exp(x / t - onp.max(x / t, axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


_LENGTHS = np.array([1, 3])
_ROWS = np.array([2, 0, 1])

NPX_CASES: list[tuple[str, Callable[..., Any], list[onp.ndarray], Callable[..., Any]]] = [
    ("relu", lambda mx, x: mx.relu(x), [_away(2, 3)], lambda x: onp.maximum(x, 0)),
    ("sigmoid", lambda mx, x: mx.sigmoid(x), [_u(2, 3, lo=-3, hi=3)], lambda x: 1 / (1 + onp.exp(-x))),
    ("softmax", lambda mx, x: mx.softmax(x), [_u(2, 3)], _softmax),
    ("softmax-axis", lambda mx, x: mx.softmax(x, axis=0), [_u(2, 3)], lambda x: _softmax(x, 0)),
    (
        "softmax-temperature",
        lambda mx, x: mx.softmax(x, temperature=2.0),
        [_u(2, 3)],
        lambda x: _softmax(x, -1, 2.0),
    ),
    ("log_softmax", lambda mx, x: mx.log_softmax(x), [_u(2, 3)], lambda x: onp.log(_softmax(x))),
    (
        "log_softmax-axis",
        lambda mx, x: mx.log_softmax(x, axis=0),
        [_u(2, 3)],
        lambda x: onp.log(_softmax(x, 0)),
    ),
    ("pick", lambda mx, x: mx.pick(x, _ROWS), [_u(3, 4)], lambda x: x[range(3), [2, 0, 1]]),
    (
        "pick-axis0-keepdims",
        lambda mx, x: mx.pick(x, _ROWS, axis=0, keepdims=True),
        [_u(3, 3)],
        lambda x: x[[2, 0, 1], range(3)][None],
    ),
    ("batch_dot", lambda mx, x, y: mx.batch_dot(x, y), [_u(2, 2, 3), _u(2, 3, 2)], onp.matmul),
    (
        "batch_dot-transposed",
        lambda mx, x, y: mx.batch_dot(x, y, True, True),
        [_u(2, 3, 2), _u(2, 2, 3)],
        lambda x, y: onp.swapaxes(x, 1, 2) @ onp.swapaxes(y, 1, 2),
    ),
    (
        "sequence_mask",
        lambda mx, x: mx.sequence_mask(x, _LENGTHS, True),
        [_u(3, 2, 2)],
        lambda x: x * (onp.arange(3)[:, None, None] < [[[1], [3]]]),
    ),
    (
        "sequence_mask-axis1-value",
        lambda mx, x: mx.sequence_mask(x, _LENGTHS, True, value=-1.0, axis=1),
        [_u(2, 3)],
        lambda x: onp.where(onp.arange(3) < onp.array([[1], [3]]), x, -1.0),
    ),
    ("sequence_mask-off", lambda mx, x: mx.sequence_mask(x), [_u(2, 3)], lambda x: x),
    (
        "topk-value",
        lambda mx, x: mx.topk(x, k=2, ret_typ="value"),
        [_u(2, 4)],
        lambda x: -onp.sort(-x)[:, :2],
    ),
    (
        "topk-value-axis0-ascend",
        lambda mx, x: mx.topk(x, axis=0, k=2, ret_typ="value", is_ascend=True),
        [_u(3, 2)],
        lambda x: onp.sort(x, axis=0)[:2],
    ),
    ("topk-both", lambda mx, x: mx.topk(x, k=3, ret_typ="both")[0], [_u(4)], lambda x: -onp.sort(-x)[:3]),
    (
        "topk-flattened-all",
        lambda mx, x: mx.topk(x, axis=None, k=0, ret_typ="value"),
        [_u(2, 3)],
        lambda x: -onp.sort(-x.ravel()),
    ),
]
NPX_IDS = [row[0] for row in NPX_CASES]


@pytest.mark.parametrize(("name", "f", "args", "ref"), NPX_CASES, ids=NPX_IDS)
def test_npx_value_matches_numpy_in_float64(name: str, f: Any, args: list[onp.ndarray], ref: Any) -> None:
    got = f(npx, *(np.array(a) for a in args))
    assert isinstance(got, np.ndarray) and got.dtype == onp.float64
    onp.testing.assert_allclose(got.asnumpy(), ref(*args), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize(("name", "f", "args", "ref"), NPX_CASES, ids=NPX_IDS)
def test_npx_derivatives_to_second_order(name: str, f: Any, args: list[onp.ndarray], ref: Any) -> None:
    _check(lambda *xs: f(npx, *xs), *args, order=2)


# ---- kinks and higher orders -------------------------------------------------------------------
@pytest.mark.parametrize(
    ("f", "want"),
    [
        (lambda x: np.max(x), [[0, 0.5, 0.5], [0, 0, 0]]),
        (lambda x: np.amin(x, axis=1), [[1, 0, 0], [0.5, 0, 0.5]]),
        (lambda x: np.max(x, axis=0, keepdims=True), [[0.5, 1, 1], [0.5, 0, 0]]),
        (lambda x: np.linalg.norm(x, np.inf, axis=1), [[0, 0.5, 0.5], [0, 1, 0]]),
    ],
    ids=["max", "amin-axis", "max-keepdims", "norm-inf"],
)
def test_max_and_min_ties_share_the_gradient(f: Any, want: list[list[float]]) -> None:
    values = onp.array([[1.0, 3.0, 3.0], [1.0, 2.0, 1.0]])
    x = np.array(values)
    x.attach_grad()
    with autograd.record():
        y = f(x)
    y.backward()
    onp.testing.assert_array_equal(x.grad.asnumpy(), want)
    # Central differences at a tie average the two one-sided slopes: the shared gradient.
    _check(f, values, order=1)


@pytest.mark.parametrize(
    "f",
    [
        lambda x: np.tanh(np.dot(x, x)),
        lambda x: np.linalg.det(x),
        lambda x: np.linalg.inv(x)[0],
        lambda x: np.prod(x, axis=0),
        lambda x: npx.log_softmax(x),
        lambda x: np.einsum("ij,jk->ik", x, x),
    ],
    ids=["dot", "det", "inv", "prod", "log_softmax", "einsum"],
)
def test_third_derivatives(f: Any) -> None:
    _check(f, _matrices(2, 2), order=3, rtol=1e-4, atol=1e-5)


ALL_CASES = [(name, np, f, args) for name, f, args in NP_CASES]
ALL_CASES += [(name, npx, f, args) for name, f, args, _ in NPX_CASES]


@pytest.mark.parametrize(("name", "module", "f", "args"), ALL_CASES, ids=NP_IDS + NPX_IDS)
def test_gradients_of_np_arrays_are_np_arrays_to_second_order(
    name: str, module: Any, f: Any, args: list[Any]
) -> None:
    xs = [np.array(a) for a in args]
    for x in xs:
        x.attach_grad()
    with autograd.record():
        out = f(module, *xs)
        y = sum((o * o).sum() for o in (out if isinstance(out, list) else [out]))
        firsts = autograd.grad(y, xs, create_graph=True)
        z = sum((g * g).sum() for g in firsts)
    assert isinstance(y, np.ndarray) and y.shape == ()
    for x, g in zip(xs, firsts, strict=True):
        assert isinstance(g, np.ndarray) and g.shape == x.shape and g.dtype == onp.float64
    z.backward()
    assert all(isinstance(x.grad, np.ndarray) and x.grad.shape == x.shape for x in xs)
