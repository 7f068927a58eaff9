"""Devices: the CPU, where NumPy computes, and GPUs, where CuPy does (see `_xp`)."""

from __future__ import annotations

import threading
from typing import Any

import numpy as np

from . import _xp
from .errors import ArgumentError

__all__ = ["Context", "cpu", "gpu", "current_context", "num_gpus"]


class Context:
    """A device, as MXNet names one: ``cpu(0)`` or ``gpu(i)``.

    `with ctx:` makes `ctx` the default context (`current_context()`) inside the block.

    >>> import tape
    >>> tape.cpu()
    cpu(0)
    >>> tape.cpu() == tape.cpu(0)
    True
    """

    __slots__ = ("device_id", "device_type")

    def __init__(self, device_type: str, device_id: int = 0) -> None:
        if device_type not in ("cpu", "gpu", "cpu_pinned"):
            raise ValueError(f"unknown device type {device_type!r}: use 'cpu' or 'gpu'")
        self.device_type = device_type
        self.device_id = int(device_id)

    def __repr__(self) -> str:
        return f"{self.device_type}({self.device_id})"

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, Context)
            and other.device_type == self.device_type
            and other.device_id == self.device_id
        )

    def __hash__(self) -> int:
        return hash((self.device_type, self.device_id))

    def __enter__(self) -> Context:
        check(self)  # a GPU that cannot be used is refused at once, not at the first array
        # A GPU's block makes it CUDA's current device too: CuPy computes there.
        scope = _xp.gpu_module().cuda.Device(self.device_id) if self.device_type == "gpu" else None
        if scope is not None:
            scope.__enter__()
        _stack().append((self, scope))
        return self

    def __exit__(self, *exc: object) -> None:
        _ctx, scope = _stack().pop()
        if scope is not None:
            scope.__exit__(*exc)


def cpu(device_id: int = 0) -> Context:
    """The CPU context, where NumPy computes: the default.

    >>> import tape
    >>> tape.nd.zeros((2,), ctx=tape.cpu()).context
    cpu(0)
    """
    return Context("cpu", device_id)


def gpu(device_id: int = 0) -> Context:
    """GPU number `device_id`, computed on through CuPy (``pip install "tape[gpu]"``).

    Naming one needs nothing; creating an array on it (or entering it with `with`) needs CuPy
    and the device, and raises an `ArgumentError` that says which is missing (also an
    MXNetError, which D2L's `try_gpu()` catches to fall back to the CPU).

    >>> import tape
    >>> tape.gpu(1)
    gpu(1)
    """
    return Context("gpu", device_id)


_scopes = threading.local()  # .stack: the contexts of the enclosing `with ctx:` blocks


def _stack() -> list[tuple[Context, Any]]:
    # (the context, the CUDA device scope entered with it, or None)
    try:
        stack: list[tuple[Context, Any]] = _scopes.stack
    except AttributeError:
        stack = _scopes.stack = []
    return stack


def current_context() -> Context:
    """The default context: that of the innermost `with ctx:` block of this thread, else
    ``cpu(0)``. Creation functions place their arrays there when `ctx` is not given.

    >>> import tape
    >>> tape.current_context()
    cpu(0)
    >>> with tape.cpu(0):
    ...     tape.current_context()
    cpu(0)
    """
    stack = _stack()
    return stack[-1][0] if stack else _CPU


def num_gpus() -> int:
    """The number of GPUs tape can use: 0 without CuPy (``pip install "tape[gpu]"``) or
    without a CUDA device.

    >>> import tape
    >>> tape.num_gpus() >= 0
    True
    """
    return _xp.device_count()


def check(ctx: Context | None) -> None:
    """Refuse a context that tape cannot serve: not a Context, or a GPU without CuPy or beyond
    the devices there are."""
    if ctx is None:
        return
    if not isinstance(ctx, Context):
        raise TypeError(f"ctx must be a tape Context such as tape.cpu(), not {type(ctx).__name__}")
    if ctx.device_type == "gpu":
        _xp.gpu_module()  # says how to install CuPy when it is missing
        n = _xp.device_count()
        if not 0 <= ctx.device_id < n:
            raise ArgumentError(
                f"there is no {ctx}: this machine has {n} GPU{'' if n == 1 else 's'} that CUDA can "
                "use; use ctx=tape.cpu() or a gpu(i) with i < tape.num_gpus()"
            )


def place(data: Any, ctx: Context | None) -> Any:
    """`data` (a NumPy or GPU array) on `ctx`, the current context when None: itself when it is
    there already, else a copy."""
    if ctx is None:
        stack = _stack()
        ctx = stack[-1][0] if stack else _CPU
    if ctx.device_type == "gpu":
        return _xp.to_device(data, ctx.device_id)
    return _xp.to_host(data)


def of(data: Any) -> Context:
    """The context that holds `data` (a NumPy or GPU array)."""
    return _CPU if _xp.is_host(data) else Context("gpu", _xp.device_id(data))


def mixed(where: str, error: TypeError, *data: Any) -> Exception:
    """The error for an op `where` whose forward raised `error`: when its array inputs are on
    two contexts (CuPy refuses to mix), an ArgumentError that names both and the fix, as
    MXNet's error does; otherwise `error` itself."""
    contexts = sorted({str(of(d)) for d in data if hasattr(d, "dtype") and not isinstance(d, np.generic)})
    if len(contexts) < 2:
        return error
    return ArgumentError(
        f"{where}: the inputs are on {' and '.join(contexts)}; an op computes on one device: "
        "copy them to one first, with x.copyto(ctx) or x.as_in_context(ctx)"
    )


_CPU = Context("cpu", 0)
