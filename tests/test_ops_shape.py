"""Shape ops, joining and cutting: values against NumPy and second derivatives."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from tape import autograd, nd
from tape.testing import check_grads


def _x(shape: tuple[int, ...] = (2, 3, 4), seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).uniform(-1, 1, shape)


def _weighted(f: Any) -> Any:
    """f followed by a cube and a position-dependent weight: every output element matters
    differently, so a VJP that moves values to the wrong place fails the check."""

    def g(*args: nd.NDArray) -> nd.NDArray:
        y = f(*args)
        w = nd.array(np.arange(1, y.size + 1).reshape(y.shape) / y.size, dtype="float64")
        return y * y * y * w

    return g


# ---- reshape --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("src", "spec", "want"),
    [
        ((2, 3, 4), (4, -1), (4, 6)),
        ((2, 3, 4), (0, -1), (2, 12)),
        ((2, 3, 4), (-2,), (2, 3, 4)),
        ((2, 3, 4), (-3, 4), (6, 4)),
        ((2, 3, 4), (0, -3), (2, 12)),
        ((2, 3, 4), (-4, 1, 2, -2), (1, 2, 3, 4)),
        ((2, 3, 4), (0, -4, -1, 3, 0), (2, 1, 3, 4)),
        ((2, 12), (24,), (24,)),
    ],
    ids=str,
)
def test_reshape_special_codes(src: tuple[int, ...], spec: tuple[int, ...], want: tuple[int, ...]) -> None:
    assert nd.reshape(nd.zeros(src), spec).shape == want


def test_reshape_reverse_infers_from_the_right() -> None:
    assert nd.reshape(nd.zeros((10, 5, 4)), (-1, 0), reverse=True).shape == (50, 4)


def test_reshape_method_takes_varargs_tuple_or_keyword() -> None:
    x = nd.arange(6)
    assert x.reshape(2, 3).shape == x.reshape((2, 3)).shape == x.reshape(shape=(2, 3)).shape == (2, 3)


def test_reshape_with_a_wrong_size_raises() -> None:
    with pytest.raises(ValueError, match="cannot reshape"):
        nd.reshape(nd.zeros((2, 3)), (4, 2))


def test_reshape_derivatives() -> None:
    check_grads(_weighted(lambda x: nd.reshape(x, (-1, 0))), _x(), order=2)


# ---- transpose, swapaxes, expand_dims, squeeze, flatten ------------------------------------
# the op under test (a function of one float64 array) and its NumPy reference
SHAPE_CASES: list[tuple[Any, Any]] = [
    (lambda x: nd.transpose(x), lambda a: a.T),
    (lambda x: nd.transpose(x, axes=(1, 0, 2)), lambda a: a.transpose(1, 0, 2)),
    (lambda x: x.T, lambda a: a.T),
    (lambda x: x.transpose(2, 0, 1), lambda a: a.transpose(2, 0, 1)),
    (lambda x: nd.swapaxes(x, 0, 2), lambda a: a.swapaxes(0, 2)),
    (lambda x: nd.expand_dims(x, axis=1), lambda a: a[:, None]),
    (lambda x: nd.expand_dims(x, axis=-1), lambda a: a[..., None]),
    (lambda x: nd.flatten(x), lambda a: a.reshape(2, 12)),
    (lambda x: nd.squeeze(nd.expand_dims(x, 0)), lambda a: a),
    (lambda x: nd.flip(x, axis=1), lambda a: a[:, ::-1]),
    (lambda x: nd.reverse(x, axis=(0, 2)), lambda a: a[::-1, :, ::-1]),
    (lambda x: nd.tile(x, (2, 1, 1)), lambda a: np.tile(a, (2, 1, 1))),
    (lambda x: nd.tile(x, 2), lambda a: np.tile(a, 2)),
    (lambda x: nd.tile(x, (2, 1, 1, 3)), lambda a: np.tile(a, (2, 1, 1, 3))),
    (lambda x: nd.repeat(x, 2, axis=1), lambda a: np.repeat(a, 2, axis=1)),
    (lambda x: nd.repeat(x, 3, axis=-1), lambda a: np.repeat(a, 3, axis=-1)),
    (lambda x: nd.repeat(x, 2), lambda a: np.repeat(a, 2)),
    (lambda x: nd.broadcast_to(x[:, :1], (2, 5, 4)), lambda a: np.broadcast_to(a[:, :1], (2, 5, 4))),
    (lambda x: nd.broadcast_to(x[:1], (0, 3, 4)), lambda a: a[:1]),
    (lambda x: nd.broadcast_axis(x[:1], axis=0, size=3), lambda a: np.repeat(a[:1], 3, axis=0)),
    (lambda x: nd.broadcast_like(x[:1], nd.zeros((5, 3, 4))), lambda a: np.repeat(a[:1], 5, axis=0)),
    (
        lambda x: nd.broadcast_like(x[:, :1], nd.zeros((5, 7)), lhs_axes=(1,), rhs_axes=(0,)),
        lambda a: np.repeat(a[:, :1], 5, axis=1),
    ),
    (lambda x: nd.reshape_like(x, nd.zeros((4, 6))), lambda a: a.reshape(4, 6)),
    (
        lambda x: nd.reshape_like(x, nd.zeros((5, 4, 3)), lhs_begin=1, rhs_begin=1),
        lambda a: a.reshape(2, 4, 3),
    ),
    (lambda x: nd.slice(x, (0, 1), (2, 3)), lambda a: a[0:2, 1:3]),
    (lambda x: nd.slice(x, (None, None, 3), (None, None, 0), (1, -1, -2)), lambda a: a[:, ::-1, 3:0:-2]),
    (lambda x: nd.slice_axis(x, axis=2, begin=1, end=3), lambda a: a[:, :, 1:3]),
    (lambda x: nd.slice_axis(x, axis=-1, begin=-2, end=None), lambda a: a[..., -2:]),
    (lambda x: x[1, :, ::2], lambda a: a[1, :, ::2]),
]


@pytest.mark.parametrize(("f", "ref"), SHAPE_CASES)
def test_shape_op_matches_numpy_and_differentiates(f: Any, ref: Any) -> None:
    x = _x()
    np.testing.assert_array_equal(f(nd.array(x, dtype="float64")).asnumpy(), ref(x))
    check_grads(_weighted(f), x, order=2)


def test_squeeze_of_all_ones_is_one_dimensional() -> None:
    assert nd.squeeze(nd.zeros((1, 1, 1))).shape == (1,)
    assert nd.zeros((3, 1, 2)).squeeze(axis=1).shape == (3, 2)


def test_squeeze_of_a_longer_axis_raises() -> None:
    with pytest.raises(ValueError, match="length 3"):
        nd.squeeze(nd.zeros((3, 1)), axis=0)


def test_flatten_of_a_vector_is_a_column() -> None:
    assert nd.flatten(nd.zeros(4)).shape == (4, 1)


def test_broadcast_axis_of_a_longer_axis_raises() -> None:
    with pytest.raises(ValueError, match="not 1"):
        nd.broadcast_axis(nd.zeros((2, 3)), axis=1, size=4)


def test_repeat_and_tile_gradients_count_copies() -> None:
    x = nd.array([1.0, 2.0])
    x.attach_grad()
    with autograd.record():
        y = nd.repeat(x, 3).sum() + nd.tile(x, 2).sum()
    y.backward()
    np.testing.assert_array_equal(x.grad.asnumpy(), [5.0, 5.0])


# ---- concat and stack -----------------------------------------------------------------------
def test_concat_defaults_to_axis_one() -> None:
    a, b = _x((2, 1, 4), 1), _x((2, 3, 4), 2)
    y = nd.concat(nd.array(a), nd.array(b))
    np.testing.assert_array_equal(y.asnumpy(), np.concatenate([a, b], axis=1).astype(np.float32))


@pytest.mark.parametrize("dim", [0, 1, 2, -1])
def test_concat_along_any_axis_differentiates(dim: int) -> None:
    a, b = _x((2, 3, 4), 3), _x((2, 3, 4), 4)
    np.testing.assert_array_equal(
        nd.concat(nd.array(a), nd.array(b), dim=dim).asnumpy(),
        np.concatenate([a, b], axis=dim).astype(np.float32),
    )
    check_grads(_weighted(lambda p, q, r: nd.concat(p, q, r, dim=dim)), a, b, _x((2, 3, 4), 5), order=2)


def test_concat_of_mismatched_shapes_raises() -> None:
    with pytest.raises(ValueError, match=r"array 2 has shape \(3, 2\)"):
        nd.concat(nd.zeros((2, 2)), nd.zeros((3, 2)), dim=1)


@pytest.mark.parametrize("axis", [0, 1, 2, -1])
def test_stack_matches_numpy_and_differentiates(axis: int) -> None:
    a, b = _x((2, 3), 6), _x((2, 3), 7)
    np.testing.assert_array_equal(
        nd.stack(nd.array(a), nd.array(b), axis=axis).asnumpy(),
        np.stack([a, b], axis=axis).astype(np.float32),
    )
    check_grads(_weighted(lambda p, q: nd.stack(p, q, axis=axis)), a, b, order=2)


def test_stack_of_different_shapes_raises() -> None:
    with pytest.raises(ValueError, match="array 2"):
        nd.stack(nd.zeros(2), nd.zeros(3))


# ---- split ----------------------------------------------------------------------------------
def test_split_returns_a_list_of_equal_parts() -> None:
    x = _x((2, 6))
    parts = nd.split(nd.array(x), num_outputs=3)
    assert isinstance(parts, list) and len(parts) == 3
    for got, want in zip(parts, np.split(x, 3, axis=1), strict=True):
        np.testing.assert_array_equal(got.asnumpy(), want.astype(np.float32))


def test_split_with_one_output_returns_the_array_as_mxnet() -> None:
    assert isinstance(nd.split(nd.zeros((2, 2)), num_outputs=1), nd.NDArray)


def test_split_squeeze_axis_removes_the_axis() -> None:
    parts = nd.split(nd.zeros((3, 2, 4)), num_outputs=2, axis=1, squeeze_axis=True)
    assert [p.shape for p in parts] == [(3, 4), (3, 4)]


def test_split_into_unequal_parts_raises() -> None:
    with pytest.raises(ValueError, match="3 equal parts"):
        nd.split(nd.zeros((2, 4)), num_outputs=3)


def test_split_gradient_of_some_outputs_only() -> None:
    check_grads(_weighted(lambda x: nd.split(x, 2, axis=2)[1]), _x(), order=2)


def test_split_gradient_of_all_outputs_with_squeeze() -> None:
    def f(x: nd.NDArray) -> nd.NDArray:
        a, b, c = nd.split(x, 3, axis=1, squeeze_axis=True)
        return a * b * c

    check_grads(f, _x(), order=2)


def test_split_method_matches_function() -> None:
    x = nd.arange(8).reshape((2, 4))
    for m, f in zip(x.split(2, axis=1), nd.split(x, 2, axis=1), strict=True):
        np.testing.assert_array_equal(m.asnumpy(), f.asnumpy())


# ---- cast -----------------------------------------------------------------------------------
def test_cast_converts_and_differentiates_between_floats() -> None:
    x = nd.array([1.5, 2.5])
    x.attach_grad()
    with autograd.record():
        y = nd.cast(x, "float64")
        z = y * y
    z.backward()
    assert y.dtype == np.float64 and x.grad.dtype == np.float32
    np.testing.assert_array_equal(x.grad.asnumpy(), [3.0, 5.0])


def test_stop_gradient_blocks_the_gradient() -> None:
    x = nd.array([2.0])
    x.attach_grad()
    with autograd.record():
        y = nd.BlockGrad(x * x) * x
    y.backward()
    assert x.grad.asscalar() == 4.0


@pytest.mark.parametrize(
    "call",
    [
        lambda x: nd.expand_dims(x, 10),
        lambda x: nd.squeeze(x, axis=5),
        lambda x: nd.swapaxes(x, 0, 4),
        lambda x: nd.sum(x, axis=3),
        lambda x: nd.concat(x, x, dim=7),
    ],
    ids=["expand_dims", "squeeze", "swapaxes", "sum", "concat"],
)
def test_an_axis_out_of_range_raises_naming_it(call: Any) -> None:
    # Out-of-range axes once wrapped silently (squeeze) or went to the end (expand_dims).
    with pytest.raises(ValueError, match="out of range"):
        call(nd.ones((2, 1, 3)))
