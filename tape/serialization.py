"""`nd.save` / `nd.load`: arrays to and from NumPy `.npz` files, never through pickle.

As in MXNet, an array loads on the device it was saved from: a GPU array is copied to the host
to be written, with its GPU number in a marker entry, and copied back to that GPU on load; on a
machine without that GPU (no CuPy, fewer devices) it loads on the CPU, as MXNet's CPU build does.
"""

from __future__ import annotations

import io
import math
import os
import zipfile
import zlib
from typing import Any

import numpy as np
from numpy.lib import format as npy_format

from . import _xp
from ._args import path, wrong_type
from .ndarray import NDArray

__all__ = ["save", "load", "load_frombuffer"]  # and `read`, for the interfaces' load functions

# A marker entry records whether a list or a dict was saved, so load gives back the same kind.
_KIND = "__tape_kind__"
# Another, only when some array was on a GPU: rows (key, GPU number) for those arrays. Files of
# CPU arrays stay as they were.
_DEVICES = "__tape_devices__"
PathLike = str | os.PathLike[str]

MAX_BYTES = 1 << 30
"""The most bytes `load` reads from one file (its members' sizes once uncompressed) unless its
`max_bytes` says otherwise: 1 GiB. A guard against small hostile files; raise it for larger
trusted ones."""


def save(fname: PathLike, data: NDArray | list[NDArray] | tuple[NDArray, ...] | dict[str, NDArray]) -> None:
    """Save an array, a list of arrays or a dict of str -> array to `fname` (a `.npz` file,
    written under exactly the name given). GPU arrays are copied to the host to be written;
    `load` puts them back on their GPU.

    >>> import os, tempfile
    >>> from tape import nd
    >>> path = os.path.join(tempfile.mkdtemp(), "params")
    >>> nd.save(path, {"w": nd.ones((2, 2)), "b": nd.zeros(2)})
    >>> sorted(nd.load(path))
    ['b', 'w']
    """
    fname = path(fname, "nd.save")
    if isinstance(data, NDArray):
        data = [data]
    if isinstance(data, list | tuple):
        arrays = {str(i): _plain(a, f"data[{i}]") for i, a in enumerate(data)}
        kind = "list"
    elif isinstance(data, dict):
        for key in data:
            if not isinstance(key, str):
                raise TypeError(f"nd.save: data's dict keys must be str, not {type(key).__name__}")
            if key in (_KIND, _DEVICES):
                raise ValueError(f"nd.save: the key {key!r} is reserved by tape")
        arrays = {k: _plain(a, f"data[{k!r}]") for k, a in data.items()}
        kind = "dict"
    else:
        raise wrong_type(
            "nd.save", "data", "an NDArray, a list of NDArrays or a dict of str -> NDArray", data
        )
    entries = {k: _xp.to_host(a) for k, a in arrays.items()}
    entries[_KIND] = np.array(kind)
    on_gpus = [(k, str(_xp.device_id(a))) for k, a in arrays.items() if not _xp.is_host(a)]
    if on_gpus:
        entries[_DEVICES] = np.array(on_gpus)
    with open(fname, "wb") as f:  # a file object: NumPy would append ".npz" to a bare name
        np.savez(f, **entries)  # type: ignore[arg-type]


def _plain(a: Any, what: str) -> np.ndarray:
    if not isinstance(a, NDArray):
        raise wrong_type("nd.save", what, "an NDArray", a)
    return a._data  # copied to the host by `save` once every argument is checked


def load(fname: PathLike, *, max_bytes: int | None = None) -> list[NDArray] | dict[str, NDArray]:
    """Load what `save` wrote: a list of arrays, or a dict of str -> array.

    A single saved array comes back as a list of one, as in MXNet. Any `.npz` without
    object arrays loads too (as a dict); pickled content is refused. As in MXNet, each array
    loads on the device it was saved from; an array saved from a GPU this machine lacks loads
    on the CPU (move arrays with `as_in_context`).

    A file is read as untrusted. Its members may hold at most `max_bytes` bytes once
    uncompressed (`MAX_BYTES`, 1 GiB, by default; set `tape.serialization.MAX_BYTES` to change
    it for every call): the sizes in the zip directory are checked before anything is read,
    and each array's header against its member's size before the array is allocated, so a
    small file cannot make `load` allocate gigabytes. A truncated or damaged file, a member
    that is not a `.npy` array, two members with one name and a list with a missing item each
    raise a ValueError that says so.

    >>> import os, tempfile
    >>> from tape import nd
    >>> path = os.path.join(tempfile.mkdtemp(), "x")
    >>> nd.save(path, [nd.arange(3), nd.ones((1,))])
    >>> nd.load(path)[0]
    <BLANKLINE>
    [0. 1. 2.]
    <NDArray 3 @cpu(0)>
    >>> nd.load(path, max_bytes=100)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: load: ... holds ... bytes once uncompressed, more than max_bytes=100; ...
    """
    return _as_nd(read(fname, max_bytes, "nd.load"))


def load_frombuffer(
    buf: bytes | bytearray | memoryview, *, max_bytes: int | None = None
) -> list[NDArray] | dict[str, NDArray]:
    """`load` from the bytes of a file that `save` wrote (tape's `.npz`, not MXNet's format),
    with the same checks.

    >>> import os, tempfile
    >>> from tape import nd
    >>> path = os.path.join(tempfile.mkdtemp(), "x")
    >>> nd.save(path, [nd.arange(3)])
    >>> with open(path, "rb") as f:
    ...     nd.load_frombuffer(f.read())[0]
    <BLANKLINE>
    [0. 1. 2.]
    <NDArray 3 @cpu(0)>
    """
    if not isinstance(buf, bytes | bytearray | memoryview):
        raise wrong_type("nd.load_frombuffer", "buf", "bytes (the content of a file nd.save wrote)", buf)
    return _as_nd(_unpack(io.BytesIO(buf), "the buffer", _limit(max_bytes)))


def _as_nd(content: list[np.ndarray] | dict[str, np.ndarray]) -> list[NDArray] | dict[str, NDArray]:
    # Legacy MXNet has no 0-d arrays: a saved 0-d array loads with shape (1,).
    if isinstance(content, dict):
        return {k: NDArray(v.reshape(1) if v.ndim == 0 else v) for k, v in content.items()}
    return [NDArray(v.reshape(1) if v.ndim == 0 else v) for v in content]


def read(
    fname: PathLike, max_bytes: int | None = None, what: str = "load"
) -> list[np.ndarray] | dict[str, np.ndarray]:
    """The arrays in a file that `save` wrote, as the list or dict that was saved, checked as
    `load` describes: NumPy arrays, or GPU arrays for those saved from a GPU that is here.

    The interfaces wrap them: `nd.load` as NDArrays, `npx.load` as `tape.np` arrays (0-d kept).
    `what` names the caller in errors.
    """
    limit = _limit(max_bytes)
    name = os.fspath(path(fname, what))
    return _unpack(name, name, limit)


def _limit(max_bytes: int | None) -> int:
    limit = MAX_BYTES if max_bytes is None else max_bytes
    if isinstance(limit, bool) or not isinstance(limit, int):
        raise TypeError(f"load: max_bytes is a number of bytes, an int, not {type(limit).__name__}")
    if limit < 0:
        raise ValueError(f"load: max_bytes is a number of bytes, 0 or more, not {limit}")
    return limit


def _unpack(source: str | io.BytesIO, name: str, limit: int) -> list[np.ndarray] | dict[str, np.ndarray]:
    """The arrays of the archive `source` (a file name, or bytes in memory), called `name` in errors."""
    try:
        archive = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, EOFError, ValueError, NotImplementedError) as e:
        raise _not_an_archive(source, name, e) from e
    with archive:
        members = _members(archive, name, limit)
        content = {key: _read(archive, info, name) for key, info in members.items()}
    return _arrange(content, name)


def _not_an_archive(source: str | io.BytesIO, name: str, e: Exception) -> ValueError:
    if isinstance(source, io.BytesIO):
        head = source.getvalue()[:6]
    else:
        with open(source, "rb") as f:
            head = f.read(6)
    if head == b"\x93NUMPY":
        return ValueError(f"load: {name} holds one bare NumPy array, not an .npz archive; use numpy.load")
    return ValueError(
        f"load: {name} is not an .npz file written by nd.save (or NumPy's savez), or it is truncated: {e}"
    )


def _members(archive: zipfile.ZipFile, name: str, limit: int) -> dict[str, zipfile.ZipInfo]:
    """The archive's members by key, after the checks that need only the zip directory."""
    infos = archive.infolist()
    declared = _declared_count(archive)
    if declared != len(infos):
        raise ValueError(
            f"load: {name} is damaged: its zip directory lists {len(infos)} members, but its end "
            f"record says {declared}"
        )
    members: dict[str, zipfile.ZipInfo] = {}
    total = 0
    for info in infos:
        member = info.filename
        if not member.endswith(".npy"):
            raise ValueError(
                f"load: {name} has a member {member!r} that is not a .npy array: an archive written "
                "by nd.save (or numpy.savez) holds only .npy members"
            )
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise ValueError(
                f"load: {name}: member {member!r} is compressed with method {info.compress_type}; "
                "load reads only stored or deflated members, as numpy.savez(_compressed) writes"
            )
        if member[:-4] in members:
            raise ValueError(
                f"load: {name} has two members named {member!r}: which array is meant is unknown "
                "(the file was not written by nd.save or numpy.savez, or was altered)"
            )
        members[member[:-4]] = info
        total += info.file_size
    if total > limit:
        raise ValueError(
            f"load: {name} holds {total} bytes once uncompressed, more than max_bytes={limit}; "
            "if you trust the file, pass a larger max_bytes (or raise tape.serialization.MAX_BYTES)"
        )
    return members


def _declared_count(archive: zipfile.ZipFile) -> int:
    """How many members the zip's end record declares (zipfile trusts the directory instead,
    where a damaged length can hide members)."""
    f = archive.fp  # zipfile seeks before each read of a member: moving it here is harmless
    assert f is not None
    end = f.seek(0, os.SEEK_END) - 22 - len(archive.comment)  # the end record: 22 bytes, a comment
    f.seek(end + 10)
    count = int.from_bytes(f.read(2), "little")
    if count == 0xFFFF and end >= 20:  # ZIP64: the count is in the ZIP64 end record
        f.seek(end - 20 + 8)  # its locator, 20 bytes just before, holds where that record is
        f.seek(int.from_bytes(f.read(8), "little") + 32)
        count = int.from_bytes(f.read(8), "little")
    return count


# What reading a damaged member raises, from zipfile, zlib and numpy.lib.format.
_DAMAGED = (ValueError, EOFError, OSError, zipfile.BadZipFile, zlib.error, NotImplementedError, RuntimeError)


def _read(archive: zipfile.ZipFile, info: zipfile.ZipInfo, name: str) -> np.ndarray:
    """One member's array, its header checked against the member's size before it is allocated."""
    what = f"load: {name}: member {info.filename!r}"
    try:
        with archive.open(info) as f:
            version = npy_format.read_magic(f)
            read_header = (
                npy_format.read_array_header_1_0 if version == (1, 0) else npy_format.read_array_header_2_0
            )
            shape, _, dtype = read_header(f)
            offset = f.tell()
    except _DAMAGED as e:
        raise ValueError(f"{what} is damaged or not a .npy array: {e}") from e
    if dtype.hasobject:
        raise ValueError(f"{what} holds Python objects: reading them means unpickling, which tape never does")
    size = math.prod(shape) * dtype.itemsize
    if version not in ((1, 0), (2, 0), (3, 0)) or size != info.file_size - offset:
        raise ValueError(
            f"{what} is truncated or damaged: its header (format {version[0]}.{version[1]}) declares "
            f"a {dtype} array of shape {shape}, {size} bytes, but {info.file_size - offset} bytes follow it"
        )
    try:
        with archive.open(info) as f:
            data = npy_format.read_array(f, allow_pickle=False)
            f.read()  # to the end, where zipfile checks the CRC of the whole member
    except _DAMAGED as e:
        raise ValueError(f"{what} is damaged or not a .npy array: {e}") from e
    return data


def _arrange(content: dict[str, np.ndarray], name: str) -> list[np.ndarray] | dict[str, np.ndarray]:
    """The arrays as the list or dict that was saved, each on the device it was saved from."""
    kind = "dict"
    if _KIND in content:
        marker = content.pop(_KIND)
        kind = str(marker) if marker.dtype.kind == "U" and marker.ndim == 0 else repr(marker)
        if kind not in ("list", "dict"):
            raise ValueError(f"load: {name}: its {_KIND!r} entry is {kind!r}, not 'list' or 'dict'")
    devices = _devices(content.pop(_DEVICES), content, name) if _DEVICES in content else {}
    keys = list(content) if kind == "dict" else _list_keys(list(content), name)
    for key, device in devices.items():  # once the whole file is checked
        content[key] = _on_gpu(content[key], device)
    return content if kind == "dict" else [content[k] for k in keys]


def _devices(marker: np.ndarray, content: dict[str, np.ndarray], name: str) -> dict[str, int]:
    """The GPU of each array saved from one, from the marker: rows (key, GPU number)."""
    rows = marker.tolist() if marker.dtype.kind == "U" and marker.ndim == 2 and marker.shape[1] == 2 else None
    if rows is None or any(k not in content or not (d.isascii() and d.isdigit()) for k, d in rows):
        raise ValueError(
            f"load: {name}: its {_DEVICES!r} entry is damaged: it must list (key, GPU number) rows of "
            "the arrays saved from a GPU"
        )
    return {k: int(d) for k, d in rows}


def _on_gpu(data: np.ndarray, device: int) -> np.ndarray:
    """`data`, saved from GPU `device`, back there; on the CPU on a machine without that GPU."""
    if device >= _xp.device_count():
        return data
    out: np.ndarray = _xp.to_device(data, device)
    return out


def _list_keys(keys: list[str], name: str) -> list[str]:
    """The members of a saved list in item order, after checking that they are 0, 1, ... n-1."""
    by_index: dict[int, str] = {}
    for k in keys:
        if not (k.isascii() and k.isdigit()):
            raise ValueError(
                f"load: {name} holds a list, but its member {k + '.npy'!r} is not named by an item "
                "index (0.npy, 1.npy, ...)"
            )
        if int(k) in by_index:
            raise ValueError(
                f"load: {name}: members {by_index[int(k)] + '.npy'!r} and {k + '.npy'!r} are both "
                f"item {int(k)} of the list"
            )
        by_index[int(k)] = k
    missing = [i for i in range(len(by_index)) if i not in by_index]
    if missing:
        raise ValueError(
            f"load: {name} holds a list with a gap: item {missing[0]} is missing, though there are "
            f"items up to {max(by_index)}"
        )
    return [by_index[i] for i in range(len(by_index))]
