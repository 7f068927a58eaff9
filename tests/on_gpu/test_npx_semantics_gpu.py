"""The tests of tests/test_npx_semantics.py, with every array on the fake GPU."""

from fake_cupy import on_the_gpu  # noqa: F401 - autouse: the default context is the fake gpu(0)
from test_npx_semantics import *  # noqa: F403

# It checks the default context of a machine without a GPU.
del test_devices  # noqa: F821 - star-imported above
