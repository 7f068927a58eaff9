"""The tests of tests/test_ndarray.py, with every array on the fake GPU."""

from fake_cupy import on_the_gpu  # noqa: F401 - autouse: the default context is the fake gpu(0)
from test_ndarray import *  # noqa: F403

# They compare the repr with the text of a CPU array, `@cpu(0)`; on the GPU it says `@gpu(0)`.
del test_repr_of_a_matrix, test_repr_of_a_vector, test_str_is_repr  # noqa: F821 - star-imported above
