"""``python -m benchmarks [--quick] [--json PATH] [--only NAME ...]``: run and print the table."""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence

# The package __init__ has pinned the BLAS threads before anything below imports NumPy.
from . import allreduce, chain, conv, fan_out, matmul_tanh, mlp, tanh_third, tiny_ops
from ._harness import Case, Metric, Row, as_json, environment, format_table, metric_row, run_case

MODULES = {m.NAME: m for m in (tiny_ops, mlp, chain, matmul_tanh, tanh_third, fan_out, conv, allreduce)}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="few repeats, smaller sizes: a smoke run")
    parser.add_argument("--json", metavar="PATH", help="also write the results as JSON to PATH")
    parser.add_argument("--only", nargs="+", choices=sorted(MODULES), help="run only these benchmarks")
    parser.add_argument("--repeat", type=int, help="timings per side (default 15, 3 with --quick)")
    args = parser.parse_args(argv)
    repeat = args.repeat or (3 if args.quick else 15)
    min_time = 0.02 if args.quick else 0.2

    env = environment()
    print(" | ".join(f"{k}: {v}" for k, v in env.items()))
    print(f"ratio = best of {repeat} timings (tape / hand-written NumPy); each timing >= {min_time}s\n")
    rows: list[Row] = []
    start = time.perf_counter()
    for name in args.only or list(MODULES):
        for item in MODULES[name].cases(args.quick):
            if isinstance(item, Metric):
                rows.append(metric_row(item))
            else:
                assert isinstance(item, Case)
                rows.append(run_case(item, repeat, min_time))
            print(format_table(rows[-1:]).splitlines()[-1], flush=True)
    print()
    print(format_table(rows))
    failed = sum(not r.passed for r in rows)
    print(f"\n{len(rows) - failed}/{len(rows)} within target ({time.perf_counter() - start:.0f}s)")
    if args.json:
        settings = {"quick": args.quick, "repeat": repeat, "min_time": min_time}
        with open(args.json, "w") as f:
            json.dump(as_json(rows, env, settings), f, indent=2)
    # Missing a speed target is a finding to report, not a crash: exit 0 either way.
    return 0


if __name__ == "__main__":
    sys.exit(main())
