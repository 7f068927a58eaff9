"""Reductions with axis / keepdims / exclude: values against NumPy, second derivatives."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pytest

from tape import autograd, nd
from tape.testing import check_grads

REDUCTIONS = [
    ("sum", nd.sum, np.sum),
    ("mean", nd.mean, np.mean),
    ("max", nd.max, np.max),
    ("min", nd.min, np.min),
    ("prod", nd.prod, np.prod),
    ("nansum", nd.nansum, np.nansum),
]
IDS = [r[0] for r in REDUCTIONS]
# (axis, keepdims, exclude) and the NumPy axes they mean for a 3-D array
AXES = [
    ((None, False, False), None),
    ((1, False, False), 1),
    ((-1, True, False), -1),
    (((0, 2), False, False), (0, 2)),
    ((1, False, True), (0, 2)),
    (((0, 1), True, True), 2),
    (((), False, False), None),
]


def _data(seed: int = 0) -> np.ndarray:
    # Distinct values (no ties for max/min), away from zero (prod stays well scaled).
    rng = np.random.default_rng(seed)
    return (rng.permutation(24).reshape(2, 3, 4) / 24 + 0.5) * rng.choice([-1, 1], (2, 3, 4))


@pytest.mark.parametrize(("spec", "np_axis"), AXES, ids=str)
@pytest.mark.parametrize(("name", "op", "ref"), REDUCTIONS, ids=IDS)
def test_value_matches_numpy(name: str, op: Any, ref: Any, spec: Any, np_axis: Any) -> None:
    axis, keepdims, exclude = spec
    x = _data()
    y = op(nd.array(x, dtype="float64"), axis=axis, keepdims=keepdims, exclude=exclude)
    want = np.asarray(ref(x, axis=np_axis, keepdims=keepdims))
    np.testing.assert_allclose(y.asnumpy(), want.reshape(want.shape or (1,)), rtol=1e-12)


@pytest.mark.parametrize(("spec", "np_axis"), AXES[:6], ids=str)
@pytest.mark.parametrize(("name", "op", "ref"), REDUCTIONS, ids=IDS)
def test_derivatives_to_second_order(name: str, op: Any, ref: Any, spec: Any, np_axis: Any) -> None:
    axis, keepdims, exclude = spec
    # Squared, so that second derivatives are not trivially zero.
    check_grads(lambda x: op(x, axis=axis, keepdims=keepdims, exclude=exclude) ** 2, _data(1), order=2)


def test_full_reduction_has_shape_one() -> None:
    x = nd.ones((2, 3))
    for op in (nd.sum, nd.mean, nd.max, nd.min, nd.prod, nd.norm, nd.argmax, nd.argmin):
        assert op(x).shape == (1,), op.__name__


def test_max_ties_share_the_gradient() -> None:
    x = nd.array([[1.0, 3.0, 3.0]])
    x.attach_grad()
    with autograd.record():
        y = nd.max(x, axis=1)
    y.backward()
    np.testing.assert_array_equal(x.grad.asnumpy(), [[0, 0.5, 0.5]])


def test_prod_gradient_is_exact_where_values_are_zero() -> None:
    x = np.array([[0.0, 2.0, 3.0], [0.0, 0.0, 5.0], [1.5, 2.0, 4.0]])
    v = nd.array(x)
    v.attach_grad()
    with autograd.record():
        y = nd.prod(v, axis=1)
    y.backward()
    np.testing.assert_array_equal(v.grad.asnumpy(), [[6, 0, 0], [0, 0, 0], [8, 6, 3]])
    check_grads(lambda a: nd.prod(a, axis=1), x, order=2)


def test_prod_recorded_and_plain_agree() -> None:
    x = nd.array(_data(2))
    plain = nd.prod(x, axis=(0, 2))
    x.attach_grad()
    with autograd.record():
        taped = nd.prod(x, axis=(0, 2))
    np.testing.assert_allclose(taped.asnumpy(), plain.asnumpy(), rtol=1e-6)


def test_prod_of_many_values_differentiates() -> None:
    check_grads(lambda a: nd.prod(a), np.random.default_rng(3).uniform(0.8, 1.2, (7, 3)), order=2)


def test_nansum_skips_nans_and_gives_them_zero_gradient() -> None:
    x = nd.array([1.0, np.nan, 2.0])
    x.attach_grad()
    with autograd.record():
        y = nd.nansum(x * 3)
    y.backward()
    assert y.asscalar() == 9.0
    np.testing.assert_array_equal(x.grad.asnumpy(), [3, 0, 3])


def test_reduction_axis_out_of_range_raises() -> None:
    with pytest.raises(ValueError, match="axis 2 is out of range"):
        nd.sum(nd.ones((2, 3)), axis=2)


# ---- norm ---------------------------------------------------------------------------------
@pytest.mark.parametrize("ord_", [1, 2])
@pytest.mark.parametrize(("axis", "np_axis"), [(None, None), (1, 1), ((0, 1), (0, 1)), (-1, -1)], ids=str)
def test_norm_matches_numpy(ord_: int, axis: Any, np_axis: Any) -> None:
    x = _data(4)[0]
    want = np.sum(np.abs(x), axis=np_axis) if ord_ == 1 else np.sqrt(np.sum(x * x, axis=np_axis))
    got = nd.norm(nd.array(x, dtype="float64"), ord=ord_, axis=axis)
    np.testing.assert_allclose(got.asnumpy(), np.reshape(want, np.shape(want) or (1,)), rtol=1e-12)
    check_grads(lambda a: nd.norm(a, ord=ord_, axis=axis), x, order=2)


def test_norm_keepdims_and_out_dtype() -> None:
    y = nd.norm(nd.ones((2, 3)), axis=1, keepdims=True, out_dtype="float64")
    assert y.shape == (2, 1) and y.dtype == np.float64


def test_norm_with_unsupported_ord_raises() -> None:
    with pytest.raises(ValueError, match="ord=1 and ord=2"):
        nd.norm(nd.ones(2), ord=3)


# ---- argmax / argmin ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("op", "ref"), [(nd.argmax, np.argmax), (nd.argmin, np.argmin)], ids=["argmax", "argmin"]
)
@pytest.mark.parametrize("axis", [0, 1, -1])
def test_arg_reductions_give_float32_indices(op: Any, ref: Any, axis: int) -> None:
    x = _data(5)[1]
    y = op(nd.array(x), axis=axis)
    assert y.dtype == np.float32
    np.testing.assert_array_equal(y.asnumpy(), ref(x, axis=axis))


def test_argmax_keepdims_and_flattened() -> None:
    x = nd.array([[1, 5], [7, 2]])
    assert nd.argmax(x, axis=1, keepdims=True).shape == (2, 1)
    assert nd.argmax(x).asscalar() == 2


def test_fluent_reductions_equal_functions() -> None:
    x = nd.array(_data(6))
    for name in ("sum", "mean", "max", "min", "prod", "nansum", "norm"):
        np.testing.assert_array_equal(
            getattr(x, name)(axis=1).asnumpy(), getattr(nd, name)(x, axis=1).asnumpy()
        )
    np.testing.assert_array_equal(x.argmax(axis=2).asnumpy(), nd.argmax(x, axis=2).asnumpy())


# Empty arrays: (shape, axis) pairs where some reduced axis has length 0.
EMPTY = [((0,), None), ((2, 0), None), ((2, 0), 1), ((0, 3), 0), ((0, 3), 1), ((2, 0, 3), (0, 1))]
EMPTY_REDUCTIONS = [
    ("sum", nd.sum, np.sum),
    ("nansum", nd.nansum, np.nansum),
    ("prod", nd.prod, np.prod),
    ("mean", nd.mean, np.mean),
    ("norm", nd.norm, lambda a, axis: np.sqrt(np.sum(a * a, axis=axis))),
]


def _warned(f: Any) -> tuple[Any, list[str]]:
    """What `f()` returns, and the messages of the warnings it gives."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = f()
    return out, [str(w.message) for w in caught]


@pytest.mark.parametrize(("shape", "axis"), EMPTY, ids=str)
@pytest.mark.parametrize(("name", "op", "ref"), EMPTY_REDUCTIONS, ids=[r[0] for r in EMPTY_REDUCTIONS])
def test_empty_reductions_agree_recorded_plain_and_with_numpy(
    name: str, op: Any, ref: Any, shape: tuple[int, ...], axis: Any
) -> None:
    want, numpy_warnings = _warned(lambda: np.asarray(ref(np.zeros(shape, np.float32), axis=axis)))
    plain, plain_warnings = _warned(lambda: op(nd.zeros(shape), axis=axis))
    x = nd.zeros(shape)
    x.attach_grad()
    with autograd.record():
        taped, taped_warnings = _warned(lambda: op(x, axis=axis))
    _, backward_warnings = _warned(taped.backward)
    np.testing.assert_array_equal(plain.asnumpy(), want.reshape(want.shape or (1,)))
    np.testing.assert_array_equal(taped.asnumpy(), plain.asnumpy())
    # The mean of nothing warns as NumPy's does ("Mean of empty slice"); nothing else warns.
    assert plain_warnings == taped_warnings == numpy_warnings
    assert backward_warnings == []
    assert x.grad is not None and x.grad.shape == shape


@pytest.mark.parametrize("recorded", [False, True])
@pytest.mark.parametrize("op", [nd.max, nd.min])
def test_max_and_min_of_nothing_raise_naming_the_empty_reduction(op: Any, recorded: bool) -> None:
    x = nd.zeros((2, 0))
    if recorded:
        x.attach_grad()
    with (
        autograd.record(),
        pytest.raises(ValueError, match=r"shape \(2, 0\) over axes \(1,\).*zero elements"),
    ):
        op(x, axis=1)
    with pytest.raises(ValueError):
        np.max(np.zeros((2, 0)), axis=1)  # NumPy refuses the same reduction


def test_max_over_a_nonempty_axis_of_an_empty_array_is_empty() -> None:
    x = nd.zeros((0, 3))
    assert nd.max(x, axis=1).shape == np.max(np.zeros((0, 3)), axis=1).shape == (0,)
