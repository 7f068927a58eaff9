"""Arrays shared with NumPy and other libraries without a copy: from_numpy, and DLPack.

tape's arrays hold NumPy arrays, so sharing is a view. (`nd.load_frombuffer` is with `nd.load`,
in tape/serialization.py.) DLPack shares GPU memory too: a GPU array's capsule is CuPy's, and a
capsule or tensor of GPU memory becomes an array on that GPU (through `cupy.from_dlpack`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._args import array, wrong_type
from .._xp import device_count, gpu_module, is_host, writeable
from ..errors import ArgumentError
from ..ndarray import NDArray

__all__ = ["from_numpy", "from_dlpack", "to_dlpack_for_read", "to_dlpack_for_write"]


def from_numpy(ndarray: np.ndarray, zero_copy: bool = True) -> NDArray:
    """An NDArray of the NumPy array `ndarray`, keeping its dtype. With `zero_copy=True` (the
    default) it shares the memory, which must be C-contiguous, and, as in MXNet, `ndarray` itself
    becomes read-only, so that tape sees every write (an NDArray write shows in both).

    >>> import numpy as np
    >>> from tape import nd
    >>> a = np.arange(3.0)
    >>> x = nd.from_numpy(a)
    >>> x[0] = 7
    >>> a, a.flags.writeable
    (array([7., 1., 2.]), False)
    """
    if not isinstance(ndarray, np.ndarray):
        raise wrong_type(
            "nd.from_numpy", "ndarray", "a NumPy array", ndarray, "nd.array(...) takes other data"
        )
    if not zero_copy:
        return NDArray(ndarray.copy())
    if not ndarray.flags.c_contiguous:
        raise ArgumentError(
            "nd.from_numpy: zero_copy=True shares memory, which needs a C-contiguous array: pass "
            "zero_copy=False, or numpy.ascontiguousarray(...) first"
        )
    view = ndarray.view()  # keeps the flag it has: the source's flag below does not reach it
    ndarray.flags.writeable = False
    return NDArray(view)


class _Capsule:
    """A DLPack capsule as the object `numpy.from_dlpack` takes (MXNet passes bare capsules)."""

    def __init__(self, capsule: Any) -> None:
        self.capsule = capsule

    def __dlpack__(self, **kwargs: Any) -> Any:
        return self.capsule

    def __dlpack_device__(self) -> tuple[int, int]:
        return (1, 0)  # the CPU: a capsule of another device fails in NumPy, which says so


def from_dlpack(dlpack: Any) -> NDArray:
    """An NDArray sharing the memory of a DLPack capsule (from `to_dlpack_for_read` or
    `to_dlpack_for_write`, or another library), or of an object with `__dlpack__` (a NumPy
    array, a tensor of PyTorch or JAX). A capsule can be used only once. The array of a
    capsule from `to_dlpack_for_read` is read-only (of CPU memory; GPU memory has no such
    flag); one from `to_dlpack_for_write` writes through. Memory on a GPU gives an array on
    that GPU (CuPy reads it).

    >>> from tape import nd
    >>> x = nd.array([1, 2])
    >>> y = nd.from_dlpack(nd.to_dlpack_for_write(x))
    >>> y[0] = 5
    >>> x
    <BLANKLINE>
    [5. 2.]
    <NDArray 2 @cpu(0)>
    """
    source = dlpack if hasattr(dlpack, "__dlpack__") else _Capsule(dlpack)
    if type(dlpack).__name__ != "PyCapsule" and isinstance(source, _Capsule):
        raise wrong_type("nd.from_dlpack", "dlpack", "a DLPack capsule or an object with __dlpack__", dlpack)
    device = source.__dlpack_device__() if hasattr(source, "__dlpack_device__") else (1, 0)
    if device[0] != _CUDA:
        try:
            data = np.from_dlpack(source)
        except ValueError as e:  # NumPy's words for a capsule used twice
            raise ArgumentError(
                f"nd.from_dlpack: the capsule cannot be read ({e}): a DLPack capsule can be used only "
                "once, so make a new one for each array"
            ) from e
        except (BufferError, RuntimeError) as e:  # memory of another device, which NumPy leaves unused
            if not isinstance(source, _Capsule):
                raise ArgumentError(f"nd.from_dlpack: NumPy cannot read the array: {e}") from e
            data = _on_gpu(dlpack, e)  # a bare capsule says its device only inside: try the GPU
    else:
        data = _on_gpu(dlpack, None)
    return NDArray(data.reshape(1) if data.ndim == 0 else data)


_CUDA = 2  # DLPack's kDLCUDA: GPU memory


def _on_gpu(dlpack: Any, refused: Exception | None) -> np.ndarray:
    """A GPU array (CuPy's) sharing the memory of `dlpack`, which NumPy `refused` to read."""
    if device_count() == 0:
        raise ArgumentError(
            f"nd.from_dlpack: the data is not in CPU memory{f' ({refused})' if refused else ''}, and "
            "this machine has no GPU that tape can use: copy the tensor to the CPU first"
        )
    try:
        data: np.ndarray = gpu_module().from_dlpack(dlpack)
    except (TypeError, ValueError, BufferError, RuntimeError) as e:
        raise ArgumentError(f"nd.from_dlpack: neither NumPy ({refused}) nor CuPy ({e}) can read it") from e
    return data


def to_dlpack_for_read(data: NDArray) -> Any:
    """A DLPack capsule (named "dltensor", as MXNet's) that shares the memory of `data`, for
    another library to read: its array is read-only in `nd.from_dlpack` and NumPy. Of GPU
    data, CuPy's capsule of the GPU memory (DLPack has no read-only flag for it).

    >>> from tape import nd
    >>> nd.from_dlpack(nd.to_dlpack_for_read(nd.array([1, 2])))
    <BLANKLINE>
    [1. 2.]
    <NDArray 2 @cpu(0)>
    """
    x = array(data, "nd.to_dlpack_for_read")
    if not is_host(x._data):  # CuPy's capsule of GPU memory; DLPack 0.x has no read-only flag
        return x._data.__dlpack__()
    if not x._data.flags.writeable:  # only a versioned capsule can say "read-only"
        return x._data.__dlpack__(max_version=(1, 0))
    return x._data.__dlpack__()


def to_dlpack_for_write(data: NDArray) -> Any:
    """A DLPack capsule that shares the memory of `data`, for another library to write: a
    versioned capsule ("dltensor_versioned", DLPack 1.0, which NumPy 2 reads as writable).

    >>> from tape import nd
    >>> x = nd.zeros((2,))
    >>> nd.from_dlpack(nd.to_dlpack_for_write(x))[1] = 3
    >>> x
    <BLANKLINE>
    [0. 3.]
    <NDArray 2 @cpu(0)>
    """
    x = array(data, "nd.to_dlpack_for_write")
    if not writeable(x._data):
        raise ArgumentError("nd.to_dlpack_for_write: data is read-only: use to_dlpack_for_read")
    if not is_host(x._data):  # CuPy's capsule of GPU memory, which the reader may write
        return x._data.__dlpack__()
    return x._data.__dlpack__(max_version=(1, 0))
