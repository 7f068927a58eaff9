"""Every public `nd` function refuses an argument of the wrong type by name, never by accident.

The walk goes over `tape.nd.__all__` (and the samplers of `nd.random`): `inspect.signature`
finds each parameter that takes an array, a shape, an axis, a count or a file name (by its
name, `KIND`), and each is given, in turn, values of the wrong type (`WRONG`) in an otherwise
valid call (`BASE`, which must succeed first). The call must raise a TypeError (a ValueError for
a wrong value, such as an axis out of range) whose message names the function, as
``nd.<name>:``, and the parameter. Before, such calls raised NumPy's or Python's incidental
errors, or worse, computed something: a list given to an op was silently made a float64 array,
``nd.zeros("3")`` had shape (3,) and ``nd.sum(x, axis={})`` summed everything.

Whether a number is a wrong value for an array parameter follows its annotation: the elementwise
ops of two arrays (`Operand`, `NDArray | float`) and the samplers' parameters take numbers; a
parameter annotated `NDArray` does not. A function that cannot be walked is in `NOT_WALKED`,
with the reason; every other function must have at least one walked parameter.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import tape.nd
import tape.random
from tape import nd

X = nd.array([[0.5, 0.25], [0.75, 0.125]])  # values inside every op's domain but arccosh's
IDX = nd.array([0, 1])

# The parameters walked, by name, and the kind of value each takes.
KIND: dict[str, str] = {
    **dict.fromkeys(["data", "lhs", "rhs", "base", "exp", "a", "indices", "index", "condition"], "array"),
    **dict.fromkeys(["x", "y", "weight", "bias", "label", "out", "args"], "array"),
    **dict.fromkeys(["A", "B", "C"], "array"),  # nd.linalg's matrices
    **dict.fromkeys(["loc", "scale", "low", "high", "alpha", "beta", "lam"], "array"),
    **dict.fromkeys(["shape", "reps", "size"], "shape"),
    **dict.fromkeys(["axis", "axes", "dim", "dim1", "dim2"], "axis"),
    **dict.fromkeys(["num_outputs", "repeats", "depth", "num_hidden", "N", "M", "num"], "count"),
    "fname": "path",
    "source_array": "source",
}

# Values of the wrong type for each kind (None only where the parameter does not take None). The
# last entry of "axis" is an integer out of range: a wrong value, a ValueError.
WRONG: dict[str, list[Any]] = {
    "array": [None, "abc", {"a": 1}, [1.0, 2.0], (1.0, 2.0)],
    "shape": [None, "2", {}, 2.5, (2, "2")],
    "axis": [None, "1", {}, 1.5, 10],
    "count": [None, "2", 2.5, [2]],
    "path": [None, 3, {}, ["params"]],
    "source": [None, "1.5", {"a": 1}],
}
AXIS_OUT_OF_RANGE = 10

# A valid call of each function (by the name of the function object, so aliases share it);
# when absent, X for each required parameter. `FILE` is replaced by a path in the test's temporary folder.
FILE = "<a file>"
BASE: dict[str, tuple[tuple[Any, ...], dict[str, Any]]] = {
    "array": (([[1, 2], [3, 4]],), {}),
    "zeros": (((2, 3),), {}),
    "ones": (((2, 3),), {}),
    "full": (((2, 3), 7.0), {}),
    "empty": (((2, 3),), {}),
    "eye": ((2, 3), {}),
    "linspace": ((0, 1, 5), {}),
    "add_n": ((X, X), {}),
    "clip": ((X, 0.2, 0.6), {}),
    "arccosh": ((X + 1,), {}),
    "cast": ((X, "float64"), {}),
    "reshape": ((X, (4,)), {}),
    "swapaxes": ((X, 0, 1), {}),
    "broadcast_to": ((X, (3, 2, 2)), {}),
    "broadcast_axis": ((nd.ones((2, 1)),), {"axis": 1, "size": 3}),
    "broadcast_like": ((X, X), {}),
    "expand_dims": ((X, 0), {}),
    "squeeze": ((nd.ones((2, 1)),), {}),
    "concat": ((X, X), {}),
    "stack": ((X, X), {}),
    "split": ((X, 2), {}),
    "slice": ((X, (0, 0), (1, 2)), {}),
    "slice_axis": ((X, 1, 0, 1), {}),
    "tile": ((X, (2, 1)), {}),
    "repeat": ((X, 2), {}),
    "flip": ((X, 0), {}),
    "take": ((X, IDX), {}),
    "pick": ((X, IDX), {}),
    "one_hot": ((IDX, 3), {}),
    "where": ((nd.array([[1, 0], [0, 1]]), X, X), {}),
    "dot": ((X, X), {}),
    "batch_dot": ((nd.ones((2, 2, 3)), nd.ones((2, 3, 2))), {}),
    "softmax_cross_entropy": ((X, IDX), {}),
    "FullyConnected": ((X, nd.ones((3, 2)), nd.zeros(3)), {"num_hidden": 3}),
    "Convolution": (
        (nd.ones((1, 1, 3, 3)), nd.ones((2, 1, 2, 2)), nd.zeros(2)),
        {"kernel": (2, 2), "num_filter": 2},
    ),
    "Pooling": ((nd.ones((1, 1, 3, 3)),), {"kernel": (2, 2)}),
    "Deconvolution": (
        (nd.ones((1, 1, 2, 2)), nd.ones((1, 2, 2, 2)), nd.zeros(2)),
        {"kernel": (2, 2), "num_filter": 2, "no_bias": False},
    ),
    "UpSampling": ((nd.ones((1, 1, 2, 2)), nd.ones((1, 1, 1, 1))), {"scale": 2, "sample_type": "nearest"}),
    "im2col": ((nd.ones((1, 1, 3, 3)),), {"kernel": (2, 2)}),
    "col2im": ((nd.ones((1, 4, 4)),), {"output_size": (3, 3), "kernel": (2, 2)}),
    "depth_to_space": ((nd.ones((1, 4, 2, 2)), 2), {}),
    "space_to_depth": ((nd.ones((1, 1, 2, 2)), 2), {}),
    "Correlation": ((nd.ones((1, 2, 3, 3)), nd.ones((1, 2, 3, 3))), {}),
    "BilinearSampler": ((nd.ones((1, 1, 2, 2)), nd.zeros((1, 2, 3, 3))), {}),
    "GridGenerator": ((nd.ones((1, 6)),), {"transform_type": "affine", "target_shape": (2, 2)}),
    "SpatialTransformer": (
        (nd.ones((1, 1, 2, 2)), nd.ones((1, 6))),
        {"target_shape": (2, 2), "transform_type": "affine", "sampler_type": "bilinear"},
    ),
    "ROIPooling": (
        (nd.ones((1, 1, 3, 3)), nd.array([[0, 0, 0, 2, 2]])),
        {"pooled_size": (2, 2), "spatial_scale": 1.0},
    ),
    "Activation": ((X, "relu"), {}),
    "save": ((FILE, X), {}),
    "load": ((FILE,), {}),
    "normal": ((0.0, 1.0), {"shape": (2,)}),
    "uniform": ((0.0, 1.0), {"shape": (2,)}),
    "randn": ((2, 3), {}),
    "randint": ((0, 5), {"shape": (2,)}),
    "exponential": ((1.0,), {"shape": (2,)}),
    "gamma": ((X,), {}),  # nd.gamma; nd.random.gamma has its own row below
    "random.gamma": ((2.0, 1.0), {"shape": (2,)}),
    "poisson": ((3.0,), {"shape": (2,)}),
    "shuffle": ((X,), {}),
    "multinomial": ((nd.array([0.25, 0.75]),), {"shape": 3}),
    "gather_nd": ((X, nd.array([[0, 1], [1, 0]])), {}),
    "scatter_nd": ((nd.array([1, 2]), nd.array([[0, 1], [1, 0]]), (2, 2)), {}),
    "slice_like": ((X, nd.ones((1, 2))), {}),
    "moveaxis": ((X, 0, 1), {}),
    "pad": ((nd.ones((1, 1, 2, 2)), "edge", (0, 0, 0, 0, 1, 1, 1, 1)), {}),
    "linalg.potrf": ((nd.array([[2.0, 1.0], [1.0, 2.0]]),), {}),  # positive definite; X is not
    "BatchNorm": ((X, nd.ones(2), nd.zeros(2), nd.zeros(2), nd.ones(2)), {}),
    "LayerNorm": ((X, nd.ones(2), nd.zeros(2)), {}),
    "InstanceNorm": ((nd.ones((1, 2, 3)), nd.ones(2), nd.zeros(2)), {}),
    "Embedding": ((IDX, nd.ones((2, 3)), 2, 3), {}),
    "SequenceMask": ((X, IDX), {"use_sequence_length": True}),
    "LRN": ((nd.ones((1, 3, 2, 2)),), {"nsize": 3}),
    "L2Normalization": ((X,), {}),
    "GroupNorm": ((nd.ones((1, 4, 2)), nd.ones(2), nd.zeros(2)), {"num_groups": 2}),
    "SequenceLast": ((X, IDX + 1), {"use_sequence_length": True}),
    "SequenceReverse": ((X, IDX), {"use_sequence_length": True}),
    "CTCLoss": ((nd.ones((3, 2, 4)), nd.array([[1, 2], [3, 0]])), {}),
    "RNN": (
        (nd.ones((2, 1, 2)), nd.ones(12), nd.zeros((1, 1, 2))),
        {"state_size": 2, "num_layers": 1, "mode": "rnn_tanh"},
    ),
    "linalg.extracttrian": ((X,), {}),
    "linalg.maketrian": ((nd.ones(3),), {}),
    "linalg.gelqf": ((nd.array([[2.0, 1.0, 0.0], [1.0, 2.0, 1.0]]),), {}),
    "sgd_update": ((nd.ones((2, 2)), X, 0.1), {}),
    "sgd_mom_update": ((nd.ones((2, 2)), X, nd.zeros((2, 2)), 0.1), {}),  # its own mom, written in place
    "adam_update": ((nd.ones((2, 2)), X, nd.zeros((2, 2)), nd.zeros((2, 2)), 0.1), {}),
    "rmsprop_update": ((nd.ones((2, 2)), X, nd.zeros((2, 2)), 0.1), {}),
    # MXNet's other ops, densities, samplers and deprecated names (tests/test_ops_misc.py)
    "split_v2": ((X, 2), {}),
    "ravel_multi_index": ((nd.array([[0, 1], [1, 0]]), (2, 2)), {}),
    "unravel_index": ((nd.array([0, 3]), (2, 2)), {}),
    "batch_take": ((X, IDX), {}),
    "random_pdf_normal": ((X, nd.array([0.0, 1.0]), nd.array([1.0, 2.0])), {}),
    "random_pdf_uniform": ((X, nd.array([0.0, 0.0]), nd.array([1.0, 1.0])), {}),
    "random_pdf_exponential": ((X, nd.array([1.0, 2.0])), {}),
    "random_pdf_gamma": ((X, nd.array([1.0, 2.0]), nd.array([1.0, 1.0])), {}),
    "random_pdf_poisson": ((nd.array([[0, 1], [2, 3]]), nd.array([1.0, 2.0])), {}),
    "random_pdf_negative_binomial": (
        (nd.array([[0, 1], [2, 3]]), nd.array([2.0, 3.0]), nd.array([0.4, 0.5])),
        {},
    ),
    "random_pdf_generalized_negative_binomial": (
        (nd.array([[0, 1], [2, 3]]), nd.array([2.0, 3.0]), nd.array([0.4, 0.5])),
        {},
    ),
    "random_pdf_dirichlet": ((nd.array([[0.2, 0.8], [0.5, 0.5]]), nd.array([[1.0, 2.0], [2.0, 2.0]])), {}),
    "sample_normal": ((nd.array([0.0, 1.0]), nd.array([1.0, 1.0])), {}),
    "sample_uniform": ((nd.array([0.0, 0.0]), nd.array([1.0, 1.0])), {}),
    "sample_gamma": ((nd.array([1.0, 2.0]), nd.array([1.0, 1.0])), {}),
    "sample_negative_binomial": ((nd.array([1.0, 2.0]), nd.array([0.5, 0.5])), {}),
    "sample_generalized_negative_binomial": ((nd.array([1.0, 2.0]), nd.array([0.5, 0.5])), {}),
    "BatchNorm_v1": ((X, nd.ones(2), nd.zeros(2)), {}),
    "Pooling_v1": ((nd.ones((1, 1, 3, 3)),), {"kernel": (2, 2)}),
    "Crop": ((nd.ones((1, 1, 3, 3)),), {"h_w": (2, 2)}),
    "concatenate": (([X, X],), {}),
    "onehot_encode": ((IDX, nd.zeros((2, 3))), {}),
    "fill_element_0index": ((X, nd.array([9.0, 8.0]), IDX), {}),
}

# Functions that the walk cannot check, and why.
NOT_WALKED: dict[str, str] = {
    "NDArray": "the array class, not a function; its operators hand their operands to the op functions",
    "random": "the nd.random module: its samplers are walked below, as nd.random.<name>",
    "linalg": "the nd.linalg module: its ops are walked under their flat names, nd.linalg_<name>",
    "waitall": "takes no arguments",
    "arange": "takes only numbers (start, stop, step, repeat): no array, shape, axis or count",
    "random.seed": "takes only a seed (a number, NumPy's to check) and a context",
    "random.generator": "takes no arguments",
    "from_numpy": "takes a NumPy array (no NDArray, shape or axis); test_ops_misc checks its refusals",
    "from_dlpack": "takes a DLPack capsule or an object with __dlpack__; test_ops_misc checks its refusals",
    "load_frombuffer": "takes bytes; test_ops_misc checks its refusal of anything else",
}


def _walked() -> list[tuple[str, Callable[..., Any]]]:
    public = [(name, getattr(tape.nd, name)) for name in tape.nd.__all__]
    samplers = [(f"random.{name}", getattr(tape.random, name)) for name in tape.random.__all__]
    return [(name, f) for name, f in [*public, *samplers] if name not in NOT_WALKED]


def _in_linalg(f: Callable[..., Any]) -> bool:
    """Whether `f` is an op of nd.linalg (some are defined outside tape/ops/la.py)."""
    name = getattr(f, "__name__", "")
    return name in tape.nd.linalg.__all__ and getattr(tape.nd.linalg, name) is f


def _key(name: str, f: Callable[..., Any]) -> str:
    """The row of `f` in BASE: its own name (nd.random's gamma is `random.gamma`, nd.linalg's
    ops `linalg.<name>`)."""
    if _in_linalg(f):
        return f"linalg.{f.__name__}"
    return "random.gamma" if f is tape.random.gamma else f.__name__


def _where(f: Callable[..., Any]) -> str:
    """How an error message names `f`: nd.<name>, nd.random.<name> for a sampler, nd.linalg.<name>."""
    if _in_linalg(f):
        return f"nd.linalg.{f.__name__}"
    return f"nd.random.{f.__name__}" if f.__module__ == "tape.random" else f"nd.{f.__name__}"


def _takes_numbers(p: inspect.Parameter) -> bool:
    """Whether array parameter `p` also takes a number (its annotation says so)."""
    return p.name != "out" and str(p.annotation) not in ("NDArray", "NDArray | None")


def _wrong_values(p: inspect.Parameter) -> list[Any]:
    kind = KIND[p.name]
    takes_none = p.default is None or "None" in str(p.annotation)
    values = [v for v in WRONG[kind] if not (v is None and takes_none)]
    if kind == "array" and not _takes_numbers(p):
        values.append(2.5)  # a number where the op takes an array: nd.exp(2.5)
    return values


def _cases() -> list[Any]:
    cases = []
    for name, f in _walked():
        for p in inspect.signature(f).parameters.values():
            if p.name in KIND:
                for k, value in enumerate(_wrong_values(p)):
                    cases.append(pytest.param(name, f, p.name, value, id=f"{name}-{p.name}-{k}"))
    return cases


def _valid_call(f: Callable[..., Any], name: str, tmp_path: Path) -> inspect.BoundArguments:
    """The BASE call of `f`, or X for each of its required parameters (all arrays)."""
    signature = inspect.signature(f)
    required = [p for p in signature.parameters.values() if p.default is p.empty and p.kind <= p.KEYWORD_ONLY]
    key = _key(name, f)
    if key not in BASE:
        assert all(KIND.get(p.name) == "array" for p in required), f"{name}: add a valid call to BASE"
    args, kwargs = BASE.get(key, ((X,) * len(required), {}))
    file = str(tmp_path / "saved")
    args = tuple(file if a is FILE else a for a in args)
    if f is nd.load:
        nd.save(file, X)
    return signature.bind(*args, **kwargs)


def _call(f: Callable[..., Any], bound: inspect.BoundArguments) -> Any:
    return f(*bound.args, **bound.kwargs)


@pytest.mark.parametrize(("name", "f"), _walked(), ids=[name for name, _ in _walked()])
def test_the_valid_call_of_each_function_works(name: str, f: Callable[..., Any], tmp_path: Path) -> None:
    with np.errstate(all="ignore"):
        _call(f, _valid_call(f, name, tmp_path))


@pytest.mark.parametrize(("name", "f", "param", "value"), _cases())
def test_a_wrong_argument_raises_naming_the_function_and_the_argument(
    name: str, f: Callable[..., Any], param: str, value: Any, tmp_path: Path
) -> None:
    bound = _valid_call(f, name, tmp_path)
    parameter = inspect.signature(f).parameters[param]
    if parameter.kind is inspect.Parameter.VAR_POSITIONAL:  # concat(*data): the second array
        bound.arguments[param] = (*bound.arguments[param][:1], value)
    else:
        bound.arguments[param] = value
    error = ValueError if KIND[param] == "axis" and value == AXIS_OUT_OF_RANGE else TypeError
    with pytest.raises((TypeError, ValueError)) as info:
        _call(f, bound)
    message = str(info.value)
    assert info.type is error or issubclass(info.type, error), f"{info.type.__name__}: {message}"
    assert message.startswith(f"{_where(f)}: ") or f"{_where(f)} " in message, message
    assert re.search(rf"\b{param}\b", message), f"the message does not name {param!r}: {message}"


def test_every_walked_function_has_a_parameter_to_check() -> None:
    unchecked = [name for name, f in _walked() if not any(p in KIND for p in inspect.signature(f).parameters)]
    assert not unchecked, (
        f"no parameter of these is walked; add its kind to KIND or a reason to NOT_WALKED: {unchecked}"
    )


@pytest.mark.parametrize("name", NOT_WALKED)
def test_each_exemption_names_a_public_object(name: str) -> None:
    module, _, attr = name.rpartition(".")
    assert attr in (tape.random if module == "random" else tape.nd).__all__, f"{name}: drop its entry"


def test_every_base_call_belongs_to_a_public_function() -> None:
    keys = {_key(name, f) for name, f in _walked()}
    assert set(BASE) <= keys, set(BASE) - keys


# ---- the examples of the issue, and what stays accepted ------------------------------------------
def test_a_list_given_to_an_op_is_refused_with_the_fix() -> None:
    # It used to compute in float64 and return an NDArray.
    with pytest.raises(TypeError, match=r"^nd\.exp: data must be an NDArray \(or a NumPy array\), not list"):
        nd.exp([1.0, 2.0])  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"make one with nd\.array\(\.\.\.\)"):
        nd.add(X, [1.0, 2.0])


def test_expand_dims_with_an_axis_out_of_range_says_which_axes_there_are() -> None:
    with pytest.raises(
        ValueError, match=r"^nd\.expand_dims: axis 10 is out of range: it takes an axis from -3 to 2"
    ):
        nd.expand_dims(X, 10)


@pytest.mark.parametrize(
    "call",
    [
        lambda: nd.exp(X.asnumpy()),
        lambda: nd.sum(X.asnumpy(), axis=np.int64(1)),
        lambda: nd.dot(X.asnumpy(), X),
        lambda: nd.concat(X, X.asnumpy(), dim=0),
        lambda: nd.add(X, np.float64(2)),
        lambda: nd.where(X > 0.3, X, np.float32(0)),
        lambda: nd.zeros(np.int64(3)),
        lambda: nd.ones(np.array([2, 3])),
        lambda: nd.reshape(X, [np.int32(4)]),
    ],
    ids=["exp", "sum", "dot", "concat", "add", "where", "zeros", "ones", "reshape"],
)
def test_numpy_arrays_and_numpy_numbers_are_taken_where_arrays_and_numbers_are(call: Any) -> None:
    out = call()
    assert isinstance(out, nd.NDArray)
    assert out.dtype == np.float32  # a NumPy scalar leaves the dtype as a Python number does


def test_an_op_of_one_array_refuses_a_number() -> None:
    # It used to return a 0-d float64 array holding a NumPy scalar (legacy nd has no 0-d arrays).
    with pytest.raises(TypeError, match=r"^nd\.sqrt: data must be an NDArray .*not float 2\.0: make one"):
        nd.sqrt(2.0)  # type: ignore[arg-type]


def test_a_shape_of_the_wrong_type_is_refused_not_converted() -> None:
    # nd.zeros("3") had shape (3,) and nd.zeros(2.5) shape (2,).
    with pytest.raises(TypeError, match=r"^nd\.zeros: shape must be an int or a tuple of ints, not str '3'$"):
        nd.zeros("3")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"^nd\.ones: shape \(2, -1\) has a negative length"):
        nd.ones((2, -1))


def test_save_refuses_a_file_descriptor_for_a_name(tmp_path: Path) -> None:
    with pytest.raises(TypeError, match=r"^nd\.save: fname must be a file name .*not int 3$"):
        nd.save(3, X)  # type: ignore[arg-type]
