"""Exact dtypes: float32 in, float32 out (NumPy scalars included), and one rule for integer inputs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from conftest import variable

from tape import autograd, nd
from tape.ops import elementwise, special, trig

# The rule for integer inputs (primitives declared float_valued=True; tape/_primitive.py applies it):
# these give float32 for integer and boolean arrays...
FLOAT_VALUED = [
    "exp", "expm1", "log", "log2", "log10", "log1p", "sqrt", "rsqrt", "cbrt", "rcbrt",
    "reciprocal", "sigmoid", "softrelu", "softsign", "sin", "cos", "tan", "arcsin", "arccos",
    "arctan", "sinh", "cosh", "tanh", "arcsinh", "arccosh", "arctanh", "degrees", "radians",
    "erf", "gamma", "gammaln", "digamma",
]  # fmt: skip
# ... and these keep an integer array's type (clip too, tested with its bounds).
INTEGER_VALUED = [
    "abs",
    "sign",
    "square",
    "negative",
    "floor",
    "ceil",
    "round",
    "rint",
    "fix",
    "trunc",
    "relu",
]

Binary = Callable[[Any, Any], Any]
OPERATORS: list[tuple[str, Binary]] = [
    ("x + s", lambda x, s: x + s),
    ("s + x", lambda x, s: s + x),
    ("x - s", lambda x, s: x - s),
    ("s - x", lambda x, s: s - x),
    ("x * s", lambda x, s: x * s),
    ("s * x", lambda x, s: s * x),
    ("x / s", lambda x, s: x / s),
    ("s / x", lambda x, s: s / x),
    ("x ** s", lambda x, s: x**s),
    ("s ** x", lambda x, s: s**x),
    ("x % s", lambda x, s: x % s),
    ("s % x", lambda x, s: s % x),
]
FUNCTIONS = [nd.add, nd.subtract, nd.multiply, nd.divide, nd.power, nd.modulo, nd.maximum, nd.minimum]
NUMPY_SCALARS = [np.float64(1.5), np.float32(1.5), np.float16(1.5), np.int64(2), np.uint8(2)]


def _ids(v: Any) -> str:
    return v if isinstance(v, str) else getattr(v, "__name__", repr(v))


# ---- NumPy scalars leave a float32 array float32 ----------------------------------------------
@pytest.mark.parametrize("s", NUMPY_SCALARS, ids=repr)
@pytest.mark.parametrize(("name", "op"), OPERATORS, ids=[o[0] for o in OPERATORS])
def test_an_operator_with_a_numpy_scalar_gives_float32_as_with_a_python_number(
    name: str, op: Binary, s: Any
) -> None:
    x = nd.array([0.5, 1.25, 2.0])
    y = op(x, s)
    assert y.dtype == np.float32
    np.testing.assert_array_equal(y.asnumpy(), op(x, s.item()).asnumpy())


@pytest.mark.parametrize(("name", "op"), OPERATORS, ids=[o[0] for o in OPERATORS])
def test_a_recorded_operator_with_a_numpy_float64_gives_float32_values_and_gradients(
    name: str, op: Binary
) -> None:
    x = variable([0.5, 1.25, 2.0])
    with autograd.record():
        h = op(x, np.float64(1.5))
        h.attach_grad()  # an intermediate's gradient has the intermediate's dtype
        y = (h * x).sum()
    y.backward()
    assert h.dtype == np.float32 and h.grad.dtype == np.float32 and x.grad.dtype == np.float32


@pytest.mark.parametrize("side", ["left", "right"])
@pytest.mark.parametrize("f", FUNCTIONS, ids=_ids)
def test_an_nd_function_with_a_numpy_float64_gives_float32(f: Any, side: str) -> None:
    x = nd.array([0.5, 1.25, 2.0])
    y = f(x, np.float64(1.5)) if side == "right" else f(np.float64(1.5), x)
    want = f(x, 1.5) if side == "right" else f(1.5, x)
    assert y.dtype == np.float32
    np.testing.assert_array_equal(y.asnumpy(), want.asnumpy())


def test_clip_with_numpy_float64_bounds_gives_float32() -> None:
    y = nd.clip(nd.array([-1.0, 0.5, 2.0]), np.float64(0), np.float64(1))
    assert y.dtype == np.float32
    np.testing.assert_array_equal(y.asnumpy(), [0.0, 0.5, 1.0])


@pytest.mark.parametrize("op", ["+=", "-=", "*=", "/="])
def test_an_inplace_operator_with_a_numpy_float64_keeps_the_array_float32(op: str) -> None:
    x, want = nd.array([0.5, 1.25, 2.0]), nd.array([0.5, 1.25, 2.0])
    scope: dict[str, Any] = {"x": x, "want": want, "s": np.float64(0.1)}
    exec(f"x {op} s\nwant {op} 0.1", scope)
    assert scope["x"] is x and x.dtype == np.float32
    np.testing.assert_array_equal(x.asnumpy(), want.asnumpy())


def test_an_sgd_step_with_a_learning_rate_computed_by_numpy_keeps_the_parameter_float32() -> None:
    p = variable([1.0, -2.0, 3.0])
    with autograd.record():
        loss = (p * p).sum()
    loss.backward()
    lr = np.float64(0.1) * np.exp(np.float64(-0.5))  # a decayed rate: a NumPy float64
    want = p.asnumpy() - np.float32(lr) * p.grad.asnumpy()
    p -= lr * p.grad
    assert p.dtype == np.float32
    np.testing.assert_allclose(p.asnumpy(), want, rtol=1e-6)


@pytest.mark.parametrize("form", ["2.0 ** x", "x ** 2.0"])
def test_powers_with_a_python_float_give_float32_values_and_gradients(form: str) -> None:
    x = variable([0.5, 1.5])
    with autograd.record():
        y = 2.0**x if form == "2.0 ** x" else x**2.0
        (g,) = autograd.grad(y.sum(), [x], create_graph=True)
        gg = g.sum()
    gg.backward()
    assert y.dtype == g.dtype == x.grad.dtype == np.float32


def test_gradients_through_numpy_float64_scalars_are_float32_at_every_order() -> None:
    x = variable([0.5, 1.5])
    with autograd.record():
        y = (np.float64(3) * x * x + np.float64(2) ** x + x ** np.float64(3) / np.float64(2)).sum()
        (g,) = autograd.grad(y, [x], create_graph=True)
        (g2,) = autograd.grad(g.sum(), [x], create_graph=True)
        g3 = g2.sum()
    g3.backward()
    assert y.dtype == g.dtype == g2.dtype == x.grad.dtype == np.float32


# ---- integer inputs: float-valued ops give float32, integer-valued ops keep the type ------------
def test_sigmoid_of_integers_is_float32_not_truncated() -> None:
    y = nd.sigmoid(nd.array([1, 2, 3], dtype="int32"))
    assert y.dtype == np.float32
    np.testing.assert_allclose(y.asnumpy(), 1 / (1 + np.exp(-np.array([1.0, 2.0, 3.0]))), rtol=1e-6)


@pytest.mark.parametrize("dtype", ["int32", "int64", "uint8", "bool"])
@pytest.mark.parametrize("name", FLOAT_VALUED)
def test_a_float_valued_op_computes_an_integer_array_in_float32(name: str, dtype: str) -> None:
    values = [0, 1, 1] if dtype == "bool" else [1, 2, 3]
    op = getattr(nd, name)
    with np.errstate(all="ignore"):  # log(0), arcsin(2)...: the same inf and nan as in float32
        y = op(nd.array(values, dtype=dtype))
        want = op(nd.array(values, dtype="float32"))
    assert y.dtype == np.float32
    np.testing.assert_array_equal(y.asnumpy(), want.asnumpy())


@pytest.mark.parametrize("dtype", ["float16", "float64"])
@pytest.mark.parametrize("name", FLOAT_VALUED)
def test_a_float_valued_op_keeps_a_floating_array_type(name: str, dtype: str) -> None:
    assert getattr(nd, name)(nd.array([1.0, 2.0, 3.0], dtype=dtype)).dtype == np.dtype(dtype)


@pytest.mark.parametrize("name", INTEGER_VALUED)
def test_an_integer_valued_op_keeps_an_integer_array_integer(name: str) -> None:
    op = getattr(nd, name)
    y = op(nd.array([-3, 0, 2], dtype="int32"))
    assert y.dtype == np.int32
    np.testing.assert_array_equal(y.asnumpy(), op(nd.array([-3, 0, 2])).asnumpy())


def test_clip_keeps_an_integer_array_integer() -> None:
    y = nd.clip(nd.array([-3, 0, 2], dtype="int32"), np.int64(-1), 1)
    assert y.dtype == np.int32
    np.testing.assert_array_equal(y.asnumpy(), [-1, 0, 1])


@pytest.mark.parametrize(
    ("act_type", "dtype"), [("sigmoid", np.float32), ("tanh", np.float32), ("relu", np.int32)]
)
def test_activation_follows_the_rule_of_its_op(act_type: str, dtype: Any) -> None:
    y = nd.Activation(nd.array([1, 2, 3], dtype="int32"), act_type=act_type)
    assert y.dtype == dtype


def test_every_one_argument_elementwise_op_is_under_one_of_the_two_rules() -> None:
    unary = {*elementwise.__all__, *trig.__all__, *special.__all__, "negative"} - {"clip"}
    assert unary == {*FLOAT_VALUED, *INTEGER_VALUED}
    assert not set(FLOAT_VALUED) & set(INTEGER_VALUED)


@pytest.mark.parametrize(
    ("form", "want"),
    [("x / 2", [0.5, 1.0, 1.5]), ("x * 1.5", [1.5, 3.0, 4.5]), ("x ** 0.5", np.sqrt([1.0, 2.0, 3.0]))],
)
def test_integer_arithmetic_with_fractions_is_never_truncated(form: str, want: Any) -> None:
    x = nd.array([1, 2, 3], dtype="int32")
    y = eval(form, {"x": x})
    assert np.issubdtype(y.dtype, np.floating)
    np.testing.assert_allclose(y.asnumpy(), want, rtol=1e-7)


def test_where_with_numpy_scalars_keeps_float32() -> None:
    x = nd.array([1.0, 2.0, 3.0])
    assert nd.where(x > 1, x, np.float64(0)).dtype == np.float32
    assert nd.where(x > 1, np.float64(1), np.float64(0)).dtype == np.float32
