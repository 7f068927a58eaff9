"""Threads: modes are per thread, and two threads training at once never mix their gradients."""

from __future__ import annotations

import threading
from collections.abc import Callable

import numpy as np
import pytest

from tape import AutogradError, autograd, nd

TIMEOUT = 30


def run_together(*workers: Callable[[threading.Barrier], object]) -> list[object]:
    """Run each worker in its own thread with a shared barrier; re-raise the first failure."""
    barrier = threading.Barrier(len(workers), timeout=TIMEOUT)
    results: list[object] = [None] * len(workers)
    errors: list[BaseException] = []

    def wrap(k: int, work: Callable[[threading.Barrier], object]) -> None:
        try:
            results[k] = work(barrier)
        except BaseException as e:
            errors.append(e)
            barrier.abort()  # free the other thread instead of leaving it waiting

    threads = [threading.Thread(target=wrap, args=(k, w)) for k, w in enumerate(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(TIMEOUT)
    assert not any(t.is_alive() for t in threads), "a worker thread hung"
    if errors:
        raise errors[0]
    return results


def modes() -> tuple[bool, bool]:
    return autograd.is_recording(), autograd.is_training()


def test_a_scope_entered_in_one_thread_is_not_seen_in_another() -> None:
    def recorder(barrier: threading.Barrier) -> list[tuple[bool, bool]]:
        seen = []
        with autograd.record():
            barrier.wait()  # 1: inside record
            seen.append(modes())
            barrier.wait()  # 2: the other thread looked
        seen.append(modes())
        return seen

    def bystander(barrier: threading.Barrier) -> list[tuple[bool, bool]]:
        barrier.wait()  # 1
        seen = [modes()]
        barrier.wait()  # 2
        return seen

    rec, other = run_together(recorder, bystander)
    assert rec == [(True, True), (False, False)]
    assert other == [(False, False)]


def test_opposite_scopes_in_two_threads_at_once() -> None:
    def recording(barrier: threading.Barrier) -> list[tuple[bool, bool]]:
        with autograd.record(train_mode=False):
            barrier.wait()
            inside = modes()
            barrier.wait()
        return [inside, modes()]

    def predicting(barrier: threading.Barrier) -> list[tuple[bool, bool]]:
        autograd.set_training(True)
        with autograd.predict_mode():
            barrier.wait()
            inside = modes()
            barrier.wait()
        return [inside, modes()]

    rec, pred = run_together(recording, predicting)
    assert rec == [(True, False), (False, False)]
    assert pred == [(False, False), (False, True)]


def test_one_scope_object_shared_by_two_threads_restores_each_threads_flags() -> None:
    # The thread that entered first leaves first: not LIFO across threads.
    shared = autograd.record()

    def first(barrier: threading.Barrier) -> tuple[bool, bool]:
        with shared:
            barrier.wait()  # A: first is inside
            barrier.wait()  # B: second is inside too
        after = modes()
        barrier.wait()  # C: first has left
        return after

    def second(barrier: threading.Barrier) -> tuple[bool, bool]:
        autograd.set_training(True)
        barrier.wait()  # A
        with shared:
            barrier.wait()  # B
            barrier.wait()  # C
        return modes()

    assert run_together(first, second) == [(False, False), (False, True)]


def make_problem(seed: int) -> tuple[nd.NDArray, nd.NDArray, nd.NDArray, nd.NDArray]:
    rng = np.random.default_rng(seed)
    w = nd.array(rng.standard_normal((4, 2)))
    b = nd.array(rng.standard_normal(2))
    x = nd.array(rng.standard_normal((16, 4)))
    y = nd.array(rng.standard_normal((16, 2)))
    return w, b, x, y


def train(seed: int, steps: int, barrier: threading.Barrier | None) -> list[np.ndarray]:
    """SGD on a linear model; with a barrier, wait mid-graph and mid-update at every step."""
    w, b, x, y = make_problem(seed)
    for p in (w, b):
        p.attach_grad()
    for _ in range(steps):
        with autograd.record():
            h = nd.dot(x, w) + b
            if barrier is not None:
                barrier.wait()  # the other thread is recording its own graph right now
            loss = ((h - y) ** 2).mean()
        loss.backward()
        if barrier is not None:
            barrier.wait()  # both backwards done before either updates
        for p in (w, b):
            assert p.grad is not None
            p[:] = p - 0.1 * p.grad
    assert w.grad is not None and b.grad is not None
    return [w.asnumpy(), b.asnumpy(), w.grad.asnumpy(), b.grad.asnumpy()]


def test_two_threads_training_at_once_match_training_alone() -> None:
    steps = 20
    alone = [train(seed, steps, None) for seed in (1, 2)]
    together = run_together(lambda bar: train(1, steps, bar), lambda bar: train(2, steps, bar))
    for solo, duo in zip(alone, together, strict=True):
        assert isinstance(duo, list)
        for a, b in zip(solo, duo, strict=True):
            np.testing.assert_array_equal(a, b)


def test_two_threads_taking_second_derivatives_at_once() -> None:
    def third_derivative_of_cube(value: float) -> Callable[[threading.Barrier], np.ndarray]:
        def work(barrier: threading.Barrier) -> np.ndarray:
            x = nd.array([value])
            x.attach_grad()
            with autograd.record():
                y = x * x * x
                (d1,) = autograd.grad(y, [x], create_graph=True)
                barrier.wait()
                (d2,) = autograd.grad(d1, [x], create_graph=True)
            barrier.wait()
            d2.backward()
            assert x.grad is not None
            return np.concatenate([d1.asnumpy(), d2.asnumpy(), x.grad.asnumpy()])

        return work

    a, b = run_together(third_derivative_of_cube(2.0), third_derivative_of_cube(-3.0))
    np.testing.assert_allclose(np.asarray(a), [12.0, 12.0, 6.0])
    np.testing.assert_allclose(np.asarray(b), [27.0, -18.0, 6.0])


def test_a_new_thread_starts_with_both_modes_off_even_inside_record() -> None:
    def look(barrier: threading.Barrier) -> tuple[bool, bool]:
        return modes()

    with autograd.record():
        (seen,) = run_together(look)
        assert modes() == (True, True)
    assert seen == (False, False)


def test_threads_adding_into_one_shared_gradient_lose_no_update() -> None:
    # Large enough that NumPy releases the GIL inside `+=`: unguarded, two threads' additions
    # interleave and some are lost.
    w = nd.zeros((1 << 20,))
    w.attach_grad("add")
    steps = 30

    def work(barrier: threading.Barrier) -> None:
        barrier.wait()
        for _ in range(steps):
            with autograd.record():
                y = w * 2
            y.backward()

    run_together(work, work, work)
    assert w.grad is not None
    np.testing.assert_array_equal(w.grad.asnumpy()[[0, -1]], [3 * steps * 2.0] * 2)
    assert float(w.grad.asnumpy().min()) == float(w.grad.asnumpy().max()) == 3 * steps * 2.0


@pytest.mark.parametrize("two_parents", [False, True], ids=["chain", "two parents"])
def test_a_graph_freed_during_a_backward_raises_instead_of_ending_there(two_parents: bool) -> None:
    # A backward that frees part of the graph while another backward walks it (another thread,
    # or, as here deterministically, a Function's backward): the walk must not take the freed
    # node for a leaf and silently lose the gradient that flows through it.
    x, w = nd.array([1.0, 2.0]), nd.array([3.0, 4.0])
    x.attach_grad()
    w.attach_grad()

    class Identity(autograd.Function):
        def forward(self, v: nd.NDArray) -> nd.NDArray:
            return v * 1

        def backward(self, dy: nd.NDArray) -> nd.NDArray:
            other.backward()  # frees the node of u, which the outer backward has still to run
            return dy

    with autograd.record():
        u = x * w if two_parents else x * 2  # the walk's general path, or its chain
        head = Identity()(u * 3)
        other = (u * 5).sum()
    with pytest.raises(AutogradError, match="freed"):
        head.backward()
