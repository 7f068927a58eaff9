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
    "as_data", "device_count", "device_id", "gpu_module", "is_device_array", "is_host", "module_of",
    "synchronize", "to_device", "to_host", "use_gpu_module",
]  # fmt: skip

_HOST = np.ndarray
_INSTALL = 'pip install "tape[gpu]" (CuPy for CUDA 12; for CUDA 13: pip install cupy-cuda13x)'


class _Unloaded:
    """No GPU module yet: CuPy is looked for on first use."""


_UNLOADED = _Unloaded()
_gpu: Any = _UNLOADED  # the module, None when CuPy is missing, or _UNLOADED


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


def use_gpu_module(module: Any) -> Any:
    """Use `module` (CuPy's interface) for GPU arrays from now on, and return the one it
    replaces; None means none (as without CuPy). For tests: they install a CuPy stand-in."""
    global _gpu
    previous = _load()
    _gpu = module
    return previous


def device_count() -> int:
    """The number of GPUs: 0 without CuPy or without a working CUDA driver."""
    module = _load()
    if module is None:
        return 0
    try:
        return int(module.cuda.runtime.getDeviceCount())
    except Exception:  # CuPy raises its CUDARuntimeError when there is no driver or device
        return 0


def is_host(data: Any) -> bool:
    """Whether `data` is a NumPy array (on the CPU)."""
    return data.__class__ is _HOST or isinstance(data, _HOST)


def is_device_array(x: Any) -> bool:
    """Whether `x` is a GPU array."""
    gpu = _gpu
    return gpu is not None and gpu is not _UNLOADED and isinstance(x, gpu.ndarray)


def as_data(result: Any) -> Any:
    """What an op's forward gave, as array data: a GPU array as it is, anything else (NumPy
    gives a scalar for a ufunc of 0-d arrays) as a NumPy array."""
    return result if is_device_array(result) else np.asarray(result)


def module_of(data: Any) -> Any:
    """The array module that computes on `data`: NumPy, or CuPy for a GPU array."""
    return np if is_host(data) else gpu_module()


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


def synchronize(device: int | None = None) -> None:
    """Wait until GPU `device` (every GPU tape has used, when None) has finished its work."""
    if _gpu is _UNLOADED or _gpu is None:  # no GPU used yet: nothing to wait for
        return
    module = _gpu
    for d in range(device_count()) if device is None else (device,):
        module.cuda.Device(d).synchronize()
