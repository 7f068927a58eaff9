"""`nd.save` / `nd.load`: arrays to and from NumPy `.npz` files, never through pickle."""

from __future__ import annotations

import os
import zipfile
from typing import Any

import numpy as np

from .ndarray import NDArray

__all__ = ["save", "load"]

# A marker entry records whether a list or a dict was saved, so load gives back the same kind.
_KIND = "__tape_kind__"
PathLike = str | os.PathLike[str]


def save(fname: PathLike, data: NDArray | list[NDArray] | tuple[NDArray, ...] | dict[str, NDArray]) -> None:
    """Save an array, a list of arrays or a dict of str -> array to `fname` (a `.npz` file,
    written under exactly the name given).

    >>> import os, tempfile
    >>> from tape import nd
    >>> path = os.path.join(tempfile.mkdtemp(), "params")
    >>> nd.save(path, {"w": nd.ones((2, 2)), "b": nd.zeros(2)})
    >>> sorted(nd.load(path))
    ['b', 'w']
    """
    if isinstance(data, NDArray):
        data = [data]
    if isinstance(data, list | tuple):
        entries = {str(i): _plain(a, f"item {i}") for i, a in enumerate(data)}
        kind = "list"
    elif isinstance(data, dict):
        for key in data:
            if not isinstance(key, str):
                raise TypeError(f"save: dict keys must be str, not {type(key).__name__}")
            if key == _KIND:
                raise ValueError(f"save: the key {_KIND!r} is reserved by tape")
        entries = {k: _plain(a, f"entry {k!r}") for k, a in data.items()}
        kind = "dict"
    else:
        raise TypeError(
            "save takes an NDArray, a list of NDArrays or a dict of str -> NDArray, not "
            f"{type(data).__name__}"
        )
    entries[_KIND] = np.array(kind)
    with open(fname, "wb") as f:  # a file object: NumPy would append ".npz" to a bare name
        np.savez(f, **entries)  # type: ignore[arg-type]


def _plain(a: Any, what: str) -> np.ndarray:
    if not isinstance(a, NDArray):
        raise TypeError(f"save: {what} is a {type(a).__name__}, not an NDArray")
    return a._data


def load(fname: PathLike) -> list[NDArray] | dict[str, NDArray]:
    """Load what `save` wrote: a list of arrays, or a dict of str -> array.

    A single saved array comes back as a list of one, as in MXNet. Any `.npz` without
    object arrays loads too (as a dict); pickled content is refused.

    >>> import os, tempfile
    >>> from tape import nd
    >>> path = os.path.join(tempfile.mkdtemp(), "x")
    >>> nd.save(path, [nd.arange(3), nd.ones((1,))])
    >>> nd.load(path)[0]
    <BLANKLINE>
    [0. 1. 2.]
    <NDArray 3 @cpu(0)>
    """
    try:
        archive = np.load(fname, allow_pickle=False)
    except FileNotFoundError:
        raise
    except (OSError, ValueError, EOFError) as e:
        raise ValueError(
            f"load: {fname!s} is not an .npz file written by nd.save (or NumPy's savez): {e}"
        ) from e
    if not isinstance(archive, np.lib.npyio.NpzFile):
        raise ValueError(f"load: {fname!s} holds one bare NumPy array, not an .npz archive; use numpy.load")
    try:
        with archive:
            content = {k: archive[k] for k in archive.files}
    except (zipfile.BadZipFile, ValueError) as e:
        raise ValueError(f"load: cannot read {fname!s} without unpickling, which tape never does: {e}") from e
    kind = str(content.pop(_KIND)) if _KIND in content else "dict"
    arrays = {k: NDArray(v.reshape(1) if v.ndim == 0 else v) for k, v in content.items()}
    if kind == "list":
        return [arrays[k] for k in sorted(arrays, key=int)]
    return arrays
