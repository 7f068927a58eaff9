"""Array modules: NumPy for the CPU, CuPy for GPUs.

An array's data is a NumPy array on the CPU and a CuPy array on a GPU; nothing else marks where
it lives. CuPy arrays take part in NumPy's protocols (`__array_ufunc__`, `__array_function__`),
so `np.exp(data)` or `np.tensordot(a, b)` computes on the device that holds the data, and most
ops need no change. The helpers here cover what does not dispatch by itself: making arrays from
nothing, copies between host and device, and synchronisation.

CuPy is imported on the first use of a GPU, never by `import tape`; tests install a stand-in
(tests/fake_cupy.py) with `use_gpu_module`. Of CuPy, tape calls: `ndarray`, `asarray`,
`asnumpy`, `empty`, `zeros`, `arange`, `ascontiguousarray`, `from_dlpack`, `random.RandomState`,
`cuda.Device` (as a scope and for `synchronize()`), `cuda.runtime.getDeviceCount()`, an array's
`device.id`; of `cupyx`: `scatter_add`, `errstate` and `scipy.special`. Everything else goes
through NumPy's protocols.
"""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext
from typing import Any

import numpy as np

from .errors import ArgumentError

__all__ = [
    "arange", "as_data", "asarray", "device_count", "device_id", "empty", "gpu_module", "is_array",
    "is_device_array", "is_host", "linalg_raises", "module_of", "scatter_add", "special", "synchronize",
    "to_device", "to_device_of", "to_host", "use_gpu_module", "writeable", "zeros",
]  # fmt: skip

_HOST = np.ndarray
_INSTALL = 'pip install "tape[gpu]" (CuPy for CUDA 12; for CUDA 13: pip install cupy-cuda13x)'


class _Unloaded:
    """No GPU module yet: CuPy is looked for on first use."""


_UNLOADED = _Unloaded()
_gpu: Any = _UNLOADED  # the module, None when CuPy is missing, or _UNLOADED
_gpux: Any = None  # cupyx, imported with the first call that needs it


def _load() -> Any:
    global _gpu
    if _gpu is _UNLOADED:
        try:
            import cupy  # type: ignore[import-not-found, unused-ignore]
        except ImportError:
            _gpu = None
        else:
            _gpu = cupy
    return _gpu


def gpu_module() -> Any:
    """CuPy (or the stand-in that tests install); an error that says how to install it if missing."""
    module = _load()
    if module is None:
        raise ArgumentError(
            f"tape computes on GPUs through CuPy, which is not installed: {_INSTALL}; "
            "or stay on the CPU: ctx=tape.cpu()"
        )
    return module


def use_gpu_module(module: Any, extras: Any = None) -> Any:
    """Use `module` (CuPy's interface) for GPU arrays from now on, with `extras` as `cupyx`
    (`scatter_add`, `scipy.special`), and return the module it replaces; None means none (as
    without CuPy). For tests: they install a CuPy stand-in."""
    global _gpu, _gpux
    previous = _load()
    _gpu, _gpux = module, extras
    return previous


def _extras() -> Any:
    global _gpux
    if _gpux is None:
        gpu_module()
        import cupyx  # type: ignore[import-not-found, unused-ignore]
        import cupyx.scipy.special  # type: ignore[import-not-found, unused-ignore]

        _gpux = cupyx
    return _gpux


def scatter_add(out: Any, key: Any, values: Any) -> None:
    """`out[key] += values` with repeated positions adding up (NumPy's `add.at`)."""
    if is_host(out):
        np.add.at(out, key, values)
    else:
        _extras().scatter_add(out, key, values)


def linalg_raises(like: Any) -> AbstractContextManager[Any]:
    """A scope in which linear algebra on the device of `like` raises `LinAlgError` for a
    singular or indefinite matrix, as NumPy's does: CuPy's gives NaN unless told (and the check
    waits for the device)."""
    return nullcontext() if like.__class__ is _HOST else _extras().errstate(linalg="raise")


def special(name: str) -> Any:
    """The special function `name` (erf, gamma, gammaln, digamma, polygamma) for GPU arrays:
    CuPy's `cupyx.scipy.special.<name>`."""
    return getattr(_extras().scipy.special, name)


def device_count() -> int:
    """The number of GPUs: 0 without CuPy or without a working CUDA driver."""
    module = _load()
    if module is None:
        return 0
    try:
        return int(module.cuda.runtime.getDeviceCount())
    except Exception:  # CuPy raises its CUDARuntimeError when there is no driver or device
        return 0


def is_array(x: Any) -> bool:
    """Whether `x` is array data: a NumPy or a GPU array (not a number)."""
    return isinstance(x, _HOST) or is_device_array(x)


def is_host(data: Any) -> bool:
    """Whether `data` is on the CPU: anything but a GPU array (a NumPy array or scalar)."""
    return data.__class__ is _HOST or not is_device_array(data)


def is_device_array(x: Any) -> bool:
    """Whether `x` is a GPU array."""
    gpu = _gpu
    return gpu is not None and gpu is not _UNLOADED and isinstance(x, gpu.ndarray)


def as_data(result: Any) -> np.ndarray:
    """What an op's forward gave, as array data: a GPU array as it is, anything else (NumPy
    gives a scalar for a ufunc of 0-d arrays) as a NumPy array."""
    out: np.ndarray = result if is_device_array(result) else np.asarray(result)
    return out


def module_of(data: Any) -> Any:
    """The array module that computes on `data`: NumPy, or CuPy for a GPU array."""
    return np if is_host(data) else gpu_module()


# Arrays made from nothing, on the device of `like`. Each is NumPy's call after one class test.
# Typed as NumPy arrays: a CuPy array has the same interface. CuPy makes arrays on the current
# CUDA device, so the device of `like` is made current for the call.
def _make(like: Any, name: str, *args: Any) -> np.ndarray:
    module = gpu_module()
    with module.cuda.Device(device_id(like)):
        out: np.ndarray = getattr(module, name)(*args)
    return out


def empty(shape: Any, dtype: Any, like: Any) -> np.ndarray:
    """An uninitialised array of `shape` and `dtype` on the device of the array `like`."""
    return np.empty(shape, dtype) if like.__class__ is _HOST else _make(like, "empty", shape, dtype)


def zeros(shape: Any, dtype: Any, like: Any) -> np.ndarray:
    """Zeros of `shape` and `dtype` on the device of the array `like`."""
    return np.zeros(shape, dtype) if like.__class__ is _HOST else _make(like, "zeros", shape, dtype)


def arange(n: int, like: Any) -> np.ndarray:
    """``0, 1, ..., n - 1`` (int64) on the device of the array `like`."""
    return np.arange(n) if like.__class__ is _HOST else _make(like, "arange", n)


def asarray(values: Any, like: Any, dtype: Any = None) -> np.ndarray:
    """`values` (numbers, lists or a NumPy array) as an array on the device of the array `like`."""
    return np.asarray(values, dtype) if is_host(like) else _make(like, "asarray", values, dtype)


def writeable(a: Any) -> bool:
    """Whether `a` can be written without writing elsewhere too: a NumPy array says so (its
    broadcast views are read-only); a GPU array can, unless it is a broadcast view (CuPy's have
    a stride of 0 and stay writable)."""
    if a.__class__ is _HOST or not is_device_array(a):  # a NumPy scalar says False
        return bool(a.flags.writeable)
    return all(s != 0 or n <= 1 for s, n in zip(a.strides, a.shape, strict=True))


def device_id(data: Any) -> int:
    """The GPU number that holds `data` (a GPU array)."""
    return int(data.device.id)


def to_host(data: Any) -> np.ndarray:
    """`data` on the CPU: itself for a NumPy array, else a copy (which waits for the device)."""
    if is_host(data):
        return data  # type: ignore[no-any-return]
    host: np.ndarray = gpu_module().asnumpy(data)
    return host


def to_device(data: Any, device: int) -> Any:
    """A copy of `data` (a NumPy or GPU array) on GPU `device`; `data` itself when it is there."""
    module = gpu_module()
    if not is_host(data) and device_id(data) == device:
        return data
    with module.cuda.Device(device):
        return module.asarray(data)


def to_device_of(data: Any, like: Any) -> np.ndarray:
    """`data` (a NumPy or GPU array) on the device of the array `like`: itself when it is there."""
    if like.__class__ is _HOST and data.__class__ is _HOST:
        return data
    return to_host(data) if is_host(like) else to_device(data, device_id(like))


def synchronize(device: int | None = None) -> None:
    """Wait until GPU `device` (every GPU tape has used, when None) has finished its work."""
    if _gpu is _UNLOADED or _gpu is None:  # no GPU used yet: nothing to wait for
        return
    module = _gpu
    for d in range(device_count()) if device is None else (device,):
        module.cuda.Device(d).synchronize()
