"""LRN, L2Normalization, GroupNorm.

Values against loops in NumPy written here and against literals from MXNet 1.9.1 (float64,
float32 for LRN, which MXNet computes only in float32); derivatives against finite differences
to second order (the NORMS table).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from tape import autograd, nd
from tape.errors import ArgumentError
from tape.testing import check_grads

X = np.sin(np.arange(2 * 5 * 2 * 3)).reshape(2, 5, 2, 3)  # (N, C, H, W), the data of the literals
G = np.arange(24).reshape(2, 4, 3) * 0.1 + np.sin(np.arange(24)).reshape(2, 4, 3)


def _f64(values: Any) -> nd.NDArray:
    return nd.array(values, dtype="float64")


def _x(shape: tuple[int, ...], seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).uniform(-1, 1, shape)


def _weighted(f: Any) -> Any:
    """`f`'s result squared and weighted: a normalised output sums to a constant, so the plain
    sum would check nothing."""

    def g(*args: nd.NDArray) -> nd.NDArray:
        y = f(*args)
        w = nd.array(np.linspace(0.5, 1.5, y.size).reshape(y.shape), dtype="float64")
        return y * y * w

    return g


# ---- LRN --------------------------------------------------------------------------------------
def _lrn_loops(x: np.ndarray, alpha: float, beta: float, knorm: float, nsize: int) -> np.ndarray:
    out = np.empty_like(x)
    channels, half = x.shape[1], nsize // 2
    for c in range(channels):
        window = range(max(0, c - half), min(channels, c + half + 1))
        s = sum(x[:, j] ** 2 for j in window)
        out[:, c] = x[:, c] / (knorm + alpha / nsize * s) ** beta
    return out


@pytest.mark.parametrize(
    ("shape", "params"),
    [
        ((2, 5, 2, 3), {"alpha": 0.5, "beta": 0.75, "knorm": 1.5, "nsize": 3}),
        ((3, 4, 5), {"alpha": 2.0, "beta": 0.5, "knorm": 1.0, "nsize": 5}),
        ((2, 3, 1, 2, 2), {"nsize": 7}),
        ((4, 3), {"alpha": 1.0, "nsize": 1}),
    ],
)
def test_lrn_matches_a_loop_over_channels(shape: tuple[int, ...], params: dict[str, Any]) -> None:
    x = _x(shape)
    full = {"alpha": 1e-4, "beta": 0.75, "knorm": 2.0, **params}
    want = _lrn_loops(x, full["alpha"], full["beta"], full["knorm"], full["nsize"])
    np.testing.assert_allclose(nd.LRN(_f64(x), **params).asnumpy(), want, rtol=1e-12)


def test_lrn_matches_mxnet_in_float32() -> None:
    y = nd.LRN(nd.array(X), nsize=3, alpha=0.5, beta=0.75, knorm=1.5)
    assert y.dtype == np.float32
    want = [
        [0.00000000, 0.56771922, 0.58489937],
        [-0.20007779, 0.43755105, 0.59623271],
        [-0.36773199, 0.29464167, 0.59673315],
        [-0.48759890, 0.10862349, 0.56426901],
        [-0.60015613, -0.09732346, 0.50424689],
    ]
    np.testing.assert_allclose(y.asnumpy()[0, :, 0, :], want, rtol=1e-6, atol=1e-7)
    y = nd.LRN(nd.array(X), nsize=5, alpha=2.0, beta=0.5, knorm=1.0)
    np.testing.assert_allclose(
        y.asnumpy()[1, :, 1, 0], [0.69648486, 0.64384967, 0.55902112, 0.48408037, 0.35085773]
    )


# ---- L2Normalization --------------------------------------------------------------------------
# MXNet 1.9.1's L2Normalization(X, eps=0.01) by mode, float64: [0, :, 0, :].
L2_MXNET = {
    "instance": [
        [0.00000000, 0.22044338, 0.23821213],
        [-0.07319955, 0.17211330, 0.25918597],
        [-0.14056806, 0.11007277, 0.25951321],
        [-0.19673901, 0.03926391, 0.23916777],
        [-0.23723784, -0.03467270, 0.19977036],
    ],
    "channel": [
        [0.00000000, 0.71990963, 0.44306349],
        [-0.21061511, 0.56207640, 0.48207385],
        [-0.40445274, 0.35946848, 0.48268249],
        [-0.56607190, 0.12822551, 0.44484092],
        [-0.68259810, -0.11323183, 0.37156358],
    ],
    "spatial": [
        [0.00000000, 0.48126537, 0.52005758],
        [-0.16228871, 0.38158766, 0.57463409],
        [-0.31586065, 0.24733681, 0.58313394],
        [-0.44515317, 0.08884081, 0.54115495],
        [-0.53571022, -0.07829492, 0.45110436],
    ],
}


@pytest.mark.parametrize("mode", list(L2_MXNET))
def test_l2normalization_matches_mxnet_and_a_numpy_loop(mode: str) -> None:
    y = nd.L2Normalization(_f64(X), mode=mode, eps=0.01).asnumpy()
    np.testing.assert_allclose(y[0, :, 0, :], L2_MXNET[mode], rtol=1e-7, atol=1e-8)
    want = np.empty_like(X)
    for n in range(X.shape[0]):
        if mode == "instance":
            want[n] = X[n] / np.sqrt((X[n] ** 2).sum() + 0.01)
        for c in range(X.shape[1]):
            if mode == "spatial":
                want[n, c] = X[n, c] / np.sqrt((X[n, c] ** 2).sum() + 0.01)
            for i, j in np.ndindex(*X.shape[2:]):
                if mode == "channel":
                    want[n, c, i, j] = X[n, c, i, j] / np.sqrt((X[n, :, i, j] ** 2).sum() + 0.01)
    np.testing.assert_allclose(y, want, rtol=1e-12)


def test_l2normalization_of_the_documented_example_in_float32() -> None:
    x = nd.array([[[1, 2], [3, 4]], [[2, 2], [5, 6]]])
    y = nd.L2Normalization(x, mode="spatial")
    assert y.dtype == np.float32
    np.testing.assert_allclose(y.asnumpy()[1], [[0.70710677, 0.70710677], [0.6401844, 0.76822126]], rtol=1e-6)


def test_l2normalization_of_a_vector_normalises_the_whole_vector() -> None:
    # As MXNet's documentation says; MXNet 1.9.1 itself gives [1, 1] (each element alone).
    np.testing.assert_allclose(nd.L2Normalization(nd.array([3, 4])).asnumpy(), [0.6, 0.8], rtol=1e-6)


# ---- GroupNorm --------------------------------------------------------------------------------
def test_groupnorm_matches_mxnet_with_one_gamma_per_group_and_its_statistics() -> None:
    y, mean, std = nd.GroupNorm(
        _f64(G), _f64([1.5, 2.0]), _f64([0.1, -0.2]), num_groups=2, eps=0.01, output_mean_var=True
    )
    want = [
        [-0.58563808, 1.72502816, 2.13692710],
        [0.49700932, -1.46134375, -1.71198275],
        [-1.99736209, 1.27880452, 2.64557284],
        [1.13697210, -1.56936743, -2.69461994],
    ]
    np.testing.assert_allclose(y.asnumpy()[0], want, rtol=1e-7)
    np.testing.assert_allclose(
        mean.asnumpy(), [[0.27936027, 0.88917275], [1.49586475, 2.09890319]], rtol=1e-7
    )
    np.testing.assert_allclose(std.asnumpy(), [[0.61116852, 0.63269194], [0.66323886, 0.70164815]], rtol=1e-7)


def test_groupnorm_with_one_group_matches_mxnet() -> None:
    y = nd.GroupNorm(_f64(X), _f64([1.5]), _f64([0.1]))
    want = [[-2.02333403, -0.79609149, 1.21178275], [-2.03120870, -1.29939324, 0.67578723]]
    np.testing.assert_allclose(y.asnumpy()[1, :2, 0, :], want, rtol=1e-7)


def _groupnorm_loops(
    x: np.ndarray, gamma: np.ndarray, beta: np.ndarray, groups: int, eps: float
) -> np.ndarray:
    out = np.empty_like(x)
    size = x.shape[1] // groups
    for n in range(x.shape[0]):
        for g in range(groups):
            part = x[n, g * size : (g + 1) * size]
            out[n, g * size : (g + 1) * size] = (part - part.mean()) / np.sqrt(part.var() + eps)
    shape = (1, -1) + (1,) * (x.ndim - 2)
    if gamma.size == groups:
        gamma, beta = np.repeat(gamma, size), np.repeat(beta, size)
    return out * gamma.reshape(shape) + beta.reshape(shape)


@pytest.mark.parametrize("per", ["group", "channel"])
def test_groupnorm_takes_gamma_and_beta_per_group_or_per_channel(per: str) -> None:
    x = _x((3, 6, 2, 5))
    k = 3 if per == "group" else 6
    gamma, beta = _x((k,), 1), _x((k,), 2)
    y = nd.GroupNorm(_f64(x), _f64(gamma), _f64(beta), num_groups=3, eps=0.1)
    np.testing.assert_allclose(y.asnumpy(), _groupnorm_loops(x, gamma, beta, 3, 0.1), rtol=1e-10)


def test_the_norms_of_float32_data_stay_float32_and_integers_become_float32() -> None:
    for data in (nd.array(X), nd.array(X * 10, dtype="int32")):
        assert nd.LRN(data, nsize=3).dtype == np.float32
        assert nd.L2Normalization(data).dtype == np.float32
        assert nd.GroupNorm(data, nd.ones(5), nd.zeros(5), num_groups=5).dtype == np.float32


def test_groupnorm_statistics_differentiate() -> None:
    x = _f64(G)
    x.attach_grad()
    with autograd.record():
        _, mean, std = nd.GroupNorm(x, nd.ones(2), nd.zeros(2), num_groups=2, output_mean_var=True)
        total = (mean + std).sum()
    total.backward()
    assert np.abs(x.grad.asnumpy()).sum() > 0


ONES = nd.ones((1, 4, 2))


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: nd.LRN(nd.ones((1, 3, 2, 2)), nsize=2), r"nd\.LRN: nsize must be odd"),
        (lambda: nd.LRN(nd.ones(3), nsize=3), r"nd\.LRN: data must have 2 axes or more"),
        (lambda: nd.LRN(nd.ones((1, 3)), nsize=-1), r"nd\.LRN: nsize must be 0 or more"),
        (lambda: nd.L2Normalization(nd.ones((2, 2)), mode="channel"), r"data must have 3 axes or more"),
        (lambda: nd.L2Normalization(nd.ones((2, 2)), mode="row"), r"mode must be one of"),
        (lambda: nd.L2Normalization(nd.ones((2, 2)), eps=-1), r"eps must be 0.0 or more"),
        (lambda: nd.GroupNorm(nd.ones((1, 4)), nd.ones(2), nd.ones(2), num_groups=2), r"3 axes or more"),
        (lambda: nd.GroupNorm(ONES, nd.ones(3), nd.ones(3), num_groups=3), r"num_groups must divide"),
        (lambda: nd.GroupNorm(ONES, nd.ones(3), nd.ones(2), num_groups=2), r"gamma has shape \(3,\)"),
        (lambda: nd.GroupNorm(ONES, nd.ones(4), nd.ones(1), num_groups=2), r"beta has shape \(1,\)"),
    ],
    ids=["nsize even", "lrn 1-D", "nsize negative", "l2 axes", "l2 mode", "l2 eps", "gn axes", "gn groups",
         "gn gamma", "gn beta"],
)  # fmt: skip
def test_the_norms_refuse_arguments_naming_them(call: Any, message: str) -> None:
    with pytest.raises(ArgumentError, match=rf"^nd\.\w+: .*{message}|{message}"):
        call()


# ---- derivatives --------------------------------------------------------------------------------
NORMS = [
    (nd.LRN, lambda x: nd.LRN(x, alpha=0.5, beta=0.75, knorm=1.5, nsize=3), ((2, 5, 2, 3),)),
    (nd.LRN, lambda x: nd.LRN(x, alpha=2.0, beta=1.5, knorm=1.0, nsize=5), ((3, 4, 3),)),
    (nd.L2Normalization, lambda x: nd.L2Normalization(x, eps=0.1), ((3, 2, 3),)),
    (nd.L2Normalization, lambda x: nd.L2Normalization(x, mode="channel"), ((2, 3, 2, 2),)),
    (nd.L2Normalization, lambda x: nd.L2Normalization(x, mode="spatial", eps=0.01), ((2, 3, 5),)),
    (
        nd.GroupNorm,
        lambda x, g, b: nd.GroupNorm(x, g, b, num_groups=2, eps=0.1),
        ((2, 4, 3), (2,), (2,)),
    ),
    (
        nd.GroupNorm,
        lambda x, g, b: nd.GroupNorm(x, g, b, num_groups=3, eps=0.1),
        ((2, 6, 2, 3), (6,), (6,)),
    ),
    (
        nd.GroupNorm,
        lambda x: nd.GroupNorm(x, nd.ones(2), nd.zeros(2), num_groups=2, output_mean_var=True)[2],
        ((3, 4, 5),),
    ),
]


@pytest.mark.parametrize(("op", "f", "shapes"), NORMS)
def test_norm_derivatives_to_second_order(op: Any, f: Any, shapes: tuple[tuple[int, ...], ...]) -> None:
    check_grads(
        _weighted(f), *[_x(shape, seed) for seed, shape in enumerate(shapes)], order=2, rtol=1e-4, atol=1e-6
    )
