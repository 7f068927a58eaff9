"""SequenceLast and SequenceReverse.

Values against loops in NumPy written here and literals from MXNet 1.9.1; derivatives against
finite differences to second order (the SEQUENCES table).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from tape import autograd, nd
from tape.errors import ArgumentError
from tape.testing import check_grads

S = np.arange(24.0).reshape(4, 3, 2)  # (time, batch, feature), the data of the MXNet literals


def _x(shape: tuple[int, ...], seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).uniform(-1, 1, shape)


# ---- SequenceLast -----------------------------------------------------------------------------
def test_sequence_last_matches_mxnet() -> None:
    np.testing.assert_array_equal(nd.SequenceLast(nd.array(S)).asnumpy(), [[18, 19], [20, 21], [22, 23]])
    y = nd.SequenceLast(nd.array(S), nd.array([1, 4, 2]), use_sequence_length=True)
    np.testing.assert_array_equal(y.asnumpy(), [[0, 1], [20, 21], [10, 11]])
    y = nd.SequenceLast(nd.array(S), nd.array([1, 3, 2, 2]), use_sequence_length=True, axis=1)
    np.testing.assert_array_equal(y.asnumpy(), [[0, 1], [10, 11], [14, 15], [20, 21]])
    np.testing.assert_array_equal(nd.SequenceLast(nd.array(S), axis=1).asnumpy(), S[:, -1])


@pytest.mark.parametrize("axis", [0, 1])
def test_sequence_last_matches_a_loop(axis: int) -> None:
    x = _x((5, 4, 2, 3))
    lengths = np.array([5, 1, 3, 2]) if axis == 0 else np.array([4, 1, 2, 3, 4])
    y = nd.SequenceLast(nd.array(x, dtype="float64"), nd.array(lengths), use_sequence_length=True, axis=axis)
    want = np.stack([x[n - 1, b] if axis == 0 else x[b, n - 1] for b, n in enumerate(lengths)])
    np.testing.assert_array_equal(y.asnumpy(), want)


def test_sequence_last_of_2d_data_gives_one_value_per_sequence() -> None:
    y = nd.SequenceLast(nd.array([[0, 1], [2, 3], [4, 5]]))
    assert y.shape == (2,)
    np.testing.assert_array_equal(y.asnumpy(), [4, 5])


def test_sequence_last_sends_the_gradient_to_the_steps_taken() -> None:
    x = nd.array(S)
    x.attach_grad()
    with autograd.record():
        y = nd.SequenceLast(x, nd.array([1, 4, 2]), use_sequence_length=True)
    y.backward()
    want = np.zeros_like(S)
    want[0, 0] = want[3, 1] = want[1, 2] = 1
    np.testing.assert_array_equal(x.grad.asnumpy(), want)


# ---- SequenceReverse --------------------------------------------------------------------------
def test_sequence_reverse_matches_mxnet() -> None:
    np.testing.assert_array_equal(nd.SequenceReverse(nd.array(S)).asnumpy(), S[::-1])
    y = nd.SequenceReverse(nd.array(S), nd.array([1, 4, 2]), use_sequence_length=True)
    want = [
        [[0, 1], [20, 21], [10, 11]],
        [[6, 7], [14, 15], [4, 5]],
        [[12, 13], [8, 9], [16, 17]],
        [[18, 19], [2, 3], [22, 23]],
    ]
    np.testing.assert_array_equal(y.asnumpy(), want)
    y = nd.SequenceReverse(nd.array([[0, 1], [2, 3], [4, 5]]), nd.array([2, 3]), use_sequence_length=True)
    np.testing.assert_array_equal(y.asnumpy(), [[2, 5], [0, 3], [4, 1]])


@pytest.mark.parametrize("axis", [0, 1])
def test_sequence_reverse_matches_a_loop(axis: int) -> None:
    x = _x((5, 4, 3)) if axis == 0 else _x((4, 5, 3))
    lengths = np.array([5, 0, 3, 1])
    y = nd.SequenceReverse(
        nd.array(x, dtype="float64"), nd.array(lengths), use_sequence_length=True, axis=axis
    )
    want = np.moveaxis(x, axis, 0).copy()
    for b, n in enumerate(lengths):
        want[:n, b] = want[:n, b][::-1].copy()
    np.testing.assert_array_equal(y.asnumpy(), np.moveaxis(want, 0, axis))


def test_the_sequence_ops_keep_the_dtype() -> None:
    for dtype in ("float32", "float64", "int32"):
        x = nd.array(S, dtype=dtype)
        assert nd.SequenceLast(x).dtype == np.dtype(dtype)
        assert nd.SequenceReverse(x).dtype == np.dtype(dtype)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: nd.SequenceLast(nd.array(S), nd.array([0, 1, 1]), use_sequence_length=True),
            "from 1 to the 4",
        ),
        (
            lambda: nd.SequenceLast(nd.array(S), nd.array([5, 1, 1]), use_sequence_length=True),
            "from 1 to the 4",
        ),
        (lambda: nd.SequenceReverse(nd.array(S), nd.array([5, 1, 1]), use_sequence_length=True), "from 0 to"),
        (
            lambda: nd.SequenceLast(nd.array(S), nd.array([1.5, 1, 1]), use_sequence_length=True),
            "whole numbers",
        ),
        (lambda: nd.SequenceLast(nd.array(S), nd.array([1, 1]), use_sequence_length=True), r"shape \(2,\)"),
        (lambda: nd.SequenceLast(nd.array(S), nd.array([1, 1, 1])), "use_sequence_length=True"),
        (lambda: nd.SequenceReverse(nd.array(S), use_sequence_length=True), "use_sequence_length=True"),
        (lambda: nd.SequenceReverse(nd.array(S), axis=2), "axis is the time axis"),
        (lambda: nd.SequenceLast(nd.array([1, 2])), "axis is the time axis"),
    ],
)
def test_the_sequence_ops_refuse_arguments_naming_them(call: Any, message: str) -> None:
    with pytest.raises(ArgumentError, match=rf"^nd\.Sequence(Last|Reverse): .*{message}"):
        call()


# ---- derivatives --------------------------------------------------------------------------------
SEQUENCES = [
    (nd.SequenceLast, lambda x: nd.SequenceLast(x) ** 2, ((3, 2, 3),)),
    (
        nd.SequenceLast,
        lambda x: nd.SequenceLast(x, nd.array([1, 3, 2]), use_sequence_length=True, axis=1) ** 2,
        ((3, 4, 2),),
    ),
    (nd.SequenceReverse, lambda x: nd.SequenceReverse(x) ** 3, ((3, 2),)),
    (
        nd.SequenceReverse,
        lambda x: (
            nd.SequenceReverse(x, nd.array([2, 0, 3]), use_sequence_length=True) ** 3
            * nd.array(np.linspace(0.5, 1.5, 18).reshape(3, 3, 2))
        ),
        ((3, 3, 2),),
    ),
]


@pytest.mark.parametrize(("op", "f", "shapes"), SEQUENCES)
def test_sequence_derivatives_to_second_order(op: Any, f: Any, shapes: tuple[tuple[int, ...], ...]) -> None:
    check_grads(f, *[_x(shape, seed) for seed, shape in enumerate(shapes)], order=2, rtol=1e-4, atol=1e-6)
