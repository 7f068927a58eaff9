"""tape.kv and tape.distributed in one process: every store method, its errors, and the
one-worker path that needs no MPI. The launched tests (several workers) are in test_distributed.py."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

import tape
from tape import autograd, launch, nd
from tape import distributed as dist


def arr(x: nd.NDArray) -> np.ndarray:
    return x.asnumpy()


@pytest.fixture(params=["local", "device", "dist_sync", "dist_device_sync"])
def kv(request: pytest.FixtureRequest) -> tape.kvstore.KVStore:
    return tape.kv.create(request.param)


# ---- the store's identity ----------------------------------------------------------------------
def test_one_process_is_one_worker(kv: tape.kvstore.KVStore) -> None:
    assert (kv.rank, kv.num_workers) == (0, 1)
    assert kv.type in ("local", "device", "dist_sync", "dist_device_sync")
    assert kv.is_capable("optimizer")


def test_kv_and_kvstore_are_the_same_module() -> None:
    assert tape.kv is tape.kvstore
    assert isinstance(tape.kv.create(), tape.kvstore.KVStore)


def test_import_tape_does_not_import_mpi4py() -> None:
    code = "import sys, tape; tape.kv.create('dist_sync').pushpull; print('mpi4py' in sys.modules)"
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.strip() == "False"


def test_dist_async_is_refused_naming_dist_sync() -> None:
    with pytest.raises(NotImplementedError, match="'dist_sync'"):
        tape.kv.create("dist_async")


def test_an_unknown_store_type_names_the_known_ones() -> None:
    with pytest.raises(ValueError, match="'dist_sync'"):
        tape.kv.create("nccl2")
    with pytest.raises(TypeError, match="name must be a str"):
        tape.kv.create(3)  # type: ignore[arg-type]


# ---- init, push, pull, pushpull, broadcast -------------------------------------------------------
def test_pull_returns_the_initial_value_into_every_out(kv: tape.kvstore.KVStore) -> None:
    kv.init(3, nd.ones((2, 3)))
    a, b = nd.zeros((2, 3)), nd.zeros((2, 3))
    kv.pull(3, out=[a, b])
    assert (arr(a) == 1).all() and (arr(b) == 1).all()


def test_a_list_of_values_for_one_key_is_summed(kv: tape.kvstore.KVStore) -> None:
    kv.init(3, nd.ones((2, 3)))
    kv.push(3, [nd.ones((2, 3)) * 2, nd.ones((2, 3)) * 4])
    out = nd.zeros((2, 3))
    kv.pull(3, out=out)
    assert (arr(out) == 6).all()


def test_a_push_replaces_the_value_without_an_optimizer(kv: tape.kvstore.KVStore) -> None:
    kv.init(0, nd.zeros(2))
    kv.push(0, nd.ones(2) * 5)
    kv.push(0, nd.ones(2) * 7)  # the second push of a key before a pull: the last one counts
    out = nd.zeros(2)
    kv.pull(0, out=out)
    assert arr(out).tolist() == [7, 7]


def test_lists_of_keys_and_values(kv: tape.kvstore.KVStore) -> None:
    kv.init(["a", "b"], [nd.ones(2), nd.ones(3)])
    kv.push(["a", "b"], [[nd.ones(2), nd.ones(2)], nd.ones(3) * 3])
    outs = [nd.zeros(2), nd.zeros(3)]
    kv.pull(["a", "b"], out=outs)
    assert arr(outs[0]).tolist() == [2, 2] and arr(outs[1]).tolist() == [3, 3, 3]


def test_a_key_twice_in_one_push_is_summed(kv: tape.kvstore.KVStore) -> None:
    kv.init(0, nd.zeros(2))
    kv.push([0, 0], [nd.ones(2), nd.ones(2) * 2])
    out = nd.zeros(2)
    kv.pull(0, out=out)
    assert arr(out).tolist() == [3, 3]


def test_pushpull_in_place_keeps_the_dtype(kv: tape.kvstore.KVStore) -> None:
    grads = [nd.ones(2, dtype="float32"), nd.ones(3, dtype="float64")]
    kv.init([0, 1], grads)
    kv.pushpull([0, 1], grads, out=grads)
    assert grads[0].dtype == np.float32 and grads[1].dtype == np.float64
    assert arr(grads[1]).tolist() == [1, 1, 1]


def test_pushpull_without_out_stores_the_sum(kv: tape.kvstore.KVStore) -> None:
    kv.init(0, nd.zeros(2))
    kv.pushpull(0, nd.ones(2) * 7)
    out = nd.zeros(2)
    kv.pull(0, out=out)
    assert arr(out).tolist() == [7, 7]


def test_the_store_keeps_its_own_copy(kv: tape.kvstore.KVStore) -> None:
    value = nd.ones(2)
    kv.init(0, value)
    value[:] = 5
    g = nd.ones(2) * 3
    kv.push(0, g)
    g[:] = 9  # changed after the push, before the pull: the push took a copy
    out = nd.zeros(2)
    kv.pull(0, out=out)
    assert arr(out).tolist() == [3, 3]


def test_pushpull_in_place_then_a_change_leaves_the_stored_sum(kv: tape.kvstore.KVStore) -> None:
    kv.init(0, nd.zeros(2))
    g = nd.ones(2) * 3
    kv.pushpull(0, g, out=g)
    g[:] = 9
    out = nd.zeros(2)
    kv.pull(0, out=out)
    assert arr(out).tolist() == [3, 3]


def test_broadcast_inits_then_pulls(kv: tape.kvstore.KVStore) -> None:
    out = nd.zeros((2, 3))
    kv.broadcast(9, nd.ones((2, 3)) * 3, out=out)
    assert (arr(out) == 3).all()
    with pytest.raises(tape.MXNetError, match="already initialized"):
        kv.broadcast(9, nd.ones((2, 3)), out=out)


def test_set_optimizer_sgd_with_momentum_and_wd_as_mxnet() -> None:
    # mxnet 1.9.1: kv.create('local'), SGD(learning_rate=0.1, momentum=0.9, wd=0.01), two pushes
    # of ones on a weight of ones: 0.899 then 0.707201.
    kv = tape.kv.create("local")
    kv.set_optimizer(tape.kv.SGD(learning_rate=0.1, momentum=0.9, wd=0.01))
    kv.init(0, nd.ones(2))
    w = nd.zeros(2)
    kv.pushpull(0, nd.ones(2), out=w)
    np.testing.assert_allclose(arr(w), [0.899, 0.899], rtol=1e-6)
    kv.pushpull(0, nd.ones(2), out=w)
    np.testing.assert_allclose(arr(w), [0.707201, 0.707201], rtol=1e-6)


def test_set_optimizer_after_init_creates_the_states() -> None:
    kv = tape.kv.create("dist_sync")
    kv.init(0, nd.ones(2))
    kv.set_optimizer(tape.kv.SGD(learning_rate=0.5, momentum=0.5, rescale_grad=0.5, clip_gradient=0.4))
    w = nd.zeros(2)
    kv.pushpull(0, nd.ones(2), out=w)  # the gradient 0.5, clipped to 0.4: 1 - 0.5 * 0.4
    np.testing.assert_allclose(arr(w), [0.8, 0.8], rtol=1e-6)


def test_set_optimizer_refuses_an_object_without_update() -> None:
    with pytest.raises(TypeError, match="create_state"):
        tape.kv.create().set_optimizer(object())  # type: ignore[arg-type]


# ---- mistakes --------------------------------------------------------------------------------
def test_init_twice_raises(kv: tape.kvstore.KVStore) -> None:
    kv.init(3, nd.ones(1))
    with pytest.raises(tape.MXNetError, match="key 3 is already initialized"):
        kv.init(3, nd.ones(1))


def test_pull_or_push_before_init_names_init(kv: tape.kvstore.KVStore) -> None:
    with pytest.raises(tape.MXNetError, match=r"key 99 has not been initialized: call kv.init\(99, value\)"):
        kv.pull(99, out=nd.zeros(1))
    with pytest.raises(tape.MXNetError, match="has not been initialized"):
        kv.push(99, nd.zeros(1))


def test_bad_keys_are_refused(kv: tape.kvstore.KVStore) -> None:
    for bad in (1.5, None, True, (1, [2])):
        with pytest.raises(TypeError, match="a key is an int or a str"):
            kv.init(bad, nd.ones(1))  # type: ignore[arg-type]
    kv.init(0, nd.ones(1))
    with pytest.raises(ValueError, match="int keys or str keys, not both"):
        kv.init("w", nd.ones(1))


def test_shapes_and_dtypes_must_match_the_init(kv: tape.kvstore.KVStore) -> None:
    kv.init(0, nd.ones((2, 3)))
    with pytest.raises(ValueError, match=r"value of key 0 has shape \(5,\).*initialized with shape \(2, 3\)"):
        kv.push(0, nd.ones(5))
    with pytest.raises(ValueError, match="out of key 0 has shape"):
        kv.pull(0, out=nd.ones(5))
    with pytest.raises(ValueError, match="dtype float64"):
        kv.push(0, nd.ones((2, 3), dtype="float64"))


def test_lists_must_match_the_keys(kv: tape.kvstore.KVStore) -> None:
    kv.init([0, 1], [nd.ones(1), nd.ones(1)])
    with pytest.raises(ValueError, match="2 keys need a list of 2 values, got 1"):
        kv.push([0, 1], [nd.ones(1)])
    with pytest.raises(ValueError, match="out is required"):
        kv.pull(0)
    with pytest.raises(TypeError, match="must be an NDArray"):
        kv.push(0, np.ones(1))


def test_float16_is_refused_with_the_fix(kv: tape.kvstore.KVStore) -> None:
    with pytest.raises(ValueError, match="astype"):
        kv.init(0, nd.ones(2, dtype="float16"))


# ---- tape.distributed with one worker ------------------------------------------------------------
def test_functional_calls_with_one_worker() -> None:
    assert (dist.rank(), dist.size()) == (0, 1)
    assert dist.shard(7) == slice(0, 7)
    dist.barrier()
    x = nd.array([1.0, 2.0])
    total = dist.allreduce(x, average=True)
    assert arr(total).tolist() == [1, 2] and total is not x


def test_allreduce_grads_needs_attached_gradients() -> None:
    w = nd.ones(2)
    with pytest.raises(ValueError, match=r"params\[0\] has no gradient: call attach_grad\(\)"):
        dist.allreduce_grads([w])
    with pytest.raises(ValueError, match="not an NDArray"):
        dist.allreduce_grads([np.ones(2)])  # type: ignore[list-item]


def test_allreduce_grads_keeps_the_gradient_with_one_worker() -> None:
    params = {"w": nd.array([1.0, 2.0])}
    params["w"].attach_grad()
    with autograd.record():
        loss = (params["w"] ** 2).sum()
    loss.backward()
    dist.allreduce_grads(params, average=True)
    assert arr(params["w"].grad).tolist() == [2, 4]


def test_shard_splits_into_parts_that_differ_by_one_at_most() -> None:
    class Four(dist._Alone):
        size = 4

    parts = []
    for r in range(4):
        group = Four()
        group.rank = r
        dist._world, saved = group, dist._world
        try:
            parts.append(dist.shard(10))
        finally:
            dist._world = saved
    assert parts == [slice(0, 2), slice(2, 5), slice(5, 7), slice(7, 10)]
    with pytest.raises(ValueError, match="n must be a count"):
        dist.shard(-1)


def test_launched_without_mpi4py_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PMI_SIZE", "2")
    monkeypatch.setitem(sys.modules, "mpi4py", None)  # makes `import mpi4py` fail
    monkeypatch.delitem(sys.modules, "mpi4py.MPI", raising=False)
    monkeypatch.setattr(dist, "_world", None)
    with pytest.raises(tape.MXNetError, match=r'pip install "tape\[dist\]"'):
        tape.kv.create("dist_sync")
    monkeypatch.delenv("PMI_SIZE")
    assert tape.kv.create("dist_sync").num_workers == 1  # started alone: no MPI needed


# ---- the launcher, without launching -------------------------------------------------------------
def test_the_launcher_says_what_to_install_without_mpi(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: object
) -> None:
    monkeypatch.setattr(launch, "find_mpiexec", lambda: None)
    assert launch.main(["-n", "2", __file__]) == 2
    assert 'pip install "tape[dist]"' in capsys.readouterr().err


def test_the_launcher_checks_its_arguments(capsys: pytest.CaptureFixture[str]) -> None:
    for argv, message in (
        (["-n", "0", __file__], "whole number >= 1"),
        (["-n", "2", "missing.py"], "missing.py: no such file"),
        (["-n", "2", "--hosts", "a", "--hostfile", "f", __file__], "not allowed with"),
    ):
        with pytest.raises(SystemExit) as stop:
            launch.main(argv)
        assert stop.value.code == 2
        assert message in capsys.readouterr().err


def test_the_launcher_passes_hosts_to_mpiexec() -> None:
    cmd = launch.command(["-n", "4", "--hostfile", "hosts.txt", "--", "t.py", "-x"], "mpiexec", "py")
    assert cmd[:5] == ["mpiexec", "-n", "4", "-f", "hosts.txt"] and cmd[-2:] == ["t.py", "-x"]
    cmd = launch.command(["-n", "2", "--hosts", "a,b", "t.py"], "mpiexec", "py", open_mpi=True)
    assert "--host" in cmd and "a,b" in cmd


@pytest.mark.parametrize("module", ["tape.kvstore", "tape.distributed", "tape.launch"])
def test_the_reference_page_names_every_public_name(module: str) -> None:
    # As tests/test_docs.py checks the other reference pages.
    import importlib
    import re
    from pathlib import Path

    page = Path(__file__).resolve().parents[1] / "docs" / "reference" / "distributed.md"
    mentioned = set(re.findall(r"`(?:\w+\.)*(\w+)[(`]", page.read_text(encoding="utf-8")))
    missing = [name for name in importlib.import_module(module).__all__ if name not in mentioned]
    assert missing == []


# ---- GPU arrays (over the CuPy stand-in) -----------------------------------------------------
def test_the_store_sums_values_of_several_gpus_and_pulls_to_any_device() -> None:
    from fake_cupy import FakeCupy

    from tape import _xp

    fake = FakeCupy(devices=2)
    previous = _xp.use_gpu_module(fake, fake.cupyx)
    try:
        kv = tape.kv.create("device")
        kv.init(0, nd.zeros(3, ctx=tape.gpu(0)))
        kv.push(0, [nd.ones(3, ctx=tape.gpu(0)), nd.ones(3, ctx=tape.gpu(1)) * 2])
        out = nd.zeros(3, ctx=tape.gpu(1))
        kv.pull(0, out=out)
        assert out.context == tape.gpu(1) and out.asnumpy().tolist() == [3.0, 3.0, 3.0]
        store = tape.kv.create("dist_sync")
        store.set_optimizer(tape.kv.SGD(learning_rate=0.1))
        w = nd.ones(2, ctx=tape.gpu(0))
        store.init("w", w)
        store.push("w", nd.ones(2, ctx=tape.gpu(0)))
        store.pull("w", out=w)
        assert w.context == tape.gpu(0) and w.asnumpy().tolist() == pytest.approx([0.9, 0.9])
        total = tape.distributed.allreduce(nd.ones(2, ctx=tape.gpu(1)))
        assert total.context == tape.gpu(1)
    finally:
        _xp.use_gpu_module(previous)
