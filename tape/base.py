"""`mxnet.base`'s one name that programs use: `import tape as mx; except mx.base.MXNetError:`.

>>> import tape as mx
>>> issubclass(mx.AutogradError, mx.base.MXNetError)
True
"""

from __future__ import annotations

from .errors import MXNetError

__all__ = ["MXNetError"]
