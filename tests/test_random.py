"""nd.random: MXNet's argument names, shapes, dtypes, seeding, distribution sanity."""

from __future__ import annotations

import numpy as np
import pytest
from fake_cupy import FakeCupy

import tape
from tape import nd


@pytest.fixture(autouse=True)
def _seeded() -> None:
    nd.random.seed(1234)


def test_normal_with_positional_loc_scale_and_shape() -> None:
    x = nd.random.normal(0, 1, shape=(3, 4))
    assert x.shape == (3, 4) and x.dtype == np.float32


def test_uniform_with_a_shape_tuple_positionally() -> None:
    x = nd.random.uniform(-1, 1, (2, 5))
    assert x.shape == (2, 5)
    assert ((x.asnumpy() >= -1) & (x.asnumpy() < 1)).all()


def test_without_shape_a_sample_has_shape_one() -> None:
    assert nd.random.normal().shape == (1,)
    assert nd.random.uniform().shape == (1,)


def test_seed_makes_draws_reproducible() -> None:
    nd.random.seed(42)
    a = nd.random.normal(shape=(5,)).asnumpy()
    nd.random.seed(42)
    b = nd.random.normal(shape=(5,)).asnumpy()
    np.testing.assert_array_equal(a, b)


def test_tape_random_seed_is_nd_random_seed() -> None:
    tape.random.seed(3)
    a = nd.random.uniform(shape=4).asnumpy()
    nd.random.seed(3)
    np.testing.assert_array_equal(a, nd.random.uniform(shape=4).asnumpy())


def test_different_draws_differ() -> None:
    assert not np.array_equal(nd.random.normal(shape=5).asnumpy(), nd.random.normal(shape=5).asnumpy())


def test_normal_moments() -> None:
    x = nd.random.normal(2.0, 0.5, shape=(20000,)).asnumpy()
    assert abs(x.mean() - 2.0) < 0.02 and abs(x.std() - 0.5) < 0.02


def test_uniform_moments() -> None:
    x = nd.random.uniform(1, 3, shape=(20000,)).asnumpy()
    assert abs(x.mean() - 2.0) < 0.03 and x.min() >= 1 and x.max() < 3


def test_array_parameters_give_one_distribution_per_element() -> None:
    x = nd.random.normal(nd.array([0.0, 100.0]), nd.array([1.0, 1.0]), shape=(3,))
    assert x.shape == (2, 3)
    assert (x.asnumpy()[1] > 50).all() and (x.asnumpy()[0] < 50).all()


def test_dtype_argument() -> None:
    assert nd.random.uniform(shape=2, dtype="float64").dtype == np.float64


def test_randn_takes_the_shape_as_separate_ints() -> None:
    assert nd.random.randn(2, 3, 4).shape == (2, 3, 4)


def test_randint_is_int32_in_the_half_open_range() -> None:
    x = nd.random.randint(-2, 3, shape=(1000,))
    assert x.dtype == np.int32
    assert set(np.unique(x.asnumpy()).tolist()) == {-2, -1, 0, 1, 2}


def test_exponential_gamma_poisson_shapes_and_means() -> None:
    assert abs(nd.random.exponential(2.0, shape=(20000,)).asnumpy().mean() - 2.0) < 0.06
    assert abs(nd.random.gamma(3.0, 2.0, shape=(20000,)).asnumpy().mean() - 6.0) < 0.1
    p = nd.random.poisson(4.0, shape=(20000,))
    assert p.dtype == np.float32 and abs(p.asnumpy().mean() - 4.0) < 0.06


def test_out_argument_is_filled_and_returned() -> None:
    out = nd.zeros((3,))
    result = nd.random.uniform(5, 6, shape=(3,), out=out)
    assert result is out and (out.asnumpy() >= 5).all()


def test_shuffle_permutes_rows() -> None:
    x = nd.arange(20).reshape((10, 2))
    y = nd.random.shuffle(x).asnumpy()
    assert sorted(map(tuple, y.tolist())) == sorted(map(tuple, x.asnumpy().tolist()))
    assert (y[:, 1] - y[:, 0] == 1).all()


def test_multinomial_samples_categories_and_log_probabilities() -> None:
    probs = nd.array([[0.0, 1.0, 0.0], [0.5, 0.0, 0.5]])
    samples, logp = nd.random.multinomial(probs, shape=4, get_prob=True)
    assert samples.shape == (2, 4) and samples.dtype == np.int32
    assert (samples.asnumpy()[0] == 1).all() and set(samples.asnumpy()[1].tolist()) <= {0, 2}
    np.testing.assert_allclose(logp.asnumpy()[1], np.log(0.5), rtol=1e-6)


def test_multinomial_frequencies_follow_the_probabilities() -> None:
    probs = nd.array([[0.2, 0.0, 0.3, 0.5], [0.0, 0.0, 0.0, 1.0]])
    samples = nd.random.multinomial(probs, shape=20000)
    assert samples.context == probs.context
    s = samples.asnumpy()
    np.testing.assert_allclose(np.bincount(s[0], minlength=4) / 20000, [0.2, 0, 0.3, 0.5], atol=0.015)
    assert (s[1] == 3).all()


def test_samplers_draw_on_the_gpu_given_without_host_copies(two_gpus: FakeCupy) -> None:
    gpu = tape.gpu(1)
    probs = nd.array([[0.5, 0.5], [0.0, 1.0]], ctx=gpu)
    with two_gpus.counting() as counts:
        drawn = [
            nd.random.randint(0, 5, shape=(3,), ctx=gpu),
            nd.random.multinomial(probs, shape=2),
            *nd.random.multinomial(probs, get_prob=True),
            nd.random.shuffle(nd.arange(4, ctx=gpu)),
            nd.random.normal(0, 1, shape=(2,), ctx=gpu),
        ]
    assert counts["syncs"] == 0 and all(x.context == gpu for x in drawn)
    assert drawn[0].dtype == np.int32 and ((drawn[0].asnumpy() >= 0) & (drawn[0].asnumpy() < 5)).all()


def test_generator_is_the_seeded_source() -> None:
    nd.random.seed(9)
    a = tape.random.generator().random()
    nd.random.seed(9)
    assert tape.random.generator().random() == a


def test_legacy_aliases_sample_too() -> None:
    assert nd.random_normal(0, 1, shape=(2, 2)).shape == (2, 2)
    assert nd.random_uniform(0, 1, shape=(3,)).shape == (3,)
