"""A stand-in for CuPy, so that tape's GPU path runs in CI, which has no GPU.

`FakeCupy` has the part of CuPy's interface that tape calls; its arrays (`DeviceArray`) hold a
NumPy array and behave as CuPy's do where it matters for correctness:

- they refuse to mix with NumPy arrays in one operation (CuPy raises TypeError), and refuse
  implicit conversion (`numpy.asarray(d)` raises TypeError: CuPy wants `.get()`);
- each knows its device, and an operation on arrays of two devices is refused;
- `ufunc.reduce` and `ufunc.accumulate` work only for `add` and `multiply`, `ufunc.at` only for
  `add` (as in CuPy); NumPy functions CuPy lacks are refused;
- every copy to the host is counted (`FakeCupy.syncs`), so tests can bound the synchronisations
  of a backward or a training step.
"""

from __future__ import annotations

import contextlib
import ctypes
import math
import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
import pytest
from numpy.lib.mixins import NDArrayOperatorsMixin

import tape
from tape import _xp

_REDUCING = {"reduce": ("add", "multiply"), "accumulate": ("add", "multiply"), "at": ("add",)}
# NumPy functions that CuPy does not have (or not with NumPy's semantics): refused here too.
_MISSING = frozenset({"apply_along_axis", "vectorize", "frompyfunc", "piecewise", "nditer"})


def _foreign(x: Any) -> bool:
    return hasattr(type(x), "__array_ufunc__") and not isinstance(x, DeviceArray | np.ndarray | np.generic)


def _memory_of(a: np.ndarray) -> np.ndarray:
    while isinstance(a.base, np.ndarray):
        a = a.base
    return a


class _Device:
    def __init__(self, fake: FakeCupy, device_id: int) -> None:
        self.fake, self.id = fake, device_id

    def __enter__(self) -> _Device:
        self.fake._current.append(self.id)
        return self

    def __exit__(self, *exc: object) -> None:
        self.fake._current.pop()

    def synchronize(self) -> None:
        self.fake.device_syncs += 1

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Device) and other.id == self.id

    def __hash__(self) -> int:
        return hash(self.id)


class DeviceArray(NDArrayOperatorsMixin):
    """An array on a fake GPU: a NumPy array that keeps to itself."""

    __slots__ = ("__weakref__", "_a", "_fake", "_root", "device")
    __array_priority__ = 100

    def __init__(self, a: np.ndarray, fake: FakeCupy, device: int) -> None:
        assert isinstance(a, np.ndarray) and not isinstance(a, DeviceArray)
        self._a, self._fake, self.device = a, fake, _Device(fake, device)
        self._root: DeviceArray | None = None  # the array whose memory this one views

    # ---- what CuPy refuses ------------------------------------------------------------------
    def __array__(self, *args: Any, **kwargs: Any) -> np.ndarray:
        raise TypeError(
            "Implicit conversion to a NumPy array is not allowed. "
            "Please use `.get()` to construct a NumPy array explicitly."
        )

    def _wrap(self, result: Any) -> Any:
        if isinstance(result, np.ndarray):
            out = DeviceArray(result, self._fake, self.device.id)
            if result is not self._a and _memory_of(result) is _memory_of(self._a):
                out._root = self if self._root is None else self._root  # `.base` is the root, as in CuPy
            return out
        if isinstance(result, np.generic):  # CuPy gives 0-d arrays, never NumPy scalars
            return DeviceArray(np.asarray(result), self._fake, self.device.id)
        if isinstance(result, tuple | list):
            items = [self._wrap(r) for r in result]
            return type(result)(*items) if hasattr(result, "_fields") else type(result)(items)
        return result

    def _unwrap(self, value: Any, where: str) -> Any:
        if isinstance(value, DeviceArray):
            if value.device.id != self.device.id:
                raise ValueError(f"{where}: arrays on devices {value.device.id} and {self.device.id}")
            return value._a
        if isinstance(value, np.ndarray):
            raise TypeError(f"Unsupported type {type(value)}: {where} mixes a NumPy array with a GPU array")
        if isinstance(value, tuple | list):
            return type(value)(self._unwrap(v, where) for v in value)
        return value

    def __array_ufunc__(self, ufunc: np.ufunc, method: str, *inputs: Any, **kwargs: Any) -> Any:
        if any(_foreign(i) for i in inputs):  # an array type of its own (tape's): let it answer
            return NotImplemented
        if method != "__call__" and ufunc.__name__ not in _REDUCING.get(method, ()):
            raise NotImplementedError(f"CuPy's {ufunc.__name__}.{method} is not supported")
        args = self._unwrap(inputs, ufunc.__name__)
        kw = {k: self._unwrap(v, ufunc.__name__) for k, v in kwargs.items()}
        result = getattr(ufunc, method)(*args, **kw)
        if method == "at":
            return None
        if "out" in kwargs:
            return kwargs["out"][0] if len(kwargs["out"]) == 1 else kwargs["out"]
        return self._wrap(result)

    def __array_function__(self, func: Any, types: Any, args: Any, kwargs: Any) -> Any:
        if func.__name__ in _MISSING:
            raise TypeError(f"CuPy has no {func.__name__}")
        result = func(
            *self._unwrap(args, func.__name__),
            **{k: self._unwrap(v, func.__name__) for k, v in kwargs.items()},
        )
        return self._wrap(result)

    # ---- host copies (counted) ---------------------------------------------------------------
    def get(self) -> np.ndarray:
        self._fake.syncs += 1
        return self._a.copy()

    def item(self) -> Any:
        self._fake.syncs += 1
        return self._a.item()

    def tolist(self) -> Any:
        self._fake.syncs += 1
        return self._a.tolist()

    def __bool__(self) -> bool:
        self._fake.syncs += 1
        return bool(self._a)

    def __float__(self) -> float:
        self._fake.syncs += 1
        return float(self._a)

    def __int__(self) -> int:
        self._fake.syncs += 1
        return int(self._a)

    def __index__(self) -> int:
        self._fake.syncs += 1
        return self._a.__index__()

    def __repr__(self) -> str:
        self._fake.syncs += 1
        return repr(self._a)

    def __str__(self) -> str:
        self._fake.syncs += 1
        return str(self._a)

    def __format__(self, spec: str) -> str:
        self._fake.syncs += 1
        return format(self._a, spec)

    # ---- the ndarray interface ---------------------------------------------------------------
    shape = property(lambda self: self._a.shape)
    dtype = property(lambda self: self._a.dtype)
    ndim = property(lambda self: self._a.ndim)
    size = property(lambda self: self._a.size)
    strides = property(lambda self: self._a.strides)
    nbytes = property(lambda self: self._a.nbytes)
    itemsize = property(lambda self: self._a.itemsize)
    T = property(lambda self: self._wrap(self._a.T))
    base = property(lambda self: self._root)
    flags = property(lambda self: self._a.flags)

    def __len__(self) -> int:
        return len(self._a)

    def __iter__(self) -> Iterator[DeviceArray]:
        for row in self._a:
            yield self._wrap(row)

    def _key(self, key: Any) -> Any:
        # CuPy copies NumPy index arrays to the device: an index may be one.
        if isinstance(key, tuple):
            return tuple(self._key(k) for k in key)
        return key if isinstance(key, np.ndarray) else self._unwrap(key, "indexing")

    def __getitem__(self, key: Any) -> Any:
        return self._wrap(self._a[self._key(key)])

    def __setitem__(self, key: Any, value: Any) -> None:
        self._a[self._key(key)] = self._unwrap(value, "item assignment")

    def __getattr__(self, name: str) -> Any:
        # Methods (reshape, astype, sum, copy, view, ...) run on the NumPy array; their array
        # arguments and results stay on the device.
        attr = getattr(self._a, name)
        if not callable(attr):
            raise AttributeError(name)

        def method(*args: Any, **kwargs: Any) -> Any:
            return self._wrap(
                attr(*self._unwrap(args, name), **{k: self._unwrap(v, name) for k, v in kwargs.items()})
            )

        return method

    def __copy__(self) -> DeviceArray:
        return self._wrap(self._a.copy())

    def __deepcopy__(self, memo: dict[int, Any]) -> DeviceArray:
        return self._wrap(self._a.copy())

    # ---- DLPack: CuPy's `ndarray.__dlpack__(stream=None)` gives a capsule of device memory
    # (kDLCUDA), writable; here NumPy's (versioned, so that NumPy reads it back writable) with
    # its device field set to the GPU.
    def __dlpack__(self, stream: Any = None, **kwargs: Any) -> Any:
        capsule = self._a.__dlpack__(max_version=(1, 0))
        device = _dl_device(capsule)
        device[0], device[1] = _KDL_CUDA, self.device.id
        return capsule

    def __dlpack_device__(self) -> tuple[int, int]:
        return (_KDL_CUDA, self.device.id)


_KDL_CUDA = 2  # DLPack's device type of CUDA memory (kDLCUDA); the CPU is 1


def _dl_device(capsule: Any) -> Any:
    """The device field (type, id) of a DLPack capsule, writable. Its DLTensor (a data pointer,
    then the device) begins a "dltensor" capsule's struct, and follows the version, two
    pointers and the flags in a "dltensor_versioned" one. A used capsule raises ValueError."""
    name_of, get = ctypes.pythonapi.PyCapsule_GetName, ctypes.pythonapi.PyCapsule_GetPointer
    name_of.restype, name_of.argtypes = ctypes.c_char_p, [ctypes.py_object]
    get.restype, get.argtypes = ctypes.c_void_p, [ctypes.py_object, ctypes.c_char_p]
    name = name_of(capsule)
    if name not in (b"dltensor", b"dltensor_versioned"):
        raise ValueError(f"a DLPack capsule that was used already (named {name!r})")
    pointer = ctypes.sizeof(ctypes.c_void_p)
    tensor = get(capsule, name) + (0 if name == b"dltensor" else 8 + 2 * pointer + 8)
    return (ctypes.c_int32 * 2).from_address(tensor + pointer)


class _HostCapsule:
    """A capsule as the object `numpy.from_dlpack` takes."""

    def __init__(self, capsule: Any) -> None:
        self.capsule = capsule

    def __dlpack__(self, **kwargs: Any) -> Any:
        return self.capsule

    def __dlpack_device__(self) -> tuple[int, int]:
        return (1, 0)


class _Runtime:
    def __init__(self, fake: FakeCupy) -> None:
        self.fake = fake

    def getDeviceCount(self) -> int:  # CuPy's name
        return self.fake.devices


class _Cuda:
    def __init__(self, fake: FakeCupy) -> None:
        self.fake = fake
        self.runtime = _Runtime(fake)

    def Device(self, device: int = 0) -> _Device:  # CuPy's name
        if not 0 <= device < self.fake.devices:
            raise RuntimeError(f"cudaErrorInvalidDevice: there is no device {device}")
        return _Device(self.fake, device)


class _Random:
    """`cupy.random`: `RandomState(seed)`, whose draws land on the current device."""

    def __init__(self, fake: FakeCupy) -> None:
        self.fake = fake

    def RandomState(self, seed: int | None = None) -> Any:  # CuPy's name
        fake, rng = self.fake, np.random.RandomState(seed)

        class State:
            def random_sample(self, size: Any = None, dtype: Any = np.float64) -> Any:
                return fake._on_device(rng.random_sample(size).astype(dtype))

            def __getattr__(self, name: str) -> Any:
                draw = getattr(rng, name)
                return lambda *args, **kwargs: fake._on_device(
                    draw(*fake._inputs(args, name), **{k: fake._inputs(v, name) for k, v in kwargs.items()})
                )

        return State()


def _vectorized(f: Any) -> Any:
    def run(x: Any) -> Any:
        return x._wrap(np.vectorize(f, otypes=[np.float64])(x._a.astype(np.float64)).astype(x.dtype))

    return run


def _safe(f: Any, pole: float) -> Any:
    def g(v: float) -> float:
        try:
            return float(f(v))
        except ValueError:
            return pole
        except OverflowError:
            return math.inf

    return g


def _erfinv(v: float) -> float:
    """erfinv by bisection on math.erf (60 halvings of [-6, 6]: below float64's spacing), with
    cupyx.scipy.special.erfinv's values at the ends: inf at 1, -inf at -1, nan beyond."""
    if not -1 <= v <= 1:
        return math.nan
    if v == 0 or abs(v) == 1:
        return v if v == 0 else math.copysign(math.inf, v)
    lo, hi = -6.0, 6.0
    for _ in range(60):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if math.erf(mid) < v else (lo, mid)
    return (lo + hi) / 2


class _Special:
    """`cupyx.scipy.special`'s functions that tape calls, computed on the host arrays."""

    def __init__(self) -> None:
        self.erf = _vectorized(math.erf)
        self.gamma = _vectorized(_safe(math.gamma, math.nan))
        self.gammaln = _vectorized(_safe(math.lgamma, math.inf))
        self.erfinv = _vectorized(_erfinv)  # cupyx.scipy.special.erfinv(x), elementwise

    @staticmethod
    def polygamma(n: Any, x: Any) -> Any:
        from tape.ops.special import polygamma_f64

        order = int(n) if not isinstance(n, DeviceArray) else int(n._a.reshape(-1)[0])
        return x._wrap(polygamma_f64(order, x._a).astype(x.dtype))

    @classmethod
    def digamma(cls, x: Any) -> Any:
        return cls.polygamma(0, x)


class _Scipy:
    def __init__(self) -> None:
        self.special = _Special()


class _Cupyx:
    """`cupyx`: `scatter_add` and `scipy.special`."""

    def __init__(self, fake: FakeCupy) -> None:
        self.fake = fake
        self.scipy = _Scipy()

    @staticmethod
    def errstate(linalg: str | None = None) -> Any:
        """`cupyx.errstate`: the stand-in computes with NumPy, whose linear algebra raises anyway."""
        return contextlib.nullcontext()

    def scatter_add(self, a: DeviceArray, slices: Any, value: Any) -> None:
        np.add.at(a._a, a._key(slices), a._unwrap(value, "scatter_add"))


class FakeCupy:
    """The module: `fake.asarray`, `fake.asnumpy`, `fake.ndarray`, `fake.cuda`, counters."""

    ndarray = DeviceArray

    def __init__(self, devices: int = 2) -> None:
        self.devices = devices
        self.syncs = 0  # copies to the host
        self.device_syncs = 0  # explicit waits (Device.synchronize)
        self._current = [0]
        self.cuda = _Cuda(self)
        self.random = _Random(self)
        self.cupyx = _Cupyx(self)

    def asarray(self, a: Any, dtype: Any = None) -> DeviceArray:
        """`a` on the current device; `a` itself when it is there (and of `dtype`)."""
        if isinstance(a, DeviceArray):
            if a.device.id == self._current[-1] and (dtype is None or a.dtype == dtype):
                return a
            return DeviceArray(np.array(a._a, dtype=dtype), self, self._current[-1])
        return DeviceArray(np.array(a, dtype=dtype), self, self._current[-1])

    def from_dlpack(self, array: Any) -> DeviceArray:
        """`cupy.from_dlpack(array)`: an object with `__dlpack__`, or a bare capsule (CuPy takes
        both), of GPU memory, as an array on its device sharing that memory."""
        capsule = array.__dlpack__() if hasattr(array, "__dlpack__") else array
        device = _dl_device(capsule)
        if device[0] != _KDL_CUDA:
            raise TypeError(
                "CPU arrays cannot be directly imported to CuPy. "
                "Use `cupy.array(numpy.from_dlpack(input))` instead."
            )
        device_id = device[1]
        device[0], device[1] = 1, 0  # the memory is the host's here: NumPy reads it
        return DeviceArray(np.from_dlpack(_HostCapsule(capsule)), self, device_id)

    def asnumpy(self, a: Any) -> np.ndarray:
        if isinstance(a, DeviceArray):
            return a.get()
        return np.asarray(a)

    def _on_device(self, result: Any) -> Any:
        if isinstance(result, np.ndarray | np.generic):
            return DeviceArray(np.asarray(result), self, self._current[-1])
        if isinstance(result, tuple | list):
            return type(result)(self._on_device(r) for r in result)
        return result

    def _inputs(self, value: Any, where: str) -> Any:
        if isinstance(value, DeviceArray):
            return value._a
        if isinstance(value, np.ndarray):
            raise TypeError(f"Unsupported type {type(value)}: cupy.{where} takes GPU arrays")
        if isinstance(value, tuple | list):
            return type(value)(self._inputs(v, where) for v in value)
        return value

    def __getattr__(self, name: str) -> Any:
        # cupy.zeros, cupy.arange, cupy.concatenate, ...: NumPy's function on the current
        # device, refusing NumPy arrays as CuPy does (lists and numbers are taken).
        if name.startswith("_") or name in _MISSING or not callable(getattr(np, name, None)):
            raise AttributeError(f"the CuPy stand-in has no {name}")
        f = getattr(np, name)

        def function(*args: Any, **kwargs: Any) -> Any:
            kw = {k: self._inputs(v, name) for k, v in kwargs.items()}
            return self._on_device(f(*self._inputs(args, name), **kw))

        return function

    @contextmanager
    def counting(self) -> Iterator[dict[str, int]]:
        """Counts the host copies made inside the block: ``counts["syncs"]`` once it ends."""
        counts = {"syncs": 0}
        before = self.syncs
        try:
            yield counts
        finally:
            counts["syncs"] = self.syncs - before


@pytest.fixture(autouse=True)
def on_the_gpu() -> Iterator[Any]:
    """Runs each test of a module that imports it with a GPU as the default context (`gpu(1)` of
    a fresh stand-in, or `gpu(0)` of real CuPy with TAPE_TEST_GPU=cupy): tests/on_gpu/ imports
    it next to the tests of a module of tests/."""
    if os.environ.get("TAPE_TEST_GPU") == "cupy":  # benchmarks/gpu_check.py: the real thing
        import cupy
        import cupyx
        import cupyx.scipy.special

        module, extras, device = cupy, cupyx, 0
    else:
        # The second of two devices: a program that computes on gpu(1) inside its `with` block
        # must work as on gpu(0), so nothing may assume device 0.
        module = FakeCupy(devices=2)
        extras, device = module.cupyx, 1
    previous = _xp.use_gpu_module(module, extras)
    try:
        with tape.gpu(device):
            yield module
    finally:
        _xp.use_gpu_module(previous)
