"""``python -m benchmarks.gpu_check``: tape on a real GPU through CuPy, checked and timed.

Needs a CUDA GPU and CuPy (``pip install "tape[gpu]"``); PyTorch, where installed, is timed as
a peer. Three parts, a few minutes in all (``benchmarks/gpu_check.sh`` runs them all):

1. ``--tests``: the tests of tests/on_gpu/ over real CuPy instead of the stand-in.
2. the same programs on ``gpu(0)`` and ``cpu()`` from the same data: the MLP and softmax
   regression, trained a few steps, their weights compared (float32 tolerance);
3. times taken with CUDA events after warm-up: an MLP SGD step at batch 256 and 4096, and
   ``sum(tanh(A @ B))`` with its gradient at 4096 x 4096, each against hand-written CuPy (and
   PyTorch on the same device when installed). Prints a markdown table for
   docs/performance.md.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from collections.abc import Callable
from typing import Any

import numpy as np

N_IN, N_HID, N_OUT, LR = 784, 256, 10, 0.1


def _cupy() -> Any:
    try:
        import cupy
    except ImportError:
        sys.exit('gpu_check: CuPy is not installed: pip install "tape[gpu]"')
    if cupy.cuda.runtime.getDeviceCount() == 0:
        sys.exit("gpu_check: CuPy sees no CUDA device")
    return cupy


def _use_cupy() -> None:
    """Serve GPU contexts with CuPy and cupyx, loaded here so that a missing one fails at once."""
    import cupyx
    import cupyx.scipy.special

    from tape import _xp

    _xp.use_gpu_module(_cupy(), cupyx)


def run_tests() -> int:
    env = dict(os.environ, TAPE_TEST_GPU="cupy")
    return subprocess.call(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:warnings", "tests/on_gpu"], env=env
    )


def _data(batch: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray, list[np.ndarray]]:
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((batch, N_IN)).astype(np.float32)
    labels = rng.integers(0, N_OUT, batch)
    params = [
        (rng.standard_normal((N_IN, N_HID)) * 0.05).astype(np.float32),
        np.zeros(N_HID, np.float32),
        (rng.standard_normal((N_HID, N_OUT)) * 0.1).astype(np.float32),
        np.zeros(N_OUT, np.float32),
    ]
    return x, labels, params


def tape_mlp_step(
    ctx: Any, batch: int, seed: int = 0, hidden: bool = True
) -> tuple[Callable[[], Any], list[Any]]:
    """One SGD step of the MLP (or, with ``hidden=False``, of softmax regression) on `ctx`."""
    from tape import autograd, nd

    x0, labels, params = _data(batch, seed)
    if not hidden:
        params = [(params[0][:, :N_OUT] * 0.1).copy(), np.zeros(N_OUT, np.float32)]
    ps = [nd.array(p, ctx=ctx) for p in params]
    for p in ps:
        p.attach_grad()
    x, y = nd.array(x0, ctx=ctx), nd.array(labels, ctx=ctx)

    def scores() -> Any:
        if not hidden:
            return nd.dot(x, ps[0]) + ps[1]
        w1, b1, w2, b2 = ps
        return nd.dot(nd.relu(nd.dot(x, w1) + b1), w2) + b2

    def step() -> Any:
        with autograd.record():
            loss = -nd.pick(nd.log_softmax(scores()), y).mean()
        loss.backward()
        for p in ps:
            p -= LR * p.grad
        return loss

    return step, ps


def cupy_mlp_step(batch: int) -> Callable[[], Any]:
    cp = _cupy()
    x0, labels, params = _data(batch)
    x, y = cp.asarray(x0), cp.asarray(labels)
    w1, b1, w2, b2 = (cp.asarray(p) for p in params)
    rows = cp.arange(batch)

    def step() -> Any:
        a = x @ w1 + b1
        h = cp.maximum(a, 0)
        s = h @ w2 + b2
        s = s - s.max(axis=1, keepdims=True)
        e = cp.exp(s)
        p = e / e.sum(axis=1, keepdims=True)
        loss = -cp.log(p[rows, y]).mean()
        ds = p
        ds[rows, y] -= 1
        ds /= batch
        gw2, gb2 = h.T @ ds, ds.sum(axis=0)
        dh = (ds @ w2.T) * (a > 0)
        gw1, gb1 = x.T @ dh, dh.sum(axis=0)
        for w, g in ((w1, gw1), (b1, gb1), (w2, gw2), (b2, gb2)):
            w -= LR * g
        return loss

    return step


def torch_mlp_step(batch: int) -> Callable[[], Any] | None:
    try:
        import torch
    except ImportError:
        return None
    x0, labels, params = _data(batch)
    dev = torch.device("cuda:0")
    x, y = torch.tensor(x0, device=dev), torch.tensor(labels, device=dev)
    ps = [torch.tensor(p, device=dev, requires_grad=True) for p in params]

    def step() -> Any:
        w1, b1, w2, b2 = ps
        loss = torch.nn.functional.cross_entropy(torch.relu(x @ w1 + b1) @ w2 + b2, y)
        loss.backward()
        with torch.no_grad():
            for p in ps:
                p -= LR * p.grad
                p.grad = None
        return loss

    return step


def tape_tanh_matmul(n: int) -> Callable[[], Any]:
    from tape import autograd, nd

    rng = np.random.default_rng(0)
    a = nd.array(rng.standard_normal((n, n)) / np.sqrt(n), ctx=_gpu())
    b = nd.array(rng.standard_normal((n, n)) / np.sqrt(n), ctx=_gpu())
    a.attach_grad()

    def step() -> Any:
        with autograd.record():
            total = nd.tanh(nd.dot(a, b)).sum()
        total.backward()
        return a.grad

    return step


def cupy_tanh_matmul(n: int) -> Callable[[], Any]:
    cp = _cupy()
    rng = np.random.default_rng(0)
    a = cp.asarray((rng.standard_normal((n, n)) / np.sqrt(n)).astype(np.float32))
    b = cp.asarray((rng.standard_normal((n, n)) / np.sqrt(n)).astype(np.float32))

    def step() -> Any:
        t = cp.tanh(a @ b)
        t.sum()
        return (1 - t * t) @ b.T

    return step


def torch_tanh_matmul(n: int) -> Callable[[], Any] | None:
    try:
        import torch
    except ImportError:
        return None
    rng = np.random.default_rng(0)
    dev = torch.device("cuda:0")
    a = torch.tensor(
        (rng.standard_normal((n, n)) / np.sqrt(n)).astype(np.float32), device=dev, requires_grad=True
    )
    b = torch.tensor((rng.standard_normal((n, n)) / np.sqrt(n)).astype(np.float32), device=dev)

    def step() -> Any:
        a.grad = None
        torch.tanh(a @ b).sum().backward()
        return a.grad

    return step


def _gpu() -> Any:
    import tape

    return tape.gpu(0)


def device_time(fn: Callable[[], Any], repeat: int = 20, warmup: int = 5) -> float:
    """Milliseconds per call, from CUDA events around `repeat` calls, after `warmup` calls."""
    cp = _cupy()
    for _ in range(warmup):
        fn()
    cp.cuda.Device(0).synchronize()
    start, end = cp.cuda.Event(), cp.cuda.Event()
    start.record()
    for _ in range(repeat):
        fn()
    end.record()
    end.synchronize()
    return float(cp.cuda.get_elapsed_time(start, end)) / repeat


def compare_programs() -> bool:
    """The MLP and softmax regression trained on gpu(0) and on cpu() from the same data."""
    import tape

    ok = True
    for name, hidden in (("MLP", True), ("softmax regression", False)):
        results = []
        for ctx in (tape.gpu(0), tape.cpu()):
            step, ps = tape_mlp_step(ctx, 256, seed=3, hidden=hidden)
            for _ in range(20):
                step()
            results.append([p.asnumpy() for p in ps])
        worst = max(float(np.max(np.abs(g - c))) for g, c in zip(*results, strict=True))
        passed = worst < 1e-3
        ok &= passed
        print(
            f"{name}: gpu(0) and cpu() weights after 20 steps differ by at most {worst:.2e}: "
            + ("PASS" if passed else "FAIL")
        )
    return ok


def timings() -> None:
    rows = []
    for batch in (256, 4096):
        step, _ = tape_mlp_step(_gpu(), batch)
        peer = torch_mlp_step(batch)
        rows.append(
            (
                f"MLP SGD step {N_IN}-{N_HID}-{N_OUT}, batch {batch}",
                device_time(step),
                device_time(cupy_mlp_step(batch)),
                None if peer is None else device_time(peer),
            )
        )
    n = 4096
    peer = torch_tanh_matmul(n)
    rows.append(
        (
            f"sum(tanh(A @ B)) and its gradient, {n}x{n}",
            device_time(tape_tanh_matmul(n)),
            device_time(cupy_tanh_matmul(n)),
            None if peer is None else device_time(peer),
        )
    )
    print("\n| benchmark (float32, gpu(0)) | tape | hand-written CuPy | ratio | PyTorch |")
    print("|---|---|---|---|---|")
    for name, t, c, p in rows:
        torch_cell = "-" if p is None else f"{p:.3f} ms"
        print(f"| {name} | {t:.3f} ms | {c:.3f} ms | {t / c:.2f}x | {torch_cell} |")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.gpu_check", description=__doc__)
    parser.add_argument("--tests", action="store_true", help="also run tests/on_gpu over real CuPy")
    args = parser.parse_args(argv)
    _use_cupy()
    status = run_tests() if args.tests else 0
    ok = compare_programs()
    timings()
    return 0 if ok and status == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
