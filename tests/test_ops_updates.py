"""The fused optimizer updates (`nd.sgd_update`, `nd.sgd_mom_update`, `nd.adam_update`,
`nd.rmsprop_update`): MXNet's formulas, in-place writes through `out=` and into the states,
and the refusals.

The expected values are literals measured on MXNet 1.9.1 (float32, the same inputs); tape
matched them bit for bit when they were measured.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from tape import autograd, nd
from tape.errors import ArgumentError, AutogradError

W = [[0.5, -1.25, 2.0], [3.0, -0.75, 0.1]]
G = [[0.3, -2.0, 0.05], [1.5, 0.2, -0.4]]
S1 = [[0.1, 0.2, 0.3], [-0.1, -0.2, -0.3]]  # a momentum, a mean
S2 = [[0.01, 0.02, 0.03], [0.04, 0.05, 0.06]]  # a variance, RMSProp's n
HYPER = {"lr": 0.1, "wd": 0.5, "rescale_grad": 2.0, "clip_gradient": 1.0}


def close(a: nd.NDArray, expected: Any) -> None:
    assert a.dtype == np.float32
    np.testing.assert_allclose(a.asnumpy(), np.array(expected, dtype=np.float32), rtol=1e-6, atol=1e-7)


# ---- values, against MXNet ------------------------------------------------------------------
def test_sgd_update_applies_wd_outside_the_clipped_rescaled_gradient() -> None:
    w, g = nd.array(W), nd.array(G)
    got = nd.sgd_update(w, g, lr=0.1, wd=0.01, rescale_grad=0.5, clip_gradient=0.5)
    close(got, [[0.4845, -1.19875, 1.9955], [2.947, -0.75925, 0.1199]])
    got = nd.sgd_update(w, g, lr=0.1, wd=0.5, clip_gradient=0.1)
    close(got, [[0.465, -1.1775, 1.895], [2.84, -0.7225, 0.105]])
    close(nd.sgd_update(w[0], g[0], lr=0.1, rescale_grad=3.0), [0.41, -0.65, 1.985])
    close(w, W)  # without out=, the weight is left as it was


def test_a_clip_gradient_of_zero_clips_the_gradient_to_zero_as_mxnet_does() -> None:
    # MXNet's documentation says clip_gradient <= 0 turns clipping off; its kernel clips at 0.
    w = nd.array(W)
    close(nd.sgd_update(w, nd.array(G), lr=0.1, clip_gradient=0.0), W)
    close(nd.sgd_update(w, nd.array(G), lr=0.1, clip_gradient=-0.5), nd.sgd_update(w, nd.array(G), lr=0.1))


def test_sgd_mom_update_updates_mom_in_place_and_returns_the_new_weight() -> None:
    w, mom = nd.array(W), nd.array(S1)
    got = nd.sgd_mom_update(w, nd.array(G), mom, momentum=0.9, **HYPER)
    close(got, [[0.505, -0.9075, 2.16], [2.66, -0.9325, -0.095]])
    close(mom, [[0.005, 0.3425, 0.16], [-0.34, -0.1825, -0.195]])
    close(w, W)


def test_sgd_mom_update_defaults_to_no_momentum() -> None:
    mom = nd.array(S1[0])
    got = nd.sgd_mom_update(nd.array(W[0]), nd.array(G[0]), mom, lr=0.1)
    close(got, [0.47, -1.05, 1.995])
    close(mom, [-0.03, 0.2, -0.005])


def test_adam_update_adds_wd_before_clipping_and_updates_mean_and_var() -> None:
    w, mean, var = nd.array(W), nd.array(S1), nd.array(S2)
    got = nd.adam_update(w, nd.array(G), mean, var, **HYPER)
    close(got, [[0.33091977, -1.3052316, 1.7897524], [2.995059, -0.6705804, 0.24025956]])
    close(mean, [[0.175, 0.08, 0.37], [0.01, -0.1775, -0.345]])
    close(var, [[0.010712491, 0.020979987, 0.030969987], [0.040959988, 0.049950626, 0.06050249]])


def test_adam_update_defaults_match_mxnet() -> None:
    mean, var = nd.array(S1[0]), nd.array(S2[0])
    got = nd.adam_update(nd.array(W[0]), nd.array(G[0]), mean, var, lr=0.1)
    close(got, [0.38047713, -1.2370846, 1.8411559])
    close(mean, [0.12, -0.02, 0.275])
    close(var, [0.01008, 0.023979949, 0.0299725])


def test_adam_update_has_no_bias_correction() -> None:
    # With bias correction the first step from zero states would be lr * sign(g) = 0.01;
    # MXNet's adam_update steps by lr * 0.1 * |g| / sqrt(0.001 * g * g), about 3.16 * lr.
    w, mean, var = nd.array([1.0]), nd.zeros(1), nd.zeros(1)
    close(nd.adam_update(w, nd.array([0.5]), mean, var, lr=0.01), [0.96837705])


def test_rmsprop_update_matches_mxnet_and_clips_the_weights() -> None:
    w, n = nd.array(W), nd.array(S2)
    got = nd.rmsprop_update(w, nd.array(G), n, clip_weights=2.5, **HYPER)
    close(got, [[0.10206017, -0.86930656, 1.6430848], [2.5, -0.76146704, 0.35705894]])
    close(n, [[0.045625012, 0.069000013, 0.07850001], [0.088000014, 0.04753125, 0.085125]])


def test_rmsprop_update_defaults_match_mxnet() -> None:
    n = nd.array(S2[0])
    got = nd.rmsprop_update(nd.array(W[0]), nd.array(G[0]), n, lr=0.1)
    close(got, [0.2464538, -0.82262623, 1.9704473])
    close(n, [0.014, 0.21900004, 0.028624998])


# ---- dtypes ---------------------------------------------------------------------------------
def test_the_weight_dtype_is_kept_and_hyperparameters_are_rounded_to_float32_as_in_mxnet() -> None:
    w16 = nd.array(W[0], dtype="float16")
    got16 = nd.sgd_update(w16, nd.array(G[0], dtype="float16"), lr=0.1)
    assert got16.dtype == np.float16
    assert got16.asnumpy().tolist() == [0.469970703125, -1.0498046875, 1.9951171875]
    w64 = nd.array([1.0], dtype="float64")
    got64 = nd.sgd_update(w64, w64, lr=0.1)
    assert got64.dtype == np.float64
    assert got64.asnumpy()[0] == 0.8999999985098839  # lr is float32's 0.1, as MXNet's C float


def test_an_integer_weight_is_refused_with_the_fix() -> None:
    w = nd.array([1, 2], dtype="int32")
    with pytest.raises(
        TypeError, match=r"^nd\.sgd_update: weight must be a floating-point .*astype\('float32'\)"
    ):
        nd.sgd_update(w, w, lr=0.1)


def test_a_state_of_another_dtype_or_shape_is_refused_naming_it() -> None:
    w = nd.array(W)
    with pytest.raises(
        TypeError, match=r"^nd\.adam_update: var has dtype float64, but weight has dtype float32"
    ):
        nd.adam_update(w, nd.array(G), nd.array(S1), nd.array(S2, dtype="float64"), lr=0.1)
    with pytest.raises(
        ArgumentError, match=r"^nd\.sgd_mom_update: mom has shape \(3,\), but weight has shape"
    ):
        nd.sgd_mom_update(w, nd.array(G), nd.zeros(3), lr=0.1)


# ---- in place -------------------------------------------------------------------------------
def test_out_weight_updates_the_weight_in_place_and_returns_it() -> None:
    w, mean, var = nd.array(W), nd.array(S1), nd.array(S2)
    got = nd.adam_update(w, nd.array(G), mean, var, out=w, **HYPER)
    assert got is w
    close(w, [[0.33091977, -1.3052316, 1.7897524], [2.995059, -0.6705804, 0.24025956]])


def test_out_another_array_leaves_the_weight_unchanged() -> None:
    w, target = nd.array(W[0]), nd.zeros(3)
    assert nd.sgd_update(w, nd.array(G[0]), lr=0.1, rescale_grad=3.0, out=target) is target
    close(target, [0.41, -0.65, 1.985])
    close(w, W[0])


def test_a_refused_out_leaves_the_states_unwritten() -> None:
    w, mean, var = nd.array(W), nd.array(S1), nd.array(S2)
    with pytest.raises(ArgumentError, match=r"^nd\.adam_update: out has shape \(3,\).*give out=weight"):
        nd.adam_update(w, nd.array(G), mean, var, lr=0.1, out=nd.zeros(3))
    with pytest.raises(ArgumentError, match=r"^nd\.rmsprop_update: out has .* dtype float64"):
        nd.rmsprop_update(w, nd.array(G), var, lr=0.1, out=nd.zeros((2, 3), dtype="float64"))
    close(mean, S1)
    close(var, S2)


def test_a_graph_that_read_the_weight_refuses_backward_after_the_update() -> None:
    # The update is noted for the version counters, as any in-place write is.
    w = nd.array([1.0, 2.0])
    w.attach_grad()
    with autograd.record():
        y = (w * w).sum()
    nd.sgd_update(w, nd.array([1.0, 1.0]), lr=0.5, out=w)
    with pytest.raises(AutogradError, match="modified in place"):
        y.backward()


# ---- recording ------------------------------------------------------------------------------
@pytest.mark.parametrize("out_weight", [True, False], ids=["out=weight", "new array"])
def test_inside_record_a_weight_in_the_graph_is_refused_with_the_fix(out_weight: bool) -> None:
    w, mom = nd.array([1.0, 2.0]), nd.zeros(2)
    w.attach_grad()
    with autograd.record():
        y = (w * w).sum()
        with pytest.raises(AutogradError, match=r"^nd\.sgd_mom_update: weight is in the graph.*after the"):
            nd.sgd_mom_update(w, nd.ones(2), mom, lr=0.1, out=w if out_weight else None)
    close(w, [1.0, 2.0])
    close(mom, [0.0, 0.0])
    y.backward()
    close(w.grad, [2.0, 4.0])


def test_inside_record_a_gradient_or_state_in_the_graph_is_refused_naming_it() -> None:
    x = nd.array([1.0, 2.0])
    x.attach_grad()
    with autograd.record():
        g = x * 2
        with pytest.raises(AutogradError, match=r"^nd\.sgd_update: grad is in the graph"):
            nd.sgd_update(nd.zeros(2), g, lr=0.1)
        with pytest.raises(AutogradError, match=r"^nd\.rmsprop_update: n is in the graph"):
            nd.rmsprop_update(nd.zeros(2), nd.ones(2), x, lr=0.1)


def test_inside_record_arrays_outside_the_graph_or_under_pause_are_updated() -> None:
    w, mom = nd.array([1.0, 2.0]), nd.zeros(2)
    with autograd.record():
        nd.sgd_mom_update(w, nd.ones(2), mom, lr=0.5, out=w)
    close(w, [0.5, 1.5])
    w.attach_grad()
    with autograd.record():
        (w * w).sum().backward()
        with autograd.pause():
            nd.sgd_update(w, w.grad, lr=0.25, out=w)
    close(w, [0.25, 0.75])


# ---- arguments ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("call", "arg"),
    [
        (lambda w: nd.sgd_update(w, [1.0, 2.0], lr=0.1), "grad"),  # type: ignore[arg-type]
        (lambda w: nd.sgd_mom_update(w, w, None, lr=0.1), "mom"),  # type: ignore[arg-type]
        (lambda w: nd.adam_update(w, w, w, "v", lr=0.1), "var"),  # type: ignore[arg-type]
        (lambda w: nd.rmsprop_update(w, w, 2.5, lr=0.1), "n"),  # type: ignore[arg-type]
        (lambda w: nd.sgd_update(w, w, lr="0.1"), "lr"),
        (lambda w: nd.adam_update(w, w, w, w, lr=0.1, beta1=None), "beta1"),  # type: ignore[arg-type]
        (lambda w: nd.rmsprop_update(w, w, w, lr=0.1, clip_weights=True), "clip_weights"),
        (lambda w: nd.sgd_mom_update(w, w, w, lr=0.1, lazy_update="yes"), "lazy_update"),  # type: ignore[arg-type]
    ],
    ids=["grad", "mom", "var", "n", "lr", "beta1", "clip_weights", "lazy_update"],
)
def test_a_wrong_argument_is_refused_naming_it(call: Any, arg: str) -> None:
    w = nd.array([1.0, 2.0])
    with pytest.raises(TypeError, match=rf"^nd\.\w+_update: {arg} must be"):
        call(w)
    close(w, [1.0, 2.0])


# ---- a whole program --------------------------------------------------------------------------
@pytest.mark.parametrize(
    "step",
    [
        lambda p, s: nd.sgd_mom_update(p, p.grad, s[0], lr=0.1, momentum=0.9, out=p),
        lambda p, s: nd.adam_update(p, p.grad, s[0], s[1], lr=0.05, out=p),
        lambda p, s: nd.rmsprop_update(p, p.grad, s[0], lr=0.01, out=p),
    ],
    ids=["sgd_mom", "adam", "rmsprop"],
)
def test_a_linear_regression_trained_with_the_updates_finds_its_weights(step: Any) -> None:
    rng = np.random.default_rng(0)
    x = nd.array(rng.normal(size=(64, 3)))
    y = nd.dot(x, nd.array([[2.0], [-3.0], [0.5]])) + 1.0
    w, b = nd.zeros((3, 1)), nd.zeros(1)
    params = [w, b]
    states = {id(p): (nd.zeros(p.shape), nd.zeros(p.shape)) for p in params}
    for p in params:
        p.attach_grad()
    for _ in range(400):
        with autograd.record():
            loss = ((nd.dot(x, w) + b - y) ** 2).mean()
        loss.backward()
        for p in params:
            step(p, states[id(p)])
    np.testing.assert_allclose(w.asnumpy().ravel(), [2.0, -3.0, 0.5], atol=0.02)
    np.testing.assert_allclose(b.asnumpy(), [1.0], atol=0.02)
