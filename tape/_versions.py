"""Versions of memory: when each array's memory was last written in place.

A recorded op's backward reads its inputs and its output as they are when the backward runs.
If one of them was written in place after the op was recorded (`x[:] = 0`, `x += 1`, through
`x` or through any array sharing its memory: `x.detach()`, a reshaped view), the gradient would
be computed from the wrong values. So every in-place write of an NDArray is noted here, against
the memory it writes (the NumPy array that owns it, shared by all its views), with the time of
a clock that only writes advance; every node notes that clock when it is recorded. A backward
finds a node's arrays written after the node's time and raises instead (see `_backward.py`).

The clock costs a recorded op one read; a backward compares each node's time with the clock
and looks at the arrays only when some write happened since the node was recorded.
"""

from __future__ import annotations

import itertools
import threading
import weakref

import numpy as np

from ._xp import is_device_array

__all__ = ["CLOCK", "note_write", "written_after"]

# CLOCK[0] is the time of the latest in-place write (0: none yet). A list, so that the modules
# that read it on their hot paths hold the one object.
CLOCK = [0]
_ticks = itertools.count(1)
_lock = threading.Lock()
_ARRAY = np.ndarray


class _Version(weakref.ref):  # type: ignore[type-arg]
    """A weak reference to the array that owns some memory, with the time of its last write.

    Weak: it tells a live owner from a dead one whose id was reused, and drops its entry when
    the owner goes (a reference with two slots costs a write less than a tuple and a partial).
    """

    __slots__ = ("key", "time")
    key: int
    time: int


# id(owner of the memory) -> its _Version.
_written: dict[int, _Version] = {}


def _forget(version: _Version) -> None:
    if _written.get(version.key) is version:
        del _written[version.key]


def _owner(data: np.ndarray) -> np.ndarray:
    base = data.base
    # A view's memory is its base's (None or bytes: its own); a GPU view's base is a GPU array.
    while isinstance(base, _ARRAY) or (base is not None and is_device_array(base)):
        data, base = base, base.base
    return data


def note_write(data: np.ndarray) -> None:
    """Note that the memory of `data` is being written in place now.

    >>> import numpy as np
    >>> a = np.zeros(3)
    >>> before = CLOCK[0]
    >>> note_write(a[1:])               # a view: the write is noted against `a`'s memory
    >>> written_after(a, before)
    True
    """
    owner = _owner(data)
    key = id(owner)
    with _lock:
        t = CLOCK[0] = next(_ticks)
        version = _written.get(key)
        if version is None or version() is not owner:
            version = _written[key] = _Version(owner, _forget)
            version.key = key
        version.time = t


def written_after(data: np.ndarray, time: int) -> bool:
    """Whether the memory of `data` was written in place after `time` (a CLOCK value).

    >>> import numpy as np
    >>> written_after(np.zeros(2), 0)
    False
    """
    owner = _owner(data)
    version = _written.get(id(owner))
    return version is not None and version.time > time and version() is owner
