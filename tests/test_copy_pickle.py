"""copy.copy, copy.deepcopy and pickle of an NDArray: the values (and a marked array's grad_req
and `.grad`), never the graph, and never an internal error."""

from __future__ import annotations

import copy
import pickle
import subprocess
import sys
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from tape import autograd, nd

Copier = Callable[[Any], Any]
COPIERS: list[tuple[str, Copier]] = [
    ("deepcopy", copy.deepcopy),
    ("copy", copy.copy),
    *[(f"pickle{p}", lambda a, p=p: pickle.loads(pickle.dumps(a, protocol=p))) for p in range(6)],
]
IDS = [c[0] for c in COPIERS]
FNS = [c[1] for c in COPIERS]


def _shares_memory(a: nd.NDArray, b: nd.NDArray) -> bool:
    return bool(np.shares_memory(a._data, b._data))


@pytest.mark.parametrize("dtype", ["float32", "float64", "int32"])
@pytest.mark.parametrize("copier", FNS, ids=IDS)
def test_a_plain_array_copies_to_an_equal_independent_array(copier: Copier, dtype: str) -> None:
    x = nd.array([[1, 2, 3], [4, 5, 6]], dtype=dtype)
    c = copier(x)
    assert type(c) is nd.NDArray and c.dtype == x.dtype and c.shape == x.shape
    np.testing.assert_array_equal(c.asnumpy(), x.asnumpy())
    assert not _shares_memory(c, x)
    assert c._node is None and c.grad is None and c.grad_req is None


def _variable(grad_req: str) -> nd.NDArray:
    """A marked array whose `.grad` holds [7, 8, 9] (as after an earlier backward)."""
    x = nd.array([1.0, 2.0, 3.0])
    x.attach_grad(grad_req)
    assert x.grad is not None
    x.grad[:] = nd.array([7.0, 8.0, 9.0])
    return x


@pytest.mark.parametrize("grad_req", ["write", "add", "null"])
@pytest.mark.parametrize("copier", FNS, ids=IDS)
def test_a_variable_copies_to_a_leaf_of_its_own_with_its_grad_req_and_a_copy_of_its_grad(
    copier: Copier, grad_req: str
) -> None:
    x = _variable(grad_req)
    c = copier(x)
    assert c.grad_req == grad_req and c.grad is not None
    np.testing.assert_array_equal(c.grad.asnumpy(), [7, 8, 9])
    assert not _shares_memory(c.grad, x.grad) and not _shares_memory(c, x)
    assert c._node is not x._node and c._node.inputs == ()


@pytest.mark.parametrize(("grad_req", "want"), [("write", [2, 4, 6]), ("add", [9, 12, 15])])
@pytest.mark.parametrize("copier", FNS, ids=IDS)
def test_a_copied_variable_receives_gradients_as_its_grad_req_says(
    copier: Copier, grad_req: str, want: list[float]
) -> None:
    x = _variable(grad_req)
    c = copier(x)
    with autograd.record():
        y = (c * c).sum()
    y.backward()
    np.testing.assert_array_equal(c.grad.asnumpy(), want)
    np.testing.assert_array_equal(x.grad.asnumpy(), [7, 8, 9])  # the original's buffer untouched


@pytest.mark.parametrize("copier", FNS, ids=IDS)
def test_an_intermediate_in_a_recorded_graph_copies_to_its_values_outside_any_graph(copier: Copier) -> None:
    x = nd.array([[1.0, 2.0], [3.0, 4.0]])
    x.attach_grad()
    with autograd.record():
        y = x * 2
        part = nd.split(y, 2, axis=0)[0]  # an output of a multi-output op
        copies = [copier(y), copier(part)]
        loss = (y * y).sum()
    for c, original in zip(copies, [y, part], strict=True):
        np.testing.assert_array_equal(c.asnumpy(), original.asnumpy())
        assert c._node is None and c.grad_req is None and c.grad is None
    loss.backward()  # the original graph still works
    np.testing.assert_array_equal(x.grad.asnumpy(), 8 * x.asnumpy())


@pytest.mark.parametrize("copier", FNS, ids=IDS)
def test_a_marked_intermediate_copies_to_a_fresh_leaf_cut_from_the_graph(copier: Copier) -> None:
    x = nd.array([1.0, 2.0])
    x.attach_grad()
    with autograd.record():
        y = x * 3
    y.attach_grad()
    c = copier(y)
    assert c.grad_req == "write" and c._node is not None and c._node.inputs == ()
    with autograd.record():
        z = (c * c).sum()
    z.backward()
    np.testing.assert_array_equal(c.grad.asnumpy(), [6, 12])
    np.testing.assert_array_equal(x.grad.asnumpy(), [0, 0])  # nothing flowed to the original's inputs


@pytest.mark.parametrize(
    "copier", [copy.deepcopy, lambda a: pickle.loads(pickle.dumps(a))], ids=["deepcopy", "pickle"]
)
def test_a_container_with_a_variable_and_its_grad_keeps_them_together(copier: Copier) -> None:
    x = nd.ones((2,))
    x.attach_grad()
    c = copier({"x": x, "g": x.grad})
    assert c["g"] is c["x"].grad and c["g"] is not x.grad


def test_a_pickle_loads_in_a_fresh_interpreter() -> None:
    x = nd.array([1.5, 2.5], dtype="float64")
    x.attach_grad("add")
    code = (
        "import pickle, sys\n"
        "x = pickle.loads(sys.stdin.buffer.read())\n"
        "print(type(x).__name__, x.dtype.__name__, x.grad_req, x.asnumpy().tolist(), x.grad.shape)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], input=pickle.dumps(x), capture_output=True, check=True
    ).stdout.decode()
    assert out.split() == ["NDArray", "float64", "add", "[1.5,", "2.5]", "(2,)"]
