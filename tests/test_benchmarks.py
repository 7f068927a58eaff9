"""The benchmark suite runs and reports; its timings are never asserted here (noisy machines)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_quick_run_prints_the_table_and_writes_json(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    # A subprocess: the suite pins BLAS threads and tunes the allocator for its own process.
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks",
            "--quick",
            "--repeat",
            "1",
            "--only",
            "tiny_ops",
            "tanh_third",
            "--json",
            str(out),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "benchmark" in done.stdout and "ratio" in done.stdout
    assert "a. 1000 tiny ops" in done.stdout and "e. tanh'''" in done.stdout
    assert "within target" in done.stdout
    results = json.loads(out.read_text())["results"]
    # Row a twice: through nd, then through tape.np (issue 10's "as fast as nd").
    assert [r["name"][:2] for r in results] == ["a.", "a.", "e."]
    assert results[1]["name"].endswith("tape.np")
    assert all(r["ratio"] > 0 and r["tape"] > 0 and r["numpy"] > 0 for r in results)


@pytest.mark.slow
def test_conv_benchmark_checks_tape_against_its_numpy_im2col_code() -> None:
    # The harness refuses to time sides whose gradients differ, so a run that prints both rows
    # has also checked the hand-written NumPy layer and LeNet step against tape's.
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--quick", "--repeat", "1", "--only", "conv"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    rows = [line for line in done.stdout.splitlines() if line.startswith("g. ")]
    assert len(rows) == 4  # two rows as they finish, then the same two in the final table
    assert any("Convolution" in r for r in rows) and any("LeNet SGD step" in r for r in rows)
