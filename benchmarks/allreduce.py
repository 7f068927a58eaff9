"""(h) Data-parallel training: summing the MLP's gradients across 2 workers, and its step.

Launches 2 workers (``mpiexec -n 2 python -m mpi4py -m benchmarks.allreduce --worker OUT``)
that time, in lockstep, the sum over the workers of the float32 gradients of benchmark (b)'s
784-100-10 net (79,510 numbers in 4 arrays):

- hand-written mpi4py: pack the 4 arrays into one buffer, ``Allreduce`` it, unpack (the baseline);
- ``kv.pushpull(keys, grads, out=grads)``: the 4 keys in one fused collective (plus the tiny
  one that checks the workers agree on keys, shapes and dtypes);
- ``kv.pushpull(i, grad, out=grad)`` key by key: 4 collectives (and 4 checks);

then the whole SGD step of that net with a global batch of 100: 50 examples per worker plus
the fused pushpull, against the same program run alone on the 100 examples (timed here, in
this process). The rows are metrics in microseconds: each target is derived from a baseline
measured in the same run. Without mpi4py (``pip install "tape[dist]"``) the rows are skipped.
"""

from __future__ import annotations

import importlib.util
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from . import mlp
from ._harness import Metric

NAME = "allreduce"
WORKERS = 2
BATCHES = (100, 1000)  # global batches: benchmark (b)'s, and one where computing dominates
ROOT = Path(__file__).resolve().parent.parent


def _batch(n: int) -> tuple[np.ndarray, np.ndarray, list[np.ndarray]]:
    """Benchmark (b)'s data and weights, with a global batch of `n` examples."""
    _, _, params = mlp._data(np.float32)
    rng = np.random.default_rng(2)
    return rng.standard_normal((n, mlp.N_IN)).astype(np.float32), rng.integers(0, mlp.N_OUT, n), params


def _step(x0: np.ndarray, labels: np.ndarray, params: list[np.ndarray]) -> Callable[[], Any]:
    """Benchmark (b)'s SGD step, data-parallel: this worker's shard of the batch, then pushpull."""
    import tape
    from tape import autograd, nd
    from tape import distributed as dist

    kv = tape.kv.create("dist_sync")
    ps = [nd.array(p, dtype=p.dtype) for p in params]
    keys = list(range(len(ps)))
    kv.init(keys, ps)
    for p in ps:
        p.attach_grad()
    mine = dist.shard(len(x0))
    x = nd.array(x0[mine], dtype=x0.dtype)
    y = nd.array(labels[mine], dtype=x0.dtype)
    scale = 1.0 / len(x0)

    def run() -> Any:
        w1, b1, w2, b2 = ps
        with autograd.record():
            h = nd.relu(nd.dot(x, w1) + b1)
            loss = -nd.pick(nd.log_softmax(nd.dot(h, w2) + b2), y).sum()
        loss.backward()
        grads = [p.grad for p in ps]
        kv.pushpull(keys, grads, out=grads)
        for p in ps:
            p -= (mlp.LR * scale) * p.grad
        return grads

    return run


def _best(fn: Callable[[], Any], repeat: int, min_time: float, agree: Callable[[float], float]) -> float:
    """Seconds per call, best of `repeat`; `agree` makes every worker use the same loop count."""
    for _ in range(3):
        fn()
    t0 = time.perf_counter()
    fn()
    loops = max(1, math.ceil(min_time / max(agree(time.perf_counter() - t0), 1e-9)))
    best = math.inf
    for _ in range(repeat):
        agree(0.0)  # a barrier: every worker starts the timing together
        t0 = time.perf_counter()
        for _ in range(loops):
            fn()
        best = min(best, (time.perf_counter() - t0) / loops)
    return agree(best)  # the slowest worker's time is the step's


def worker(out: str, repeat: int, min_time: float) -> None:
    """What each launched worker runs; worker 0 writes the times (seconds) to `out` as JSON."""
    from mpi4py import MPI

    import tape
    from tape import nd

    comm = MPI.COMM_WORLD

    def agree(t: float) -> float:
        return float(comm.allreduce(t, op=MPI.MAX))

    _, _, params = mlp._data(np.float32)
    grads = [nd.array(p * (comm.rank + 1), dtype=p.dtype) for p in params]
    kv = tape.kv.create("dist_sync")
    keys = list(range(len(grads)))
    kv.init(keys, grads)
    arrays = [g.asnumpy() for g in grads]
    buf = np.empty(sum(a.size for a in arrays), np.float32)

    def by_hand() -> None:
        at = 0
        for a in arrays:
            buf[at : at + a.size] = a.reshape(-1)
            at += a.size
        comm.Allreduce(MPI.IN_PLACE, buf, op=MPI.SUM)
        at = 0
        for a in arrays:
            a[...] = buf[at : at + a.size].reshape(a.shape)
            at += a.size

    def fused() -> None:
        kv.pushpull(keys, grads, out=grads)

    def per_key() -> None:
        for k, g in zip(keys, grads, strict=True):
            kv.pushpull(k, g, out=g)

    fns = {"mpi4py": by_hand, "fused": fused, "per_key": per_key}
    for batch in BATCHES:
        fns[f"step{batch}"] = _step(*_batch(batch))
    times = {name: _best(fn, repeat, min_time, agree) for name, fn in fns.items()}
    if comm.rank == 0:
        Path(out).write_text(json.dumps(times))


def _launched(repeat: int, min_time: float) -> dict[str, float] | None:
    from tape.launch import find_mpiexec

    mpiexec = find_mpiexec()
    if importlib.util.find_spec("mpi4py") is None or mpiexec is None:
        print('allreduce: skipped, it needs mpi4py and MPICH: pip install "tape[dist]"', file=sys.stderr)
        return None
    # `taskset -c 1 python -m benchmarks` pins this process to one core, and the workers would
    # inherit it and share that core: they get every core of the machine back.
    cores = os.cpu_count() or WORKERS
    pinned = hasattr(os, "sched_setaffinity") and len(os.sched_getaffinity(0)) < min(WORKERS, cores)

    def unpin() -> None:
        os.sched_setaffinity(0, range(cores))

    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "times.json"
        cmd = [mpiexec, "-n", str(WORKERS), sys.executable, "-m", "mpi4py", "-m", "benchmarks.allreduce"]
        subprocess.run(
            [*cmd, "--worker", str(out), str(repeat), str(min_time)],
            cwd=ROOT,
            check=True,
            timeout=600,
            preexec_fn=unpin if pinned else None,
        )
        times: dict[str, float] = json.loads(out.read_text())
    return times


def cases(quick: bool) -> list[Any]:
    repeat, min_time = (3, 0.02) if quick else (15, 0.2)
    times = _launched(repeat, min_time)
    if times is None:
        return []
    us = 1e6
    raw = times["mpi4py"]
    steps = []
    for batch in BATCHES:
        alone = _best(_step(*_batch(batch)), repeat, min_time, lambda t: t)
        name = f"h. MLP SGD step f32, batch {batch} over {WORKERS} workers (alone {alone * us:.0f} us)"
        steps.append(Metric(name, times[f"step{batch}"] * us, "us/step", alone * us))
    return [
        # Target: twice the hand-written packing and Allreduce, for the workers' agreement check
        # (one 16-byte collective) and the store's bookkeeping; per key, four times that.
        Metric(f"h. allreduce MLP grads f32, {WORKERS} workers, fused (mpi4py {raw * us:.0f} us)",
               times["fused"] * us, "us/step", 2 * raw * us),
        Metric(f"h. the same, one pushpull per key (4 keys; fused {times['fused'] * us:.0f} us)",
               times["per_key"] * us, "us/step", 4 * 2 * raw * us),
        *steps,
    ]  # fmt: skip


if __name__ == "__main__" and sys.argv[1:2] == ["--worker"]:
    worker(sys.argv[2], int(sys.argv[3]), float(sys.argv[4]))
