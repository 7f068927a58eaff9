"""Synchronisation budgets on a GPU (over the CuPy stand-in): a training step copies nothing to
the host but what the user's own code reads.

A copy to the host waits for the device to finish everything queued before it; one hidden in
an op or a gradient would serialise the GPU with Python on every step.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest
from fake_cupy import FakeCupy

import tape
from tape import _xp, autograd, nd, npx
from tape import np as tnp


@pytest.fixture
def fake() -> Iterator[FakeCupy]:
    module = FakeCupy(devices=1)
    previous = _xp.use_gpu_module(module, module.cupyx)
    try:
        with tape.gpu(0):
            yield module
    finally:
        _xp.use_gpu_module(previous)


def _mlp(batch: int = 16) -> tuple[list[nd.NDArray], nd.NDArray, nd.NDArray]:
    rng = np.random.default_rng(0)
    params = [
        nd.array(rng.normal(0, 0.1, (8, 16))),
        nd.zeros(16),
        nd.array(rng.normal(0, 0.1, (16, 3))),
        nd.zeros(3),
    ]
    for p in params:
        p.attach_grad()
    x = nd.array(rng.normal(size=(batch, 8)))
    y = nd.array(rng.integers(0, 3, batch))
    return params, x, y


def _loss(params: list[nd.NDArray], x: nd.NDArray, y: nd.NDArray) -> nd.NDArray:
    w1, b1, w2, b2 = params
    h = nd.relu(nd.dot(x, w1) + b1)
    out = nd.dot(h, w2) + b2
    return -nd.pick(nd.log_softmax(out), y).mean()


def test_a_forward_and_backward_copy_nothing_to_the_host(fake: FakeCupy) -> None:
    params, x, y = _mlp()
    with fake.counting() as counts:
        with autograd.record():
            loss = _loss(params, x, y)
        loss.backward()
    assert counts["syncs"] == 0
    assert all(p.grad is not None and p.grad.context == tape.gpu(0) for p in params)


def test_an_sgd_step_copies_only_what_the_program_reads(fake: FakeCupy) -> None:
    params, x, y = _mlp()
    losses = []
    with fake.counting() as counts:
        for _ in range(3):
            with autograd.record():
                loss = _loss(params, x, y)
            loss.backward()
            for p in params:
                p[:] = p - 0.5 * p.grad
            nd.sgd_update(params[0], params[0].grad, lr=0.1, out=params[0])
            losses.append(loss.asscalar())  # the program's own read: one copy a step
    assert counts["syncs"] == 3
    assert losses[-1] < losses[0]


def test_the_np_interface_step_copies_nothing_either(fake: FakeCupy) -> None:
    w = tnp.random.normal(0, 0.1, (8, 3))
    w.attach_grad()
    x = tnp.ones((4, 8))
    labels = tnp.array([0, 1, 2, 0])
    with fake.counting() as counts:
        with autograd.record():
            loss = -npx.pick(npx.log_softmax(tnp.dot(x, w)), labels).mean()
        loss.backward()
        w -= 0.1 * w.grad
    assert counts["syncs"] == 0


def test_reading_a_value_is_one_copy_each(fake: FakeCupy) -> None:
    x = nd.ones((2, 2))
    with fake.counting() as counts:
        x.asnumpy()
        float(x.sum().asscalar())
        print(x)  # the repr reads the values
    assert counts["syncs"] == 3


_CONV_CASES = {
    "Convolution": lambda x, w: nd.Convolution(
        x, w, nd.zeros(4), kernel=(3, 3), pad=(1, 1), stride=(2, 2), num_filter=4
    ),
    "max Pooling": lambda x, w: nd.Pooling(x, kernel=(2, 2), stride=(2, 2)),
    "max Pooling, padded": lambda x, w: nd.Pooling(
        x, kernel=(3, 3), stride=(2, 2), pad=(1, 1), pooling_convention="full"
    ),
    "avg Pooling": lambda x, w: nd.Pooling(x, kernel=(3, 3), pad=(1, 1), pool_type="avg"),
    "Deconvolution": lambda x, w: nd.Deconvolution(x, w[:3, :2], kernel=(3, 3), stride=(2, 2), num_filter=2),
    "UpSampling": lambda x, w: nd.UpSampling(x, scale=2, sample_type="nearest"),
    "BatchNorm": lambda x, w: nd.BatchNorm(x, nd.ones(3), nd.zeros(3), nd.zeros(3), nd.ones(3)),
}


@pytest.mark.parametrize("layer", sorted(_CONV_CASES))
def test_a_cnn_layer_forward_and_backward_copy_nothing_to_the_host(fake: FakeCupy, layer: str) -> None:
    rng = np.random.default_rng(0)
    x = nd.array(rng.standard_normal((2, 3, 7, 7)))
    w = nd.array(rng.standard_normal((4, 3, 3, 3)))
    x.attach_grad()
    with fake.counting() as counts:
        with autograd.train_mode(), autograd.record():
            y = _CONV_CASES[layer](x, w)
        y.backward()
    assert counts["syncs"] == 0
