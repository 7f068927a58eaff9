"""Array modules: NumPy for the CPU, CuPy for GPUs.

An array's data is a NumPy array on the CPU and a CuPy array on a GPU; nothing else marks where
it lives. CuPy arrays take part in NumPy's protocols (`__array_ufunc__`, `__array_function__`),
so `np.exp(data)` or `np.tensordot(a, b)` computes on the device that holds the data, and most
ops need no change. The helpers here cover what does not dispatch by itself: making arrays from
nothing, copies between host and device, and synchronisation.

CuPy is imported on the first use of a GPU, never by `import tape`; tests install a stand-in
with `use_gpu_module`. Of CuPy, tape uses `ndarray`, `asarray`, `asnumpy`, `cuda.Device` (as a
scope and for `synchronize()`), `cuda.runtime.getDeviceCount()` and an array's `device.id`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .errors import ArgumentError

__all__ = [
    "arange", "as_data", "asarray", "device_count", "device_id", "empty", "gpu_module", "is_array",
    "is_device_array", "is_host", "module_of", "scatter_add", "special", "synchronize",
    "to_device", "to_device_of", "to_host", "use_gpu_module", "writeable", "zeros",
]  # fmt: skip

_HOST = np.ndarray
_INSTALL = 'pip install "tape[gpu]" (CuPy for CUDA 12; for CUDA 13: pip install cupy-cuda13x)'


class _Unloaded:
    """No GPU module yet: CuPy is looked for on first use."""


_UNLOADED = _Unloaded()
_gpu: Any = _UNLOADED  # the module, None when CuPy is missing, or _UNLOADED
_gpux: Any = None  # cupyx, imported with the first call that needs it


# Until every op's forward and gradients run on CuPy arrays (issue 14 converts them), an installed
# CuPy is not used: a GPU context is refused as a whole, never half served. Tests put the
# stand-in in place with `use_gpu_module`.
_GPU_OPS_READY = False
_cupy_found = False


def _load() -> Any:
    global _gpu, _cupy_found
    if _gpu is _UNLOADED:
        try:
            import cupy  # type: ignore[import-not-found, unused-ignore]
        except ImportError:
            _gpu = None
        else:
            _cupy_found = True
            _gpu = cupy if _GPU_OPS_READY else None
    return _gpu


def gpu_module() -> Any:
    """CuPy (or the stand-in that tests install); an error that says how to install it if missing."""
    module = _load()
    if module is None:
        if _cupy_found:
            raise ArgumentError(
                "this version of tape does not compute on GPUs yet (CuPy is installed, but not every "
                "op runs on it): stay on the CPU, ctx=tape.cpu()"
            )
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
# Typed as NumPy arrays: a CuPy array has the same interface.
def empty(shape: Any, dtype: Any, like: Any) -> np.ndarray:
    """An uninitialised array of `shape` and `dtype` on the device of the array `like`."""
    out: np.ndarray = (
        np.empty(shape, dtype) if like.__class__ is _HOST else module_of(like).empty(shape, dtype)
    )
    return out


def zeros(shape: Any, dtype: Any, like: Any) -> np.ndarray:
    """Zeros of `shape` and `dtype` on the device of the array `like`."""
    out: np.ndarray = (
        np.zeros(shape, dtype) if like.__class__ is _HOST else module_of(like).zeros(shape, dtype)
    )
    return out


def arange(n: int, like: Any) -> np.ndarray:
    """``0, 1, ..., n - 1`` (int64) on the device of the array `like`."""
    out: np.ndarray = np.arange(n) if like.__class__ is _HOST else module_of(like).arange(n)
    return out


def asarray(values: Any, like: Any, dtype: Any = None) -> np.ndarray:
    """`values` (numbers, lists or a NumPy array) as an array on the device of the array `like`."""
    out: np.ndarray = np.asarray(values, dtype) if is_host(like) else module_of(like).asarray(values, dtype)
    return out


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
