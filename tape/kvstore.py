"""MXNet's key-value store (``mx.kv``): sum gradients across devices and workers, by key.

``kv = tape.kv.create('dist_sync')`` then ``kv.init(key, weight)`` once and, each step,
``kv.pushpull(key, grad, out=grad)``: `grad` becomes the sum of what every worker pushed.
The store types:

- ``'local'`` and ``'device'``: one process; a list of values for one key is summed;
- ``'dist_sync'`` (and ``'dist_device_sync'``): synchronous across the workers that
  ``python -m tape.launch`` starts, over MPI; a program started alone is one worker and needs
  no MPI. ``'dist_async'`` (parameter servers) is not provided.

Pushes are queued and sent together when a value is next needed (a pull, a pushpull, an
init): the keys of one step go out in ONE collective per dtype, not one per key. Without an
optimizer, a pull returns the sum of the last push of every worker; with
``kv.set_optimizer(tape.kv.SGD(...))`` the store keeps the weights and a push updates them.

>>> import tape
>>> kv = tape.kv.create("dist_sync")
>>> kv.type, kv.rank, kv.num_workers
('dist_sync', 0, 1)
>>> kv.init(0, tape.nd.zeros(2))
>>> g = tape.nd.array([1.0, 2.0])
>>> kv.pushpull(0, [g, g], out=g)  # two devices' gradients, summed
>>> g
<BLANKLINE>
[2. 4.]
<NDArray 2 @cpu(0)>
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

import numpy as np

from . import distributed, nd
from ._xp import to_host
from .errors import ArgumentError, MXNetError
from .ndarray import NDArray, wrap

__all__ = ["create", "KVStore", "SGD", "Optimizer"]

Key = int | str
_LOCAL = ("local", "device", "local_update_cpu", "local_allreduce_cpu", "local_allreduce_device")
_DIST = ("dist_sync", "dist_device_sync", "dist_sync_device")


class Optimizer(Protocol):
    """What `KVStore.set_optimizer` takes: MXNet's optimizer interface, as `SGD` has it.

    >>> import tape
    >>> class Halve:  # each push halves the weight, whatever the gradient
    ...     def create_state(self, index, weight):
    ...         return None
    ...     def update(self, index, weight, grad, state):
    ...         weight[:] = weight / 2
    >>> kv = tape.kv.create("local")
    >>> kv.set_optimizer(Halve())
    >>> kv.init(0, tape.nd.ones(2))
    >>> w = tape.nd.zeros(2); kv.pushpull(0, w, out=w); w
    <BLANKLINE>
    [0.5 0.5]
    <NDArray 2 @cpu(0)>
    """

    def create_state(self, index: Key, weight: NDArray) -> Any:
        """The state that `update` keeps for one key (None for none)."""

    def update(self, index: Key, weight: NDArray, grad: NDArray, state: Any) -> None:
        """Update `weight` in place from the summed `grad`."""


class SGD:
    """MXNet's SGD optimizer, for the store: with `momentum`, weight decay `wd`, `rescale_grad`
    (e.g. ``1 / global_batch``) and `clip_gradient`, by `nd.sgd_update` / `nd.sgd_mom_update`.

    >>> import tape
    >>> kv = tape.kv.create("local")
    >>> kv.set_optimizer(tape.kv.SGD(learning_rate=0.1, momentum=0.9, wd=0.01))
    >>> kv.init(0, tape.nd.ones(2))
    >>> w = tape.nd.zeros(2)
    >>> kv.pushpull(0, tape.nd.ones(2), out=w)
    >>> w
    <BLANKLINE>
    [0.899 0.899]
    <NDArray 2 @cpu(0)>
    """

    def __init__(
        self,
        learning_rate: float = 0.01,
        momentum: float = 0.0,
        wd: float = 0.0,
        rescale_grad: float = 1.0,
        clip_gradient: float | None = None,
    ) -> None:
        self.learning_rate = learning_rate
        self.momentum = momentum
        self.wd = wd
        self.rescale_grad = rescale_grad
        self.clip_gradient = clip_gradient

    def create_state(self, index: Key, weight: NDArray) -> NDArray | None:
        """The momentum buffer of a key, zeros of the weight's shape (None without momentum).

        >>> import tape
        >>> tape.kv.SGD(momentum=0.9).create_state(0, tape.nd.ones(2))
        <BLANKLINE>
        [0. 0.]
        <NDArray 2 @cpu(0)>
        """
        return nd.zeros(weight.shape, dtype=weight.dtype) if self.momentum else None

    def update(self, index: Key, weight: NDArray, grad: NDArray, state: Any) -> None:
        """One step on `weight`, in place, from the gradient summed over devices and workers.

        >>> import tape
        >>> w = tape.nd.ones(2)
        >>> tape.kv.SGD(learning_rate=0.5).update(0, w, tape.nd.ones(2), None)
        >>> w
        <BLANKLINE>
        [0.5 0.5]
        <NDArray 2 @cpu(0)>
        """
        clip = -1.0 if self.clip_gradient is None else self.clip_gradient
        lr, wd, rescale = self.learning_rate, self.wd, self.rescale_grad
        if state is None:
            nd.sgd_update(weight, grad, lr, wd, rescale, clip, out=weight)
        else:
            nd.sgd_mom_update(weight, grad, state, lr, self.momentum, wd, rescale, clip, out=weight)


def create(name: str = "local") -> KVStore:
    """A new store of type `name`: ``'local'``, ``'device'``, ``'dist_sync'`` or ``'dist_device_sync'``.

    >>> import tape
    >>> tape.kv.create("device").num_workers
    1
    """
    if not isinstance(name, str):
        raise TypeError(f"kv.create: name must be a str such as 'dist_sync', not {type(name).__name__}")
    if "async" in name:
        raise NotImplementedError(
            f"kv.create({name!r}): asynchronous training (parameter servers) is not provided: "
            "use 'dist_sync', which sums every worker's gradients at each step"
        )
    if name not in _LOCAL + _DIST:
        raise ArgumentError(
            f"kv.create: unknown store type {name!r}: use 'local' or 'device' (one process), or "
            "'dist_sync' (several workers, started by python -m tape.launch)"
        )
    return KVStore(name)


def _key_name(key: Key) -> str:
    return f"key {key!r}"


class KVStore:
    """A store of arrays by key (int or str, not both); make one with `create`.

    >>> import tape
    >>> kv = tape.kv.create("local")
    >>> kv.init(["w", "b"], [tape.nd.ones((2, 2)), tape.nd.zeros(2)])
    >>> kv.push("b", tape.nd.ones(2) * 3)
    >>> b = tape.nd.zeros(2)
    >>> kv.pull("b", out=b)
    >>> b
    <BLANKLINE>
    [3. 3.]
    <NDArray 2 @cpu(0)>
    """

    def __init__(self, name: str) -> None:
        self._type = name
        self._group = distributed.world() if name in _DIST else distributed._Alone()
        self._values: dict[Key, NDArray] = {}
        self._key_type: type | None = None
        self._optimizer: Optimizer | None = None
        self._states: dict[Key, Any] = {}
        # Pushed, not yet summed across workers: each sum of this worker's values, and whether
        # the store owns that array (else it is the caller's, and a copy is made if kept).
        self._pending: dict[Key, tuple[np.ndarray, bool]] = {}

    # ---- what the store is ---------------------------------------------------------------------
    @property
    def type(self) -> str:
        """The name given to `create` (``'dist_sync'``...).

        >>> import tape
        >>> tape.kv.create("device").type
        'device'
        """
        return self._type

    @property
    def rank(self) -> int:
        """This worker's number, from 0 to ``num_workers - 1``.

        >>> import tape
        >>> tape.kv.create("dist_sync").rank
        0
        """
        return self._group.rank

    @property
    def num_workers(self) -> int:
        """How many workers share this store (1 for a local one).

        >>> import tape
        >>> tape.kv.create("local").num_workers
        1
        """
        return self._group.size

    def is_capable(self, capability: str) -> bool:
        """Whether the store can do `capability`: ``'optimizer'`` is the one MXNet asks about.

        >>> import tape
        >>> tape.kv.create("local").is_capable("optimizer")
        True
        """
        return capability.lower() == "optimizer"

    # ---- the arguments ---------------------------------------------------------------------------
    def _keys(self, where: str, key: Any) -> tuple[list[Key], bool]:
        """The keys, and whether one was given alone (not in a list)."""
        alone = not isinstance(key, list | tuple)
        keys = [key] if alone else list(key)
        for k in keys:
            if isinstance(k, bool) or not isinstance(k, int | str | np.integer):
                raise TypeError(f"{where}: a key is an int or a str, not {k!r} ({type(k).__name__})")
            kind = str if isinstance(k, str) else int
            if self._key_type is not None and kind is not self._key_type:
                raise ArgumentError(
                    f"{where}: key {k!r} is a {kind.__name__}, but this store's keys are "
                    f"{self._key_type.__name__}s: one store takes int keys or str keys, not both"
                )
        if not keys:
            raise ArgumentError(f"{where}: no key given")
        return [int(k) if isinstance(k, np.integer) else k for k in keys], alone

    def _per_key(self, where: str, arg: str, keys: list[Key], alone: bool, given: Any) -> list[Any]:
        """`given` split by key: one entry per key (each an array, or a list of arrays)."""
        if alone:
            return [given]
        if not isinstance(given, list | tuple) or len(given) != len(keys):
            n = len(given) if isinstance(given, list | tuple) else "not a list"
            raise ArgumentError(f"{where}: {len(keys)} keys need a list of {len(keys)} {arg}s, got {n}")
        return list(given)

    def _stored(self, where: str, key: Key) -> NDArray:
        try:
            return self._values[key]
        except KeyError:
            raise MXNetError(
                f"{where}: {_key_name(key)} has not been initialized: call kv.init({key!r}, value) first"
            ) from None

    def _array(self, where: str, arg: str, key: Key, a: Any) -> NDArray:
        """`a`, checked against the stored value of `key`: same shape and dtype."""
        if not isinstance(a, NDArray):
            kind = type(a).__name__
            raise TypeError(f"{where}: the {arg} of {_key_name(key)} must be an NDArray, not {kind}")
        have = self._stored(where, key)
        if a.shape != have.shape or a._data.dtype != have._data.dtype:
            raise ArgumentError(
                f"{where}: the {arg} of {_key_name(key)} has shape {a.shape} and dtype {a._data.dtype}, "
                f"but the key was initialized with shape {have.shape} and dtype {have._data.dtype}: "
                "give an array like the one given to kv.init"
            )
        return a

    def _arrays(self, where: str, arg: str, key: Key, given: Any) -> list[NDArray]:
        many = given if isinstance(given, list | tuple) else [given]
        if not many:
            raise ArgumentError(f"{where}: an empty list of {arg}s for {_key_name(key)}")
        return [self._array(where, arg, key, a) for a in many]

    # ---- the operations ------------------------------------------------------------------------
    def init(self, key: Key | Sequence[Key], value: NDArray | Sequence[NDArray]) -> None:
        """Store a first value for each key; with several workers, every one gets rank 0's.

        Every worker calls it, with the same keys, shapes and dtypes. A key is initialized once.

        >>> import tape
        >>> kv = tape.kv.create("local")
        >>> kv.init(3, tape.nd.ones((2, 3)))
        >>> kv.init(3, tape.nd.ones((2, 3)))
        Traceback (most recent call last):
        ...
        tape.errors.MXNetError: kv.init: key 3 is already initialized (by init or broadcast): ...
        """
        where = "kv.init"
        keys, alone = self._keys(where, key)
        values = self._per_key(where, "value", keys, alone, value)
        for k, v in zip(keys, values, strict=True):
            if k in self._values or keys.count(k) > 1:
                raise MXNetError(
                    f"{where}: {_key_name(k)} is already initialized (by init or broadcast): "
                    "push to change its value"
                )
            if not isinstance(v, NDArray):
                kind = type(v).__name__
                raise TypeError(f"{where}: the value of {_key_name(k)} must be an NDArray, not {kind}")
            distributed.check_dtype(where, _key_name(k), v._data.dtype)
        self._flush()
        arrays = [v._data for v in values]
        if self._group.size > 1:
            named = [(_key_name(k), a) for k, a in zip(keys, arrays, strict=True)]
            arrays = distributed.fused_bcast(where, named)
        for k, a in zip(keys, arrays, strict=True):
            self._values[k] = wrap(np.array(to_host(a), copy=True))  # the store keeps values on the CPU
            if self._optimizer is not None:
                self._states[k] = self._optimizer.create_state(k, self._values[k])
        if self._key_type is None:
            self._key_type = str if isinstance(keys[0], str) else int

    def push(self, key: Key | Sequence[Key], value: Any, priority: int = 0) -> None:
        """Push a value (or a list, summed: one per device) for each key; the store sums the workers'.

        Without an optimizer the key's value becomes that sum; with one, the sum is the
        gradient that updates the stored weight. Pushes are sent with the next pull, together.
        `priority` is MXNet's scheduling hint; it changes nothing here.

        >>> import tape
        >>> kv = tape.kv.create("local")
        >>> kv.init(0, tape.nd.zeros(3))
        >>> kv.push(0, [tape.nd.ones(3), tape.nd.ones(3) * 2])
        >>> out = tape.nd.zeros(3); kv.pull(0, out=out); out
        <BLANKLINE>
        [3. 3. 3.]
        <NDArray 3 @cpu(0)>
        """
        self._push(key, value, snapshot=True)

    def _push(self, key: Any, value: Any, snapshot: bool) -> None:
        """Queue the pushes; without `snapshot` (a pull follows at once) a lone array is not copied."""
        where = "kv.push"
        keys, alone = self._keys(where, key)
        per_key = self._per_key(where, "value", keys, alone, value)
        merged: dict[Key, list[NDArray]] = {}
        for k, v in zip(keys, per_key, strict=True):  # a key listed twice: its values are summed
            merged.setdefault(k, []).extend(self._arrays(where, "value", k, v))
        for k, arrays in merged.items():
            if k in self._pending:  # a second push of a key before any pull: send the first
                self._flush()
            if len(arrays) == 1 and not snapshot:
                self._pending[k] = (arrays[0]._data, False)
                continue
            # A copy (the caller may change its array at once), on the CPU, where the store sums
            # the values of every device.
            total = np.array(to_host(arrays[0]._data), copy=True)
            for a in arrays[1:]:
                total += to_host(a._data)
            self._pending[k] = (total, True)

    def pull(
        self, key: Key | Sequence[Key], out: Any = None, priority: int = 0, ignore_sparse: bool = True
    ) -> None:
        """Copy the value of each key into `out` (an array, or a list of arrays that each get it).

        >>> import tape
        >>> kv = tape.kv.create("local")
        >>> kv.init("w", tape.nd.ones(2))
        >>> a, b = tape.nd.zeros(2), tape.nd.zeros(2)
        >>> kv.pull("w", out=[a, b]); b
        <BLANKLINE>
        [1. 1.]
        <NDArray 2 @cpu(0)>
        """
        where = "kv.pull"
        keys, alone = self._keys(where, key)
        if out is None:
            raise ArgumentError(f"{where}: out is required: give the array to write the key's value into")
        outs = self._per_key(where, "out", keys, alone, out)
        checked = [self._arrays(where, "out", k, o) for k, o in zip(keys, outs, strict=True)]
        self._flush()
        for k, arrays in zip(keys, checked, strict=True):
            for o in arrays:
                o[...] = self._values[k]

    def pushpull(self, key: Key | Sequence[Key], value: Any, out: Any = None, priority: int = 0) -> None:
        """`push` then `pull` (into `out`, which may be `value` itself), in one collective for all keys.

        >>> import tape
        >>> kv = tape.kv.create("dist_sync")
        >>> grads = [tape.nd.ones(2), tape.nd.ones(3)]
        >>> kv.init([0, 1], grads)
        >>> kv.pushpull([0, 1], grads, out=grads)  # the sum over the workers, in place
        >>> grads[1]
        <BLANKLINE>
        [1. 1. 1.]
        <NDArray 3 @cpu(0)>
        """
        self._push(key, value, snapshot=False)
        if out is not None:
            self.pull(key, out, priority)
        else:
            self._flush()

    def broadcast(self, key: Key | Sequence[Key], value: Any, out: Any, priority: int = 0) -> None:
        """`init` with rank 0's `value`, then `pull` it into `out`: every worker starts equal.

        >>> import tape
        >>> kv = tape.kv.create("dist_sync")
        >>> w = tape.nd.zeros(2)
        >>> kv.broadcast("w", tape.nd.array([0.5, 2.0]), out=w); w
        <BLANKLINE>
        [0.5 2. ]
        <NDArray 2 @cpu(0)>
        """
        self.init(key, value)
        self.pull(key, out, priority)

    def set_optimizer(self, optimizer: Optimizer) -> None:
        """Run `optimizer` in the store: a push then updates the stored weight; pull it after.

        `optimizer` is an `SGD` or any object with MXNet's ``create_state(index, weight)`` and
        ``update(index, weight, grad, state)``. Every worker applies the same update to the same
        summed gradient, so the weights stay identical everywhere.

        >>> import tape
        >>> kv = tape.kv.create("local")
        >>> kv.set_optimizer(tape.kv.SGD(learning_rate=0.5))
        >>> kv.init(0, tape.nd.ones(2))
        >>> w = tape.nd.zeros(2); kv.pushpull(0, tape.nd.ones(2), out=w); w
        <BLANKLINE>
        [0.5 0.5]
        <NDArray 2 @cpu(0)>
        """
        for method in ("create_state", "update"):
            if not callable(getattr(optimizer, method, None)):
                raise TypeError(
                    f"kv.set_optimizer: the optimizer has no {method}() method: give a tape.kv.SGD(...) "
                    "or an object with MXNet's create_state(index, weight) and update(index, weight, grad, "
                    "state)"
                )
        self._flush()
        self._optimizer = optimizer
        self._states = {k: optimizer.create_state(k, w) for k, w in self._values.items()}

    def _flush(self) -> None:
        """Sum the queued pushes over the workers (one collective per dtype) and apply them."""
        if not self._pending:
            return
        pending, self._pending = self._pending, {}  # dropped, not retried, if the exchange fails
        keys = list(pending)
        if self._group.size > 1:  # the sums come back in a new buffer, which the store owns
            named = [(_key_name(k), a) for k, (a, _) in pending.items()]
            arrays = distributed.fused_sum("kv.push", named)
        else:
            # An optimizer only reads the sum; a sum that the store keeps must be its own.
            keep = self._optimizer is None
            arrays = []
            for a, owned in pending.values():
                host = to_host(a)  # a GPU array's is a copy of its own
                arrays.append(host.copy() if keep and not owned and host is a else host)
        for k, total in zip(keys, arrays, strict=True):
            if self._optimizer is None:
                self._values[k] = wrap(total)  # the store owns `total`: nobody else holds it
            else:
                self._optimizer.update(k, self._values[k], wrap(total), self._states[k])
