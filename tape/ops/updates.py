"""MXNet's fused optimizer updates: `sgd_update`, `sgd_mom_update`, `adam_update`, `rmsprop_update`.

Each computes a parameter's new value from its gradient in one call, with MXNet's exact formula
and in the weight's own dtype (float32 stays float32). The hyperparameters are rounded to float32
first, as MXNet's are (a float64 weight with lr=0.1 steps by 0.10000000149).
The optimizer states (`mom`, `mean`, `var`, `n`) are always updated in place; the new weight
is returned, or written into `out` (MXNet programs pass `out=weight`). The writes go through
the arrays' in-place machinery, so a graph recorded earlier that read them refuses to run
backward on the new values (see `_versions.py`).

These are not differentiable and not recorded: inside `autograd.record()`, a call whose
arrays are in a graph is refused, with the fix (update after the block, as MXNet does).

As in MXNet's kernels, with `rescale_grad` r, `clip_gradient` c and `wd`:
- the gradient is `r * grad`, clipped to [-c, c] when c >= 0 (c = 0 clips it to zero; any
  negative c turns clipping off);
- `sgd_update` and `sgd_mom_update` apply `wd` outside the clipping, `adam_update` and
  `rmsprop_update` add `wd * weight` to the gradient before it;
- `adam_update` has no bias correction (MXNet's `Adam` optimizer folds it into `lr`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._args import array, wrong_type
from .._state import flags
from ..creation import into
from ..errors import ArgumentError, AutogradError
from ..ndarray import NDArray

__all__ = ["sgd_update", "sgd_mom_update", "adam_update", "rmsprop_update"]

_REALS = (int, float, np.integer, np.floating)


def _arrays(where: str, **given: Any) -> list[NDArray]:
    """The array arguments (the weight first), checked: a floating weight, and every other of
    its shape and dtype, none in a graph being recorded."""
    arrays = [array(value, where, name) for name, value in given.items()]
    weight = arrays[0]
    if weight._data.dtype.kind != "f":
        raise TypeError(
            f"{where}: weight must be a floating-point array, not {weight._data.dtype}: convert it first, "
            "weight = weight.astype('float32')"
        )
    for name, a in zip(list(given)[1:], arrays[1:], strict=True):
        if a.shape != weight.shape:
            raise ArgumentError(
                f"{where}: {name} has shape {a.shape}, but weight has shape {weight.shape}: "
                "the gradient and the optimizer states have the weight's shape"
            )
        if a._data.dtype != weight._data.dtype:
            raise TypeError(
                f"{where}: {name} has dtype {a._data.dtype}, but weight has dtype {weight._data.dtype}: "
                f"convert it first, {name}.astype('{weight._data.dtype}')"
            )
        both_host = a._data.__class__ is np.ndarray and weight._data.__class__ is np.ndarray
        if not both_host and a.context != weight.context:
            raise ArgumentError(
                f"{where}: {name} is on {a.context}, but weight is on {weight.context}: copy it "
                f"first, {name}.as_in_context(weight.context)"
            )
    return arrays


def _refuse_in_graph(where: str, named: dict[str, Any]) -> None:
    """Refuse a call inside `record()` on arrays that are in a graph: the update would be cut
    from it (it has no gradient) and its in-place writes would change what the graph read."""
    if not flags.recording:
        return
    for name, a in named.items():
        if isinstance(a, NDArray) and a._node is not None:
            raise AutogradError(
                f"{where}: {name} is in the graph being recorded, and an optimizer update is neither "
                "differentiable nor allowed to write it in place there: call it after the "
                "autograd.record() block (after backward(), as MXNet programs do), or inside "
                "autograd.pause()"
            )


def _reals(where: str, dtype: np.dtype[Any], **given: Any) -> list[Any]:
    """The hyperparameters (real numbers) as MXNet takes them: rounded to float32 (its
    parameters are C floats, even for a float64 weight), then scalars of the weight's `dtype`."""
    for arg, value in given.items():
        if not isinstance(value, _REALS) or isinstance(value, bool | np.bool_):
            raise wrong_type(where, arg, "a real number", value)
    return [dtype.type(np.float32(value)) for value in given.values()]


def _flag(value: Any, where: str, arg: str) -> None:
    if not isinstance(value, bool | np.bool_):
        raise wrong_type(where, arg, "a bool", value)


def _clip(g: np.ndarray, bound: Any) -> np.ndarray:
    """MXNet's gradient clipping: to [-bound, bound] when bound >= 0 (0 included), else none."""
    return np.clip(g, -bound, bound) if bound >= 0 else g


def _check_out(where: str, weight: NDArray, out: Any) -> None:
    """Refuse an `out` that cannot take the new weight, before any state is written."""
    if out is None:
        return
    if not isinstance(out, NDArray):
        raise wrong_type(where, "out", "an NDArray (or None)", out)
    if out.shape != weight.shape or out._data.dtype != weight._data.dtype:
        raise ArgumentError(
            f"{where}: out has shape {out.shape} and dtype {out._data.dtype}, but the new weight has "
            f"shape {weight.shape} and dtype {weight._data.dtype}: give out=weight to update it in place"
        )


def _finish(where: str, result: np.ndarray, out: NDArray | None) -> NDArray:
    """The new weight `result`, as a new array or written into `out` (checked by `_check_out`)."""
    return NDArray(result) if out is None else into(out, NDArray(result), where)


def sgd_update(
    weight: NDArray,
    grad: NDArray,
    lr: float,
    wd: float = 0,
    rescale_grad: float = 1,
    clip_gradient: float = -1,
    lazy_update: bool = True,
    *,
    out: NDArray | None = None,
) -> NDArray:
    """One step of stochastic gradient descent, as MXNet computes it:
    `weight * (1 - lr * wd) - lr * clip(rescale_grad * grad)`.

    The gradient is clipped to [-clip_gradient, clip_gradient] when `clip_gradient` >= 0 (as
    in MXNet's kernel, 0 clips it to zero). `lazy_update` concerns sparse gradients only, which
    tape does not have: it changes nothing. With `out=weight` the weight is updated in place;
    not inside `autograd.record()` for a weight in the graph.

    >>> from tape import nd
    >>> w = nd.array([1.0, -2.0]); g = nd.array([0.5, 4.0])
    >>> nd.sgd_update(w, g, lr=0.5, clip_gradient=1.0, out=w)
    <BLANKLINE>
    [ 0.75 -2.5 ]
    <NDArray 2 @cpu(0)>
    >>> w
    <BLANKLINE>
    [ 0.75 -2.5 ]
    <NDArray 2 @cpu(0)>
    """
    where = "nd.sgd_update"
    _refuse_in_graph(where, {"weight": weight, "grad": grad, "out": out})
    w, g = _arrays(where, weight=weight, grad=grad)
    dt = w._data.dtype
    lr_, wd_, r, c = _reals(where, dt, lr=lr, wd=wd, rescale_grad=rescale_grad, clip_gradient=clip_gradient)
    _flag(lazy_update, where, "lazy_update")
    _check_out(where, w, out)
    x, one = w._data, dt.type(1)
    if c >= 0:
        result = (one - lr_ * wd_) * x - lr_ * _clip(r * g._data, c)
    else:
        result = (one - lr_ * wd_) * x - (lr_ * r) * g._data
    return _finish(where, result, out)


def sgd_mom_update(
    weight: NDArray,
    grad: NDArray,
    mom: NDArray,
    lr: float,
    momentum: float = 0,
    wd: float = 0,
    rescale_grad: float = 1,
    clip_gradient: float = -1,
    lazy_update: bool = True,
    *,
    out: NDArray | None = None,
) -> NDArray:
    """One step of SGD with momentum, as MXNet computes it: `mom` becomes
    `momentum * mom - lr * wd * weight - lr * clip(rescale_grad * grad)` (in place), and the
    new weight is `weight + mom`.

    Clipping and `lazy_update` as in `sgd_update`. With `out=weight` the weight is updated in
    place; `mom` always is.

    >>> from tape import nd
    >>> w = nd.array([1.0, -2.0]); mom = nd.array([0.5, 0.5])
    >>> nd.sgd_mom_update(w, nd.array([1.0, 2.0]), mom, lr=0.25, momentum=0.5, out=w)
    <BLANKLINE>
    [ 1.   -2.25]
    <NDArray 2 @cpu(0)>
    >>> mom
    <BLANKLINE>
    [ 0.   -0.25]
    <NDArray 2 @cpu(0)>
    """
    where = "nd.sgd_mom_update"
    _refuse_in_graph(where, {"weight": weight, "grad": grad, "mom": mom, "out": out})
    w, g, m = _arrays(where, weight=weight, grad=grad, mom=mom)
    dt = w._data.dtype
    lr_, mu, wd_, r, c = _reals(
        where, dt, lr=lr, momentum=momentum, wd=wd, rescale_grad=rescale_grad, clip_gradient=clip_gradient
    )
    _flag(lazy_update, where, "lazy_update")
    _check_out(where, w, out)
    x = w._data
    step = lr_ * _clip(r * g._data, c) if c >= 0 else (lr_ * r) * g._data
    new_mom = mu * m._data - (lr_ * wd_) * x - step
    result = x + new_mom
    m[:] = new_mom
    return _finish(where, result, out)


def adam_update(
    weight: NDArray,
    grad: NDArray,
    mean: NDArray,
    var: NDArray,
    lr: float,
    beta1: float = 0.9,
    beta2: float = 0.999,
    epsilon: float = 1e-8,
    wd: float = 0,
    rescale_grad: float = 1,
    clip_gradient: float = -1,
    lazy_update: bool = True,
    *,
    out: NDArray | None = None,
) -> NDArray:
    """One step of Adam, as MXNet computes it, with no bias correction (MXNet's `Adam`
    optimizer folds it into `lr`): with `g = clip(rescale_grad * grad + wd * weight)`,
    `mean = beta1 * mean + (1 - beta1) * g` and `var = beta2 * var + (1 - beta2) * g * g`
    (both in place), and the new weight is `weight - lr * mean / (sqrt(var) + epsilon)`.

    Note that `wd` is added before the clipping here (in `sgd_update`, after). Clipping and
    `lazy_update` as in `sgd_update`. With `out=weight` the weight is updated in place.

    >>> from tape import nd
    >>> w = nd.array([1.0, 2.0]); mean = nd.zeros(2); var = nd.zeros(2)
    >>> nd.adam_update(w, nd.array([0.5, -0.5]), mean, var, lr=0.01, out=w)
    <BLANKLINE>
    [0.96837705 2.031623  ]
    <NDArray 2 @cpu(0)>
    >>> mean  # 1 - beta1 in float32 is 0.100000024, as in MXNet
    <BLANKLINE>
    [ 0.05000001 -0.05000001]
    <NDArray 2 @cpu(0)>
    """
    where = "nd.adam_update"
    _refuse_in_graph(where, {"weight": weight, "grad": grad, "mean": mean, "var": var, "out": out})
    w, g, m, v = _arrays(where, weight=weight, grad=grad, mean=mean, var=var)
    dt = w._data.dtype
    lr_, b1, b2, eps, wd_, r, c = _reals(
        where, dt, lr=lr, beta1=beta1, beta2=beta2, epsilon=epsilon, wd=wd,
        rescale_grad=rescale_grad, clip_gradient=clip_gradient,
    )  # fmt: skip
    _flag(lazy_update, where, "lazy_update")
    _check_out(where, w, out)
    x, one = w._data, dt.type(1)
    grad_ = _clip(g._data * r + x * wd_, c)
    new_mean = b1 * m._data + (one - b1) * grad_
    new_var = b2 * v._data + (one - b2) * grad_ * grad_
    result = x - lr_ * new_mean / (np.sqrt(new_var) + eps)
    m[:] = new_mean
    v[:] = new_var
    return _finish(where, result, out)


def rmsprop_update(
    weight: NDArray,
    grad: NDArray,
    n: NDArray,
    lr: float,
    gamma1: float = 0.95,
    epsilon: float = 1e-8,
    wd: float = 0,
    rescale_grad: float = 1,
    clip_gradient: float = -1,
    clip_weights: float = -1,
    *,
    out: NDArray | None = None,
) -> NDArray:
    """One step of RMSProp (Tieleman and Hinton's, without centering), as MXNet computes it:
    with `g = clip(rescale_grad * grad + wd * weight)`, `n = (1 - gamma1) * g * g + gamma1 * n`
    (in place), and the new weight is `weight - lr * (g / sqrt(n + epsilon))`, clipped to
    [-clip_weights, clip_weights] when `clip_weights` >= 0.

    Clipping as in `adam_update` (`wd` added before it). With `out=weight` the weight is
    updated in place; `n` always is.

    >>> from tape import nd
    >>> w = nd.array([1.0, 2.0]); n = nd.zeros(2)
    >>> nd.rmsprop_update(w, nd.array([0.5, -2.0]), n, lr=0.01, gamma1=0.75, out=w)
    <BLANKLINE>
    [0.98 2.02]
    <NDArray 2 @cpu(0)>
    >>> n
    <BLANKLINE>
    [0.0625 1.    ]
    <NDArray 2 @cpu(0)>
    """
    where = "nd.rmsprop_update"
    _refuse_in_graph(where, {"weight": weight, "grad": grad, "n": n, "out": out})
    w, g, state = _arrays(where, weight=weight, grad=grad, n=n)
    dt = w._data.dtype
    lr_, gamma, eps, wd_, r, c, cw = _reals(
        where, dt, lr=lr, gamma1=gamma1, epsilon=epsilon, wd=wd,
        rescale_grad=rescale_grad, clip_gradient=clip_gradient, clip_weights=clip_weights,
    )  # fmt: skip
    _check_out(where, w, out)
    x = w._data
    grad_ = _clip(r * g._data + wd_ * x, c)
    new_n = (dt.type(1) - gamma) * grad_ * grad_ + gamma * state._data
    result = _clip(x - lr_ * (grad_ / np.sqrt(new_n + eps)), cw)
    state[:] = new_n
    return _finish(where, result, out)
