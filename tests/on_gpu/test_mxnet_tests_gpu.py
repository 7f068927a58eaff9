"""The tests of tests/test_mxnet_tests.py, with every array on the fake GPU."""

from fake_cupy import on_the_gpu  # noqa: F401 - autouse: the default context is the fake gpu(0)
from test_mxnet_tests import *  # noqa: F403

# NumPy's own functions on nd arrays give the raw values' results: CuPy arrays on a GPU, which
# NumPy's testing helpers (this test's) refuse to read, as CuPy wants.
del test_numpy_functions_run_on_the_values_outside_record  # noqa: F821 - star-imported above
