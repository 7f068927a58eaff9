"""The two thread-local mode flags (recording, training) and the scope that sets them."""

from __future__ import annotations

import threading
from types import TracebackType


class _Flags(threading.local):
    # Class attributes are the per-thread defaults: every new thread starts with both off.
    recording: bool = False
    training: bool = False

    def __init__(self) -> None:
        # Runs once per thread: the saved flags of the scopes entered in that thread, LIFO.
        self.saved: list[tuple[bool, bool]] = []


flags = _Flags()


def is_recording() -> bool:
    """Return whether operations on arrays in a graph are being taped in this thread.

    >>> from tape import autograd
    >>> autograd.is_recording()
    False
    >>> with autograd.record():
    ...     autograd.is_recording()
    True
    """
    return flags.recording


def is_training() -> bool:
    """Return whether this thread is in training mode (it changes what `Dropout` does).

    >>> from tape import autograd
    >>> autograd.is_training()
    False
    >>> with autograd.train_mode():
    ...     autograd.is_training()
    True
    """
    return flags.training


def set_recording(is_recording: bool) -> bool:
    """Turn recording on or off for this thread and return the previous value.

    >>> from tape import autograd
    >>> previous = autograd.set_recording(True)
    >>> autograd.is_recording(), previous
    (True, False)
    >>> autograd.set_recording(previous)
    True
    """
    previous = flags.recording
    flags.recording = bool(is_recording)
    return previous


def set_training(train_mode: bool) -> bool:
    """Turn training mode on or off for this thread and return the previous value.

    >>> from tape import autograd
    >>> previous = autograd.set_training(True)
    >>> autograd.is_training(), previous
    (True, False)
    >>> autograd.set_training(previous)
    True
    """
    previous = flags.training
    flags.training = bool(train_mode)
    return previous


class Scope:
    """Set the flags given (None leaves one unchanged) on entry; restore both on exit."""

    __slots__ = ("_recording", "_training")

    def __init__(self, recording: bool | None, training: bool | None) -> None:
        self._recording = recording
        self._training = training

    def __enter__(self) -> None:
        f = flags
        f.saved.append((f.recording, f.training))
        if self._recording is not None:
            f.recording = self._recording
        if self._training is not None:
            f.training = self._training

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        f = flags
        f.recording, f.training = f.saved.pop()
