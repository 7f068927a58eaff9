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

# ruff: noqa: I001 - ndarray must load first: the graph and op modules build on its class.
from __future__ import annotations

from .ndarray import NDArray
from . import autograd, nd, random, testing
from .context import Context, cpu, current_context, gpu, num_gpus
from .errors import AutogradError

__version__ = "0.1.0"

__all__ = [
    "autograd", "nd", "random", "testing", "NDArray", "Context", "cpu", "gpu",
    "current_context", "num_gpus", "AutogradError", "__version__",
]
