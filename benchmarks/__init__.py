"""Benchmarks of tape against hand-written NumPy forward + backward, run in the same process.

Run them all with ``python -m benchmarks`` from the repository root (``--quick`` for a smoke
run, ``--json PATH`` to save the results, ``--only NAME`` to pick benchmarks).

BLAS is pinned to one thread for both sides of every ratio: the environment variables below
are set here, before anything imports NumPy, and threadpoolctl (when installed) enforces the
same limit at run time in case NumPy was imported first.

The C allocator is made steady too (glibc only): by default it returns large freed blocks to
the system and page-faults them back in on the next allocation, which costs more than the
arithmetic on arrays of a few hundred kilobytes and lands on whichever side happens to free at
the wrong moment (it swung the float64 MLP ratio between 0.7x and 1.2x). Both sides share one
process, so both get the same steady allocator.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import sys

PINNED_THREADS = "1"
_THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "VECLIB_MAXIMUM_THREADS")

# Only effective when NumPy is not loaded yet; the harness reports which mechanism held.
NUMPY_WAS_LOADED = "numpy" in sys.modules
for _var in _THREAD_VARS:
    os.environ[_var] = PINNED_THREADS


def _steady_allocator() -> str:
    """Serve blocks under 32 MiB from the heap and keep up to 64 MiB freed there (glibc)."""
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name) if name else None
        mallopt = libc.mallopt if libc is not None else None
    except (OSError, AttributeError):
        mallopt = None
    if mallopt is None:
        return "system default"
    m_trim_threshold, m_mmap_threshold = -1, -3  # from glibc's malloc.h
    ok = mallopt(m_mmap_threshold, 32 << 20) and mallopt(m_trim_threshold, 64 << 20)
    return "glibc, no unmapping below 32 MiB" if ok else "system default (mallopt refused)"


ALLOCATOR = _steady_allocator()
