"""Benchmarks of tape against hand-written NumPy forward + backward, run in the same process.

Run them all with ``python -m benchmarks`` from the repository root (``--quick`` for a smoke
run, ``--json PATH`` to save the results, ``--only NAME`` to pick benchmarks).

BLAS is pinned to one thread for both sides of every ratio: the environment variables below
are set here, before anything imports NumPy, and threadpoolctl (when installed) enforces the
same limit at run time in case NumPy was imported first.
"""

from __future__ import annotations

import os
import sys

PINNED_THREADS = "1"
_THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "VECLIB_MAXIMUM_THREADS")

# Only effective when NumPy is not loaded yet; the harness reports which mechanism held.
NUMPY_WAS_LOADED = "numpy" in sys.modules
for _var in _THREAD_VARS:
    os.environ[_var] = PINNED_THREADS
