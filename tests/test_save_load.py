"""nd.save / nd.load: .npz round trips of lists and dicts, and no pickle, ever."""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np
import pytest

from tape import autograd, nd


def test_list_round_trip_keeps_order_values_and_dtypes(tmp_path: Path) -> None:
    path = tmp_path / "arrays"
    items = [nd.arange(12).reshape((3, 4)), nd.array([1, 2], dtype="float64"), nd.array([7], dtype="int32")]
    nd.save(str(path), items)
    loaded = nd.load(str(path))
    assert isinstance(loaded, list) and len(loaded) == 3
    for got, want in zip(loaded, items, strict=True):
        assert got.dtype == want.dtype
        np.testing.assert_array_equal(got.asnumpy(), want.asnumpy())


def test_more_than_ten_list_items_keep_their_order(tmp_path: Path) -> None:
    items = [nd.full((1,), i) for i in range(12)]
    nd.save(tmp_path / "many", items)
    assert [int(a.asscalar()) for a in nd.load(tmp_path / "many")] == list(range(12))


def test_dict_round_trip(tmp_path: Path) -> None:
    params = {"dense0_weight": nd.ones((2, 3)), "dense0_bias": nd.zeros(2)}
    nd.save(tmp_path / "params", params)
    loaded = nd.load(tmp_path / "params")
    assert isinstance(loaded, dict) and sorted(loaded) == sorted(params)
    np.testing.assert_array_equal(loaded["dense0_weight"].asnumpy(), np.ones((2, 3)))


def test_a_single_array_loads_as_a_list_of_one(tmp_path: Path) -> None:
    nd.save(tmp_path / "x", nd.array([1, 2, 3]))
    loaded = nd.load(tmp_path / "x")
    assert isinstance(loaded, list) and len(loaded) == 1
    np.testing.assert_array_equal(loaded[0].asnumpy(), [1, 2, 3])


def test_save_writes_exactly_the_name_given(tmp_path: Path) -> None:
    nd.save(tmp_path / "x-file", [nd.ones(1)])
    assert [p.name for p in tmp_path.iterdir()] == ["x-file"]


def test_the_file_is_a_numpy_npz_archive(tmp_path: Path) -> None:
    nd.save(tmp_path / "p.npz", {"w": nd.ones(2)})
    with np.load(tmp_path / "p.npz", allow_pickle=False) as z:
        np.testing.assert_array_equal(z["w"], [1, 1])


def test_an_npz_written_by_numpy_loads_as_a_dict(tmp_path: Path) -> None:
    np.savez(tmp_path / "plain.npz", a=np.arange(3), b=np.ones((2, 2)))
    loaded = nd.load(tmp_path / "plain.npz")
    assert isinstance(loaded, dict) and sorted(loaded) == ["a", "b"]


def test_loaded_arrays_are_independent_and_can_be_marked(tmp_path: Path) -> None:
    w = nd.ones((2,))
    w.attach_grad()
    with autograd.record():
        y = w * 2
    nd.save(tmp_path / "y", [y])
    (loaded,) = nd.load(tmp_path / "y")
    assert loaded._node is None
    loaded.attach_grad()


def test_pickled_content_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "evil.npz"
    np.savez(path, obj=np.array([{"a": 1}], dtype=object))
    with pytest.raises(ValueError, match="unpickling"):
        nd.load(path)


def test_a_pickle_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "evil.pkl"
    path.write_bytes(pickle.dumps([1, 2, 3]))
    with pytest.raises(ValueError, match=r"not an \.npz file"):
        nd.load(path)


def test_a_bare_npy_file_is_refused_with_a_hint(tmp_path: Path) -> None:
    path = tmp_path / "x.npy"
    np.save(path, np.ones(2))
    with pytest.raises(ValueError, match=r"numpy\.load"):
        nd.load(path)


def test_a_missing_file_raises_file_not_found(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        nd.load(tmp_path / "nope")


def test_save_refuses_what_it_cannot_store(tmp_path: Path) -> None:
    with pytest.raises(TypeError, match="not an NDArray"):
        nd.save(tmp_path / "x", [np.ones(2)])  # type: ignore[list-item]
    with pytest.raises(TypeError, match="keys must be str"):
        nd.save(tmp_path / "x", {1: nd.ones(2)})  # type: ignore[dict-item]
    with pytest.raises(TypeError, match="dict of str"):
        nd.save(tmp_path / "x", "hello")  # type: ignore[arg-type]
