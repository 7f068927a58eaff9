"""Devices. tape computes on the CPU with NumPy; a GPU context is refused clearly."""

from __future__ import annotations

from .errors import ArgumentError

__all__ = ["Context", "cpu", "gpu", "current_context", "num_gpus"]


class Context:
    """A device, as MXNet names one: ``cpu(0)`` or ``gpu(i)``.

    `with tape.cpu():` works as a scope (everything is on the CPU anyway).

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
        # `with tape.cpu():` is accepted; a GPU scope is refused as soon as it is entered.
        check(self)
        return self

    def __exit__(self, *exc: object) -> None:
        return None


def cpu(device_id: int = 0) -> Context:
    """The CPU context, where every tape array lives.

    >>> import tape
    >>> tape.nd.zeros((2,), ctx=tape.cpu()).context
    cpu(0)
    """
    return Context("cpu", device_id)


def gpu(device_id: int = 0) -> Context:
    """A GPU context. It can be named, but creating an array on it (or entering it with
    `with`) raises a ValueError that says so (also an MXNetError, which D2L's `try_gpu()`
    catches to fall back to the CPU): tape runs on NumPy, on the CPU.

    >>> import tape
    >>> tape.gpu(1)
    gpu(1)
    >>> tape.nd.zeros((2,), ctx=tape.gpu(0))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    tape.errors.ArgumentError: tape computes on the CPU with NumPy and cannot place arrays on gpu(0); use ...
    """
    return Context("gpu", device_id)


def current_context() -> Context:
    """The default context: always ``cpu(0)``.

    >>> import tape
    >>> tape.current_context()
    cpu(0)
    """
    return Context("cpu", 0)


def num_gpus() -> int:
    """The number of GPUs tape can use: always 0.

    >>> import tape
    >>> tape.num_gpus()
    0
    """
    return 0


def check(ctx: Context | None) -> None:
    """Refuse a context that tape cannot serve."""
    if ctx is None:
        return
    if not isinstance(ctx, Context):
        raise TypeError(f"ctx must be a tape Context such as tape.cpu(), not {type(ctx).__name__}")
    if ctx.device_type == "gpu":
        raise ArgumentError(
            f"tape computes on the CPU with NumPy and cannot place arrays on {ctx}; "
            "use ctx=tape.cpu() (or leave ctx out)"
        )
