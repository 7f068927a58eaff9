"""`tape.np`: MXNet's NumPy interface (`from mxnet import np`), on tape's one op library.

>>> from tape import autograd, np, npx
>>> npx.set_np()
>>> x = np.arange(4.0)
>>> x.attach_grad()
>>> with autograd.record():
...     y = 2 * np.dot(x, x)
>>> y.backward()
>>> x.grad == 4 * x
array([ True,  True,  True,  True])

Arrays are `np.ndarray`: NumPy's methods, printing and conventions (0-d results, bool
comparisons, int64 indices), float32 by default, and tape's autograd. Every function uses the
primitives that `nd` uses: no derivative is written twice.
"""

# ruff: noqa: F403 - the star imports below are the modules' public lists, by design
from __future__ import annotations

import numpy as _onp

from . import _creation, _math, _products, _reduction, _shape, linalg, random
from ._creation import *
from ._math import *
from ._methods import install as _install
from ._ndarray import ndarray
from ._products import *
from ._reduction import *
from ._shape import *

# NumPy's dtypes and constants, as `mxnet.np` offers them.
float16, float32, float64 = _onp.float16, _onp.float32, _onp.float64
int8, int16, int32, int64, uint8 = _onp.int8, _onp.int16, _onp.int32, _onp.int64, _onp.uint8
bool_ = _onp.bool_
dtype = _onp.dtype
pi, e, inf, nan, newaxis = _onp.pi, _onp.e, _onp.inf, _onp.nan, None

__all__ = ["ndarray", "linalg", "random"]
__all__ += _creation.__all__
__all__ += _math.__all__
__all__ += _reduction.__all__
__all__ += _shape.__all__
__all__ += _products.__all__
__all__ += [
    "float16", "float32", "float64", "int8", "int16", "int32", "int64", "uint8", "bool_", "dtype",
    "pi", "e", "inf", "nan", "newaxis",
]  # fmt: skip

# The one setup step: ndarray gets NumPy's methods (see _methods.py).
_install(set(__all__) | {f"linalg.{name}" for name in linalg.__all__})
