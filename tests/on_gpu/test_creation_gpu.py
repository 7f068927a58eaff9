"""The tests of tests/test_creation.py, with every array on the fake GPU."""

from fake_cupy import on_the_gpu  # noqa: F401 - autouse: the default context is the fake gpu(0)
from test_creation import *  # noqa: F403
