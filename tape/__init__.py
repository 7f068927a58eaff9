"""tape: MXNet-style tape-recording automatic differentiation on NumPy.

>>> from tape import autograd, nd
>>> x = nd.arange(4).reshape((4, 1))
>>> x.attach_grad()
>>> with autograd.record():
...     y = 2 * nd.dot(x.T, x)
>>> y.backward()
>>> bool((x.grad == 4 * x).sum().asscalar() == 4)
True
"""

from __future__ import annotations

from . import autograd, base, distributed, kvstore, nd, np, npx, random, testing
from ._methods import install
from .context import Context, cpu, current_context, gpu, num_gpus
from .errors import AutogradError, MXNetError
from .ndarray import NDArray

kv = kvstore  # MXNet's two names for the key-value store module: mx.kv and mx.kvstore

install()  # the one setup step: NDArray gets its operators and op methods (see _methods.py)

__version__ = "0.1.0"

__all__ = [
    "autograd", "base", "distributed", "kv", "kvstore", "nd", "np", "npx", "random", "testing",
    "NDArray", "Context", "cpu", "gpu", "current_context", "num_gpus", "AutogradError", "MXNetError",
    "__version__",
]  # fmt: skip
