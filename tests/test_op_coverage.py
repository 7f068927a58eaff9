"""Every public `nd` op has its derivatives checked against finite differences, or says why not.

The finite-difference checks (`tape.testing.check_grads`) of single ops live in table-driven
tests of tests/test_ops_*.py. This module collects the ops named in those tables and walks
`tape.nd.__all__`: a public name whose object is in no table and in neither list below fails,
named. Names are compared by the object they stand for, so an MXNet alias (`broadcast_add`
is `add`) is covered, or exempted, together with its op. A new op needs a table row, or an
entry below with its reason.
"""

from __future__ import annotations

import ast
import functools
import importlib
import inspect
import re
from collections.abc import Callable, Iterable
from types import ModuleType
from typing import Any

import pytest
import test_ops_binary
import test_ops_conv
import test_ops_ctc
import test_ops_deconv
import test_ops_elementwise
import test_ops_la
import test_ops_layers
import test_ops_misc
import test_ops_nn
import test_ops_norms
import test_ops_reduction
import test_ops_rnn
import test_ops_sampling
import test_ops_select
import test_ops_sequence
import test_ops_shape
import test_ops_triangular
import test_ops_vision
import test_random_aliases

import tape.nd

# Not checked by a table, and why. Creation functions, comparisons, index-valued and
# piecewise-constant ops have no gradient to compare with finite differences.
NOT_CHECKED: dict[str, str] = {
    "NDArray": "the array class, not an op; its operators call the table ops",
    "random": "the nd.random module of samplers, tested in test_random.py",
    "linalg": "the nd.linalg module: its ops are checked under their flat names, linalg_*",
    "random_normal": "draws samples (nd.random.normal); nothing to differentiate",
    "random_uniform": "draws samples (nd.random.uniform); nothing to differentiate",
    "array": "creation from Python or NumPy data; never in a graph",
    "zeros": "creation from a shape",
    "ones": "creation from a shape",
    "full": "creation from a shape and a value",
    "empty": "creation from a shape",
    "arange": "creation from Python numbers",
    "eye": "creation from Python numbers",
    "linspace": "creation from Python numbers",
    "waitall": "synchronisation no-op; returns None",
    "save": "serialization to a file",
    "load": "serialization from a file",
    "equal": "comparison: 0/1 values, never recorded (test_comparisons_are_never_recorded)",
    "not_equal": "comparison: 0/1 values, never recorded",
    "greater": "comparison: 0/1 values, never recorded",
    "greater_equal": "comparison: 0/1 values, never recorded",
    "lesser": "comparison: 0/1 values, never recorded",
    "lesser_equal": "comparison: 0/1 values, never recorded",
    "argmax": "returns indices: piecewise constant, no gradient",
    "argmin": "returns indices: piecewise constant, no gradient",
    "one_hot": "its input is indices; no gradient",
    "round": "piecewise constant: test_rounding_ops_have_zero_gradient asserts the zero gradient",
    "rint": "piecewise constant: test_rounding_ops_have_zero_gradient asserts the zero gradient",
    "stop_gradient": "zero gradient by design: test_stop_gradient_blocks_the_gradient",
    "cast": "dtype conversion: test_cast_converts_and_differentiates_between_floats asserts it exactly",
    "argsort": "returns indices: piecewise constant, no gradient (never recorded, as test_ops_select checks)",
    "logical_and": "0/1 test, never recorded (test_indices_masks_and_tests_are_not_recorded)",
    "logical_or": "0/1 test, never recorded",
    "logical_xor": "0/1 test, never recorded",
    "logical_not": "0/1 test, never recorded (test_indices_masks_and_tests_are_not_recorded)",
    "shuffle": "a random permutation: not differentiable, as in MXNet; never recorded",
    "Activation": "dispatches to relu, sigmoid, tanh, softrelu, softsign (all UNARY rows); "
    "test_activation_dispatches_to_the_op",
    "sgd_update": "an optimizer step, not differentiable (as in MXNet); refused inside record() on arrays "
    "in a graph (test_ops_updates)",
    "sgd_mom_update": "an optimizer step, not differentiable (as in MXNet); test_ops_updates",
    "adam_update": "an optimizer step, not differentiable (as in MXNet); test_ops_updates",
    "rmsprop_update": "an optimizer step, not differentiable (as in MXNet); test_ops_updates",
    "argmax_channel": "returns indices: piecewise constant, no gradient (test_ops_misc: never recorded)",
    "histogram": "counts: piecewise constant, no gradient (test_ops_misc: never recorded)",
    "ravel_multi_index": "its input is indices; no gradient (test_ops_misc: never recorded)",
    "unravel_index": "its input is indices; no gradient (test_ops_misc: never recorded)",
    "shape_array": "the shape, not the values: nothing to differentiate",
    "size_array": "the size, not the values: nothing to differentiate",
    "onehot_encode": "its input is indices; no gradient (as one_hot)",
    "random_exponential": "draws samples; nothing to differentiate (test_random_aliases)",
    "random_gamma": "draws samples (nd.random.gamma); nothing to differentiate",
    "random_poisson": "draws samples (nd.random.poisson); nothing to differentiate",
    "random_randint": "draws samples (nd.random.randint); nothing to differentiate",
    "random_negative_binomial": "draws samples (nd.random.negative_binomial); nothing to differentiate",
    "random_generalized_negative_binomial": "draws samples; nothing to differentiate",
    "sample_normal": "draws samples; nothing to differentiate (test_random_aliases)",
    "sample_uniform": "draws samples; nothing to differentiate",
    "sample_gamma": "draws samples; nothing to differentiate",
    "sample_exponential": "draws samples; nothing to differentiate",
    "sample_poisson": "draws samples; nothing to differentiate",
    "sample_negative_binomial": "draws samples; nothing to differentiate",
    "sample_generalized_negative_binomial": "draws samples; nothing to differentiate",
    "sample_multinomial": "draws category indices (nd.random.multinomial); nothing to differentiate",
    "from_numpy": "wraps a NumPy array; never in a graph (test_ops_misc)",
    "from_dlpack": "wraps a DLPack capsule; never in a graph (test_ops_misc)",
    "to_dlpack_for_read": "returns a DLPack capsule, not an array",
    "to_dlpack_for_write": "returns a DLPack capsule, not an array",
    "load_frombuffer": "serialization from bytes",
}

# Checked against finite differences by a test that is not table-driven over ops:
# name -> "module::test". test_checked_elsewhere_names_a_check_of_the_op verifies each.
CHECKED_ELSEWHERE: dict[str, str] = {
    "zeros_like": "test_ops_binary::test_zeros_like_has_a_zero_gradient",
    "ones_like": "test_ops_binary::test_zeros_like_has_a_zero_gradient",
    "add_n": "test_ops_binary::test_add_n_sums_all_arrays_and_differentiates",
    "clip": "test_ops_elementwise::test_clip_matches_finite_differences_inside_and_outside_the_bounds",
    "digamma": "test_ops_elementwise::test_digamma_derivatives_to_third_order",
    "norm": "test_ops_reduction::test_norm_matches_numpy",
    "reshape": "test_ops_shape::test_reshape_derivatives",
    "concat": "test_ops_shape::test_concat_along_any_axis_differentiates",
    "stack": "test_ops_shape::test_stack_matches_numpy_and_differentiates",
    "split": "test_ops_shape::test_split_gradient_of_some_outputs_only",
    "take": "test_ops_indexing::test_take_matches_numpy_and_differentiates",
    "pick": "test_ops_indexing::test_pick_derivatives_to_second_order",
    "where": "test_ops_indexing::test_where_derivatives_to_second_order",
    "dot": "test_ops_linalg::test_dot_derivatives_to_second_order",  # its DOTS table holds shapes
    "batch_dot": "test_ops_linalg::test_batch_dot_matches_numpy_and_differentiates",
    "softmax_cross_entropy": "test_ops_nn::test_softmax_cross_entropy_derivatives_to_second_order",
    "Dropout": "test_ops_nn::test_dropout_in_predict_mode_differentiates",  # training mask: exact test
    "FullyConnected": "test_ops_nn::test_fully_connected_derivatives_to_second_order",
    "linalg_slogdet": "test_ops_la::test_slogdet_logabsdet_derivatives_to_second_order",  # two outputs
}


def _column(k: int) -> Callable[[Iterable[Any]], list[Any]]:
    return lambda rows: [row[k] for row in rows]


def _itself(rows: Iterable[Any]) -> list[Any]:
    return list(rows)


def _nd_ops_applied_to_the_argument(module: ModuleType, table: str) -> Callable[[Iterable[Any]], list[Any]]:
    """For a table whose rows start with a lambda: the `nd.<op>(...)` calls in each lambda that
    take the lambda's argument (directly or nested), read from the module's source. So
    `lambda x: nd.broadcast_like(x[:1], nd.zeros(...))` counts broadcast_like, not zeros."""

    def ops(rows: Iterable[Any]) -> list[Any]:
        tree = ast.parse(inspect.getsource(module))
        (assign,) = [
            node
            for node in ast.walk(tree)
            if isinstance(node, ast.Assign | ast.AnnAssign)
            and any(isinstance(t, ast.Name) and t.id == table for t in _targets(node))
        ]
        assert isinstance(assign.value, ast.List)
        assert len(assign.value.elts) == len(list(rows)), f"{table}: source and value disagree"
        found = []
        for row in assign.value.elts:
            assert isinstance(row, ast.Tuple) and isinstance(row.elts[0], ast.Lambda)
            fn = row.elts[0]
            params = {a.arg for a in fn.args.args}
            for call in ast.walk(fn.body):
                if (
                    isinstance(call, ast.Call)
                    and isinstance(call.func, ast.Attribute)
                    and isinstance(call.func.value, ast.Name)
                    and call.func.value.id == "nd"
                    and any(
                        isinstance(n, ast.Name) and n.id in params
                        for arg in [*call.args, *(k.value for k in call.keywords)]
                        for n in ast.walk(arg)
                    )
                ):
                    found.append(getattr(tape.nd, call.func.attr))
        return found

    return ops


def _targets(node: ast.Assign | ast.AnnAssign) -> list[ast.expr]:
    return node.targets if isinstance(node, ast.Assign) else [node.target]


# The gradient-check tables: (module, table, the test that runs check_grads over it, how to
# get the ops from the rows).
TABLES: list[tuple[ModuleType, str, str, Callable[[Iterable[Any]], list[Any]]]] = [
    (test_ops_elementwise, "UNARY", "test_first_and_second_derivatives_match_finite_differences", _column(1)),
    (test_ops_elementwise, "THIRD_ORDER", "test_third_derivative_matches_finite_differences", _itself),
    (test_ops_binary, "BINARY", "test_derivatives_to_second_order_with_broadcasting", _column(1)),
    (test_ops_binary, "ELEMWISE", "test_elemwise_ops_match_numpy_and_differentiate", _column(0)),
    (test_ops_reduction, "REDUCTIONS", "test_derivatives_to_second_order", _column(1)),
    (
        test_ops_shape,
        "SHAPE_CASES",
        "test_shape_op_matches_numpy_and_differentiates",
        _nd_ops_applied_to_the_argument(test_ops_shape, "SHAPE_CASES"),
    ),
    (
        test_ops_select,
        "SELECT_CASES",
        "test_select_op_matches_numpy_and_differentiates",
        _nd_ops_applied_to_the_argument(test_ops_select, "SELECT_CASES"),
    ),
    (test_ops_nn, "SOFTMAXES", "test_softmax_derivatives_to_third_order", _itself),
    (test_ops_conv, "CONVOLUTIONS", "test_convolution_derivatives_to_second_order", _column(0)),
    (test_ops_conv, "POOLINGS", "test_pooling_derivatives_to_second_order", _column(0)),
    (test_ops_deconv, "DECONVOLUTIONS", "test_deconvolution_derivatives_to_second_order", _column(0)),
    (test_ops_vision, "VISION", "test_vision_derivatives_to_second_order", _column(0)),
    (test_ops_sampling, "SAMPLING", "test_sampling_derivatives_to_second_order", _column(0)),
    (test_ops_la, "GRADIENTS", "test_derivatives_to_second_order", _column(0)),
    (test_ops_layers, "LAYERS", "test_layer_derivatives_to_second_order", _column(0)),
    (test_ops_misc, "MISC", "test_misc_derivatives_to_second_order", _column(0)),
    (test_random_aliases, "DENSITIES", "test_density_derivatives_to_second_order", _column(0)),
    (test_ops_norms, "NORMS", "test_norm_derivatives_to_second_order", _column(0)),
    (test_ops_sequence, "SEQUENCES", "test_sequence_derivatives_to_second_order", _column(0)),
    (test_ops_ctc, "CTC", "test_ctc_derivatives_to_second_order", _column(0)),
    (test_ops_triangular, "TRIANGULAR", "test_triangular_derivatives_to_second_order", _column(0)),
    (test_ops_rnn, "RNNS", "test_rnn_derivatives_to_second_order", _column(0)),
]
TABLE_IDS = [f"{module.__name__}.{table}" for module, table, _, _ in TABLES]


@functools.cache
def table_ops() -> tuple[Any, ...]:
    """Every op object named in a gradient-check table (with repeats)."""
    return tuple(op for module, table, _, ops in TABLES for op in ops(getattr(module, table)))


def public() -> list[tuple[str, Any]]:
    return [(name, getattr(tape.nd, name)) for name in tape.nd.__all__]


def names_of(obj: Any) -> list[str]:
    """The public names of `obj`: the op and its aliases."""
    return [name for name, value in public() if value is obj]


def _contains(objects: Iterable[Any], obj: Any) -> bool:
    return any(o is obj for o in objects)


def test_every_public_nd_op_is_gradient_checked_or_exempt() -> None:
    covered = table_ops()
    exempt = [getattr(tape.nd, name) for name in [*NOT_CHECKED, *CHECKED_ELSEWHERE]]
    missing: list[str] = []
    for name, obj in public():
        if _contains(covered, obj) or _contains(exempt, obj):
            continue
        if not any(name in group for group in missing):
            aliases = names_of(obj)
            missing.append(" = ".join(aliases) if len(aliases) > 1 else name)
    assert not missing, (
        "public nd ops with no finite-difference check in a test_ops_* table and no entry in "
        f"tests/test_op_coverage.py: {', '.join(missing)}. Add a table row, or an entry with its "
        "reason to NOT_CHECKED or CHECKED_ELSEWHERE."
    )


@pytest.mark.parametrize(("module", "table", "test", "ops"), TABLES, ids=TABLE_IDS)
def test_each_table_is_what_its_test_checks_with_finite_differences(
    module: ModuleType, table: str, test: str, ops: Any
) -> None:
    rows = getattr(module, table)
    function = getattr(module, test)
    marks = getattr(function, "pytestmark", [])
    assert any(m.name == "parametrize" and m.args[1] is rows for m in marks), f"{test} does not run {table}"
    assert "check_grads(" in inspect.getsource(function), f"{test} does not call check_grads"
    found = ops(rows)
    assert found, f"{table} names no op"
    for op in found:
        assert names_of(op), f"{table} holds {op!r}, which is not a public nd function"


@pytest.mark.parametrize("name", [*NOT_CHECKED, *CHECKED_ELSEWHERE])
def test_exemption_is_a_public_name_with_no_table_row(name: str) -> None:
    assert name in tape.nd.__all__, f"{name} is not in nd.__all__: drop its entry"
    assert not _contains(table_ops(), getattr(tape.nd, name)), f"{name} has a table row: drop its entry"


def test_no_op_is_exempted_twice_under_two_names() -> None:
    names = [*NOT_CHECKED, *CHECKED_ELSEWHERE]
    objects = [getattr(tape.nd, name) for name in names]
    twice = [n for k, (n, o) in enumerate(zip(names, objects, strict=True)) if _contains(objects[:k], o)]
    assert not twice, f"exempted under another name too: {twice}"


def test_every_reason_is_given() -> None:
    assert all(reason.strip() for reason in NOT_CHECKED.values())


@pytest.mark.parametrize(("name", "where"), CHECKED_ELSEWHERE.items(), ids=list(CHECKED_ELSEWHERE))
def test_checked_elsewhere_names_a_check_of_the_op(name: str, where: str) -> None:
    module_name, test = where.split("::")
    source = inspect.getsource(getattr(importlib.import_module(module_name), test))
    assert "check_grads(" in source, f"{where} does not call check_grads"
    aliases = names_of(getattr(tape.nd, name))
    assert any(re.search(rf"\bnd\.{alias}\b", source) for alias in aliases), f"{where} never names nd.{name}"
