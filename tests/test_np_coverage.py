"""Every public `tape.np` / `tape.npx` function has its derivatives checked, or says why not.

The finite-difference checks live in the tables of tests/test_np_gradients.py. Which public
functions a table row checks is not read from its text but observed: each row runs once with
spies in place of `tape.np` and `tape.npx`, and a function counts as checked by the row when
the row calls it with an array that is in the graph (so `m.array([0, 2])` used as an index does
not count `np.array`). A public callable that no row calls that way, and that NOT_CHECKED does
not list with its reason, fails, named. Names are compared by the object they stand for, so an
alias (`absolute` is `abs`) is covered together with its function.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from types import ModuleType
from typing import Any

import pytest
import test_np_gradients as tables

from tape import autograd, np, npx
from tape.ndarray import NDArray

_CREATION = "creation from Python data, shapes or fill values: never in a graph"
_BOOL = "bool values (NumPy's): piecewise constant, never recorded"
_INDICES = "int64 indices: piecewise constant, never recorded"
_SAMPLES = "draws samples from tape's generator: nothing to differentiate (tests/test_np_semantics.py)"
_DTYPE = "a NumPy dtype, exported as mxnet.np does"
_DEVICE = "devices: tape computes on the CPU (tests/test_np_semantics.py)"

NOT_CHECKED: dict[str, str] = {
    "np.ndarray": "the array class; its NumPy methods are rows of the tables ('methods', 'dot-method'...)",
    **{
        f"np.{name}": _CREATION
        for name in (
            "array",
            "asarray",
            "arange",
            "zeros",
            "ones",
            "full",
            "empty",
            "eye",
            "identity",
            "linspace",
            "full_like",
            "empty_like",
        )
    },
    **{
        f"np.{name}": _BOOL
        for name in (
            "equal",
            "not_equal",
            "less",
            "less_equal",
            "greater",
            "greater_equal",
            "logical_and",
            "logical_or",
            "logical_xor",
            "logical_not",
            "isnan",
            "isinf",
            "isfinite",
            "all",
            "any",
        )
    },
    **{f"np.{name}": _INDICES for name in ("argmax", "argmin", "nonzero")},
    **{
        f"np.{name}": _DTYPE
        for name in (
            "float16",
            "float32",
            "float64",
            "int8",
            "int16",
            "int32",
            "int64",
            "uint8",
            "bool_",
            "dtype",
        )
    },
    **{f"np.random.{name}": _SAMPLES for name in np.random.__all__ if name not in ("seed", "shuffle")},
    "np.random.seed": "seeds the generator; returns None",
    "np.random.shuffle": "permutes an array in place, outside record(); no result to differentiate",
    "npx.set_np": "mode switch; returns None",
    "npx.reset_np": "mode switch; returns None",
    "npx.is_np_array": "reports the mode: a bool",
    "npx.is_np_shape": "reports the mode: a bool",
    "npx.one_hot": "its input is indices; its values are constants",
    **{f"npx.{name}": _DEVICE for name in ("cpu", "gpu", "num_gpus", "current_context", "Context")},
    "npx.waitall": "synchronisation no-op; returns None",
    "npx.save": "serialization to a file (round trip in tests/test_np_semantics.py)",
    "npx.load": "serialization from a file",
}

# The modules whose __all__ is walked; `np.linalg`, `np.random` and `npx.random` are modules,
# walked as such (npx.random is np.random).
MODULES: dict[str, ModuleType] = {"np": np, "np.linalg": np.linalg, "np.random": np.random, "npx": npx}


def public() -> Iterator[tuple[str, Any]]:
    """(qualified name, object) for every public callable that is not a module."""
    for prefix, module in MODULES.items():
        for name in module.__all__:
            value = getattr(module, name)
            if callable(value) and not isinstance(value, ModuleType):
                yield f"{prefix}.{name}", value


def _in_graph(values: Any) -> bool:
    if isinstance(values, NDArray):
        return values._node is not None
    if isinstance(values, list | tuple):
        return any(_in_graph(v) for v in values)
    return False


class _Spy:
    """Stands for a module: what a row calls through it on an array in a graph is noted in `seen`."""

    def __init__(self, module: ModuleType, prefix: str, seen: set[str]) -> None:
        self._module, self._prefix, self._seen = module, prefix, seen

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._module, name)
        if isinstance(value, ModuleType):
            return _Spy(value, f"{self._prefix}{name}.", self._seen)
        if not callable(value):
            return value

        def spied(*args: Any, **kwargs: Any) -> Any:
            if _in_graph(args) or _in_graph(tuple(kwargs.values())):
                self._seen.add(self._prefix + name)
            return value(*args, **kwargs)

        return spied


def _run(f: Callable[..., Any], module: ModuleType, prefix: str, args: list[Any]) -> set[str]:
    seen: set[str] = set()
    xs = [np.array(a) for a in args]
    for x in xs:
        x.attach_grad()
    with autograd.record():
        f(_Spy(module, prefix, seen), *xs)
    return seen


@functools.cache
def checked() -> dict[str, list[str]]:
    """Qualified name -> the ids of the table rows that check it."""
    rows: dict[str, list[str]] = {}
    cases = [(name, f, np, "np.", args) for name, f, args in tables.NP_CASES]
    cases += [(name, f, npx, "npx.", args) for name, f, args, _ in tables.NPX_CASES]
    for row, f, module, prefix, args in cases:
        for name in _run(f, module, prefix, args):
            rows.setdefault(name, []).append(row)
    return rows


def _object(qualified: str) -> Any:
    prefix, _, name = qualified.rpartition(".")
    return getattr(MODULES[prefix], name)


def _contains(objects: list[Any], obj: Any) -> bool:
    return any(o is obj for o in objects)


def test_every_public_np_and_npx_function_is_gradient_checked_or_exempt() -> None:
    covered = [_object(name) for name in checked()]
    exempt = [_object(name) for name in NOT_CHECKED]
    missing = [name for name, obj in public() if not _contains(covered, obj) and not _contains(exempt, obj)]
    assert not missing, (
        f"public tape.np/npx functions that no row of tests/test_np_gradients.py calls on an array in a "
        f"graph, and that NOT_CHECKED does not list: {', '.join(missing)}. Add a row, or an entry "
        "with its reason."
    )


@pytest.mark.parametrize(
    ("test", "table"),
    [
        ("test_np_value_matches_numpy_in_float64", tables.NP_CASES),
        ("test_np_derivatives_to_second_order", tables.NP_CASES),
        ("test_npx_value_matches_numpy_in_float64", tables.NPX_CASES),
        ("test_npx_derivatives_to_second_order", tables.NPX_CASES),
    ],
)
def test_the_tables_are_what_the_tests_check(test: str, table: list[Any]) -> None:
    marks = getattr(getattr(tables, test), "pytestmark", [])
    assert any(m.name == "parametrize" and m.args[1] is table for m in marks), (
        f"{test} does not run the table"
    )


def test_row_ids_are_unique() -> None:
    ids = [*tables.NP_IDS, *tables.NPX_IDS]
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)


@pytest.mark.parametrize("name", NOT_CHECKED)
def test_exemption_is_a_public_name_with_no_table_row(name: str) -> None:
    assert name in dict(public()), f"{name} is not a public tape.np/npx callable: drop its entry"
    assert name not in checked(), f"{name} is checked by rows {checked()[name]}: drop its entry"
    assert NOT_CHECKED[name].strip()


def test_aliases_are_the_same_function() -> None:
    # An alias is covered with its function only because it IS that function.
    assert np.absolute is np.abs and np.amax is np.max and np.true_divide is np.divide
    assert np.remainder is np.mod and np.around is np.round and npx.random is np.random
