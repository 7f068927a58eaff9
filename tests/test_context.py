"""Contexts: cpu is served; without CuPy, gpu is named but refused with the fix."""

from __future__ import annotations

import pytest

import tape
from tape import nd


def test_cpu_context_equality_and_repr() -> None:
    assert tape.cpu() == tape.cpu(0) and repr(tape.cpu()) == "cpu(0)"
    assert tape.cpu(0) != tape.gpu(0)
    assert len({tape.cpu(), tape.cpu(0)}) == 1


def test_arrays_live_on_cpu() -> None:
    x = nd.ones(2)
    assert x.context == tape.cpu() and x.ctx == tape.cpu()


def test_current_context_and_num_gpus() -> None:
    assert tape.current_context() == tape.cpu()
    assert tape.num_gpus() == 0


def test_as_in_context_cpu_is_the_array_itself() -> None:
    x = nd.ones(2)
    assert x.as_in_context(tape.cpu()) is x


def test_copyto_a_context_gives_a_copy() -> None:
    x = nd.ones(2)
    y = x.copyto(tape.cpu())
    y[:] = 0
    assert x.asnumpy().tolist() == [1, 1]


@pytest.mark.parametrize(
    "use_gpu",
    [
        lambda: nd.zeros((2,), ctx=tape.gpu()),
        lambda: nd.array([1], ctx=tape.gpu(1)),
        lambda: nd.ones(2).as_in_context(tape.gpu()),
        lambda: nd.ones(2).copyto(tape.gpu()),
    ],
    ids=["zeros", "array", "as_in_context", "copyto"],
)
@pytest.mark.usefixtures("without_cupy")
def test_gpu_use_is_refused_with_the_fix(use_gpu: object) -> None:
    with pytest.raises(
        ValueError, match=r"CuPy, which is not installed: pip install \"tape\[gpu\]\".*ctx=tape.cpu\(\)"
    ):
        use_gpu()  # type: ignore[operator]


def test_with_cpu_scope_is_accepted() -> None:
    with tape.cpu() as ctx:
        assert ctx == tape.cpu()
        assert nd.ones(1).context == tape.cpu()


@pytest.mark.usefixtures("without_cupy")
def test_with_gpu_scope_is_refused() -> None:
    with pytest.raises(ValueError, match="CuPy"), tape.gpu(0):
        pass
    assert tape.current_context() == tape.cpu() and tape.num_gpus() == 0


def test_unknown_device_type_raises() -> None:
    with pytest.raises(ValueError, match="unknown device type"):
        tape.Context("tpu")


def test_wrong_ctx_type_raises() -> None:
    with pytest.raises(TypeError, match="tape Context"):
        nd.zeros(2, ctx="cpu")  # type: ignore[arg-type]
