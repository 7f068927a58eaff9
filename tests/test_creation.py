"""Array creation: float32 by default, shapes, values, dtype and ctx arguments."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import tape
from tape import nd


@pytest.mark.parametrize(
    "source", [[1, 2], [[1.5, 2.5]], np.arange(3), np.ones(2, dtype=np.float64), 7, np.float64(2.5)], ids=str
)
def test_array_defaults_to_float32(source: object) -> None:
    assert nd.array(source).dtype == np.float32


def test_array_of_a_scalar_has_shape_one() -> None:
    assert nd.array(3).shape == (1,)


def test_array_keeps_an_explicit_dtype() -> None:
    assert nd.array([1, 2], dtype="int64").dtype == np.int64
    assert nd.array([1, 2], dtype=np.float64).dtype == np.float64


def test_array_of_an_ndarray_keeps_its_dtype_and_copies() -> None:
    x = nd.array([1, 2], dtype="float64")
    y = nd.array(x)
    y[:] = 0
    assert y.dtype == np.float64
    np.testing.assert_array_equal(x.asnumpy(), [1, 2])


def test_array_of_a_list_of_ndarrays_stacks_them() -> None:
    np.testing.assert_array_equal(nd.array([nd.ones(2), nd.zeros(2)]).asnumpy(), [[1, 1], [0, 0]])


def test_array_is_not_in_a_graph() -> None:
    x = nd.array([1.0])
    x.attach_grad()
    assert nd.array(x)._node is None


@pytest.mark.parametrize(
    ("make", "want"),
    [
        (lambda: nd.zeros((2, 3)), np.zeros((2, 3))),
        (lambda: nd.ones(4), np.ones(4)),
        (lambda: nd.full((2,), 7), np.full(2, 7.0)),
        (lambda: nd.empty((2, 2)), np.zeros((2, 2))),
        (lambda: nd.arange(5), np.arange(5)),
        (lambda: nd.arange(1, 2, 0.25), np.arange(1, 2, 0.25)),
        (lambda: nd.arange(0, 6, 2, repeat=2), np.repeat(np.arange(0, 6, 2), 2)),
        (lambda: nd.eye(3), np.eye(3)),
        (lambda: nd.eye(2, 3, 1), np.eye(2, 3, 1)),
        (lambda: nd.linspace(0, 1, 5), np.linspace(0, 1, 5)),
        (lambda: nd.linspace(0, 1, 4, endpoint=False), np.linspace(0, 1, 4, endpoint=False)),
    ],
    ids=[
        "zeros",
        "ones",
        "full",
        "empty",
        "arange",
        "arange-step",
        "arange-repeat",
        "eye",
        "eye-k",
        "linspace",
        "linspace-open",
    ],
)
def test_creation_values_in_float32(make: object, want: np.ndarray) -> None:
    x = make()  # type: ignore[operator]
    assert x.dtype == np.float32
    np.testing.assert_array_equal(x.asnumpy(), want.astype(np.float32))


@pytest.mark.parametrize("make", [nd.zeros, nd.ones, nd.empty])
def test_creation_takes_dtype(make: object) -> None:
    assert make((2,), dtype="float64").dtype == np.float64  # type: ignore[operator]
    assert make((2,), dtype="int32").dtype == np.int32  # type: ignore[operator]


def test_creation_takes_a_cpu_context() -> None:
    for x in (
        nd.zeros((2,), ctx=tape.cpu()),
        nd.ones(2, ctx=tape.cpu(0)),
        nd.array([1], ctx=tape.cpu()),
        nd.arange(3, ctx=tape.cpu()),
        nd.full(2, 1, ctx=tape.cpu()),
    ):
        assert x.context == tape.cpu()


@pytest.mark.usefixtures("without_cupy")
def test_creation_on_a_gpu_context_without_cupy_says_how_to_install_it() -> None:
    with pytest.raises(ValueError, match=r"CuPy.*tape\[gpu\].*ctx=tape.cpu\(\)"):
        nd.zeros((2,), ctx=tape.gpu(0))


def test_zeros_like_and_ones_like_methods() -> None:
    x = nd.array([[1, 2]], dtype="float64")
    assert x.zeros_like().dtype == np.float64
    np.testing.assert_array_equal(x.ones_like().asnumpy(), [[1, 1]])


def test_waitall_returns_none() -> None:
    assert nd.waitall() is None


# ---- strict arguments --------------------------------------------------------------------------
@pytest.mark.parametrize(
    "call",
    [
        lambda: nd.zeros(3, dtyp="float64"),
        lambda: nd.ones(3, dtyp="float64"),
        lambda: nd.full(3, 7, dtyp="float64"),
        lambda: nd.random.normal(0, 1, shape=3, dtyp="float64"),
        lambda: nd.random.uniform(0, 1, shape=3, dtyp="float64"),
        lambda: nd.random.randn(3, dtyp="float64"),
        lambda: nd.random.randint(0, 5, shape=3, dtyp="int64"),
        lambda: nd.random.shuffle(nd.ones(3), dtyp="float64"),
    ],
    ids=["zeros", "ones", "full", "normal", "uniform", "randn", "randint", "shuffle"],
)
def test_an_unknown_keyword_argument_raises_naming_it(call: Any) -> None:
    # It used to be swallowed: nd.zeros(3, dtyp='float64') gave float32 without a word.
    with pytest.raises(TypeError, match="dtyp"):
        call()


@pytest.mark.parametrize("make", [nd.zeros, nd.ones, lambda s, **k: nd.full(s, 1.0, **k)])
def test_a_storage_type_other_than_default_raises(make: Any) -> None:
    assert make(2, stype="default").shape == (2,)
    with pytest.raises(ValueError, match="dense"):
        make(2, stype="csr")


def test_out_is_honoured_by_the_creation_functions() -> None:
    out = nd.array([5.0, 5.0])
    assert nd.zeros(2, out=out) is out
    np.testing.assert_array_equal(out.asnumpy(), [0.0, 0.0])
    assert nd.full(2, 3.0, out=out) is out
    np.testing.assert_array_equal(out.asnumpy(), [3.0, 3.0])
    with pytest.raises(ValueError, match="shape"):
        nd.ones(3, out=out)


@pytest.mark.parametrize(
    "call",
    [
        lambda x, i: x.sum(axis=i(1)),
        lambda x, i: nd.expand_dims(x, i(0)),
        lambda x, i: nd.concat(x, x, dim=i(0)),
        lambda x, i: nd.softmax(x, axis=i(0)),
        lambda x, i: nd.split(x, i(3), axis=i(1))[2],
        lambda x, i: nd.swapaxes(x, i(0), i(1)),
        lambda x, i: nd.stack(x, x, axis=i(1)),
        lambda x, i: nd.tile(x, i(2)),
        lambda x, i: nd.broadcast_axis(x[0:1], axis=i(0), size=i(3)),
    ],
    ids=["sum", "expand_dims", "concat", "softmax", "split", "swapaxes", "stack", "tile", "broadcast_axis"],
)
def test_numpy_integers_are_taken_wherever_python_ints_are(call: Any) -> None:
    x = nd.array(np.arange(6.0).reshape(2, 3))
    with_numpy, with_python = call(x, np.int64).asnumpy(), call(x, int).asnumpy()
    np.testing.assert_array_equal(with_numpy, with_python)
