"""nd.save / nd.load: .npz round trips of lists and dicts, and no pickle, ever."""

from __future__ import annotations

import io
import pickle
import tracemalloc
import warnings
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from fake_cupy import FakeCupy

import tape
from tape import _xp, autograd, nd, serialization


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


# ---- GPU arrays (over the CuPy stand-in, two devices) -------------------------------------------
def test_arrays_load_on_the_device_they_were_saved_from_as_in_mxnet(
    two_gpus: FakeCupy, tmp_path: Path
) -> None:
    nd.save(tmp_path / "p", {"w": nd.array([1, 2], ctx=tape.gpu(1)), "b": nd.array([3], ctx=tape.cpu())})
    with np.load(tmp_path / "p", allow_pickle=False) as z:  # host bytes: NumPy reads the file
        np.testing.assert_array_equal(z["w"], [1, 2])
    loaded = nd.load(tmp_path / "p")
    assert isinstance(loaded, dict)
    assert loaded["w"].context == tape.gpu(1) and loaded["b"].context == tape.cpu()
    assert loaded["w"].asnumpy().tolist() == [1, 2] and loaded["w"].dtype == np.float32
    with tape.gpu(0):  # the saved device, not the current context
        again = nd.load_frombuffer((tmp_path / "p").read_bytes())
        assert isinstance(again, dict) and again["w"].context == tape.gpu(1)


@pytest.mark.parametrize("devices", [0, 1])
def test_an_array_saved_from_a_gpu_that_is_not_here_loads_on_the_cpu(
    two_gpus: FakeCupy, tmp_path: Path, devices: int
) -> None:
    nd.save(tmp_path / "x", [nd.array([1, 2], ctx=tape.gpu(1))])
    previous = _xp.use_gpu_module(FakeCupy(devices) if devices else None)
    try:
        (x,) = nd.load(tmp_path / "x")
    finally:
        _xp.use_gpu_module(previous)
    assert x.context == tape.cpu() and x.asnumpy().tolist() == [1, 2]


def test_a_file_of_cpu_arrays_has_no_device_marker(two_gpus: FakeCupy, tmp_path: Path) -> None:
    nd.save(tmp_path / "c", [nd.ones(1, ctx=tape.cpu())])
    nd.save(tmp_path / "g", [nd.ones(1, ctx=tape.gpu(0))])
    with zipfile.ZipFile(tmp_path / "c") as c, zipfile.ZipFile(tmp_path / "g") as g:
        assert "__tape_devices__.npy" not in c.namelist() and "__tape_devices__.npy" in g.namelist()


@pytest.mark.parametrize(
    "marker",
    [
        np.array([["w", "0"]]),
        np.array([["0", "x"]]),
        np.array(["0", "0"]),
        np.array([[0, 0]]),
        np.array([["__tape_kind__", "0"]]),
    ],
)
def test_a_damaged_device_marker_is_refused(tmp_path: Path, marker: np.ndarray) -> None:
    path = _archive(
        tmp_path / "x.npz", [("0.npy", _npy(np.ones(1))), LIST, ("__tape_devices__.npy", _npy(marker))]
    )
    with pytest.raises(ValueError, match="'__tape_devices__' entry is damaged"):
        nd.load(path)
    with pytest.raises(ValueError, match="'__tape_devices__' is reserved"):
        nd.save(tmp_path / "y", {"__tape_devices__": nd.ones(1)})


def test_save_refuses_what_it_cannot_store(tmp_path: Path) -> None:
    with pytest.raises(TypeError, match=r"nd\.save: data\[0\] must be an NDArray, not numpy\.ndarray"):
        nd.save(tmp_path / "x", [np.ones(2)])  # type: ignore[list-item]
    with pytest.raises(TypeError, match="keys must be str"):
        nd.save(tmp_path / "x", {1: nd.ones(2)})  # type: ignore[dict-item]
    with pytest.raises(TypeError, match="dict of str"):
        nd.save(tmp_path / "x", "hello")  # type: ignore[arg-type]


# ---- hostile and damaged files ------------------------------------------------------------------
def _npy(array: np.ndarray) -> bytes:
    buf = io.BytesIO()
    np.lib.format.write_array(buf, array)
    return buf.getvalue()


def _archive(path: Path, members: list[tuple[str, bytes]], compression: int = zipfile.ZIP_STORED) -> Path:
    """A zip of `members` (name, bytes), written as given: duplicates and odd names included."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns of a duplicate name, and writes it
        with zipfile.ZipFile(path, "w", compression) as z:
            for name, data in members:
                z.writestr(name, data)
    return path


LIST = ("__tape_kind__.npy", _npy(np.array("list")))


def test_the_default_limit_is_one_gib() -> None:
    assert serialization.MAX_BYTES == 1 << 30


def test_a_small_file_that_inflates_past_max_bytes_is_refused_before_any_member_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "bomb.npz"
    np.savez_compressed(path, w=np.zeros(1 << 20))  # 8 MiB of zeros in a few KiB
    assert path.stat().st_size < 64 << 10

    def no_reading(*args: object, **kwargs: object) -> None:
        raise AssertionError("a member was opened")

    monkeypatch.setattr(zipfile.ZipFile, "open", no_reading)
    with pytest.raises(
        ValueError, match=r"holds 8388\d\d\d bytes once uncompressed, more than max_bytes=1000000;"
    ):
        nd.load(path, max_bytes=1_000_000)


def test_the_module_limit_applies_unless_max_bytes_is_given(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    nd.save(tmp_path / "w", {"w": nd.zeros((1000,))})
    monkeypatch.setattr(serialization, "MAX_BYTES", 1000)
    with pytest.raises(ValueError, match="more than max_bytes=1000;"):
        nd.load(tmp_path / "w")
    loaded = nd.load(tmp_path / "w", max_bytes=10_000)
    assert isinstance(loaded, dict) and loaded["w"].shape == (1000,)


@pytest.mark.parametrize(
    ("max_bytes", "error"), [(-1, ValueError), (1.5, TypeError), (True, TypeError), ("1000", TypeError)]
)
def test_max_bytes_must_be_a_count_of_bytes(
    tmp_path: Path, max_bytes: object, error: type[Exception]
) -> None:
    nd.save(tmp_path / "w", [nd.ones(1)])
    with pytest.raises(error, match="max_bytes is a number of bytes"):
        nd.load(tmp_path / "w", max_bytes=max_bytes)  # type: ignore[arg-type]


def test_a_header_that_claims_a_huge_array_is_refused_before_allocating_it(tmp_path: Path) -> None:
    header = io.BytesIO()
    claim = {"descr": "<f8", "fortran_order": False, "shape": (1 << 26,)}  # 512 MiB: under the limit
    np.lib.format.write_array_header_1_0(header, claim)
    path = _archive(tmp_path / "liar.npz", [("w.npy", header.getvalue() + bytes(16))])
    tracemalloc.start()
    try:
        with pytest.raises(
            ValueError, match=r"'w.npy' is truncated or damaged: .*shape \(67108864,\), 536870912 bytes"
        ):
            nd.load(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 1 << 20


@pytest.mark.parametrize("keep", [0, 10, 0.5, -1, -22])
def test_a_truncated_file_raises_a_value_error(tmp_path: Path, keep: float) -> None:
    nd.save(tmp_path / "full", {"w": nd.ones((4, 4)), "b": nd.zeros(4)})
    data = (tmp_path / "full").read_bytes()
    cut = int(len(data) * keep) if isinstance(keep, float) else keep
    (tmp_path / "cut").write_bytes(data[:cut])
    with pytest.raises(ValueError, match=r"not an \.npz file .* or it is truncated"):
        nd.load(tmp_path / "cut")


def test_a_damaged_member_raises_a_value_error_naming_it(tmp_path: Path) -> None:
    nd.save(tmp_path / "w", {"w": nd.arange(16)})
    data = bytearray((tmp_path / "w").read_bytes())
    data[data.index(_npy(np.arange(16, dtype=np.float32))[-8:])] ^= 1  # one bit of w's values
    (tmp_path / "w").write_bytes(bytes(data))
    with pytest.raises(ValueError, match=r"member 'w\.npy' is damaged or not a \.npy array: Bad CRC-32"):
        nd.load(tmp_path / "w")


def test_a_member_that_is_not_npy_is_refused(tmp_path: Path) -> None:
    path = _archive(tmp_path / "x.npz", [("w.npy", _npy(np.ones(2))), ("notes.txt", b"hello")])
    with pytest.raises(ValueError, match=r"member 'notes.txt' that is not a \.npy array"):
        nd.load(path)


def test_a_member_that_holds_no_npy_data_is_refused(tmp_path: Path) -> None:
    path = _archive(tmp_path / "x.npz", [("w.npy", b"not an array at all")])
    with pytest.raises(
        ValueError, match=r"member 'w\.npy' is damaged or not a \.npy array: the magic string is not correct"
    ):
        nd.load(path)


def test_a_member_compressed_other_than_numpy_does_is_refused(tmp_path: Path) -> None:
    path = _archive(tmp_path / "x.npz", [("w.npy", _npy(np.ones(2)))], zipfile.ZIP_BZIP2)
    with pytest.raises(ValueError, match="compressed with method 12; load reads only stored or deflated"):
        nd.load(path)


def test_two_members_with_one_name_are_refused(tmp_path: Path) -> None:
    path = _archive(tmp_path / "x.npz", [("w.npy", _npy(np.ones(2))), ("w.npy", _npy(np.zeros(2)))])
    with pytest.raises(ValueError, match=r"two members named 'w\.npy'"):
        nd.load(path)


def test_a_list_with_a_gap_is_refused(tmp_path: Path) -> None:
    path = _archive(tmp_path / "x.npz", [("0.npy", _npy(np.ones(1))), ("2.npy", _npy(np.ones(1))), LIST])
    with pytest.raises(
        ValueError, match="a list with a gap: item 1 is missing, though there are items up to 2"
    ):
        nd.load(path)


def test_list_members_that_name_one_item_are_refused(tmp_path: Path) -> None:
    members = [("0.npy", _npy(np.ones(1))), ("1.npy", _npy(np.ones(1))), ("01.npy", _npy(np.zeros(1))), LIST]
    path = _archive(tmp_path / "x.npz", members)
    with pytest.raises(ValueError, match=r"members '1\.npy' and '01\.npy' are both item 1 of the list"):
        nd.load(path)


def test_a_list_member_not_named_by_an_index_is_refused(tmp_path: Path) -> None:
    path = _archive(tmp_path / "x.npz", [("0.npy", _npy(np.ones(1))), ("w.npy", _npy(np.ones(1))), LIST])
    with pytest.raises(ValueError, match=r"member 'w.npy' is not named by an item index"):
        nd.load(path)


def test_an_unknown_kind_marker_is_refused(tmp_path: Path) -> None:
    path = _archive(
        tmp_path / "x.npz", [("0.npy", _npy(np.ones(1))), ("__tape_kind__.npy", _npy(np.array("set")))]
    )
    with pytest.raises(ValueError, match="entry is 'set', not 'list' or 'dict'"):
        nd.load(path)


def test_a_damaged_directory_that_hides_members_is_refused(tmp_path: Path) -> None:
    nd.save(tmp_path / "p", {"w": nd.ones(2), "b": nd.zeros(2)})
    with zipfile.ZipFile(tmp_path / "p") as z:
        n = len(z.namelist())  # 3; 4 with the marker of GPU arrays (tests/on_gpu/)
    data = bytearray((tmp_path / "p").read_bytes())
    first = data.index(b"PK\x01\x02")  # the first directory entry; its comment length is at +32
    data[first + 33] = 1  # a 256-byte comment now swallows the entries after it
    (tmp_path / "p").write_bytes(bytes(data))
    with pytest.raises(ValueError, match=f"lists 1 members, but its end record says {n}"):
        nd.load(tmp_path / "p")


def _values(
    loaded: list[nd.NDArray] | dict[str, nd.NDArray],
) -> list[tuple[str, Any, tuple[int, ...], list[Any]]]:
    """What a load gave, as comparable data: (key, dtype, shape, values) per array."""
    items = loaded.items() if isinstance(loaded, dict) else enumerate(loaded)
    return sorted((str(k), a.dtype, a.shape, a.asnumpy().tolist()) for k, a in items)


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["list", "compressed"])
def test_any_one_damaged_byte_gives_the_saved_arrays_or_a_value_error(tmp_path: Path, kind: str) -> None:
    path = tmp_path / "p"
    if kind == "list":
        nd.save(path, [nd.arange(3), nd.ones((2,), dtype="float64")])
    else:
        with open(path, "wb") as f:
            np.savez_compressed(f, w=np.arange(6.0).reshape(2, 3))
    good = path.read_bytes()
    want = nd.load(path)
    with open(path, "r+b") as f:  # one handle: opening the file for each byte would cost more
        for i in range(len(good)):
            f.seek(i)
            f.write(bytes([good[i] ^ 0xFF]))
            f.flush()
            try:
                got = nd.load(path)
            except ValueError:
                got = want
            finally:
                f.seek(i)
                f.write(good[i : i + 1])
                f.flush()
            assert type(got) is type(want) and _values(got) == _values(want), f"byte {i} changed"
