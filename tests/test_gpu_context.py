"""GPU contexts over the CuPy stand-in (tests/fake_cupy.py): placement, copies, scopes, errors.

These run in CI, which has no GPU: `fake_cupy.FakeCupy` plays CuPy with two devices.
"""

from __future__ import annotations

import numpy as np
import pytest
from fake_cupy import DeviceArray, FakeCupy

import tape
from tape import nd


@pytest.fixture
def fake(two_gpus: FakeCupy) -> FakeCupy:
    return two_gpus


def on_device(x: nd.NDArray, device: int) -> bool:
    return isinstance(x._data, DeviceArray) and x._data.device.id == device


def test_gpus_are_counted_and_one_beyond_them_is_refused(fake: FakeCupy) -> None:
    assert tape.num_gpus() == 2
    with pytest.raises(ValueError, match=r"no gpu\(2\): this machine has 2 GPUs.*tape.num_gpus\(\)"):
        nd.zeros((2,), ctx=tape.gpu(2))


@pytest.mark.parametrize(
    "make",
    [
        lambda ctx: nd.array([[1, 2], [3, 4]], ctx=ctx),
        lambda ctx: nd.zeros((2, 2), ctx=ctx),
        lambda ctx: nd.ones((2, 2), ctx=ctx),
        lambda ctx: nd.full((2, 2), 7, ctx=ctx),
        lambda ctx: nd.empty((2, 2), ctx=ctx),
        lambda ctx: nd.arange(4, ctx=ctx),
        lambda ctx: nd.eye(2, ctx=ctx),
        lambda ctx: nd.linspace(0, 1, 3, ctx=ctx),
    ],
    ids=["array", "zeros", "ones", "full", "empty", "arange", "eye", "linspace"],
)
def test_creation_places_arrays_on_the_context_given(fake: FakeCupy, make: object) -> None:
    x = make(tape.gpu(1))  # type: ignore[operator]
    assert x.context == tape.gpu(1) and on_device(x, 1)
    np.testing.assert_array_equal(x.asnumpy(), make(tape.cpu()).asnumpy())  # type: ignore[operator]


def test_a_with_block_sets_the_default_context(fake: FakeCupy) -> None:
    with tape.gpu(1):
        assert tape.current_context() == tape.gpu(1)
        assert nd.ones(2).context == tape.gpu(1)
        with tape.cpu():
            assert nd.ones(2).context == tape.cpu()
        assert nd.ones(2, ctx=tape.gpu(0)).context == tape.gpu(0)
    assert tape.current_context() == tape.cpu() and nd.ones(2).context == tape.cpu()


def test_copies_between_contexts(fake: FakeCupy) -> None:
    x = nd.array([1, 2, 3])
    g = x.copyto(tape.gpu(0))
    assert on_device(g, 0) and g.as_in_context(tape.gpu(0)) is g and g.as_in_ctx(tape.gpu(0)) is g
    h = g.as_in_context(tape.gpu(1))
    assert on_device(h, 1)
    back = h.as_in_context(tape.cpu())
    assert back.context == tape.cpu() and back.asnumpy().tolist() == [1, 2, 3]
    same = g.copyto(tape.gpu(0))  # copyto always copies
    same[0] = 9
    assert g.asnumpy()[0] == 1
    target = nd.zeros(3)
    assert g.copyto(target) is target and target.asnumpy().tolist() == [1, 2, 3]


def test_reading_values_on_the_host_copies_and_is_counted(fake: FakeCupy) -> None:
    x = nd.array([1.5, 2.5], ctx=tape.gpu(0))
    with fake.counting() as counts:
        assert x.asnumpy().tolist() == [1.5, 2.5]
        assert x[1].asscalar() == 2.5
        assert x.tolist() == [1.5, 2.5]
        assert np.asarray(x).tolist() == [1.5, 2.5]  # __array__: matplotlib takes GPU arrays
    assert counts["syncs"] == 4
    with pytest.raises(ValueError, match=r"on gpu\(0\): converting them needs a copy"):
        x.__array__(copy=False)


def test_an_op_computes_on_the_device_of_its_inputs_without_copying_to_the_host(fake: FakeCupy) -> None:
    x = nd.array([[1, 2], [3, 4]], ctx=tape.gpu(0))
    with fake.counting() as counts:
        y = nd.exp(x * 2 + 1) / x
        z = nd.dot(y, x.T)
    assert counts["syncs"] == 0 and on_device(z, 0)
    c = nd.array([[1, 2], [3, 4]])
    np.testing.assert_allclose(z.asnumpy(), nd.dot(nd.exp(c * 2 + 1) / c, c.T).asnumpy(), rtol=1e-6)


@pytest.mark.parametrize(
    "mix",
    [lambda g, c: g + c, lambda g, c: nd.dot(g, c), lambda g, c: nd.add(c, g)],
    ids=["operator", "dot", "add"],
)
def test_inputs_on_two_contexts_are_refused_naming_both_and_the_fix(fake: FakeCupy, mix: object) -> None:
    g, c = nd.ones((2, 2), ctx=tape.gpu(0)), nd.ones((2, 2))
    with pytest.raises(ValueError, match=r"cpu\(0\) and gpu\(0\).*copyto\(ctx\).*as_in_context\(ctx\)"):
        mix(g, c)  # type: ignore[operator]


def test_waiting_synchronises_the_devices(fake: FakeCupy) -> None:
    x = nd.ones(2, ctx=tape.gpu(1))
    before = fake.device_syncs
    x.wait_to_read()
    nd.waitall()
    assert fake.device_syncs == before + 1 + 2  # its device, then both


def test_a_pickled_gpu_array_loads_on_its_gpu_or_on_the_cpu_without_it(fake: FakeCupy) -> None:
    import pickle

    x = nd.array([1, 2], ctx=tape.gpu(1))
    x.attach_grad()
    y = pickle.loads(pickle.dumps(x))
    assert y.context == tape.gpu(1) and y.asnumpy().tolist() == [1, 2] and y.grad_req == "write"
    fake.devices = 1  # a machine with one GPU: gpu(1) is not there
    z = pickle.loads(pickle.dumps(x))
    assert z.context == tape.cpu() and z.asnumpy().tolist() == [1, 2]


def test_item_assignment_copies_values_from_another_device(fake: FakeCupy) -> None:
    g = nd.zeros((3,), ctx=tape.gpu(0))
    g[:] = np.array([1.0, 2.0, 3.0])
    g[1:] = nd.array([7.0, 8.0])  # from the CPU
    assert on_device(g, 0) and g.asnumpy().tolist() == [1.0, 7.0, 8.0]
    c = nd.zeros(3)
    c[:] = g
    assert c.context == tape.cpu() and c.asnumpy().tolist() == [1.0, 7.0, 8.0]


def test_recorded_assignment_from_another_device_is_refused_naming_both(fake: FakeCupy) -> None:
    from tape import autograd

    g = nd.zeros((3,), ctx=tape.gpu(0))
    x = nd.array([1.0, 2.0])
    x.attach_grad()
    with pytest.raises(ValueError, match=r"value is on cpu\(0\) and x on gpu\(0\).*as_in_context"):
        with autograd.record():
            g[1:] = x * 2


def test_gradients_flow_back_through_copies_between_devices(fake: FakeCupy) -> None:
    from tape import autograd

    x = nd.array([1.0, 2.0])
    x.attach_grad()
    with autograd.record():
        on_gpu = x.as_in_context(tape.gpu(1))
        y = (on_gpu * on_gpu).sum() + (x.copyto(tape.gpu(0)) * 3).sum().as_in_context(tape.gpu(1))
    y.backward()
    assert on_device(on_gpu, 1) and x.grad is not None and x.grad.context == tape.cpu()
    assert x.grad.asnumpy().tolist() == [5.0, 7.0]  # 2x + 3


def test_an_augmented_assignment_from_another_device_names_both(fake: FakeCupy) -> None:
    g = nd.ones(2, ctx=tape.gpu(0))
    with pytest.raises(ValueError, match=r"x \+= y: the inputs are on cpu\(0\) and gpu\(0\)"):
        g += nd.ones(2)


def test_np_asarray_with_another_context_copies_there(fake: FakeCupy) -> None:
    from tape import np as tnp

    x = tnp.ones(2)
    assert tnp.asarray(x) is x and tnp.asarray(x, ctx=tape.cpu()) is x
    y = tnp.asarray(x, ctx=tape.gpu(1))
    assert y.context == tape.gpu(1) and y.tolist() == [1.0, 1.0]


def test_a_fused_update_with_a_gradient_on_another_device_names_both(fake: FakeCupy) -> None:
    w = nd.ones(2, ctx=tape.gpu(0))
    with pytest.raises(ValueError, match=r"grad is on cpu\(0\), but weight is on gpu\(0\).*as_in_context"):
        nd.sgd_update(w, nd.ones(2), lr=0.1, out=w)
