"""MXNet's other ops (erfinv, hard_sigmoid, cumsum, moments, khatri_rao...), its deprecated names
(Crop, SoftmaxActivation, fill_element_0index...) and the exchange names (from_numpy, DLPack,
load_frombuffer): values against NumPy or MXNet 1.9.1 (its results written in as literals),
derivatives against finite differences to second order."""

from __future__ import annotations

import ctypes
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from fake_cupy import FakeCupy

import tape
from tape import autograd, nd
from tape.errors import ArgumentError
from tape.testing import check_grads


def _weighted(f: Any) -> Any:
    """f followed by a cube and a position-dependent weight on each output: a VJP that sends a
    gradient to the wrong place fails the check."""

    def g(*xs: nd.NDArray) -> list[nd.NDArray]:
        out = f(*xs)
        outs = out if isinstance(out, list | tuple) else [out]
        return [
            y**3 * nd.array(np.arange(1, y.size + 1).reshape(y.shape) / y.size, dtype="float64") for y in outs
        ]

    return g


def _column(n: int) -> np.ndarray:
    return np.array([2, 0, 7])[:n]


# (the public op, the function checked, the shapes of its arguments, the interval of their values)
MISC: list[tuple[Any, Any, list[tuple[int, ...]], tuple[float, float]]] = [
    (nd.erfinv, lambda x: nd.erfinv(x), [(3, 4)], (-0.9, 0.9)),
    (nd.hard_sigmoid, lambda x: nd.hard_sigmoid(x, alpha=0.3, beta=0.4), [(3, 4)], (-1, 1)),
    (nd.hard_sigmoid, lambda x: nd.hard_sigmoid(x), [(3, 4)], (3, 5)),  # past the top: zero
    (nd.broadcast_hypot, lambda x, y: nd.broadcast_hypot(x, y), [(3, 1), (1, 4)], (0.5, 2)),
    (nd.broadcast_hypot, lambda x, y: nd.broadcast_hypot(x, y), [(2, 3), (3,)], (-2, -0.5)),
    (nd.softmin, lambda x: nd.softmin(x, axis=0, temperature=2.0), [(3, 4)], (-2, 2)),
    (nd.identity, lambda x: nd.identity(x), [(3, 4)], (-2, 2)),
    (nd.khatri_rao, lambda a, b, c: nd.khatri_rao(a, b, c), [(2, 3), (3, 3), (1, 3)], (-1, 1)),
    (nd.batch_take, lambda x: nd.batch_take(x, nd.array(_column(3))), [(3, 4)], (-1, 1)),
    (nd.batch_take, lambda x: nd.batch_take(x, nd.array([[1, 0]])), [(2, 1, 3)], (-1, 1)),
    (nd.split_v2, lambda x: nd.split_v2(x, (1, 3), axis=1), [(2, 4)], (-1, 1)),
    (nd.split_v2, lambda x: nd.split_v2(x, 3, squeeze_axis=True), [(3, 2)], (-1, 1)),
    (nd.cumsum, lambda x: nd.cumsum(x, axis=1), [(3, 4)], (-1, 1)),
    (nd.cumsum, lambda x: nd.cumsum(x), [(2, 3)], (-1, 1)),
    (nd.nanprod, lambda x: nd.nanprod(x, axis=1), [(3, 4)], (0.5, 1.5)),
    (nd.nanprod, lambda x: nd.nanprod(x, axis=0, exclude=True, keepdims=True), [(3, 4)], (-1.5, 1.5)),
    (nd.moments, lambda x: nd.moments(x, axes=(0,)), [(3, 4)], (-1, 1)),
    (nd.moments, lambda x: nd.moments(x, axes=(0, 2), keepdims=True), [(2, 2, 3)], (-1, 1)),
    (
        nd.fill_element_0index,
        lambda x, m: nd.fill_element_0index(x, m, nd.array(_column(3))),
        [(3, 4), (3,)],
        (-1, 1),
    ),
    (nd.Crop, lambda x: nd.Crop(x, h_w=(2, 2), offset=(1, 0)), [(1, 2, 3, 4)], (-1, 1)),
    (nd.Crop, lambda x: nd.Crop(x, nd.zeros((1, 1, 1, 3)), center_crop=True), [(1, 2, 3, 4)], (-1, 1)),
    (nd.SoftmaxActivation, lambda x: nd.SoftmaxActivation(x, mode="channel"), [(2, 3, 2)], (-2, 2)),
    (nd.SoftmaxActivation, lambda x: nd.SoftmaxActivation(x), [(2, 3)], (-2, 2)),
    (nd.concatenate, lambda x, y: nd.concatenate([x, y], axis=1), [(2, 1), (2, 3)], (-1, 1)),
    (
        nd.BatchNorm_v1,
        lambda x, g, b: nd.BatchNorm_v1(x, g, b, fix_gamma=False),
        [(3, 2, 2), (2,), (2,)],
        (0.5, 1.5),
    ),
    (nd.Pooling_v1, lambda x: nd.Pooling_v1(x, kernel=(2, 2), pool_type="avg"), [(1, 2, 3, 3)], (-1, 1)),
]
IDS = [f"{row[0].__name__}-{k}" for k, row in enumerate(MISC)]


@pytest.mark.parametrize(("op", "f", "shapes", "interval"), MISC, ids=IDS)
def test_misc_derivatives_to_second_order(op: Any, f: Any, shapes: Any, interval: Any) -> None:
    rng = np.random.default_rng(0)
    check_grads(_weighted(f), *[rng.uniform(*interval, s) for s in shapes], order=2)


# ---- values and dtypes, against NumPy or MXNet 1.9.1 ---------------------------------------------
def _eq(got: nd.NDArray, want: Any, dtype: Any) -> None:
    assert got.dtype == np.dtype(dtype), got.dtype
    np.testing.assert_allclose(got.asnumpy(), want, rtol=1e-6)


M = [[1, 5, 3], [4, 2, 6]]


def test_erfinv_inverts_erf_and_has_mxnets_poles() -> None:
    x = np.linspace(-0.999, 0.999, 101)
    y = nd.erfinv(nd.array(x, dtype="float64")).asnumpy()
    np.testing.assert_allclose([math.erf(v) for v in y], x, rtol=1e-14, atol=1e-15)
    # MXNet 1.9.1: [0, 0.47693628, -1.1630871, inf, -inf, nan], float32
    _eq(
        nd.erfinv(nd.array([0, 0.5, -0.9, 1, -1, 2])),
        [0, 0.47693628, -1.1630871, np.inf, -np.inf, np.nan],
        "float32",
    )
    _eq(nd.erfinv(nd.array([1, 0], dtype="int32")), [np.inf, 0], "float32")  # integers in float32


def test_hard_sigmoid_hypot_softmin_identity_as_mxnet() -> None:
    _eq(nd.hard_sigmoid(nd.array([-3, -1, 0, 1, 3])), [0, 0.3, 0.5, 0.7, 1], "float32")
    _eq(nd.hard_sigmoid(nd.array([-1, 0, 1]), alpha=0.5, beta=0.25), [0, 0.25, 0.75], "float32")
    _eq(
        nd.broadcast_hypot(nd.array([[3], [5]]), nd.array([4, 12])),
        [[5, 12.369317], [6.4031243, 13]],
        "float32",
    )
    _eq(nd.broadcast_hypot(nd.array([3, 5], dtype="int32"), 4), [5, 6.4031243], "float32")
    _eq(nd.softmin(nd.array([[1, 2, 3]])), [[0.66524094, 0.24472848, 0.09003057]], "float32")
    _eq(
        nd.softmin(nd.array([[1, 2], [3, 4]]), axis=0, temperature=2),
        [[0.7310586] * 2, [0.26894143] * 2],
        "float32",
    )
    _eq(nd.identity(nd.array(M, dtype="int32")), M, "int32")


def test_khatri_rao_batch_take_argmax_channel_as_mxnet() -> None:
    _eq(
        nd.khatri_rao(nd.array([[1, 2], [3, 4]]), nd.array([[1, -1], [2, 0], [1, 1]])),
        [[1, -2], [2, 0], [1, 2], [3, -4], [6, 0], [3, 4]],
        "float32",
    )
    _eq(nd.khatri_rao(nd.array([[1, 2], [3, 4]])), [[1, 2], [3, 4]], "float32")
    assert nd.khatri_rao(nd.ones((1, 2)), nd.ones((2, 2)), nd.ones((2, 2))).shape == (4, 2)
    _eq(nd.batch_take(nd.array(M), nd.array([5, -1], dtype="int32")), [3, 4], "float32")  # clipped
    # MXNet reads past the rows of a 3-D array; tape takes the rows of the last axis.
    _eq(
        nd.batch_take(nd.arange(24).reshape((2, 3, 4)), nd.array([1, 0, 3, 2, 1, 0])),
        [1, 4, 11, 14, 17, 20],
        "float32",
    )
    _eq(nd.argmax_channel(nd.array(M)), [1, 2], "float32")
    _eq(nd.argmax_channel(nd.arange(24).reshape((2, 3, 4))), [[2] * 4] * 2, "float32")


def test_split_v2_as_mxnet() -> None:
    x = nd.arange(12).reshape((6, 2))
    parts = nd.split_v2(x, 3)
    assert isinstance(parts, list) and [p.asnumpy().tolist() for p in parts] == [
        [[0, 1], [2, 3]], [[4, 5], [6, 7]], [[8, 9], [10, 11]]
    ]  # fmt: skip
    assert [p.shape for p in nd.split_v2(x, (1, 4))] == [(1, 2), (3, 2), (2, 2)]
    assert [p.shape for p in nd.split_v2(nd.arange(6), (0, 2))] == [(0,), (2,), (4,)]
    squeezed = nd.split_v2(nd.arange(6).reshape((3, 2)), 2, axis=1, squeeze_axis=True)
    assert [p.asnumpy().tolist() for p in squeezed] == [[0, 2, 4], [1, 3, 5]]
    single = nd.split_v2(nd.arange(6), 1)
    assert isinstance(single, nd.NDArray) and single.shape == (6,)


def test_cumsum_nanprod_moments_as_mxnet() -> None:
    x = nd.array(M)
    _eq(nd.cumsum(x), [1, 6, 9, 13, 15, 21], "float32")
    _eq(nd.cumsum(x, axis=1), [[1, 6, 9], [4, 6, 12]], "float32")
    _eq(nd.cumsum(x, axis=-1), [[1, 6, 9], [4, 6, 12]], "float32")  # MXNet refuses a negative axis
    _eq(nd.cumsum(x.astype("int32")), [1, 6, 9, 13, 15, 21], "int32")
    _eq(nd.cumsum(x, axis=0, dtype="float64"), [[1, 5, 3], [5, 7, 9]], "float64")
    _eq(nd.nanprod(nd.array([1, np.nan, 3])), [3], "float32")
    _eq(nd.nanprod(nd.array([[1, np.nan], [2, 3]]), axis=1), [1, 6], "float32")
    _eq(nd.nanprod(nd.array([[1, 2], [3, 4]]), axis=0, exclude=True), [2, 12], "float32")
    mean, var = nd.moments(x, axes=(0, 1))
    _eq(mean, [3.5], "float32")
    _eq(var, [2.9166667], "float32")
    mean, var = nd.moments(x, axes=0, keepdims=True)
    _eq(mean, [[2.5, 3.5, 4.5]], "float32")
    _eq(var, [[2.25, 2.25, 2.25]], "float32")
    _eq(nd.moments(x)[1], [2.9166667], "float32")  # all axes (MXNet asks for them by name)


def test_nanprod_gives_a_nan_a_zero_gradient() -> None:
    x = nd.array([2.0, np.nan, 3.0])
    x.attach_grad()
    with autograd.record():
        y = nd.nanprod(x)
    y.backward()
    _eq(x.grad, [3, 0, 2], "float32")


def test_histogram_as_mxnet() -> None:
    a = nd.array([0, 1, 1, 2, 3, 5])
    counts, edges = nd.histogram(a, bins=3)
    _eq(counts, [3, 2, 1], "float32")  # MXNet's float32 counts for bins without range
    _eq(edges, [0, 1.6666666, 3.3333333, 5], "float32")
    counts, edges = nd.histogram(a, bins=3, range=(0, 3))
    _eq(counts, [1, 2, 2], "int64")
    _eq(edges, [0, 1, 2, 3], "float32")
    counts, edges = nd.histogram(a, bins=nd.array([0, 2, 4, 6]))
    _eq(counts, [3, 2, 1], "int64")
    _eq(edges, [0, 2, 4, 6], "float32")
    np.testing.assert_array_equal(nd.histogram(a, bins=2, range=(0, 10))[0].asnumpy(), [5, 1])


def test_index_helpers_as_mxnet() -> None:
    _eq(nd.ravel_multi_index(nd.array([[3, 6, 6], [4, 5, 1]]), shape=(7, 6)), [22, 41, 37], "float32")
    _eq(nd.ravel_multi_index(nd.array([[3, 6], [4, 5]], dtype="int32"), shape=(7, 6)), [22, 41], "int32")
    _eq(nd.unravel_index(nd.array([22, 41, 37]), shape=(7, 6)), [[3, 6, 6], [4, 5, 1]], "float32")
    assert nd.unravel_index(nd.array([[22, 3]]), shape=(7, 6)).shape == (2, 1, 2)  # NumPy's shape
    _eq(nd.shape_array(nd.zeros((2, 3))), [2, 3], "int64")
    _eq(nd.size_array(nd.zeros((2, 3))), [6], "int64")
    flat = np.random.default_rng(0).integers(0, 60, 10)
    np.testing.assert_array_equal(
        nd.ravel_multi_index(nd.unravel_index(nd.array(flat), shape=(3, 4, 5)), shape=(3, 4, 5)).asnumpy(),
        flat,
    )


@pytest.mark.parametrize(
    "f",
    [
        lambda x: nd.shape_array(x),
        lambda x: nd.size_array(x),
        lambda x: nd.histogram(x, bins=2)[0],
        lambda x: nd.histogram(x, bins=2, range=(0, 6))[1],
        lambda x: nd.argmax_channel(x),
        lambda x: nd.erfinv(x / 10),
        lambda x: nd.fill_element_0index(x, nd.zeros(2, ctx=x.context), nd.array([0, 2], ctx=x.context)),
        lambda x: nd.BatchNorm_v1(x, nd.ones(3, ctx=x.context), nd.zeros(3, ctx=x.context)),
        lambda x: nd.unravel_index(nd.array([5, 1], ctx=x.context), shape=(2, 3)),
        lambda x: nd.ravel_multi_index(nd.array([[1, 0], [2, 1]], ctx=x.context), shape=(2, 3)),
    ],
    ids=[
        "shape_array",
        "size_array",
        "histogram",
        "histogram edges",
        "argmax_channel",
        "erfinv",
        "fill_element_0index",
        "BatchNorm_v1",
        "unravel_index",
        "ravel_multi_index",
    ],
)
def test_results_are_on_the_context_of_the_data(f: Any) -> None:
    x = nd.array(M)
    assert f(x).context == x.context


def test_aliases_are_the_ops() -> None:
    assert nd.broadcast_logical_and is nd.logical_and and nd.broadcast_logical_or is nd.logical_or
    assert nd.broadcast_logical_xor is nd.logical_xor and nd.true_divide is nd.divide
    assert nd.Convolution_v1 is nd.Convolution and nd.Pad is nd.pad and nd.crop is nd.slice
    assert nd.choose_element_0index is nd.pick
    # MXNet 1.9.1: broadcast_logical_and([[0], [2]], [1, 0, 3]) and choose_element_0index
    _eq(
        nd.broadcast_logical_and(nd.array([[0], [2]]), nd.array([1, 0, 3])), [[0, 0, 0], [1, 0, 1]], "float32"
    )
    _eq(nd.choose_element_0index(nd.array(M), nd.array([5, -1])), [3, 4], "float32")
    # MXNet 1.9.1 cuts int32 / int32 to [0 0]; tape's divide (true_divide is it) keeps the fractions
    halves = nd.true_divide(nd.array([1, 2], dtype="int32"), nd.array([2, 4], dtype="int32"))
    np.testing.assert_array_equal(halves.asnumpy(), [0.5, 0.5])
    _eq(nd.crop(nd.array(M), begin=(0, 1), end=(2, 3)), [[5, 3], [2, 6]], "float32")


# ---- the deprecated names ------------------------------------------------------------------------
def test_softmax_activation_modes_as_mxnet() -> None:
    _eq(nd.SoftmaxActivation(nd.array([[1, 2, 3]])), [[0.09003057, 0.24472848, 0.66524094]], "float32")
    x = nd.arange(12).reshape((1, 3, 2, 2)) / 4
    np.testing.assert_allclose(nd.SoftmaxActivation(x).asnumpy()[0, 0, 0], [0.4378, 0.5622], atol=1e-4)
    np.testing.assert_allclose(
        nd.SoftmaxActivation(x, mode="channel").asnumpy()[0, :, 0, 0], [0.09, 0.2447, 0.6652], atol=1e-4
    )


def test_fill_element_0index_and_onehot_encode_as_mxnet() -> None:
    x = nd.array([[1, 2, 3], [1, 5, 0]])
    _eq(nd.fill_element_0index(x, nd.array([9, 8]), nd.array([2, 0])), [[1, 2, 9], [8, 5, 0]], "float32")
    _eq(nd.fill_element_0index(x, nd.array([9, 8]), nd.array([5, -1])), [[1, 2, 3], [1, 5, 0]], "float32")
    out = nd.zeros((3, 4))
    assert nd.onehot_encode(nd.array([1, 0, 5]), out) is out
    _eq(out, [[0, 1, 0, 0], [1, 0, 0, 0], [0, 0, 0, 0]], "float32")


def test_crop_concatenate_pooling_v1_batchnorm_v1_as_mxnet() -> None:
    d = nd.arange(40).reshape((2, 1, 4, 5))
    assert nd.Crop(d, h_w=(2, 3))[0].asnumpy().tolist() == [[[0, 1, 2], [5, 6, 7]]]
    assert nd.Crop(d, h_w=(2, 3), offset=(1, 2))[0].asnumpy().tolist() == [[[7, 8, 9], [12, 13, 14]]]
    assert nd.Crop(d, h_w=(2, 3), center_crop=True)[0].asnumpy().tolist() == [[[6, 7, 8], [11, 12, 13]]]
    assert nd.Crop(d, nd.zeros((7, 7, 3, 2)), num_args=2)[0].asnumpy().tolist() == [
        [[0, 1], [5, 6], [10, 11]]
    ]
    a = nd.ones((1, 2))
    assert nd.concatenate([a], always_copy=False) is a and nd.concatenate([a]) is not a
    assert nd.concatenate([a, nd.zeros((2, 2))]).shape == (3, 2)
    v = nd.arange(18).reshape((1, 2, 3, 3)) / 7
    want = nd.Pooling(v, kernel=(2, 2), stride=(2, 2), pool_type="max", pooling_convention="full")
    got = nd.Pooling_v1(v, (2, 2), "max", False, "full", (2, 2))  # MXNet's positional order
    np.testing.assert_array_equal(got.asnumpy(), want.asnumpy())
    # MXNet 1.9.1's BatchNorm_v1 cannot be called; the values are its BatchNorm's
    x = nd.arange(12).reshape((2, 2, 3)) / 5
    g, b = nd.array([1, 2]), nd.array([0, 1])
    np.testing.assert_allclose(
        nd.BatchNorm_v1(x, g, b).asnumpy()[0, 1], [1.5997002, 1.7996004, 1.9995004], rtol=1e-6
    )
    mm, mv = nd.zeros(2), nd.ones(2)
    with autograd.record():
        y = nd.BatchNorm_v1(x, g, b, fix_gamma=False, moving_mean=mm, moving_var=mv)
    np.testing.assert_allclose(y.asnumpy()[1, 1], [2.2848747, 2.9273121, 3.5697496], rtol=1e-6)
    assert mm.asnumpy()[0] != 0  # the moving statistics given are updated


# ---- exchange ------------------------------------------------------------------------------------
def test_from_numpy_shares_memory_and_freezes_the_source_as_mxnet() -> None:
    a = np.arange(4.0)
    x = nd.from_numpy(a)
    assert x.dtype == np.float64 and not a.flags.writeable
    x[0] = 9
    assert a[0] == 9
    c = np.arange(3, dtype="int64")
    y = nd.from_numpy(c, zero_copy=False)
    assert y.dtype == np.int64 and c.flags.writeable and not np.shares_memory(y.asnumpy(), c)


def test_dlpack_round_trips() -> None:
    x = nd.array([1, 2])
    shared = nd.from_dlpack(nd.to_dlpack_for_read(x))
    _eq(shared, [1, 2], "float32")
    assert shared.context == x.context
    y = nd.from_dlpack(nd.to_dlpack_for_write(x))
    y[0] = 7
    _eq(x, [7, 2], "float32")
    _eq(nd.from_dlpack(np.arange(3, dtype="int32")), [0, 1, 2], "int32")
    capsule = nd.to_dlpack_for_read(x)
    nd.from_dlpack(capsule)
    with pytest.raises(ArgumentError, match="used only once"):
        nd.from_dlpack(capsule)


def test_dlpack_shares_gpu_memory_on_its_device(two_gpus: FakeCupy) -> None:
    x = nd.array([1, 2], ctx=tape.gpu(1))
    y = nd.from_dlpack(nd.to_dlpack_for_write(x))
    assert y.context == tape.gpu(1)
    y[0] = 7
    _eq(x, [7, 2], "float32")
    z = nd.from_dlpack(x._data)  # an object with __dlpack__ (CuPy's array, a PyTorch CUDA tensor)
    assert z.context == tape.gpu(1) and z.asnumpy().tolist() == [7, 2]


@pytest.mark.usefixtures("without_cupy")
def test_gpu_memory_without_a_gpu_is_refused_naming_the_fix() -> None:
    cuda = _CudaCapsule(np.arange(3.0))
    with pytest.raises(ArgumentError, match=r"not in CPU memory .*no GPU that tape can use: copy the tensor"):
        nd.from_dlpack(cuda.capsule)
    cuda.to_cpu()  # the refusal left the capsule unused
    np.testing.assert_array_equal(nd.from_dlpack(cuda.capsule).asnumpy(), [0, 1, 2])


class _CudaCapsule:
    """A NumPy array's DLPack capsule whose device field says CUDA (DLPack's kDLCUDA, 2)."""

    def __init__(self, a: np.ndarray) -> None:
        self.a, self.capsule = a, a.__dlpack__()
        get = ctypes.pythonapi.PyCapsule_GetPointer
        get.restype, get.argtypes = ctypes.c_void_p, [ctypes.py_object, ctypes.c_char_p]
        # DLManagedTensor starts with DLTensor: a data pointer, then the device (type, id).
        self.device = (ctypes.c_int32 * 2).from_address(
            get(self.capsule, b"dltensor") + ctypes.sizeof(ctypes.c_void_p)
        )
        self.device[0] = 2

    def to_cpu(self) -> None:
        self.device[0] = 1


def test_load_frombuffer_reads_what_save_wrote(tmp_path: Path) -> None:
    path = tmp_path / "params"
    nd.save(str(path), {"w": nd.array([1, 2]), "b": nd.zeros(1, dtype="int32")})
    loaded = nd.load_frombuffer(path.read_bytes())
    assert isinstance(loaded, dict) and sorted(loaded) == ["b", "w"]
    _eq(loaded["w"], [1, 2], "float32")
    nd.save(str(path), [nd.array([3])])
    loaded_list = nd.load_frombuffer(bytearray(path.read_bytes()))
    assert isinstance(loaded_list, list)
    _eq(loaded_list[0], [3], "float32")


# ---- refusals --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: nd.hard_sigmoid(nd.ones(2), alpha="1"), TypeError, "alpha must be a number"),
        (lambda: nd.broadcast_hypot(1, 2), ArgumentError, "both numbers"),
        (lambda: nd.softmin(nd.ones(2), use_length=True), ArgumentError, "use nd.softmax"),
        (lambda: nd.khatri_rao(), ArgumentError, "at least one matrix"),
        (lambda: nd.khatri_rao(nd.ones((2, 2)), nd.ones((2, 3))), ArgumentError, "the 2 columns"),
        (lambda: nd.batch_take(nd.ones((2, 3)), nd.array([0, 1, 2])), ArgumentError, "one index per row"),
        (lambda: nd.argmax_channel(nd.ones(3)), ArgumentError, "2 or more axes"),
        (lambda: nd.split_v2(nd.ones(6), 4), ArgumentError, "4 equal parts"),
        (lambda: nd.split_v2(nd.ones(6), (2, 7)), ArgumentError, "at most 6"),
        (lambda: nd.split_v2(nd.ones(6), "2"), TypeError, "indices_or_sections must be"),
        (lambda: nd.moments(nd.zeros((0, 2)), axes=0), ArgumentError, "hold no elements"),
        (lambda: nd.histogram(nd.ones(3), bins=0), TypeError, "bins must be"),
        (lambda: nd.histogram(nd.ones(3), range=(2, 1)), ArgumentError, "low <= high"),
        (lambda: nd.histogram(nd.ones(3), bins=nd.array([2, 1])), ArgumentError, "rising bin edges"),
        (lambda: nd.ravel_multi_index(nd.array([[7], [0]]), shape=(7, 6)), ArgumentError, "out of range"),
        (lambda: nd.ravel_multi_index(nd.array([3, 4]), shape=(7, 6)), ArgumentError, "must have shape"),
        (lambda: nd.ravel_multi_index(nd.array([[0.5], [1]]), shape=(7, 6)), ArgumentError, "whole numbers"),
        (lambda: nd.unravel_index(nd.array([42]), shape=(7, 6)), ArgumentError, "out of range"),
        (lambda: nd.unravel_index(nd.array([1]), shape=(0, 6)), ArgumentError, "length 1 or more"),
        (lambda: nd.SoftmaxActivation(nd.ones(2), mode="batch"), ArgumentError, "'instance' or 'channel'"),
        (lambda: nd.Crop(nd.ones((1, 1, 2, 2)), h_w=(3, 1)), ArgumentError, "does not fit"),
        (lambda: nd.Crop(nd.ones((1, 2, 2)), h_w=(1, 1)), ArgumentError, "must be 4-D"),
        (lambda: nd.concatenate([]), TypeError, "arrays must be a non-empty list"),
        (lambda: nd.onehot_encode(nd.array([1, 0]), nd.zeros((3, 4))), ArgumentError, r"\(N, depth\)"),
        (lambda: nd.onehot_encode(nd.array([1, 0]), None), TypeError, "out must be an NDArray"),
        (lambda: nd.fill_element_0index(nd.ones((2, 3)), nd.ones(3), nd.ones(2)), ArgumentError, "vectors"),
        (lambda: nd.BatchNorm_v1(nd.ones(3), nd.ones(3), nd.ones(3)), ArgumentError, "no axis 1"),
        (lambda: nd.from_numpy([1, 2]), TypeError, "ndarray must be a NumPy array"),
        (lambda: nd.from_numpy(np.arange(4.0)[::2]), ArgumentError, "zero_copy=False"),
        (lambda: nd.from_dlpack([1, 2]), TypeError, "dlpack must be a DLPack capsule"),
        (lambda: nd.load_frombuffer("params"), TypeError, "buf must be bytes"),
        (lambda: nd.load_frombuffer(b"not a zip"), ValueError, "not an .npz file"),
    ],
)
def test_a_wrong_argument_raises_naming_it(call: Any, error: type[Exception], match: str) -> None:
    with pytest.raises(error, match=match):
        call()


@pytest.mark.parametrize(
    "f",
    [
        lambda x: nd.argmax_channel(x),
        lambda x: nd.histogram(x)[0],
        lambda x: nd.ravel_multi_index(x, shape=(3, 3)),
        lambda x: nd.unravel_index(x, shape=(3, 3)),
    ],
    ids=["argmax_channel", "histogram", "ravel_multi_index", "unravel_index"],
)
def test_indices_and_counts_are_not_recorded(f: Any) -> None:
    x = nd.array([[0.0, 1.0], [2.0, 1.0]])
    x.attach_grad()
    with autograd.record():
        y = f(x)
    assert y._node is None
