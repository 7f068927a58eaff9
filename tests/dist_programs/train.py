"""A data-parallel training program for tests/test_distributed.py: ``train.py OUT.npz``.

Trains a 64-16-10 net on part of the bundled digits, in float64, three ways in a row (the
kvstore summing gradients, the kvstore running SGD with momentum, and tape.distributed's
functional calls), and saves each worker's final weights to OUT.npz with ``.rank<r>``
before the suffix. Run alone it is one worker; under ``python -m tape.launch -n N`` each
worker takes its shard of every global batch, so the weights must come out the same.
"""

from __future__ import annotations

import sys

import numpy as np

import tape
from tape import autograd, demo, nd
from tape import distributed as dist

GLOBAL_BATCH, STEPS, LR = 24, 12, 0.5


def start() -> list[nd.NDArray]:
    # Every worker draws different weights (seeded by rank): broadcast must make them equal.
    rng = np.random.default_rng(100 + dist.rank())
    return [
        nd.array(rng.standard_normal((64, 16)) * 0.3, dtype="float64"),
        nd.zeros(16, dtype="float64"),
        nd.array(rng.standard_normal((16, 10)) * 0.3, dtype="float64"),
        nd.zeros(10, dtype="float64"),
    ]


def local_loss(params: list[nd.NDArray], x: np.ndarray, y: np.ndarray) -> nd.NDArray:
    w1, b1, w2, b2 = params
    scores = nd.dot(nd.relu(nd.dot(nd.array(x, dtype="float64"), w1) + b1), w2) + b2
    return -nd.pick(nd.log_softmax(scores), nd.array(y, dtype="float64")).sum()  # a SUM


def batches() -> list[tuple[np.ndarray, np.ndarray]]:
    data = demo.load_digits()
    out = []
    for step in range(STEPS):
        rows = slice(step * GLOBAL_BATCH, (step + 1) * GLOBAL_BATCH)
        x, y = data.x_train[rows], data.y_train[rows]
        mine = dist.shard(len(x))  # this worker's part of the global batch
        out.append((x[mine], y[mine]))
    return out


def with_kvstore() -> list[nd.NDArray]:
    kv = tape.kv.create("dist_sync")
    params = start()
    kv.broadcast(list(range(4)), params, out=params)
    for p in params:
        p.attach_grad()
    for x, y in batches():
        with autograd.record():
            loss = local_loss(params, x, y)
        loss.backward()
        grads = [p.grad for p in params]
        kv.pushpull(list(range(4)), grads, out=grads)  # all four in one collective
        for p in params:
            p[:] = p - LR * p.grad / GLOBAL_BATCH
    return params


def with_store_optimizer() -> list[nd.NDArray]:
    kv = tape.kv.create("dist_sync")
    kv.set_optimizer(tape.kv.SGD(learning_rate=LR, momentum=0.9, wd=1e-3, rescale_grad=1 / GLOBAL_BATCH))
    params = start()
    kv.init(list(range(4)), params)
    kv.pull(list(range(4)), out=params)
    for p in params:
        p.attach_grad()
    for x, y in batches():
        with autograd.record():
            loss = local_loss(params, x, y)
        loss.backward()
        for i, p in enumerate(params):  # one key at a time: queued, sent with the first pull
            kv.push(i, p.grad)
        for i, p in enumerate(params):
            kv.pull(i, out=p)
    return params


def functional() -> list[nd.NDArray]:
    params = start()
    dist.broadcast_parameters(params)
    for p in params:
        p.attach_grad()
    for x, y in batches():
        with autograd.record():
            loss = local_loss(params, x, y)
        loss.backward()
        dist.allreduce_grads(params)
        for p in params:
            p[:] = p - LR * p.grad / GLOBAL_BATCH
    return params


def main(out: str) -> None:
    found = {}
    for name, run in (("kv", with_kvstore), ("opt", with_store_optimizer), ("fn", functional)):
        for i, p in enumerate(run()):
            found[f"{name}{i}"] = p.asnumpy()
    path = out.replace(".npz", f".rank{dist.rank()}.npz")
    np.savez(path, size=dist.size(), **found)
    print(f"worker {dist.rank()} of {dist.size()} saved {path}")


if __name__ == "__main__":
    main(sys.argv[1])
