"""MXNet's flat names of nd.random (random_*, sample_*), the negative binomial samplers, and the
densities random_pdf_*: values against MXNet 1.9.1 (its results written in as literals) or
NumPy, derivatives of the densities against finite differences to second order."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from fake_cupy import FakeCupy

import tape
from tape import autograd, nd
from tape.errors import ArgumentError
from tape.testing import check_grads


@pytest.fixture(autouse=True)
def _seeded() -> None:
    nd.random.seed(1234)


def _u(lo: float, hi: float, shape: tuple[int, ...], seed: int) -> np.ndarray:
    return np.random.default_rng(seed).uniform(lo, hi, shape)


def _simplex(shape: tuple[int, ...]) -> np.ndarray:
    p = _u(0.2, 1.0, shape, 9)
    return p / p.sum(axis=-1, keepdims=True)


_COUNTS = [[0.0, 1.0, 3.0], [2.0, 5.0, 0.0]]


def _counts() -> nd.NDArray:
    return nd.array(_COUNTS, dtype="float64")


# (the density, the function checked, its arguments): samples (2, 3) for parameters (2,)
DENSITIES: list[tuple[Any, Any, list[np.ndarray]]] = [
    (
        nd.random_pdf_normal,
        lambda s, m, sd: nd.random_pdf_normal(s, m, sd),
        [_u(-1, 1, (2, 3), 0), _u(-0.5, 0.5, (2,), 1), _u(0.5, 1.5, (2,), 2)],
    ),
    (
        nd.random_pdf_normal,
        lambda s, m, sd: nd.random_pdf_normal(s, m, sd, is_log=True),
        [_u(-1, 1, (2, 3), 0), _u(-0.5, 0.5, (2,), 1), _u(0.5, 1.5, (2,), 2)],
    ),
    (
        nd.random_pdf_uniform,
        lambda s, lo, hi: nd.random_pdf_uniform(s, lo, hi),
        [_u(-0.4, 0.4, (2, 3), 0), _u(-1, -0.5, (2,), 1), _u(1, 1.5, (2,), 2)],
    ),
    (
        nd.random_pdf_exponential,
        lambda s, lam: nd.random_pdf_exponential(s, lam),
        [_u(0.2, 2, (2, 3), 0), _u(0.5, 2, (2,), 1)],
    ),
    (
        nd.random_pdf_gamma,
        lambda s, a, b: nd.random_pdf_gamma(s, a, b, is_log=True),
        [_u(0.5, 2, (2, 3), 0), _u(1.5, 3, (2,), 1), _u(0.5, 2, (2,), 2)],
    ),
    (
        nd.random_pdf_gamma,
        lambda s, a, b: nd.random_pdf_gamma(s, a, b),
        [_u(0.5, 2, (2, 3, 2), 0), _u(1.5, 3, (2,), 1), _u(0.5, 2, (2,), 2)],
    ),
    # The counts of the discrete ones are not differentiated (MXNet's gradient there is zero).
    (nd.random_pdf_poisson, lambda lam: nd.random_pdf_poisson(_counts(), lam), [_u(0.5, 3, (2,), 1)]),
    (
        nd.random_pdf_negative_binomial,
        lambda k, p: nd.random_pdf_negative_binomial(_counts(), k, p),
        [_u(1, 3, (2,), 1), _u(0.2, 0.8, (2,), 2)],
    ),
    (
        nd.random_pdf_generalized_negative_binomial,
        lambda mu, a: nd.random_pdf_generalized_negative_binomial(_counts(), mu, a, is_log=True),
        [_u(1, 3, (2,), 1), _u(0.2, 1, (2,), 2)],
    ),
    (
        nd.random_pdf_dirichlet,
        lambda s, a: nd.random_pdf_dirichlet(s, a),
        [_simplex((2, 2, 3)), _u(0.5, 3, (2, 3), 1)],
    ),
]
IDS = [f"{row[0].__name__}-{k}" for k, row in enumerate(DENSITIES)]


@pytest.mark.parametrize(("op", "f", "args"), DENSITIES, ids=IDS)
def test_density_derivatives_to_second_order(op: Any, f: Any, args: list[np.ndarray]) -> None:
    check_grads(f, *args, order=2)


# ---- values as MXNet 1.9.1 gives them ----------------------------------------------------------
S = [[0.5, 1.5, 2.0], [1.0, 0.2, 3.0]]


def _close(got: nd.NDArray, want: Any, dtype: str = "float32") -> None:
    assert got.dtype == np.dtype(dtype), got.dtype
    np.testing.assert_allclose(got.asnumpy(), want, rtol=2e-6)


def test_continuous_densities_as_mxnet() -> None:
    s = nd.array(S)
    _close(
        nd.random_pdf_normal(s, nd.array([0, 1]), nd.array([1, 2])),
        [[0.35206532, 0.1295176, 0.05399097], [0.19947115, 0.18413506, 0.12098536]],
    )
    _close(
        nd.random_pdf_normal(s, nd.array([0, 1]), nd.array([1, 2]), is_log=True),
        [[-1.0439385, -2.0439386, -2.9189386], [-1.6120857, -1.6920857, -2.1120858]],
    )
    _close(
        nd.random_pdf_exponential(s, nd.array([1, 2])),
        [[0.60653067, 0.22313017, 0.13533528], [0.27067056, 1.3406401, 0.0049575]],
    )
    _close(  # beta is a rate here, as in MXNet's density
        nd.random_pdf_gamma(s, nd.array([1, 2]), nd.array([1, 0.5])),
        [[0.60653067, 0.22313017, 0.13533528], [0.15163267, 0.04524187, 0.16734762]],
    )
    inside = nd.array([[0.5, 0.7, 0.9], [1.0, 0.6, 1.9]])
    _close(nd.random_pdf_uniform(inside, nd.array([0, 0.5]), nd.array([1, 2])), [[1, 1, 1], [2 / 3] * 3])
    _close(
        nd.random_pdf_dirichlet(nd.array([[[0.2, 0.3, 0.5], [0.1, 0.1, 0.8]]]), nd.array([[1, 2, 3]])),
        [[4.5, 3.84]],
    )
    assert nd.random_pdf_dirichlet(nd.ones((2, 4, 3)) / 3, nd.ones((2, 3))).shape == (2, 4)
    double = nd.random_pdf_normal(
        nd.array([0.5, 1.0], dtype="float64"), nd.zeros(2, dtype="float64"), nd.ones(2)
    )
    assert double.dtype == np.float64


def test_discrete_densities_as_mxnet() -> None:
    k = nd.array([[0, 1, 3], [2, 5, 0]])
    _close(
        nd.random_pdf_poisson(k, nd.array([1, 2])),
        [[0.36787945, 0.36787945, 0.06131324], [0.27067056, 0.03608941, 0.13533528]],
    )
    _close(
        nd.random_pdf_negative_binomial(k, nd.array([2, 3]), nd.array([0.4, 0.7])),
        [[0.16000001, 0.19200002, 0.13824002], [0.18522, 0.01750329, 0.343]],
    )
    _close(
        nd.random_pdf_generalized_negative_binomial(k, nd.array([2, 3]), nd.array([0.4, 0.7])),
        [[0.23004812, 0.25560904, 0.13253802], [0.15812215, 0.0675269, 0.19863454]],
    )
    _close(nd.random_pdf_poisson(nd.array([[0, 1]], dtype="int32"), nd.array([1])), [[0.36787945] * 2])


def test_density_gradients_as_mxnet() -> None:
    # MXNet 1.9.1's gradients of the log-densities (the counts of a discrete one get zero).
    s, mu, sd = nd.array(S), nd.array([0, 1]), nd.array([1, 2])
    k, lam = nd.array([[0, 1, 3], [2, 5, 0]]), nd.array([1, 2])
    for a in (s, mu, sd, k, lam):
        a.attach_grad()
    with autograd.record():
        y = (
            nd.random_pdf_normal(s, mu, sd, is_log=True).sum()
            + nd.random_pdf_poisson(k, lam, is_log=True).sum()
        )
    y.backward()
    _close(s.grad, [[-0.5, -1.5, -2.0], [0.0, 0.2, -0.5]])
    _close(mu.grad, [4.0, 0.3])
    _close(sd.grad, [3.5, -0.92])
    _close(k.grad, [[0, 0, 0], [0, 0, 0]])
    _close(lam.grad, [1.0, 0.5])


def test_densities_are_zero_outside_their_support() -> None:
    # MXNet gives the formula's value there: 1 / (high - low) outside [low, high], lam e^(-lam x) for x < 0
    _close(nd.random_pdf_uniform(nd.array([[-0.5, 0.5, 1.5]]), nd.array([0]), nd.array([1])), [[0, 1, 0]])
    _close(nd.random_pdf_exponential(nd.array([[-1.0, 0.0]]), nd.array([2])), [[0, 2]])
    _close(nd.random_pdf_gamma(nd.array([[-1.0, 1.0]]), nd.array([2]), nd.array([1])), [[0, math.exp(-1)]])
    _close(nd.random_pdf_gamma(nd.array([[-1.0]]), nd.array([2]), nd.array([1]), is_log=True), [[-np.inf]])


def test_densities_on_a_gpu_never_wait_for_it(two_gpus: FakeCupy) -> None:
    gpu = tape.gpu(0)  # the current device: arrays made from nothing land there (see tape._xp)
    x, a, b = nd.array([[-1.0, 1.0]], ctx=gpu), nd.array([2], ctx=gpu), nd.array([1], ctx=gpu)
    for v in (x, a, b):
        v.attach_grad()
    with two_gpus.counting() as counts:
        with autograd.record():
            total = (
                nd.random_pdf_gamma(x, a, b)
                + nd.random_pdf_uniform(x, a - 3, b)
                + nd.random_pdf_normal(x, a, b)
            ).sum()
        total.backward()
    assert counts["syncs"] == 0 and total.context == gpu and x.grad is not None and x.grad.context == gpu
    _close(nd.random_pdf_gamma(x, a, b), [[0, math.exp(-1)]])


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: nd.random_pdf_normal(nd.ones(2), nd.zeros(3), nd.ones(3)), "need samples of shape"),
        (lambda: nd.random_pdf_normal(nd.ones((2, 3)), nd.zeros(2), nd.ones(3)), "give them one shape"),
        (lambda: nd.random_pdf_dirichlet(nd.ones((2, 4)), nd.ones((2, 3))), "need samples of shape"),
        (lambda: nd.random_pdf_dirichlet(nd.zeros((3, 0)), nd.zeros((0,))), "no concentrations"),
        (lambda: nd.sample_normal(nd.zeros(2), nd.ones(3)), "one shape"),
    ],
)
def test_a_wrong_shape_raises_naming_it(call: Any, match: str) -> None:
    with pytest.raises(ArgumentError, match=match):
        call()


def test_sample_functions_take_arrays_not_numbers_as_mxnet() -> None:
    with pytest.raises(TypeError, match=r"^nd\.sample_normal: sigma must be an NDArray"):
        nd.sample_normal(nd.zeros(2), 1.0)  # type: ignore[arg-type]


# ---- the samplers -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("sample", "params", "mean"),
    [
        (nd.sample_normal, ([0.0, 10.0], [1.0, 2.0]), [0.0, 10.0]),
        (nd.sample_uniform, ([0.0, 10.0], [1.0, 12.0]), [0.5, 11.0]),
        (nd.sample_gamma, ([1.0, 2.0], [1.0, 3.0]), [1.0, 6.0]),  # shape and scale
        (nd.sample_exponential, ([1.0, 4.0],), [1.0, 0.25]),  # rates
        (nd.sample_poisson, ([1.0, 4.0],), [1.0, 4.0]),
        (nd.sample_negative_binomial, ([3.0, 1.0], [0.4, 0.5]), [4.5, 1.0]),
        (nd.sample_generalized_negative_binomial, ([3.0, 1.0], [0.5, 0.0]), [3.0, 1.0]),
    ],
    ids=lambda v: getattr(v, "__name__", ""),
)
def test_sample_gives_params_shape_plus_shape_and_the_means(sample: Any, params: Any, mean: Any) -> None:
    arrays = [nd.array(p) for p in params]
    assert sample(*arrays).shape == (2,)
    assert sample(*arrays, shape=(3, 4)).shape == (2, 3, 4)
    x = sample(*arrays, shape=20000)
    assert x.dtype == np.float32 and x.shape == (2, 20000)
    np.testing.assert_allclose(x.asnumpy().mean(axis=1), mean, rtol=0.05, atol=0.03)
    assert sample(*arrays, dtype="float64").dtype == np.float64
    nd.random.seed(5)
    first = sample(*arrays, shape=3).asnumpy()
    nd.random.seed(5)
    np.testing.assert_array_equal(sample(*arrays, shape=3).asnumpy(), first)


def test_sample_writes_into_out() -> None:
    out = nd.zeros((2, 3))
    assert nd.sample_normal(nd.array([0, 1]), nd.array([1, 1]), shape=3, out=out) is out


def test_negative_binomial_samplers_have_the_moments() -> None:
    x = nd.random.negative_binomial(k=3, p=0.4, shape=40000).asnumpy()
    assert abs(x.mean() - 4.5) < 0.1 and abs(x.var() - 11.25) < 0.6  # k(1-p)/p, k(1-p)/p^2
    g = nd.random.generalized_negative_binomial(mu=3, alpha=0.5, shape=40000).asnumpy()
    assert abs(g.mean() - 3) < 0.1 and abs(g.var() - 7.5) < 0.5  # mu, mu + alpha mu^2
    assert nd.random.negative_binomial(3, 0.4).shape == (1,)
    assert nd.random.negative_binomial(nd.array([1, 2]), nd.array([0.5, 0.5]), shape=2).shape == (2, 2)
    assert (nd.random.generalized_negative_binomial(2, 0, shape=100).asnumpy() >= 0).all()


def test_flat_random_names() -> None:
    assert nd.random_gamma is nd.random.gamma and nd.random_poisson is nd.random.poisson
    assert nd.random_randint is nd.random.randint and nd.sample_multinomial is nd.random.multinomial
    assert nd.random_negative_binomial is nd.random.negative_binomial
    assert nd.random_generalized_negative_binomial is nd.random.generalized_negative_binomial
    x = nd.random_exponential(lam=4, shape=20000)  # a rate, where nd.random.exponential takes a scale
    assert x.dtype == np.float32 and abs(x.asnumpy().mean() - 0.25) < 0.01
    assert nd.random_exponential(shape=2).shape == (2,)
    with pytest.raises(ArgumentError, match="lam is a rate, a positive number"):
        nd.random_exponential(0)
    assert nd.random_exponential(2, (2, 3), None, "float64").dtype == np.float64  # MXNet's order: ctx, dtype
    r = nd.random_randint(0, 5, shape=3)
    assert r.dtype == np.int32 and r.shape == (3,)
