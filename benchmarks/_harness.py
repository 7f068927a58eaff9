"""Timing, checking and reporting shared by the benchmarks."""

from __future__ import annotations

import gc
import importlib
import platform
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from types import ModuleType
from typing import Any

import numpy as np

from . import ALLOCATOR, NUMPY_WAS_LOADED, PINNED_THREADS

Fn = Callable[[], Any]


@dataclass
class Case:
    """One timed comparison: tape against NumPy, plus any peers importable here.

    Each callable does the whole forward + backward once and returns the gradients (arrays
    or NDArrays, in the same order on every side) so the harness can check they agree.
    `per` divides the times (e.g. the number of ops, for a time per op).
    """

    name: str
    tape: Fn
    numpy: Fn
    target: float
    per: int = 1
    unit: str = "call"
    peers: dict[str, Fn] = field(default_factory=dict)
    rtol: float = 1e-4
    atol: float = 1e-6


@dataclass
class Metric:
    """A measured quantity with an upper-bound target that is not a time ratio (bytes per op)."""

    name: str
    value: float
    unit: str
    target: float


@dataclass
class Row:
    """One line of the report."""

    name: str
    kind: str  # "ratio" or "metric"
    tape: float  # seconds per unit, or the metric's value
    numpy: float | None
    ratio: float | None
    target: float
    unit: str
    passed: bool
    tape_median: float | None = None
    numpy_median: float | None = None
    peers: dict[str, float] = field(default_factory=dict)  # peer name -> ratio to NumPy


def optional(name: str) -> ModuleType | None:
    """The module `name` if it imports cleanly, else None (peers are optional)."""
    try:
        return importlib.import_module(name)
    except Exception:
        return None


def make_peers(factories: dict[str, Callable[..., Fn | None]], *args: Any) -> dict[str, Fn]:
    """Build each peer's callable; a factory returns None when its library is missing."""
    out = {}
    for name, factory in factories.items():
        fn = factory(*args)
        if fn is not None:
            out[name] = fn
    return out


def thread_pinning() -> str:
    """Say how BLAS threads were pinned (and enforce it with threadpoolctl when available)."""
    how = "env vars" if not NUMPY_WAS_LOADED else "env vars set too late (NumPy was loaded first)"
    tpc = optional("threadpoolctl")
    if tpc is not None:
        tpc.threadpool_limits(int(PINNED_THREADS))
        how += " + threadpoolctl"
    return f"BLAS threads = {PINNED_THREADS} ({how})"


def environment() -> dict[str, str]:
    """What the numbers were measured on."""
    return {
        "python": platform.python_version(),
        "numpy": np.__version__,
        "machine": platform.machine(),
        "processor": platform.processor() or "unknown",
        "threads": thread_pinning(),
        "allocator": ALLOCATOR,
        "gc": "enabled while timing (as users run)",
    }


def _as_numpy(x: Any) -> np.ndarray:
    return np.asarray(x.asnumpy() if hasattr(x, "asnumpy") else x, dtype=np.float64)


def check_same(case: Case, name: str, got: Any, want: Any) -> None:
    """Fail loudly when a side computes something else: a ratio of different work is void."""
    gs = got if isinstance(got, list | tuple) else [got]
    ws = want if isinstance(want, list | tuple) else [want]
    if len(gs) != len(ws):
        raise AssertionError(f"{case.name}: {name} returned {len(gs)} results, NumPy {len(ws)}")
    for k, (g, w) in enumerate(zip(gs, ws, strict=True)):
        a, b = _as_numpy(g), _as_numpy(w)
        if a.size != b.size or not np.allclose(a.reshape(b.shape), b, rtol=case.rtol, atol=case.atol):
            err = np.max(np.abs(a.reshape(-1) - b.reshape(-1))) if a.size == b.size else "shape"
            raise AssertionError(f"{case.name}: {name} result {k} differs from NumPy's (max err {err})")


def _loops(fn: Fn, min_time: float) -> int:
    """Calls per timing so that one timing lasts at least `min_time` (timeit's autorange)."""
    n = 1
    while True:
        t0 = time.perf_counter()
        for _ in range(n):
            fn()
        if time.perf_counter() - t0 >= min_time:
            return n
        n *= 2


def time_all(fns: dict[str, Fn], repeat: int, min_time: float) -> dict[str, list[float]]:
    """Seconds per call of each function, `repeat` times, interleaved so drift hits all alike."""
    for fn in fns.values():  # warm-up: caches, lazy imports, allocator pools
        fn()
        fn()
    loops = {name: _loops(fn, min_time) for name, fn in fns.items()}
    times: dict[str, list[float]] = {name: [] for name in fns}
    names = list(fns)
    for r in range(repeat):
        order = names[r % len(names) :] + names[: r % len(names)]
        for name in order:
            fn, n = fns[name], loops[name]
            gc.collect()
            t0 = time.perf_counter()
            for _ in range(n):
                fn()
            times[name].append((time.perf_counter() - t0) / n)
    return times


def run_case(case: Case, repeat: int, min_time: float) -> Row:
    """Check that every side agrees with NumPy, then time them; the ratio is best-of-`repeat`."""
    want = case.numpy()
    check_same(case, "tape", case.tape(), want)
    for name, fn in case.peers.items():
        check_same(case, name, fn(), want)
    fns = {"tape": case.tape, "numpy": case.numpy, **case.peers}
    times = time_all(fns, repeat, min_time)
    best = {name: min(ts) / case.per for name, ts in times.items()}
    ratio = best["tape"] / best["numpy"]
    return Row(
        name=case.name,
        kind="ratio",
        tape=best["tape"],
        numpy=best["numpy"],
        ratio=ratio,
        target=case.target,
        unit=case.unit,
        passed=ratio <= case.target,
        tape_median=statistics.median(times["tape"]) / case.per,
        numpy_median=statistics.median(times["numpy"]) / case.per,
        peers={name: best[name] / best["numpy"] for name in case.peers},
    )


def metric_row(m: Metric) -> Row:
    return Row(m.name, "metric", m.value, None, None, m.target, m.unit, m.value <= m.target)


def _seconds(t: float | None) -> str:
    if t is None:
        return "-"
    for scale, suffix in ((1.0, "s"), (1e-3, "ms"), (1e-6, "us")):
        if t >= scale:
            return f"{t / scale:.3g} {suffix}"
    return f"{t / 1e-9:.3g} ns"


def format_table(rows: Sequence[Row]) -> str:
    """The report: one line per row; peers get a column each when any ran."""
    peer_names = sorted({p for r in rows for p in r.peers})
    head = ["benchmark", "tape", "numpy", "ratio", "target", "result", *peer_names]
    lines = []
    for r in rows:
        if r.kind == "ratio":
            cells = [
                r.name,
                f"{_seconds(r.tape)}/{r.unit}",
                f"{_seconds(r.numpy)}/{r.unit}",
                f"{r.ratio:.2f}x",
                f"<= {r.target:g}x",
            ]
        else:
            cells = [r.name, f"{r.tape:.0f} {r.unit}", "-", "-", f"<= {r.target:g} {r.unit}"]
        cells.append("PASS" if r.passed else "FAIL")
        cells += [f"{r.peers[p]:.2f}x" if p in r.peers else "-" for p in peer_names]
        lines.append(cells)
    widths = [max(len(c) for c in col) for col in zip(head, *lines, strict=True)]
    fmt = "  ".join(f"{{:<{w}}}" for w in widths)
    rule = "  ".join("-" * w for w in widths)
    return "\n".join([fmt.format(*head), rule, *(fmt.format(*c) for c in lines)])


def as_json(rows: Sequence[Row], env: dict[str, str], args: dict[str, Any]) -> dict[str, Any]:
    return {"environment": env, "settings": args, "results": [asdict(r) for r in rows]}
