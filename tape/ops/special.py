"""Special functions: erf, gamma, log-gamma and the polygamma family, on NumPy alone.

erf and the gamma functions evaluate the C library's versions (through `math`) element by
element in float64. The polygamma functions psi^(n) are computed here: shift the argument up
with the recurrence psi^(n)(x) = psi^(n)(x + 1) - (-1)^n n! / x^(n+1), then sum the
asymptotic series; reflection handles negative arguments of digamma and trigamma.
Derivatives chain through the family: gammaln' = digamma, psi^(n)' = psi^(n+1), so every
order is available.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from .._args import array
from .._primitive import Primitive
from .._xp import special
from ..creation import into
from ..ndarray import NDArray
from .elementwise import exp_op, floating

__all__ = ["erf", "gamma", "gammaln", "digamma"]

_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)
# Bernoulli numbers B_2, B_4, ..., B_20 of the asymptotic series.
_BERNOULLI = (
    1 / 6,
    -1 / 30,
    1 / 42,
    -1 / 30,
    5 / 66,
    -691 / 2730,
    7 / 6,
    -3617 / 510,
    43867 / 798,
    -174611 / 330,
)


def _safe(f: Callable[[float], float], pole: float) -> Callable[[float], float]:
    def g(v: float) -> float:
        try:
            return f(v)
        except ValueError:  # a pole (0, -1, -2, ...)
            return pole
        except OverflowError:
            return math.inf

    return g


def _elementwise(f: Callable[[float], float], name: str) -> Callable[[np.ndarray], np.ndarray]:
    uf = np.frompyfunc(f, 1, 1)

    def run(x: np.ndarray) -> np.ndarray:
        if x.__class__ is not np.ndarray:  # a GPU array: CuPy's own (cupyx.scipy.special)
            return special(name)(x)  # type: ignore[no-any-return]
        out: np.ndarray = np.asarray(uf(x.astype(np.float64)), dtype=np.float64)
        return out.astype(x.dtype)

    return run


_erf = _elementwise(math.erf, "erf")
_gamma = _elementwise(_safe(math.gamma, math.nan), "gamma")
_gammaln = _elementwise(_safe(math.lgamma, math.inf), "gammaln")


def _asymptotic(y: np.ndarray, n: int) -> np.ndarray:
    """psi^(n)(y) for y large enough that the series has converged to float64."""
    inv = 1.0 / y
    inv2 = inv * inv
    if n == 0:
        out: np.ndarray = np.log(y) - 0.5 * inv
        power = inv2
        for k, b in enumerate(_BERNOULLI, 1):
            out = out - b / (2 * k) * power
            power = power * inv2
        return out
    total = math.factorial(n - 1) * inv**n + math.factorial(n) * 0.5 * inv ** (n + 1)
    power = inv ** (n + 2)
    for k, b in enumerate(_BERNOULLI, 1):
        total = total + b * math.factorial(2 * k + n - 1) / math.factorial(2 * k) * power
        power = power * inv2
    result: np.ndarray = (-1) ** (n + 1) * total
    return result


def polygamma_f64(n: int, x: np.ndarray) -> np.ndarray:
    """psi^(n)(x) in float64 (digamma for n = 0); inf or nan at the poles 0, -1, -2, ..."""
    x = np.asarray(x, dtype=np.float64)
    pole = (x <= 0) & (x == np.floor(x))
    reflect = (x < 0) & ~pole & (n <= 1)
    y = np.where(reflect, 1.0 - x, np.where(pole, 1.0, x))
    acc = np.zeros_like(y)
    sign = -1.0 if n % 2 else 1.0  # (-1)^n
    scale = sign * math.factorial(n)
    limit = 10.0 + n
    low = y < limit
    while low.any():
        yl = y[low]
        acc[low] += scale / yl ** (n + 1)
        y[low] = yl + 1.0
        low = y < limit
    out = _asymptotic(y, n) - acc
    if reflect.any():
        xr = x[reflect]
        s = np.sin(math.pi * xr)
        if n == 0:  # psi(x) = psi(1 - x) - pi / tan(pi x)
            out[reflect] = out[reflect] - math.pi * np.cos(math.pi * xr) / s
        else:  # psi1(x) = -psi1(1 - x) + pi^2 / sin^2(pi x)
            out[reflect] = -out[reflect] + (math.pi / s) ** 2
    if pole.any():
        out[pole] = math.nan if n % 2 == 0 else math.inf
    return out


def _polygamma(x: np.ndarray, n: int) -> np.ndarray:
    x = floating(x)  # the rule for integer inputs (see _primitive._Unary), for a forward with a parameter
    if x.__class__ is not np.ndarray:  # a GPU array: CuPy's own, without the loop that waits on it
        return special("digamma")(x) if n == 0 else special("polygamma")(n, x)  # type: ignore[no-any-return]
    out: np.ndarray = polygamma_f64(n, x).astype(x.dtype)
    return out


erf_op: Primitive = Primitive(
    "erf", _erf, lambda g, ans, x: g * exp_op(-(x * x)) * _TWO_OVER_SQRT_PI, float_valued=True
)
polygamma_op: Primitive = Primitive(
    "polygamma", _polygamma, lambda g, ans, x, n: g * polygamma_op(x, n=n + 1)
)
gamma_op: Primitive = Primitive(
    "gamma", _gamma, lambda g, ans, x: g * ans * polygamma_op(x, n=0), float_valued=True
)
gammaln_op: Primitive = Primitive(
    "gammaln", _gammaln, lambda g, ans, x: g * polygamma_op(x, n=0), float_valued=True
)


def erf(data: NDArray, *, out: NDArray | None = None) -> NDArray:
    """Elementwise Gauss error function, `2/sqrt(pi) * integral of exp(-t^2) from 0 to data`.

    >>> from tape import nd
    >>> nd.erf(nd.array([0, 1]))
    <BLANKLINE>
    [0.        0.8427008]
    <NDArray 2 @cpu(0)>
    """
    result = erf_op(data)
    return result if out is None else into(out, result, "nd.erf")


def gamma(data: NDArray, *, out: NDArray | None = None) -> NDArray:
    """Elementwise gamma function (`gamma(n) = (n - 1)!`); its derivative is gamma * digamma.

    >>> from tape import nd
    >>> nd.gamma(nd.array([1, 5, 0.5]))
    <BLANKLINE>
    [ 1.        24.         1.7724539]
    <NDArray 3 @cpu(0)>
    """
    result = gamma_op(data)
    return result if out is None else into(out, result, "nd.gamma")


def gammaln(data: NDArray, *, out: NDArray | None = None) -> NDArray:
    """Elementwise log of the absolute value of the gamma function; its derivative is digamma.

    >>> from tape import nd
    >>> nd.gammaln(nd.array([1, 5]))
    <BLANKLINE>
    [0.        3.1780539]
    <NDArray 2 @cpu(0)>
    """
    result = gammaln_op(data)
    return result if out is None else into(out, result, "nd.gammaln")


def digamma(data: NDArray, *, out: NDArray | None = None) -> NDArray:
    """Elementwise digamma function, the derivative of `gammaln`; differentiable to any order.

    >>> from tape import nd
    >>> nd.digamma(nd.array([1, 2]))
    <BLANKLINE>
    [-0.5772157   0.42278433]
    <NDArray 2 @cpu(0)>
    """
    result = polygamma_op(array(data, "nd.digamma"), n=0)
    return result if out is None else into(out, result, "nd.digamma")
