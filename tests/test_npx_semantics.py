"""`tape.npx` and `tape.np.random` (MXNet's NumPy extensions and samplers), and the errors of
the NumPy interface: wrong arguments name the function, the argument and the fix."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as onp
import pytest

from tape import AutogradError, autograd, nd, np, npx


# ---- npx ----------------------------------------------------------------------------------------
def test_set_np_is_accepted_and_reported() -> None:
    npx.reset_np()
    assert npx.is_np_array() is False
    npx.set_np()
    assert npx.is_np_array() is True and npx.is_np_shape() is True
    with pytest.raises(ValueError, match="float32 by default"):
        npx.set_np(dtype=True)


def test_one_hot() -> None:
    y = npx.one_hot(np.array([0, 2]), 3)
    assert isinstance(y, np.ndarray) and y.dtype == onp.float32
    onp.testing.assert_array_equal(y.asnumpy(), [[1, 0, 0], [0, 0, 1]])
    z = npx.one_hot(np.array([1]), 2, on_value=5, off_value=-1, dtype="int32")
    assert z.dtype == onp.int32 and z.tolist() == [[-1, 5]]


def test_pick_with_axis_and_keepdims() -> None:
    x = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    assert npx.pick(x, np.array([2, 0])).tolist() == [3.0, 4.0]
    assert npx.pick(x, np.array([1, 0, 1]), axis=0, keepdims=True).tolist() == [[4.0, 2.0, 6.0]]


def test_batch_dot_with_transposes() -> None:
    a, b = onp.arange(12.0).reshape(2, 2, 3), onp.arange(12.0).reshape(2, 3, 2)
    got = npx.batch_dot(np.array(a), np.array(b))
    onp.testing.assert_array_equal(got.asnumpy(), a @ b)
    got_t = npx.batch_dot(np.array(b), np.array(a), transpose_a=True, transpose_b=True)
    onp.testing.assert_array_equal(got_t.asnumpy(), b.swapaxes(1, 2) @ a.swapaxes(1, 2))


def test_sequence_mask_along_either_axis() -> None:
    lengths = np.array([1, 3])
    masked = npx.sequence_mask(np.ones((3, 2)), lengths, use_sequence_length=True)
    onp.testing.assert_array_equal(masked.asnumpy(), [[1, 1], [0, 1], [0, 1]])
    batch_first = npx.sequence_mask(np.ones((2, 3)), lengths, True, value=-1, axis=1)
    onp.testing.assert_array_equal(batch_first.asnumpy(), [[1, -1, -1], [1, 1, 1]])
    assert npx.sequence_mask(np.ones(2)).tolist() == [1.0, 1.0]  # without lengths: unchanged


def test_topk_return_types() -> None:
    x = np.array([[3.0, 1.0, 4.0, 2.0]])
    indices = npx.topk(x, k=2)
    assert indices.dtype == onp.float32 and indices.tolist() == [[2.0, 0.0]]
    assert npx.topk(x, k=2, ret_typ="value").tolist() == [[4.0, 3.0]]
    values, idx = npx.topk(x, k=2, ret_typ="both")
    assert values.tolist() == [[4.0, 3.0]] and idx.tolist() == [[2.0, 0.0]]
    assert npx.topk(x, k=2, ret_typ="mask").tolist() == [[1.0, 0.0, 1.0, 0.0]]
    assert npx.topk(x, k=1, is_ascend=True, dtype="int64").tolist() == [[1]]
    assert npx.topk(x, axis=0, k=1, ret_typ="value").tolist() == [[3.0, 1.0, 4.0, 2.0]]


def test_topk_of_the_flattened_array_and_of_all_elements() -> None:
    x = np.array([[3.0, 1.0, 5.0], [4.0, 2.0, 0.0]])
    assert npx.topk(x, axis=None, k=2).tolist() == [2.0, 3.0]  # positions in the flattened array
    assert npx.topk(x, axis=None, k=2, ret_typ="mask").tolist() == [[0, 0, 1], [1, 0, 0]]
    assert npx.topk(x, k=0, ret_typ="value").tolist() == [[5, 3, 1], [4, 2, 0]]  # k < 1: all, sorted
    with pytest.raises(ValueError, match=r"npx\.topk: k=4 is more than the 3 elements along axis 1"):
        npx.topk(x, k=4)


def test_topk_values_send_the_gradient_back_to_their_positions() -> None:
    x = np.array([3.0, 1.0, 4.0, 2.0])
    x.attach_grad()
    with autograd.record():
        y = (npx.topk(x, k=2, ret_typ="value") * np.array([1.0, 10.0])).sum()
    y.backward()
    assert x.grad.tolist() == [10.0, 0.0, 1.0, 0.0]


def test_softmax_log_softmax_relu_and_sigmoid() -> None:
    x = np.array([[0.0, onp.log(3.0)]])
    onp.testing.assert_allclose(npx.softmax(x).asnumpy(), [[0.25, 0.75]], rtol=1e-6)
    onp.testing.assert_allclose(npx.log_softmax(x).asnumpy(), onp.log([[0.25, 0.75]]), rtol=1e-6)
    onp.testing.assert_allclose(npx.softmax(x, axis=0).asnumpy(), [[1.0, 1.0]])
    assert npx.relu(np.array([-1.0, 2.0])).tolist() == [0.0, 2.0]
    assert npx.sigmoid(np.array([0.0])).tolist() == [0.5]


def test_devices() -> None:
    assert npx.cpu() == npx.current_context() and str(npx.cpu()) == "cpu(0)"
    assert str(npx.gpu(1)) == "gpu(1)" and isinstance(npx.cpu(), npx.Context)
    assert npx.num_gpus() == 0
    assert np.ones(2, ctx=npx.cpu()).shape == (2,)
    npx.waitall()


@pytest.mark.parametrize(
    "saved",
    [
        {"w": np.arange(3), "b": np.ones((2, 2), dtype="int32")},
        [np.arange(3), np.zeros((2, 0))],
        np.arange(4),
    ],
    ids=["dict", "list", "array"],
)
def test_save_and_load_round_trip(tmp_path: Path, saved: Any) -> None:
    path = os.path.join(tmp_path, "params")
    npx.save(path, saved)
    loaded = npx.load(path)
    if isinstance(saved, dict):
        assert sorted(loaded) == sorted(saved)
        pairs = [(loaded[k], saved[k]) for k in saved]
    else:
        pairs = list(zip(loaded, saved if isinstance(saved, list) else [saved], strict=True))
    for got, want in pairs:
        assert isinstance(got, np.ndarray) and got.dtype == want.dtype and got.shape == want.shape
        onp.testing.assert_array_equal(got.asnumpy(), want.asnumpy())


def test_save_and_load_keep_a_0d_array(tmp_path: Path) -> None:
    path = os.path.join(tmp_path, "scalar")
    npx.save(path, {"loss": np.array(0.5)})
    assert npx.load(path)["loss"].shape == ()


# ---- np.random -------------------------------------------------------------------------------
@pytest.mark.parametrize("seed", [npx.random.seed, np.random.seed, nd.random.seed], ids=["npx", "np", "nd"])
def test_every_seed_makes_np_random_reproducible(seed: Any) -> None:
    draws = []
    for _ in range(2):
        seed(42)
        draws.append([np.random.normal(0, 1, 3), np.random.uniform(size=2), np.random.randint(0, 9, 4)])
    for a, b in zip(*draws, strict=True):
        onp.testing.assert_array_equal(a.asnumpy(), b.asnumpy())


def test_samplers_have_numpy_signatures_shapes_and_dtypes() -> None:
    assert np.random.randn(2, 3).shape == (2, 3) and np.random.rand(4).shape == (4,)
    assert np.random.uniform(-1, 1, (2, 2)).dtype == onp.float32
    ints = np.random.randint(5, size=(50,))
    assert ints.dtype == onp.int64 and 0 <= ints.min().item() and ints.max().item() < 5
    assert np.random.choice(4, 3).dtype == onp.int64
    assert np.random.choice(np.array([7.0, 8.0]), 5, p=[0, 1]).tolist() == [8.0] * 5
    counts = np.random.multinomial(10, [0.2, 0.8])
    assert counts.dtype == onp.int64 and counts.sum().item() == 10


def test_shuffle_permutes_the_rows_in_place() -> None:
    x = np.arange(10).reshape(5, 2)
    np.random.shuffle(x)
    assert sorted(x[:, 0].tolist()) == [0, 2, 4, 6, 8]
    assert (x[:, 1] == x[:, 0] + 1).all()


# ---- errors name the function, the argument and the fix -------------------------------------------
# (call, error class, a regular expression that its message matches)
ERRORS: list[tuple[Any, type[Exception], str]] = [
    (lambda: np.exp(nd.ones(2)), TypeError, r"np\.exp: x is a legacy nd array.*x\.as_np_ndarray\(\)"),
    (lambda: np.dot(np.ones(2), nd.ones(2)), TypeError, r"np\.dot: b .*b\.as_np_ndarray\(\)"),
    (lambda: npx.relu(nd.ones(2)), TypeError, r"^npx\.relu: data .*as_np_ndarray\(\)"),
    (lambda: np.linalg.norm(nd.ones(2)), TypeError, r"np\.linalg\.norm: x .*as_np_ndarray"),
    (lambda: np.exp("a"), TypeError, r"np\.exp: x must be an array"),
    (lambda: np.sum(np.ones(2), axis=1.5), TypeError, r"np\.sum: axis must be"),
    (lambda: np.sum(np.ones(2), axis=3), ValueError, r"np\.sum: axis 3 is out of range"),
    (
        lambda: np.mean(np.ones((2, 2)), axis=(0, -2)),
        ValueError,
        r"np\.mean: axis \(0, -2\) names an axis twice",
    ),
    (lambda: np.ones(3).reshape(2, 2), ValueError, r"np\.reshape: cannot reshape an array of size 3"),
    (lambda: np.zeros("a"), TypeError, r"np\.zeros: shape must be an int"),
    (lambda: np.ones(2, dtype="foo"), TypeError, r"np\.ones: dtype must be a NumPy dtype"),
    (lambda: np.random.normal(0, 1, size="a"), TypeError, r"np\.random\.normal: size must be"),
    (
        lambda: np.matmul(np.ones((2, 3)), np.ones((2, 3))),
        ValueError,
        r"np\.matmul: shapes \(2, 3\) and \(2, 3\)",
    ),
    (lambda: np.matmul(np.ones(()), np.ones(2)), ValueError, r"np\.matmul: .*use \*"),
    (lambda: np.linalg.inv(np.ones((2, 3))), ValueError, r"np\.linalg\.inv needs square matrices"),
    (lambda: np.linalg.norm(np.ones((2, 2)), 2), NotImplementedError, r"np\.linalg\.norm: matrix norms"),
    (lambda: npx.topk(np.ones(3), ret_typ="x"), ValueError, r"npx\.topk: ret_typ must be"),
    (lambda: np.clip(np.ones(3), None, None), ValueError, r"np\.clip: give a_min or a_max"),
    (
        lambda: npx.sequence_mask(np.ones((3, 2)), np.array([1, 2, 3]), True),
        ValueError,
        r"npx\.sequence_mask: sequence_length has shape \(3,\).*shape \(2,\)",
    ),
    (lambda: np.exp(np.ones(2), out=np.ones(3)), ValueError, r"np\.exp: out has shape \(3,\)"),
    (
        lambda: np.concatenate([np.ones((2, 2)), np.ones((3, 3))]),
        ValueError,
        r"np\.concatenate .*array 2",
    ),
]


@pytest.mark.parametrize(
    ("call", "error", "message"), ERRORS, ids=[row[2].replace("\\", "")[:32] for row in ERRORS]
)
def test_wrong_arguments_raise_naming_the_function_and_argument(call: Any, error: Any, message: str) -> None:
    with pytest.raises(error, match=message):
        call()


def test_einsum_that_tape_cannot_differentiate_is_refused_inside_record_only() -> None:
    x = np.array([[1.0, 2.0], [3.0, 4.0]])
    assert np.einsum("ii->", x).item() == 5.0
    x.attach_grad()
    with autograd.record():
        with pytest.raises(AutogradError, match=r"diagonal.*explicit letters"):
            np.einsum("ii->", x)
        with pytest.raises(AutogradError, match="ellipsis"):
            np.einsum("...j->...", x)
