"""Launched tests: several worker processes through ``python -m tape.launch`` (MPI).

They need the ``dist`` extra (mpi4py and MPICH), which CI installs; without it they skip. Each
launch takes a second or two; every one runs under a timeout, so a bug cannot hang the suite.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from tape.launch import find_mpiexec

pytest.importorskip("mpi4py", reason='the launched tests need: pip install "tape[dist]"')
if find_mpiexec() is None:
    pytest.skip("no mpiexec: pip install mpich", allow_module_level=True)

ROOT = Path(__file__).resolve().parent.parent
PROGRAMS = Path(__file__).resolve().parent / "dist_programs"
TIMEOUT = 120  # seconds; a launch takes about two


def launch(n: int, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tape.launch", "-n", str(n), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
        env={**os.environ, **(env or {})},
    )


@pytest.fixture(scope="module")
def alone(tmp_path_factory: pytest.TempPathFactory) -> dict[str, np.ndarray]:
    out = tmp_path_factory.mktemp("alone") / "w.npz"
    subprocess.run([sys.executable, str(PROGRAMS / "train.py"), str(out)], check=True, timeout=TIMEOUT)
    with np.load(out.with_suffix(".rank0.npz")) as z:
        assert int(z["size"]) == 1
        return dict(z)


@pytest.mark.parametrize("n", [2, 3])  # 3 workers on this 2-core machine: oversubscribed
def test_the_same_program_gives_the_same_weights_on_one_and_on_n_workers(
    n: int, alone: dict[str, np.ndarray], tmp_path: Path
) -> None:
    done = launch(n, str(PROGRAMS / "train.py"), str(tmp_path / "w.npz"))
    assert done.returncode == 0, done.stdout + done.stderr
    workers = []
    for r in range(n):
        with np.load(tmp_path / f"w.rank{r}.npz") as z:
            workers.append(dict(z))
        assert f"[{r}] worker {r} of {n} saved" in done.stdout  # each line prefixed by its rank
    for name, expected in alone.items():
        if name == "size":
            continue
        # The kvstore summing, the kvstore's SGD and the functional calls, all in float64.
        np.testing.assert_allclose(workers[0][name], expected, rtol=0, atol=1e-10, err_msg=name)
        for r in range(1, n):  # replicas stay bitwise equal
            assert workers[r][name].tobytes() == workers[0][name].tobytes(), (name, r)


def test_mistakes_raise_the_same_clear_error_on_every_worker() -> None:
    done = launch(2, str(PROGRAMS / "mistakes.py"), "caught")
    out = done.stdout + done.stderr
    assert done.returncode == 0, out
    assert (
        "[0] caught pull before init: kv.pull: key 7 has not been initialized: call kv.init(7, value)" in out
    )
    assert "[0] caught bad key: kv.init: a key is an int or a str, not 1.5" in out
    assert "[0]   worker 0: key 0 (3,) float32\n[0]   worker 1: key 0 (4,) float32" in out
    assert "[0]   worker 0: x (2,) float64\n[0]   worker 1: x (2,) float32" in out
    assert "[0]   worker 0: key 0 (3,) float32, key 1 (2,) float32\n[0]   worker 1: key 0 (3,) float32" in out
    assert "[0] caught push of another shape" in out
    assert "[0] ok 0" in out and "[1] ok 1" in out  # and the workers went on, in step


def test_a_failing_worker_ends_the_job_in_seconds_with_a_non_zero_status() -> None:
    start = time.monotonic()
    done = launch(2, str(PROGRAMS / "mistakes.py"), "fail")
    assert done.returncode != 0
    assert time.monotonic() - start < 30
    assert "RuntimeError: worker 1 fails on purpose" in done.stdout + done.stderr
    assert "worker 0 was not stopped" not in done.stdout


def test_a_worker_that_stops_early_is_reported_after_the_timeout() -> None:
    start = time.monotonic()
    done = launch(2, str(PROGRAMS / "mistakes.py"), "stall", env={"TAPE_DIST_TIMEOUT": "2"})
    out = done.stdout + done.stderr
    assert done.returncode != 0, out
    assert time.monotonic() - start < 30
    assert "worker 0 waited 2 s for the other workers (TAPE_DIST_TIMEOUT=2)" in out


def test_the_docs_example_trains_on_two_workers(tmp_path: Path) -> None:
    # The complete example of docs/distributed.md: the block that starts with "# train.py".
    page = (ROOT / "docs" / "distributed.md").read_text(encoding="utf-8")
    blocks = re.findall(r"^```python\n(# train\.py.*?)^```", page, re.M | re.S)
    assert len(blocks) == 1
    script = tmp_path / "train.py"
    script.write_text(blocks[0], encoding="utf-8")
    done = launch(2, str(script))
    out = done.stdout + done.stderr
    assert done.returncode == 0, out
    accuracy = re.search(r"^\[0\] 2 worker\(s\), test accuracy (\d\.\d+)$", done.stdout, re.M)
    assert accuracy is not None, out
    assert float(accuracy.group(1)) > 0.9
    assert "[1] " not in done.stdout  # only worker 0 prints
