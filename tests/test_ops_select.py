"""Sorting, selection and layout ops: values against MXNet 1.9.1 (its results written in as
literals) and derivatives against finite differences to second order."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from tape import autograd, nd
from tape.testing import check_grads


def _x(shape: tuple[int, ...], seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).uniform(-1, 1, shape)


def _weighted(f: Any) -> Any:
    """f followed by a cube and a position-dependent weight: a VJP that sends a gradient to the
    wrong place fails the check."""

    def g(x: nd.NDArray) -> nd.NDArray:
        y = f(x)
        w = nd.array(np.arange(1, y.size + 1).reshape(y.shape) / y.size, dtype="float64")
        return y**3 * w

    return g


def _np_reflect(a: np.ndarray, width: list[tuple[int, int]]) -> np.ndarray:
    return np.pad(a, width, mode="reflect")


_PAD = [(0, 0), (0, 0), (1, 1), (2, 1)]
_PAD_FLAT = (0, 0, 0, 0, 1, 1, 2, 1)
_GATHER = np.array([[0, 1, 1, 0], [2, 0, 2, 2]])  # (0, 2) is taken twice: its gradients add
_SCATTER = np.array([[0, 1, 1], [2, 0, 3]])

# (the op applied to one float64 array, its NumPy reference, the input's shape)
SELECT_CASES: list[tuple[Any, Any, tuple[int, ...]]] = [
    (lambda x: nd.sort(x), lambda a: np.sort(a, axis=-1), (3, 4)),
    (lambda x: nd.sort(x, axis=0, is_ascend=False), lambda a: -np.sort(-a, axis=0), (3, 4)),
    (lambda x: nd.sort(x, axis=None), lambda a: np.sort(a.ravel()), (3, 4)),
    (lambda x: nd.topk(x, k=2, ret_typ="value"), lambda a: -np.sort(-a, axis=-1)[:, :2], (3, 4)),
    (
        lambda x: nd.topk(x, axis=0, k=2, ret_typ="both", is_ascend=True)[0],
        lambda a: np.sort(a, axis=0)[:2],
        (3, 4),
    ),
    (lambda x: nd.diag(x), lambda a: np.diag(a), (3, 4)),
    (lambda x: nd.diag(x, k=-1), lambda a: np.diag(a, -1), (3, 4)),
    (lambda x: nd.diag(x, k=1), lambda a: np.diag(a, 1), (4,)),
    (lambda x: nd.diag(x, k=1, axis1=2, axis2=0), lambda a: np.diagonal(a, 1, 2, 0), (2, 3, 4)),
    (lambda x: nd.moveaxis(x, 0, -1), lambda a: np.moveaxis(a, 0, -1), (2, 3, 4)),
    (lambda x: nd.moveaxis(x, (0, 1), (2, 0)), lambda a: np.moveaxis(a, (0, 1), (2, 0)), (2, 3, 4)),
    (lambda x: nd.slice_like(x, nd.zeros((1, 2, 3))), lambda a: a[:1, :2, :3], (2, 3, 4)),
    (lambda x: nd.slice_like(x, nd.zeros((1, 2)), axes=(-1,)), lambda a: a[..., :2], (2, 3, 4)),
    (lambda x: nd.gather_nd(x, nd.array(_GATHER)), lambda a: a[tuple(_GATHER)], (3, 4)),
    (lambda x: nd.gather_nd(x, nd.array(_GATHER[:1])), lambda a: a[_GATHER[0]], (3, 4)),
    (
        lambda x: nd.scatter_nd(x, nd.array(_SCATTER), shape=(3, 4)),
        lambda a: _np_scatter(a, _SCATTER, (3, 4)),
        (3,),
    ),
    (
        lambda x: nd.pad(x, mode="constant", pad_width=_PAD_FLAT, constant_value=0.5),
        lambda a: np.pad(a, _PAD, constant_values=0.5),
        (1, 2, 2, 3),
    ),
    (
        lambda x: nd.pad(x, mode="edge", pad_width=_PAD_FLAT),
        lambda a: np.pad(a, _PAD, mode="edge"),
        (1, 2, 2, 3),
    ),
    (lambda x: nd.pad(x, mode="reflect", pad_width=_PAD_FLAT), lambda a: _np_reflect(a, _PAD), (1, 2, 2, 3)),
    (
        lambda x: nd.pad(x, mode="edge", pad_width=(0, 0, 0, 0, 1, 0, 0, 2, 1, 1)),
        lambda a: np.pad(a, [(0, 0), (0, 0), (1, 0), (0, 2), (1, 1)], mode="edge"),
        (1, 1, 2, 2, 3),
    ),
    (
        lambda x: nd.smooth_l1(x * 2, scalar=1.5),
        lambda a: np.where(np.abs(2 * a) < 1 / 2.25, 0.5 * 2.25 * (2 * a) ** 2, np.abs(2 * a) - 0.5 / 2.25),
        (3, 4),
    ),
]


def _np_scatter(a: np.ndarray, idx: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    out = np.zeros(shape)
    out[tuple(idx)] = a
    return out


@pytest.mark.parametrize(("f", "ref", "shape"), SELECT_CASES)
def test_select_op_matches_numpy_and_differentiates(f: Any, ref: Any, shape: tuple[int, ...]) -> None:
    x = _x(shape)
    np.testing.assert_allclose(f(nd.array(x, dtype="float64")).asnumpy(), ref(x), rtol=1e-12)
    check_grads(_weighted(f), x, order=2)


# ---- values, dtypes and ties as MXNet 1.9.1 gives them -----------------------------------------
def _eq(got: nd.NDArray, want: list[Any], dtype: Any) -> None:
    assert got.dtype == np.dtype(dtype), got.dtype
    np.testing.assert_array_equal(got.asnumpy(), want)


X = [[3, 1, 4], [1, 5, 9]]


def test_sort_and_argsort_as_mxnet() -> None:
    x = nd.array(X)
    _eq(nd.sort(x, axis=0, is_ascend=False), [[3, 5, 9], [1, 1, 4]], "float32")
    _eq(nd.sort(x, axis=None), [1, 1, 3, 4, 5, 9], "float32")
    _eq(nd.sort(nd.array(X, dtype="int32")), [[1, 3, 4], [1, 5, 9]], "int32")
    _eq(nd.argsort(x), [[1, 0, 2], [0, 1, 2]], "float32")
    _eq(nd.argsort(x, axis=None, dtype="int32"), [1, 3, 0, 2, 4, 5], "int32")


def test_ties_keep_their_order_either_way_as_mxnet() -> None:
    t = nd.array([2, 1, 2, 1, 3])
    _eq(nd.argsort(t), [1, 3, 0, 2, 4], "float32")
    _eq(nd.argsort(t, is_ascend=False), [4, 0, 2, 1, 3], "float32")
    _eq(nd.topk(t, k=3), [4, 0, 2], "float32")
    _eq(nd.topk(t, k=3, is_ascend=True), [1, 3, 0], "float32")


def test_topk_return_types_as_mxnet() -> None:
    xi = nd.array(X, dtype="int32")
    values, indices = nd.topk(xi, k=2, ret_typ="both")
    _eq(values, [[4, 3], [9, 5]], "int32")
    _eq(indices, [[2, 0], [2, 1]], "float32")
    _eq(nd.topk(xi, k=2, ret_typ="mask"), [[1, 0, 1], [0, 1, 1]], "int32")
    _eq(nd.topk(nd.array(X), k=2, dtype="int32"), [[2, 0], [2, 1]], "int32")
    _eq(nd.topk(nd.array(X), k=0, ret_typ="value"), [[4, 3, 1], [9, 5, 1]], "float32")
    _eq(nd.topk(nd.array(X), axis=None, k=3, ret_typ="value"), [9, 5, 4], "float32")
    _eq(nd.topk(nd.array(X), axis=None, k=3, ret_typ="mask"), [[0, 0, 1], [0, 1, 1]], "float32")


def test_sort_and_topk_gradients_go_back_to_where_each_value_came_from() -> None:
    t = nd.array([2, 1, 2, 1, 3])
    t.attach_grad()
    with autograd.record():
        y = nd.sort(t)
    y.backward(nd.array([1, 2, 3, 4, 5]))
    _eq(t.grad, [3, 1, 4, 2, 5], "float32")  # MXNet's, with axis=0 (its default axis fails there)
    with autograd.record():
        y = nd.topk(t, k=3, ret_typ="value")
    y.backward(nd.array([1, 2, 3]))
    _eq(t.grad, [2, 0, 3, 0, 1], "float32")


@pytest.mark.parametrize(
    "f",
    [
        lambda x: nd.argsort(x),
        lambda x: nd.topk(x, k=2),
        lambda x: nd.topk(x, k=2, ret_typ="mask"),
        lambda x: nd.shuffle(x),
        lambda x: nd.logical_not(x),
        lambda x: nd.logical_and(x, x),
    ],
    ids=["argsort", "topk-indices", "topk-mask", "shuffle", "logical_not", "logical_and"],
)
def test_indices_masks_and_tests_are_not_recorded(f: Any) -> None:
    x = nd.array([3.0, 1.0, 2.0])
    x.attach_grad()
    with autograd.record():
        y = f(x)
    assert y._node is None
    with pytest.raises(Exception, match="has no gradient"):
        y.backward()


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: nd.topk(nd.zeros(5), k=6), "k=6 is more than the 5"),
        (lambda: nd.topk(nd.zeros(5), ret_typ="foo"), "ret_typ must be"),
        (lambda: nd.topk(nd.zeros(5), k="2"), "k must be an int"),
        (lambda: nd.sort(nd.zeros(5), axis=1), "axis 1 is out of range"),
        (lambda: nd.diag(nd.zeros((2, 3)), k=4), "k=4 does not exist"),
        (lambda: nd.moveaxis(nd.zeros((2, 3)), (0, 1), 0), "as many axes"),
        (lambda: nd.slice_like(nd.zeros((2, 3)), nd.zeros((3, 3))), "longer than that of data"),
        (lambda: nd.slice_like(nd.zeros((2, 3)), nd.zeros(2)), "give axes="),
        (lambda: nd.gather_nd(nd.zeros((2, 3)), nd.array([0, 1])), "at least 2 axes"),
        (lambda: nd.gather_nd(nd.zeros((2, 3)), nd.zeros((3, 1))), "index 3 axes"),
        (lambda: nd.gather_nd(nd.zeros((2, 3)), nd.array([[0.5]])), "whole numbers"),
        (lambda: nd.gather_nd(nd.zeros((2, 3)), nd.array([[2]])), "out of range"),
        (lambda: nd.scatter_nd(nd.ones(2), nd.array([[1, 1]]), shape=(3,)), "position twice"),
        (lambda: nd.scatter_nd(nd.ones(2), nd.array([[0, 1]]), shape=(2, 3)), "need data of shape"),
        (lambda: nd.pad(nd.zeros((2, 3)), mode="edge", pad_width=(1, 1, 1, 1)), "4-D and 5-D"),
        (
            lambda: nd.pad(nd.zeros((1, 1, 2, 2)), mode="edge", pad_width=(1, 0, 0, 0, 1, 1, 1, 1)),
            "0 for the first two",
        ),
        (lambda: nd.pad(nd.zeros((1, 1, 2, 2)), mode="edge", pad_width=(0, 0, 1, 1)), "2 \\* 4 lengths"),
        (lambda: nd.pad(nd.zeros((1, 1, 2, 2)), mode="wrap", pad_width=(0,) * 8), "mode must be"),
        (
            lambda: nd.pad(nd.zeros((1, 1, 2, 3)), mode="reflect", pad_width=(0, 0, 0, 0, 2, 2, 0, 0)),
            "shorter",
        ),
        (
            lambda: nd.pad(nd.zeros((1, 1, 2, 2), dtype="int32"), mode="edge", pad_width=(0,) * 8),
            "float arrays",
        ),
        (lambda: nd.smooth_l1(nd.zeros(2), scalar=0), "nonzero number"),
        (lambda: nd.logical_or(1, 0), "both numbers"),
    ],
)
def test_a_wrong_argument_raises_naming_it(call: Any, match: str) -> None:
    with pytest.raises((ValueError, TypeError, IndexError), match=match):
        call()


def test_diag_as_mxnet() -> None:
    _eq(nd.diag(nd.array([1, 2]), k=1), [[0, 1, 0], [0, 0, 2], [0, 0, 0]], "float32")
    _eq(nd.diag(nd.array(X), k=1), [1, 9], "float32")
    _eq(
        nd.diag(nd.arange(24).reshape((2, 3, 4)), k=1, axis1=1, axis2=2),
        [[1, 6, 11], [13, 18, 23]],
        "float32",
    )
    assert nd.diag(nd.arange(24).reshape((2, 3, 4))).shape == (4, 2)


def test_gather_nd_and_scatter_nd_as_mxnet() -> None:
    d = nd.arange(24).reshape((2, 3, 4))
    _eq(nd.gather_nd(d, nd.array([[0, 1], [2, 0], [3, 1]])), [11, 13], "float32")
    _eq(nd.gather_nd(nd.arange(6).reshape((2, 3)), nd.array([[-1], [-1]])), [5], "float32")
    _eq(nd.gather_nd(nd.arange(4, dtype="int32"), nd.array([[1, 3]])), [1, 3], "int32")
    _eq(
        nd.scatter_nd(nd.array([2, 3, 5]), nd.array([[0, 1, 1], [1, 0, 1]]), shape=(2, 2)),
        [[0, 2], [3, 5]],
        "float32",
    )


def test_gather_nd_gradient_adds_up_repeated_positions_as_mxnet() -> None:
    x = nd.array([1.0, 2.0, 3.0])
    x.attach_grad()
    with autograd.record():
        y = nd.gather_nd(x, nd.array([[0, 0, 2]]))
    y.backward(nd.array([1, 10, 100]))
    _eq(x.grad, [11, 0, 100], "float32")


def test_pad_values_and_gradients_as_mxnet() -> None:
    x = nd.arange(1, 7).reshape((1, 1, 2, 3))
    x.attach_grad()
    want = {
        "constant": [[[[9, 10, 11], [15, 16, 17]]]],
        "edge": [[[[30, 14, 34], [102, 38, 82]]]],
        "reflect": [[[[30, 96, 60], [18, 60, 36]]]],
    }
    for mode, grad in want.items():
        with autograd.record():
            y = nd.pad(x, mode=mode, pad_width=_PAD_FLAT, constant_value=9)
        y.backward(nd.arange(1, 1 + y.size).reshape(y.shape))
        _eq(x.grad, grad, "float32")
    _eq(
        nd.pad(x, mode="reflect", pad_width=_PAD_FLAT)[0, 0],
        [[6, 5, 4, 5, 6, 5], [3, 2, 1, 2, 3, 2], [6, 5, 4, 5, 6, 5], [3, 2, 1, 2, 3, 2]],
        "float32",
    )


def test_logical_ops_give_0_1_in_the_input_dtype_as_mxnet() -> None:
    a, b = [0, 2, -1, 0], [1, 0, 3, 0]
    _eq(nd.logical_and(nd.array(a), nd.array(b)), [0, 0, 1, 0], "float32")
    _eq(nd.logical_or(nd.array(a), nd.array(b)), [1, 1, 1, 0], "float32")
    _eq(nd.logical_xor(nd.array(a, dtype="int32"), nd.array(b, dtype="int32")), [1, 1, 0, 0], "int32")
    _eq(nd.logical_not(nd.array([0, 2, -1], dtype="float64")), [1, 0, 0], "float64")
    _eq(nd.logical_and(nd.array(a), 1), [0, 1, 1, 0], "float32")
    _eq(nd.logical_and(1, nd.array(a)), [0, 1, 1, 0], "float32")
    assert nd.logical_and(nd.ones((2, 3)), nd.ones(3)).shape == (2, 3)


def test_smooth_l1_as_mxnet() -> None:
    x = nd.array([-2, -0.5, 0, 0.3, 1.5])
    np.testing.assert_allclose(nd.smooth_l1(x).asnumpy(), [1.5, 0.125, 0, 0.045, 1.0], rtol=1e-6)
    np.testing.assert_allclose(
        nd.smooth_l1(x, scalar=2.0).asnumpy(), [1.875, 0.375, 0, 0.175, 1.375], rtol=1e-6
    )
    # MXNet cuts an integer result to int32 ([1 0 2]); tape computes it in float32.
    _eq(nd.smooth_l1(nd.array([-2, 0, 3], dtype="int32")), [1.5, 0, 2.5], "float32")


def test_shuffle_permutes_rows_from_the_seeded_generator() -> None:
    x = nd.arange(12).reshape((6, 2))
    nd.random.seed(7)
    first = nd.shuffle(x).asnumpy()
    nd.random.seed(7)
    np.testing.assert_array_equal(nd.shuffle(x).asnumpy(), first)
    assert sorted(first[:, 0].tolist()) == [0, 2, 4, 6, 8, 10]
    np.testing.assert_array_equal(first[:, 1] - first[:, 0], 1)


def test_out_writes_into_the_given_array() -> None:
    out = nd.zeros((2, 3))
    assert nd.sort(nd.array(X), out=out) is out
    _eq(out, [[1, 3, 4], [1, 5, 9]], "float32")
