"""Small helpers shared by the test modules, imported as ``from conftest import variable``.

tests/ has no ``__init__.py``, so pytest's default ("prepend") import mode puts tests/ on
``sys.path`` and registers this file as the top-level module ``conftest``; a test module's
``from conftest import ...`` gets that same module. (Under ``--import-mode=importlib`` tests/
is not on ``sys.path`` and these imports fail; the project does not use that mode.)
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest

from tape import _xp, nd


@pytest.fixture
def two_gpus() -> Iterator[Any]:
    """The CuPy stand-in of tests/fake_cupy.py, with two devices, as tape's GPU module; the
    default context stays the CPU."""
    from fake_cupy import FakeCupy

    module = FakeCupy(devices=2)
    previous = _xp.use_gpu_module(module, module.cupyx)
    yield module
    _xp.use_gpu_module(previous)


@pytest.fixture
def without_cupy() -> Iterator[None]:
    """As on a machine without CuPy (CI's), whatever this one has."""
    previous = _xp.use_gpu_module(None)
    yield
    _xp.use_gpu_module(previous)


def variable(values: object, grad_req: str = "write", dtype: str | None = None) -> nd.NDArray:
    """A new array of `values` (float32 unless `dtype` is given), marked with `attach_grad(grad_req)`."""
    x = nd.array(values, dtype=dtype)
    x.attach_grad(grad_req)
    return x


def variable64(values: object, grad_req: str = "write", dtype: str = "float64") -> nd.NDArray:
    """`variable` in float64 unless another `dtype` is given."""
    return variable(values, grad_req, dtype)


def grad_array(x: nd.NDArray) -> np.ndarray:
    """The gradient buffer of the marked array `x`, as a NumPy array."""
    assert x.grad is not None
    return x.grad.asnumpy()


def uniform(shape: tuple[int, ...], seed: int = 0, spread: float = 1.0) -> np.ndarray:
    """float64 values drawn uniformly from [-spread, spread)."""
    return np.random.default_rng(seed).uniform(-spread, spread, shape)


def distinct(shape: tuple[int, ...], seed: int = 0) -> np.ndarray:
    """Values in [-1, 1) at least 0.01 apart: a finite difference never changes which element of
    a window or bin is the largest."""
    n = int(np.prod(shape))
    return np.random.default_rng(seed).permutation(n).reshape(shape) / n * 2 - 1 + 0.01


def weighted(f: Any) -> Any:
    """`f` with its result squared and weighted: every output matters to the gradient check,
    and its second derivatives too."""

    def g(*args: nd.NDArray) -> nd.NDArray:
        y = f(*args)
        w = nd.array(np.linspace(0.5, 1.5, y.size).reshape(y.shape), dtype="float64")
        return y * y * w

    return g
