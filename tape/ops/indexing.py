"""Indexing: `x[key]` as a differentiable op, and its adjoint, scatter-add."""

from __future__ import annotations

from typing import Any

import numpy as np

from .._graph import Primitive
from ..ndarray import NDArray, _index_key
from .shape import reshape_op

__all__: list[str] = []


def _is_advanced(key: Any) -> bool:
    parts = key if isinstance(key, tuple) else (key,)
    return any(isinstance(k, np.ndarray | list) for k in parts)


def _getitem(x: np.ndarray, key: Any) -> np.ndarray:
    out = np.asarray(x[key])
    # Legacy MXNet has no 0-d arrays: x[3] on a vector has shape (1,).
    return out.reshape(1) if out.ndim == 0 else out


def _scatter(g: np.ndarray, key: Any, shape: tuple[int, ...]) -> np.ndarray:
    out = np.zeros(shape, dtype=g.dtype)
    target_shape = np.shape(out[key])
    if _is_advanced(key):
        np.add.at(out, key, g.reshape(target_shape))  # repeated indices must add up
    else:
        out[key] = g.reshape(target_shape)
    return out


def _getitem_vjp(g: NDArray, ans: NDArray, x: NDArray, key: Any) -> NDArray:
    return scatter_op(g, key=key, shape=x.shape)


def _scatter_vjp(g: NDArray, ans: NDArray, cot: NDArray, key: Any, shape: tuple[int, ...]) -> NDArray:
    picked = getitem_op(g, key=key)
    return picked if picked.shape == cot.shape else reshape_op(picked, shape=cot.shape)


getitem_op: Primitive = Primitive("getitem", _getitem, _getitem_vjp)
scatter_op: Primitive = Primitive("scatter", _scatter, _scatter_vjp)


def getitem(data: NDArray, key: Any) -> NDArray:
    """`data[key]` for ints, slices, steps, Ellipsis, None and integer arrays."""
    return getitem_op(data, key=_index_key(key))
