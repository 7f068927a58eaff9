"""``python -m tape.launch -n N [--hosts H1,H2 | --hostfile FILE] [--] script.py [args...]``.

Starts `N` workers of ``script.py`` through MPI's ``mpiexec`` (MPICH's, which the ``dist``
extra installs: ``python -m pip install "tape[dist]"``), on this machine or on the machines
of ``--hosts`` / ``--hostfile`` (as ``mpiexec`` takes them: one host name per line, with an
optional ``:slots``). Each line that a worker prints comes prefixed with its rank, ``[1] ...``.

Every worker runs under mpi4py's runner (as ``python -m mpi4py``), which aborts the whole job
when a worker ends with an unhandled exception: a failing worker stops them all within
seconds, and the launcher exits with a non-zero status instead of hanging.

>>> from tape.launch import command
>>> cmd = command(["-n", "2", "train.py", "--epochs", "3"], mpiexec="mpiexec", python="python")
>>> cmd[:5], cmd[-3:]
(['mpiexec', '-n', '2', 'python', '-c'], ['train.py', '--epochs', '3'])
"""

from __future__ import annotations

import argparse
import importlib.util
import io
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from .distributed import INSTALL

__all__ = ["build_parser", "command", "find_mpiexec", "main", "run_worker", "WORKER"]

# What each worker runs: mpi4py's runner, as ``python -m mpi4py`` (an unhandled exception
# aborts the whole job), with its output prefixed by its rank, line by line (see _Prefixed).
WORKER = "from tape.launch import run_worker; run_worker()"


class _Prefixed(io.TextIOBase):
    """A worker's stdout or stderr with ``[rank] `` at the start of each line.

    Written here rather than by mpiexec (MPICH's ``-prepend-rank``), which prefixes each piece it
    reads: a line printed in two writes came out cut in two, and lines of two workers glued.
    """

    def __init__(self, stream: TextIO, prefix: str) -> None:
        self._stream, self._prefix = stream, prefix
        self._at_start, self._pending = True, ""

    def write(self, text: str) -> int:
        # Whole lines only, in one write each: `print` writes its pieces one by one, and with
        # PYTHONUNBUFFERED they would reach mpiexec, and mix with other workers' lines, apart.
        self._pending += text
        end = self._pending.rfind("\n") + 1
        if end:
            self._emit(self._pending[:end])
            self._pending = self._pending[end:]
        return len(text)

    def _emit(self, text: str) -> None:
        out = []
        for piece in text.splitlines(keepends=True):
            out.append(self._prefix + piece if self._at_start else piece)
            self._at_start = piece.endswith(("\n", "\r"))
        self._stream.write("".join(out))
        self._stream.flush()

    def flush(self) -> None:
        if self._pending:  # a line without its end yet (a progress bar): show it now
            self._emit(self._pending)
            self._pending = ""
        self._stream.flush()

    def fileno(self) -> int:
        return self._stream.fileno()

    def isatty(self) -> bool:
        return False

    def writable(self) -> bool:
        return True

    @property
    def encoding(self) -> str:  # type: ignore[override]  # read-only in io, an attribute in typeshed
        return self._stream.encoding


def run_worker() -> None:
    """Run ``sys.argv[1:]`` (a script and its arguments) as one worker: what ``WORKER`` calls.

    Only under ``mpiexec``, which starts each worker with ``python -c WORKER script.py ...``:

    >>> from tape.launch import WORKER
    >>> WORKER
    'from tape.launch import run_worker; run_worker()'
    """
    rank = os.environ.get("PMI_RANK") or os.environ.get("OMPI_COMM_WORLD_RANK") or "?"
    sys.stdout = _Prefixed(sys.stdout, f"[{rank}] ")
    sys.stderr = _Prefixed(sys.stderr, f"[{rank}] ")
    from mpi4py.run import main as run  # here: tape itself never imports mpi4py

    run()


def build_parser() -> argparse.ArgumentParser:
    """The command line of ``python -m tape.launch``.

    >>> build_parser().parse_args(["-n", "2", "--", "train.py", "-v"]).script
    'train.py'
    """
    parser = argparse.ArgumentParser(
        prog="python -m tape.launch",
        description="Start N workers of a tape program over MPI (data-parallel training).",
    )
    parser.add_argument("-n", "--num-workers", type=_count, required=True, help="how many workers to start")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--hosts", help="comma-separated machines to run on (default: this one)")
    where.add_argument("--hostfile", type=Path, help="a file of machine names, one per line")
    parser.add_argument("script", help="the Python program each worker runs")
    parser.add_argument("args", nargs=argparse.REMAINDER, help="its arguments")
    return parser


def _count(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        n = 0
    if n < 1:
        raise argparse.ArgumentTypeError(f"the number of workers is a whole number >= 1, not {text!r}")
    return n


def find_mpiexec() -> str | None:
    """The ``mpiexec`` of this Python environment (where the MPICH wheel puts it), else the PATH's.

    >>> find_mpiexec() is None or find_mpiexec().endswith("mpiexec")
    True
    """
    here = Path(sys.executable).parent / "mpiexec"
    if here.is_file() and os.access(here, os.X_OK):
        return str(here)
    return shutil.which("mpiexec")


def _is_open_mpi(mpiexec: str) -> bool:
    try:
        done = subprocess.run([mpiexec, "--version"], capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return "open mpi" in (done.stdout + done.stderr).lower()


def command(argv: Sequence[str], mpiexec: str, python: str, open_mpi: bool = False) -> list[str]:
    """The ``mpiexec`` command line that the launcher runs for its own arguments `argv`.

    >>> command(["-n", "3", "--hosts", "a,b", "t.py"], mpiexec="mpiexec", python="python")[:5]
    ['mpiexec', '-n', '3', '-hosts', 'a,b']
    """
    args = build_parser().parse_args(list(argv))
    script_args = args.args[1:] if args.args[:1] == ["--"] else args.args
    cmd = [mpiexec, "-n", str(args.num_workers)]
    if open_mpi:  # Open MPI spells the same options its own way
        cmd += ["--oversubscribe"]
        cmd += ["--host", args.hosts] if args.hosts else []
        cmd += ["--hostfile", str(args.hostfile)] if args.hostfile else []
    else:  # MPICH's hydra
        cmd += ["-hosts", args.hosts] if args.hosts else []
        cmd += ["-f", str(args.hostfile)] if args.hostfile else []
    return [*cmd, python, "-c", WORKER, args.script, *script_args]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the workers and return the job's exit status (non-zero when any worker failed).

    >>> main(["-n", "1", "--hostfile", "/no/such/file", "train.py"])
    Traceback (most recent call last):
    ...
    SystemExit: 2
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.hostfile is not None and not args.hostfile.is_file():
        parser.error(f"--hostfile {args.hostfile}: no such file")
    if not Path(args.script).is_file():
        parser.error(f"{args.script}: no such file (the script each worker runs)")
    mpiexec = find_mpiexec()
    if mpiexec is None or importlib.util.find_spec("mpi4py") is None:
        missing = "mpiexec" if mpiexec is None else "mpi4py"
        print(
            f"tape.launch: {missing} is not installed: install MPI and mpi4py with {INSTALL}", file=sys.stderr
        )
        return 2
    cmd = command(argv, mpiexec, sys.executable, _is_open_mpi(mpiexec))
    process = subprocess.Popen(cmd)
    try:
        return process.wait()
    except KeyboardInterrupt:  # mpiexec passes Ctrl-C on to the workers; give them a moment
        process.send_signal(signal.SIGINT)
        try:
            return process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            return 130


if __name__ == "__main__":
    sys.exit(main())
