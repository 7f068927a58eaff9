"""Random sampling with MXNet's argument names, seeded by `tape.random.seed`."""

from __future__ import annotations

from typing import Any

import numpy as np

from . import _xp
from . import context as _context
from ._args import array, operand
from .creation import dtype_of, into, shape_of
from .ndarray import NDArray

__all__ = [
    "seed", "normal", "uniform", "randn", "randint", "exponential", "gamma", "poisson", "shuffle",
    "multinomial", "generator", "negative_binomial", "generalized_negative_binomial",
]  # fmt: skip

ShapeLike = int | tuple[int, ...] | list[int] | None

# Seeded at import, as MXNet's generator is: a program without seed() draws the same numbers
# on every run.
_DEFAULT_SEED = 0
_rng = np.random.default_rng(_DEFAULT_SEED)
# One generator per GPU (CuPy's RandomState), made on first use from the last seed: the GPU
# streams differ from the CPU's, as in MXNet.
_seed_state = _DEFAULT_SEED
_device_rngs: dict[tuple[int, int], Any] = {}  # (id of the GPU module, device) -> generator
# The samplers that a GPU's generator draws itself (NumPy's name: CuPy's); the others draw on
# the CPU and copy. CuPy's randint takes numbers only, not arrays of bounds.
_ON_DEVICE = {"normal": "normal", "uniform": "uniform", "gamma": "gamma", "exponential": "exponential",
              "poisson": "poisson", "integers": "randint"}  # fmt: skip
_NUMBERS_ONLY = frozenset({"integers"})


def seed(seed_state: int, ctx: Any = "all") -> None:
    """Seed tape's random generators, so that samples are reproducible: the CPU's and every
    GPU's with ``ctx='all'``, else the one of context `ctx`. Each GPU has a generator of its own
    (CuPy's), so the same seed gives other numbers there than on the CPU, as in MXNet.

    >>> from tape import nd
    >>> nd.random.seed(42); a = nd.random.uniform(shape=3)
    >>> nd.random.seed(42); b = nd.random.uniform(shape=3)
    >>> bool((a == b).sum().asscalar() == 3)
    True
    """
    global _rng, _seed_state
    if ctx != "all" and not isinstance(ctx, _context.Context):
        raise TypeError(f"nd.random.seed: ctx must be 'all' or a Context such as tape.gpu(0), not {ctx!r}")
    if ctx == "all" or ctx.device_type != "gpu":
        _rng = np.random.default_rng(seed_state)
    if ctx == "all":
        _seed_state = seed_state
        _device_rngs.clear()
    elif ctx.device_type == "gpu":
        module = _xp.gpu_module()
        with module.cuda.Device(ctx.device_id):
            _device_rngs[id(module), ctx.device_id] = module.random.RandomState(seed_state)


def generator() -> np.random.Generator:
    """The generator behind every draw in tape (samplers and `nd.Dropout`); `seed` replaces it.

    >>> from tape import random
    >>> random.seed(1); a = random.generator().random()
    >>> random.seed(1); a == random.generator().random()
    True
    """
    return _rng


def device_generator(device: int) -> Any:
    """The generator of GPU `device` (CuPy's `RandomState`), seeded by `seed`."""
    module = _xp.gpu_module()  # keyed by it too: tests put a fresh stand-in in place
    rng = _device_rngs.get((id(module), device))
    if rng is None:
        with module.cuda.Device(device):
            rng = _device_rngs[id(module), device] = module.random.RandomState(_seed_state + 1 + device)
    return rng


def uniform_like(shape: tuple[int, ...], like: Any) -> Any:
    """Uniform samples on [0, 1) in float32, of `shape`, on the device of the array `like`
    (`nd.Dropout`'s draw)."""
    if _xp.is_host(like):
        return _rng.random(shape, dtype=np.float32)
    with _xp.gpu_module().cuda.Device(_xp.device_id(like)):
        return device_generator(_xp.device_id(like)).random_sample(shape, dtype=np.float32)


def permutation_like(x: Any) -> Any:
    """The rows of the array `x` in random order, drawn on its device."""
    if _xp.is_host(x):
        return _rng.permutation(x)
    with _xp.gpu_module().cuda.Device(_xp.device_id(x)):
        return device_generator(_xp.device_id(x)).permutation(x)


def _param(p: Any, where: str, name: str) -> Any:
    """A distribution parameter: an NDArray (a NumPy array wrapped) or a Python number."""
    if isinstance(p, NDArray):
        return p
    p = operand(p, where, name)
    return NDArray(p) if isinstance(p, np.ndarray) else p


def _raw(p: Any, size: tuple[int, ...]) -> Any:
    # An NDArray parameter gives one distribution per element, sampled `shape` times.
    if isinstance(p, NDArray):
        return p._data.reshape(p.shape + (1,) * (len(size) - p.ndim))
    return p


def _draw(
    where: str, sample: Any, shape: ShapeLike, dtype: Any, ctx: Any, out: NDArray | None, **params: Any
) -> NDArray:
    """The samples of the sampler `where`: `sample(*params, size)` of the NumPy generator, with
    `size` the shape of the array parameters followed by `shape`, into `out` if given."""
    ps = [_param(p, where, name) for name, p in params.items()]
    base = next((p.shape for p in ps if isinstance(p, NDArray)), ())
    extra = (() if base else (1,)) if shape is None else shape_of(shape, where)
    size = (*base, *extra)
    _context.check(ctx)
    arrays = [p for p in ps if isinstance(p, NDArray)]
    target = ctx or (arrays[0].context if arrays else _context.current_context())
    raws = [_raw(p, size) for p in ps]
    name = getattr(sample, "__name__", "")
    if target.device_type != "gpu":
        data = np.asarray(sample(*[_xp.to_host(r) for r in raws], size), dtype=dtype_of(dtype))
    elif name in _ON_DEVICE and not (name in _NUMBERS_ONLY and arrays):
        with _xp.gpu_module().cuda.Device(target.device_id):
            rng = device_generator(target.device_id)
            draw = getattr(rng, _ON_DEVICE[name])(*[_context.place(r, target) for r in raws], size)
            data = draw.astype(dtype_of(dtype), copy=False)
    else:  # a sampler CuPy lacks: drawn on the CPU, then copied
        data = _context.place(
            np.asarray(sample(*[_xp.to_host(r) for r in raws], size), dtype=dtype_of(dtype)), target
        )
    return into(out, NDArray(data), where)


def normal(
    loc: Any = 0.0,
    scale: Any = 1.0,
    shape: ShapeLike = None,
    dtype: Any = None,
    ctx: Any = None,
    out: NDArray | None = None,
) -> NDArray:
    """Samples from a normal distribution with mean `loc` and standard deviation `scale`.

    >>> from tape import nd
    >>> nd.random.normal(0, 1, shape=(3, 4)).shape
    (3, 4)
    """
    return _draw("nd.random.normal", _rng.normal, shape, dtype, ctx, out, loc=loc, scale=scale)


def uniform(
    low: Any = 0.0,
    high: Any = 1.0,
    shape: ShapeLike = None,
    dtype: Any = None,
    ctx: Any = None,
    out: NDArray | None = None,
) -> NDArray:
    """Samples from the uniform distribution on `[low, high)`.

    >>> from tape import nd
    >>> x = nd.random.uniform(-1, 1, (2, 2))
    >>> x.shape, bool((x.abs() <= 1).sum().asscalar() == 4)
    ((2, 2), True)
    """
    return _draw("nd.random.uniform", _rng.uniform, shape, dtype, ctx, out, low=low, high=high)


def randn(*shape: int, loc: float = 0.0, scale: float = 1.0, dtype: Any = None, ctx: Any = None) -> NDArray:
    """Normal samples of the shape given as separate ints.

    >>> from tape import nd
    >>> nd.random.randn(2, 3).shape
    (2, 3)
    """
    return _draw("nd.random.randn", _rng.normal, shape or None, dtype, ctx, None, loc=loc, scale=scale)


def randint(
    low: int,
    high: int,
    shape: ShapeLike = None,
    dtype: Any = "int32",
    ctx: Any = None,
    out: NDArray | None = None,
) -> NDArray:
    """Random integers in `[low, high)` (int32 by default).

    >>> from tape import nd
    >>> x = nd.random.randint(0, 3, shape=(5,))
    >>> x.dtype.__name__, bool(((x >= 0) * (x < 3)).sum().asscalar() == 5)
    ('int32', True)
    """
    return _draw("nd.random.randint", _rng.integers, shape, dtype, ctx, out, low=low, high=high)


def exponential(
    scale: Any = 1.0,
    shape: ShapeLike = None,
    dtype: Any = None,
    ctx: Any = None,
    out: NDArray | None = None,
) -> NDArray:
    """Samples from the exponential distribution with mean `scale`.

    >>> from tape import nd
    >>> bool((nd.random.exponential(2, shape=(100,)) >= 0).sum().asscalar() == 100)
    True
    """
    return _draw("nd.random.exponential", _rng.exponential, shape, dtype, ctx, out, scale=scale)


def gamma(
    alpha: Any = 1.0,
    beta: Any = 1.0,
    shape: ShapeLike = None,
    dtype: Any = None,
    ctx: Any = None,
    out: NDArray | None = None,
) -> NDArray:
    """Samples from the gamma distribution with shape `alpha` and scale `beta`.

    >>> from tape import nd
    >>> nd.random.gamma(2, 1, shape=(2, 3)).shape
    (2, 3)
    """
    return _draw("nd.random.gamma", _rng.gamma, shape, dtype, ctx, out, alpha=alpha, beta=beta)


def poisson(
    lam: Any = 1.0,
    shape: ShapeLike = None,
    dtype: Any = None,
    ctx: Any = None,
    out: NDArray | None = None,
) -> NDArray:
    """Samples from the Poisson distribution with rate `lam` (as floats, like MXNet).

    >>> from tape import nd
    >>> x = nd.random.poisson(3, shape=(4,))
    >>> x.dtype.__name__, bool((x == x.round()).sum().asscalar() == 4)
    ('float32', True)
    """
    return _draw("nd.random.poisson", _rng.poisson, shape, dtype, ctx, out, lam=lam)


def negative_binomial(
    k: Any = 1,
    p: Any = 1,
    shape: ShapeLike = None,
    dtype: Any = None,
    ctx: Any = None,
    out: NDArray | None = None,
) -> NDArray:
    """Samples of the number of failures before the `k`-th success, each trial a success with
    probability `p` (as floats, like MXNet).

    >>> from tape import nd
    >>> x = nd.random.negative_binomial(3, 0.5, shape=(4,))
    >>> x.dtype.__name__, bool((x >= 0).sum().asscalar() == 4)
    ('float32', True)
    """
    return _draw("nd.random.negative_binomial", _rng.negative_binomial, shape, dtype, ctx, out, k=k, p=p)


def _generalized_negative_binomial(mu: Any, alpha: Any, size: tuple[int, ...]) -> np.ndarray:
    # A Poisson of gamma-distributed rate: mean mu, variance mu + alpha mu^2 (alpha 0: Poisson).
    mu, alpha = np.broadcast_arrays(np.asarray(mu, np.float64), np.asarray(alpha, np.float64))
    spread = alpha > 0
    shape = np.where(spread, 1 / np.where(spread, alpha, 1), 1.0)
    rate = np.where(spread, _rng.gamma(shape, np.where(spread, alpha * mu, 1.0), size), mu)
    out: np.ndarray = _rng.poisson(rate, size)
    return out


def generalized_negative_binomial(
    mu: Any = 1,
    alpha: Any = 1,
    shape: ShapeLike = None,
    dtype: Any = None,
    ctx: Any = None,
    out: NDArray | None = None,
) -> NDArray:
    """Samples of counts with mean `mu` and variance `mu + alpha * mu ** 2` (a Poisson whose
    rate is gamma distributed; `alpha=0` is the Poisson distribution), as floats.

    >>> from tape import nd
    >>> nd.random.generalized_negative_binomial(2, 0.5, shape=(2, 3)).shape
    (2, 3)
    """
    where = "nd.random.generalized_negative_binomial"
    return _draw(where, _generalized_negative_binomial, shape, dtype, ctx, out, mu=mu, alpha=alpha)


def shuffle(data: NDArray) -> NDArray:
    """A copy of `data` with its rows (first axis) in random order.

    >>> from tape import nd
    >>> sorted(nd.random.shuffle(nd.arange(4)).asnumpy().tolist())
    [0.0, 1.0, 2.0, 3.0]
    """
    return NDArray(permutation_like(array(data, "nd.random.shuffle")._data))


def _categories(flat: Any, count: int) -> Any:
    """`count` category indices per row of the probabilities `flat` (rows sum to 1), on its device."""
    if _xp.is_host(flat):
        return np.stack([_rng.choice(flat.shape[1], size=count, p=row) for row in flat])
    # On a GPU, by the inverse of the cumulative distribution, without a loop over rows: the index
    # of a uniform draw u is the number of cumulative sums at or below it. Divided by the last
    # sum, the last is exactly 1, which u never reaches. Row r shifted by r, one sorted search
    # serves every row, in memory of the size of the inputs.
    rows, k = flat.shape
    device = _xp.device_id(flat)
    with _xp.gpu_module().cuda.Device(device):  # CuPy makes arrays on the current device
        u = device_generator(device).random_sample((rows, count), dtype=np.float64)
        shift = _xp.arange(rows, like=flat)[:, None]
    cdf = np.cumsum(flat, axis=1)
    cdf = cdf / cdf[:, -1:] + shift
    found = np.searchsorted(cdf.reshape(-1), (u + shift).reshape(-1), side="right").reshape(rows, count)
    return np.minimum(found - shift * k, k - 1)  # u + r rounded up to r + 1 (odds ~1e-10) stays in row r


def multinomial(
    data: NDArray, shape: ShapeLike = None, get_prob: bool = False, dtype: Any = "int32"
) -> NDArray | tuple[NDArray, NDArray]:
    """Sample category indices from the distributions along the last axis of `data`.

    With `get_prob=True` also return the log-probability of each sample.

    >>> from tape import nd
    >>> nd.random.multinomial(nd.array([0.0, 1.0]), shape=3)
    <BLANKLINE>
    [1 1 1]
    <NDArray 3 @cpu(0)>
    """
    data = array(data, "nd.random.multinomial")
    probs = data._data.astype(np.float64)
    extra = () if shape is None else shape_of(shape, "nd.random.multinomial")
    flat = probs.reshape(-1, probs.shape[-1])
    flat = flat / flat.sum(axis=1, keepdims=True)
    count = int(np.prod(extra)) if extra else 1
    picks = _categories(flat, count)
    out_shape = probs.shape[:-1] + extra
    samples = picks.reshape(out_shape) if out_shape else picks.reshape(1)
    result = NDArray(samples.astype(dtype_of(dtype)))
    if not get_prob:
        return result
    logp = np.log(np.take_along_axis(flat, picks, axis=1)).reshape(samples.shape)
    return result, NDArray(logp.astype(data._data.dtype))
