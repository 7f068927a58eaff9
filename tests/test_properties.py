"""Property tests: random compositions of ops over random broadcastable shapes.

Hypothesis draws a small program (a sequence of smooth ops, each reading earlier values,
with broadcasting between them) and two inputs of broadcast-compatible shapes; tape's first
and second derivatives must match float64 central differences (`tape.testing.check_grads`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from tape import autograd, nd
from tape.testing import check_grads

SETTINGS = settings(max_examples=30, deadline=None, database=None)

Unary = Callable[[nd.NDArray], nd.NDArray]
Binary = Callable[[nd.NDArray, nd.NDArray], nd.NDArray]

# Smooth everywhere and bounded in growth, so central differences are exact enough in float64.
UNARY: dict[str, Unary] = {
    "sin": nd.sin,
    "cos": nd.cos,
    "tanh": nd.tanh,
    "sigmoid": nd.sigmoid,
    "exp_tanh": lambda a: nd.exp(nd.tanh(a)),
    "square": lambda a: a * a,
    "neg": lambda a: -a,
    "scale": lambda a: 0.5 * a - 0.25,
    "log1p_sq": lambda a: nd.log(1 + a * a),
    "sqrt_1p_sq": lambda a: nd.sqrt(1 + nd.square(a)),
    "sum_last": lambda a: nd.sum(a, axis=-1, keepdims=True),
    "mean_first": lambda a: nd.mean(a, axis=0, keepdims=True),
}
BINARY: dict[str, Binary] = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / (2 + nd.tanh(b)),
    "rdiv": lambda a, b: 1 / (1.5 + nd.sin(a) * b / (1 + b * b)),
    "pow": lambda a, b: (1.5 + nd.sin(a)) ** nd.tanh(b),
}


@dataclass(frozen=True)
class Step:
    op: str
    lhs: int  # index into the values computed so far (0 and 1 are the inputs)
    rhs: int


@st.composite
def broadcastable_shapes(draw: st.DrawFn) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Two shapes that broadcast together: the second drops leading axes and sets some to 1."""
    full = draw(st.lists(st.integers(1, 3), min_size=1, max_size=3))
    other = [n if draw(st.booleans()) else 1 for n in full]
    dropped = draw(st.integers(0, len(full) - 1))
    pair = (tuple(full), tuple(other[dropped:]))
    return pair if draw(st.booleans()) else (pair[1], pair[0])


@st.composite
def programs(draw: st.DrawFn) -> list[Step]:
    n_steps = draw(st.integers(1, 5))
    steps = []
    for k in range(n_steps):
        available = k + 2
        op = draw(st.sampled_from(sorted(UNARY) + sorted(BINARY)))
        steps.append(Step(op, draw(st.integers(0, available - 1)), draw(st.integers(0, available - 1))))
    return steps


def run(program: list[Step], x: nd.NDArray, y: nd.NDArray) -> nd.NDArray:
    values = [x, y]
    for s in program:
        a = values[s.lhs]
        values.append(UNARY[s.op](a) if s.op in UNARY else BINARY[s.op](a, values[s.rhs]))
    # Keep both inputs reachable, so every gradient exists even when the program ignores one.
    return values[-1] + 0.1 * (nd.sum(x) + nd.sum(y))


def inputs(draw_shapes: tuple[tuple[int, ...], tuple[int, ...]], seed: int) -> tuple[nd.NDArray, nd.NDArray]:
    rng = np.random.default_rng(seed)
    a, b = (rng.uniform(-1.5, 1.5, s) for s in draw_shapes)
    return nd.array(a, dtype="float64"), nd.array(b, dtype="float64")


@SETTINGS
@given(program=programs(), shapes=broadcastable_shapes(), seed=st.integers(0, 2**16))
def test_random_programs_match_finite_differences_to_second_order(
    program: list[Step], shapes: tuple[tuple[int, ...], tuple[int, ...]], seed: int
) -> None:
    x, y = inputs(shapes, seed)
    check_grads(lambda a, b: run(program, a, b), x, y, order=2, rtol=1e-5, atol=1e-6)


@SETTINGS
@given(program=programs(), shapes=broadcastable_shapes(), seed=st.integers(0, 2**16))
def test_gradients_have_the_shape_and_dtype_of_their_variables(
    program: list[Step], shapes: tuple[tuple[int, ...], tuple[int, ...]], seed: int
) -> None:
    x64, y64 = inputs(shapes, seed)
    x, y = x64.astype("float32"), y64.astype("float32")
    x.attach_grad()
    y.attach_grad()
    with autograd.record():
        out = run(program, x, y)
    gx, gy = autograd.grad(out, [x, y])
    assert (gx.shape, gy.shape) == (x.shape, y.shape)
    assert gx.dtype == gy.dtype == np.float32


@SETTINGS
@given(program=programs(), shapes=broadcastable_shapes(), seed=st.integers(0, 2**16))
def test_backward_and_grad_agree(
    program: list[Step], shapes: tuple[tuple[int, ...], tuple[int, ...]], seed: int
) -> None:
    x, y = inputs(shapes, seed)
    x.attach_grad()
    y.attach_grad()
    with autograd.record():
        out = run(program, x, y)
    gx, gy = autograd.grad(out, [x, y], retain_graph=True)
    out.backward()
    assert x.grad is not None and y.grad is not None
    np.testing.assert_array_equal(x.grad.asnumpy(), gx.asnumpy())
    np.testing.assert_array_equal(y.grad.asnumpy(), gy.asnumpy())
