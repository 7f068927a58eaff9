#!/usr/bin/env bash
# On a machine with a CUDA GPU: install tape with CuPy, then check and time tape on the GPU
# (tests/on_gpu over real CuPy, the same programs on gpu(0) and cpu(), timings with CUDA events).
# Prints the table for docs/performance.md. A few minutes in all.
set -euo pipefail
cd "$(dirname "$0")/.."
python -m pip install --quiet -e ".[test,gpu]"
python -m benchmarks.gpu_check --tests
