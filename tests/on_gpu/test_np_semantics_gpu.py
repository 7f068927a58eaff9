"""The tests of tests/test_np_semantics.py, with every array on the fake GPU."""

from fake_cupy import on_the_gpu  # noqa: F401 - autouse: the default context is the fake gpu(0)
from test_np_semantics import *  # noqa: F403

# It writes NumPy's result on the values into a NumPy `out` array, which GPU values cannot fill.
del test_numpy_functions_work_on_tape_arrays_outside_record  # noqa: F821 - star-imported above
