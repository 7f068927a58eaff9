"""Data-parallel training over MPI, in the functional style (as Horovod's API).

Every worker holds the whole model, computes gradients on its own part of each batch, and sums
them with the others before the update. Start the workers with ``python -m tape.launch -n 2
train.py``; without a launcher a program is the one and only worker (rank 0 of 1), and
nothing here needs MPI. `tape.kv` is the same machinery behind MXNet's kvstore API.

- `rank()`, `size()`: this worker's number and how many there are;
- `broadcast_parameters(params)`: every worker takes rank 0's values (do it once, at the start);
- `allreduce_grads(params, average=False)`: each ``.grad`` becomes the sum over the workers;
- `allreduce(x)`, `barrier()`, and `shard(n)`: this worker's slice of ``n`` examples.

Several arrays go out in one collective (one buffer per dtype: Horovod's "fusion"), and every
worker receives the same bits, so replicas never drift apart.

>>> from tape import distributed as dist, nd
>>> dist.rank(), dist.size()
(0, 1)
>>> w = nd.ones(3); w.attach_grad()
>>> dist.allreduce_grads([w])
>>> dist.shard(10)
slice(0, 10, None)
"""

from __future__ import annotations

import hashlib
import importlib
import os
import sys
import time
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np

from ._xp import to_device_of, to_host
from .errors import ArgumentError, MXNetError
from .ndarray import NDArray, wrap

__all__ = ["rank", "size", "barrier", "shard", "allreduce", "allreduce_grads", "broadcast_parameters"]

INSTALL = 'python -m pip install "tape[dist]"'
# How MPI launchers tell a process how many workers there are: MPICH's hydra (and Slurm's
# PMI) and Open MPI. Reading them avoids importing MPI at all in a program started alone.
_SIZE_VARS = ("PMI_SIZE", "OMPI_COMM_WORLD_SIZE")
# The dtypes MPI sums natively (float16 and bool have no MPI sum in MPICH).
_DTYPES = frozenset(np.dtype(t) for t in ("f4", "f8", "i1", "i2", "i4", "i8", "u1", "u2", "u4", "u8"))
STALL_WARNING_S = 60.0
SPIN_POLLS = 20_000  # polls before the first sleep: some milliseconds


class _Alone:
    """The collectives of a single worker: there is nobody to talk to, so each does nothing."""

    rank = 0
    size = 1

    def agree(self, what: str, signature: Sequence[Any]) -> None:
        """Check that every worker is doing the same operation on the same arrays."""

    def sum(self, buf: np.ndarray) -> None:
        """Replace `buf` by the elementwise sum of every worker's `buf`, identical on all."""

    def bcast(self, buf: np.ndarray, root: int) -> None:
        """Replace `buf` by the `root` worker's `buf`."""

    def barrier(self) -> None:
        """Wait until every worker reaches this point."""


class _MPI(_Alone):
    """The collectives over an mpi4py communicator (typed here: mpi4py is imported lazily)."""

    def __init__(self, mpi: Any) -> None:
        self._mpi = mpi
        self._comm = mpi.COMM_WORLD
        self.rank = int(self._comm.Get_rank())
        self.size = int(self._comm.Get_size())

    def _wait(self, request: Any, what: str) -> None:
        # Not MPI's blocking wait, which spins until the others arrive, however long that takes:
        # polling, yielding the CPU between polls (with three workers on two cores, a waiting
        # worker leaves its core to a busy one), then sleeping once the wait is long; and a
        # stall can be reported.
        limit = float(os.environ.get("TAPE_DIST_TIMEOUT", "0") or 0)
        start = time.monotonic()
        polls, warned = 0, False
        while not request.Test():
            polls += 1
            if polls < SPIN_POLLS:
                os.sched_yield()
                continue
            waited = time.monotonic() - start
            if limit and waited > limit:
                raise MXNetError(
                    f"{what}: worker {self.rank} waited {waited:.0f} s for the other workers "
                    f"(TAPE_DIST_TIMEOUT={limit:g}): one of them stopped early or is stuck. Every "
                    "worker must make the same calls, the same number of times (shard each batch "
                    "with tape.distributed.shard, so that all run the same number of steps)"
                )
            if not warned and waited > STALL_WARNING_S:
                warned = True
                print(f"tape.distributed: worker {self.rank} waits at {what}", file=sys.stderr)
            time.sleep(1e-3 if waited > 0.1 else 1e-5)

    def agree(self, what: str, signature: Sequence[Any]) -> None:
        # One tiny collective per operation: the max of (h, -h) over the workers for a hash h of
        # the operation and its keys, shapes and dtypes. All workers get the same two numbers,
        # so on a mismatch every one of them raises, together, before any data is exchanged.
        digest = hashlib.blake2b(repr((what, *signature)).encode(), digest_size=8).digest()
        h = int.from_bytes(digest, "little", signed=True) >> 1  # -h must fit in an int64 too
        pair = np.array([h, -h], np.int64)
        self._wait(self._comm.Iallreduce(self._mpi.IN_PLACE, pair, op=self._mpi.MAX), what)
        if pair[0] != -pair[1]:
            seen = self._comm.allgather(_describe(signature))
            lines = "\n".join(f"  worker {r}: {text}" for r, text in enumerate(seen))
            raise MXNetError(
                f"{what}: the workers disagree on what they send:\n{lines}\nEvery worker must make "
                "the same calls in the same order, with the same keys, shapes and dtypes"
            )

    def sum(self, buf: np.ndarray) -> None:
        mpi = self._mpi
        if self.size == 2:
            # Each element is one addition a + b, which IEEE arithmetic makes commutative: both
            # workers get the same bits from MPI's all-reduce.
            self._comm.Allreduce(mpi.IN_PLACE, buf, op=mpi.SUM)
            return
        # With three or more, MPI may add in a different order on each worker (a different
        # rounding): reduce onto rank 0, then every worker takes rank 0's bits.
        if self.rank == 0:
            self._comm.Reduce(mpi.IN_PLACE, buf, op=mpi.SUM, root=0)
        else:
            self._comm.Reduce(buf, None, op=mpi.SUM, root=0)
        self._comm.Bcast(buf, root=0)

    def bcast(self, buf: np.ndarray, root: int) -> None:
        self._comm.Bcast(buf, root=root)

    def barrier(self) -> None:
        self._wait(self._comm.Ibarrier(), "tape.distributed.barrier()")


def _describe(signature: Sequence[Any]) -> str:
    return ", ".join(f"{name} {shape} {dtype}" for name, shape, dtype in signature) or "nothing"


_world: _Alone | None = None


def world() -> _Alone:
    """The workers of this job; MPI is started (mpi4py imported) on first use, when launched.

    >>> from tape import distributed as dist
    >>> dist.world().size  # started alone: one worker, and mpi4py is not imported
    1
    """
    global _world
    if _world is None:
        _world = _connect()
    return _world


def _connect() -> _Alone:
    launched = max((int(os.environ.get(v) or 1) for v in _SIZE_VARS), default=1)
    if launched <= 1 and "mpi4py.MPI" not in sys.modules:
        return _Alone()
    try:
        mpi = importlib.import_module("mpi4py.MPI")
    except ImportError as e:
        raise MXNetError(
            f"this program was started as one of {launched} MPI workers, but mpi4py cannot be "
            f"imported ({e}): install it with {INSTALL}"
        ) from e
    group = _MPI(mpi)
    return group if group.size > 1 else _Alone()


def rank() -> int:
    """This worker's number, from 0 to ``size() - 1`` (0 when the program runs alone).

    >>> from tape import distributed as dist
    >>> dist.rank()
    0
    """
    return world().rank


def size() -> int:
    """How many workers run this program (1 without a launcher).

    >>> from tape import distributed as dist
    >>> dist.size()
    1
    """
    return world().size


def barrier() -> None:
    """Wait until every worker has reached this call.

    >>> from tape import distributed as dist
    >>> dist.barrier()
    """
    world().barrier()


def shard(n: int) -> slice:
    """The slice of ``n`` examples that this worker takes: contiguous, sizes differing by one at most.

    Shard each global batch (not the whole data set once) and every worker runs the same
    number of steps, which the collectives need.

    >>> from tape import distributed as dist
    >>> import numpy as np
    >>> batch = np.arange(10)
    >>> batch[dist.shard(len(batch))]  # all of it, with one worker
    array([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
    """
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 0:
        raise ArgumentError(f"tape.distributed.shard: n must be a count of examples, an int >= 0, not {n!r}")
    group = world()
    return slice(n * group.rank // group.size, n * (group.rank + 1) // group.size)


def check_dtype(where: str, name: str, dtype: np.dtype) -> None:
    """Refuse a dtype that MPI cannot sum, saying which array and what to do.

    >>> import numpy as np
    >>> from tape import distributed as dist
    >>> dist.check_dtype("kv.init", "key 0", np.dtype("float16"))
    Traceback (most recent call last):
    ...
    tape.errors.ArgumentError: kv.init: key 0 has dtype float16, which the workers cannot sum: ...
    """
    if dtype not in _DTYPES:
        raise ArgumentError(
            f"{where}: {name} has dtype {dtype}, which the workers cannot sum: use float32 or "
            "float64 (x.astype('float32')), or an integer type"
        )


def fused_sum(where: str, named: Sequence[tuple[str, np.ndarray]]) -> list[np.ndarray]:
    """The sum over the workers of each array, as new arrays: one collective per dtype.

    `named` pairs a name for error messages (a key, a parameter's position) with an array.

    >>> import numpy as np
    >>> from tape import distributed as dist
    >>> dist.fused_sum("example", [("a", np.ones(2, np.float32)), ("b", np.ones(3))])
    [array([1., 1.], dtype=float32), array([1., 1., 1.])]
    """
    group = world()
    for name, a in named:
        check_dtype(where, name, a.dtype)
    if group.size == 1:
        return [a.copy() for _, a in named]
    group.agree(where, [(name, a.shape, a.dtype.name) for name, a in named])
    return _fused(named, group.sum)


def fused_bcast(where: str, named: Sequence[tuple[str, np.ndarray]], root: int = 0) -> list[np.ndarray]:
    """The `root` worker's values of the arrays, as new arrays: one collective per dtype.

    >>> import numpy as np
    >>> from tape import distributed as dist
    >>> dist.fused_bcast("example", [("w", np.arange(3.0))])
    [array([0., 1., 2.])]
    """
    group = world()
    if not 0 <= root < group.size:
        raise ArgumentError(f"{where}: root must be a worker's rank, from 0 to {group.size - 1}, not {root}")
    for name, a in named:
        check_dtype(where, name, a.dtype)
    if group.size == 1:
        return [a.copy() for _, a in named]
    group.agree(where, [(name, a.shape, a.dtype.name) for name, a in named])
    return _fused(named, lambda buf: group.bcast(buf, root))


def _fused(named: Sequence[tuple[str, np.ndarray]], collective: Any) -> list[np.ndarray]:
    # Pack the arrays of each dtype into one buffer (dtypes are never mixed: float32 stays
    # float32), run one collective on it, and hand back views into it.
    out: list[np.ndarray] = [np.empty(0)] * len(named)
    groups: dict[np.dtype, list[int]] = {}
    for i, (_, a) in enumerate(named):
        groups.setdefault(a.dtype, []).append(i)
    for dtype, members in groups.items():
        buf = np.empty(sum(named[i][1].size for i in members), dtype)
        offsets = []
        at = 0
        for i in members:
            a = named[i][1]
            buf[at : at + a.size] = to_host(a).reshape(-1)  # MPI sends from the host
            offsets.append(at)
            at += a.size
        collective(buf)
        for i, at in zip(members, offsets, strict=True):
            a = named[i][1]
            out[i] = buf[at : at + a.size].reshape(a.shape)
    return out


def _params(where: str, params: Iterable[NDArray] | Mapping[Any, NDArray]) -> list[tuple[str, NDArray]]:
    items = list(params.items()) if isinstance(params, Mapping) else list(enumerate(params))
    for name, p in items:
        if not isinstance(p, NDArray):
            raise ArgumentError(f"{where}: params[{name!r}] is a {type(p).__name__}, not an NDArray")
    return [(f"params[{name!r}]", p) for name, p in items]


def allreduce(x: NDArray, average: bool = False) -> NDArray:
    """A new array: the sum of `x` over the workers (their mean with ``average=True``).

    >>> from tape import distributed as dist, nd
    >>> dist.allreduce(nd.array([1.0, 2.0]))
    <BLANKLINE>
    [1. 2.]
    <NDArray 2 @cpu(0)>
    """
    if not isinstance(x, NDArray):
        raise ArgumentError(f"tape.distributed.allreduce: x must be an NDArray, not a {type(x).__name__}")
    (total,) = fused_sum("tape.distributed.allreduce", [("x", x._data)])
    if average:
        total = _average(total, size())
    return wrap(to_device_of(total, x._data), type(x))


def _average(total: np.ndarray, n: int) -> np.ndarray:
    if not np.issubdtype(total.dtype, np.floating):
        raise ArgumentError(f"average=True needs floating-point arrays, not {total.dtype}: sum them instead")
    total /= total.dtype.type(n)
    return total


def allreduce_grads(params: Iterable[NDArray] | Mapping[Any, NDArray], average: bool = False) -> None:
    """Replace the ``.grad`` of each parameter by its sum over the workers, in place.

    All gradients go out in one collective per dtype. ``average=True`` divides by `size()`
    (Horovod's default): use it when each worker's loss is a mean over its own examples;
    the sum (MXNet kvstore's) when the loss is a sum and you divide by the global batch.
    `params` is a list of arrays or a dict of them (only its values are used).

    >>> from tape import autograd, distributed as dist, nd
    >>> w = nd.array([1.0, 2.0]); w.attach_grad()
    >>> with autograd.record():
    ...     loss = (w * w).sum()
    >>> loss.backward()
    >>> dist.allreduce_grads([w], average=True)
    >>> w.grad
    <BLANKLINE>
    [2. 4.]
    <NDArray 2 @cpu(0)>
    """
    where = "tape.distributed.allreduce_grads"
    grads: list[tuple[str, NDArray]] = []
    for name, p in _params(where, params):
        if p.grad is None:
            raise ArgumentError(f"{where}: {name} has no gradient: call attach_grad() on it before backward")
        grads.append((name, p.grad))
    n = size()
    if n == 1:  # the sum over one worker is the gradient itself
        for name, g in grads:
            check_dtype(where, name, g._data.dtype)
        return
    totals = fused_sum(where, [(name, g._data) for name, g in grads])
    for (_, g), total in zip(grads, totals, strict=True):
        g[...] = wrap(_average(total, n) if average else total)


def broadcast_parameters(params: Iterable[NDArray] | Mapping[Any, NDArray], root: int = 0) -> None:
    """Give every worker the `root` worker's values of the parameters, in place (once, at the start).

    Workers that initialise their parameters from differently seeded generators then start
    from the same model. `params` is a list of arrays or a dict of them.

    >>> from tape import distributed as dist, nd
    >>> w = nd.array([0.5, -0.5])
    >>> dist.broadcast_parameters({"w": w})
    >>> w
    <BLANKLINE>
    [ 0.5 -0.5]
    <NDArray 2 @cpu(0)>
    """
    where = "tape.distributed.broadcast_parameters"
    named = _params(where, params)
    values = fused_bcast(where, [(name, p._data) for name, p in named], root)
    if size() > 1:
        for (_, p), value in zip(named, values, strict=True):
            p[...] = wrap(value)
