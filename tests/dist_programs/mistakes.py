"""Mistakes a data-parallel program can make, for tests/test_distributed.py: ``mistakes.py MODE``.

- ``caught``: every mistake raises the same error on every worker, together, so the program
  can catch it and go on; prints ``caught <name>: <message>`` (worker 0) and ``ok`` at the end;
- ``fail``: worker 1 raises while worker 0 waits for it in a collective: the job must abort;
- ``stall``: worker 1 ends early while worker 0 waits (TAPE_DIST_TIMEOUT set by the test).
"""

from __future__ import annotations

import sys
from collections.abc import Callable

import tape
from tape import distributed as dist
from tape import nd


def caught(name: str, mistake: Callable[[], None], error: type[Exception]) -> None:
    try:
        mistake()
    except error as e:
        if dist.rank() == 0:
            print(f"caught {name}: {e}")
    else:
        raise AssertionError(f"{name} raised nothing")


def check_all_caught() -> None:
    kv = tape.kv.create("dist_sync")
    r = kv.rank
    out = nd.zeros(3)
    caught("pull before init", lambda: kv.pull(7, out=out), tape.MXNetError)
    caught("bad key", lambda: kv.init(1.5, out), TypeError)  # type: ignore[arg-type]
    caught("shapes differ at init", lambda: kv.init(0, nd.zeros(3 + r)), tape.MXNetError)
    kv.init(0, nd.zeros(3))
    kv.init(1, nd.zeros(2))
    caught(
        "dtypes differ",
        lambda: dist.allreduce(nd.ones(2, dtype="float32" if r else "float64")),
        tape.MXNetError,
    )
    caught("shapes differ at allreduce", lambda: dist.allreduce(nd.ones(2 + r)), tape.MXNetError)
    keys = [0, 1] if r == 0 else [0]
    caught(
        "keys differ", lambda: kv.pushpull(keys, [out, nd.zeros(2)][: len(keys)], out=None), tape.MXNetError
    )
    caught("push of another shape", lambda: kv.push(0, nd.ones(4)), ValueError)
    # After all these, the workers are still in step: a real exchange gives the right sum.
    g = nd.ones(3) * (r + 1)
    kv.pushpull(0, g, out=g)
    expected = sum(range(1, kv.num_workers + 1))
    assert (g.asnumpy() == expected).all(), g
    print(f"ok {r}")


def main(mode: str) -> None:
    if mode == "caught":
        check_all_caught()
        return
    kv = tape.kv.create("dist_sync")
    kv.init(0, nd.zeros(2))
    kv.pushpull(0, nd.ones(2), out=nd.zeros(2))
    if kv.rank == 1:
        if mode == "fail":
            raise RuntimeError("worker 1 fails on purpose")
        print("worker 1 stops early", flush=True)
        return
    kv.pushpull(0, nd.ones(2), out=nd.zeros(2))  # waits for worker 1, who never comes
    print("worker 0 was not stopped")


if __name__ == "__main__":
    main(sys.argv[1])
