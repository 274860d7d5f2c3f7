"""The IDX file format of MNIST: parse it, and read it from a raw or a gzip-compressed file.

An IDX file is a 4-byte magic number (two zero bytes, a type code, the number of
dimensions), one big-endian uint32 per dimension, then the data in C order, big-endian.
"""

from __future__ import annotations

import gzip
import math
import os
import struct
import zlib
from pathlib import Path

import numpy as np

__all__ = ["IDX_DTYPES", "parse_idx", "read_bytes", "read_idx"]

#: IDX type code -> NumPy dtype (multi-byte types are big-endian on disk).
IDX_DTYPES: dict[int, np.dtype] = {
    0x08: np.dtype(np.uint8),
    0x09: np.dtype(np.int8),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}

_GZIP_MAGIC = b"\x1f\x8b"


def parse_idx(data: bytes, name: str = "<bytes>") -> np.ndarray:
    """Parse the bytes of an (uncompressed) IDX file.

    Parameters
    ----------
    data : bytes
        The whole file.
    name : str
        What to call the data in error messages (usually the file's path).

    Returns
    -------
    np.ndarray
        The array, in native byte order, with the shape the header gives. It is read-only:
        single-byte types share memory with `data` (no copy); call ``.copy()`` to modify it.

    Raises
    ------
    ValueError
        If the magic number or the type code is wrong, or if the data is shorter or longer
        than the header says (a truncated file, or not an IDX file).
    """
    if len(data) < 4:
        raise ValueError(f"{name}: expected an IDX header of 4 bytes, got {len(data)} bytes")
    if data[:2] != b"\x00\x00":
        hint = " (it looks gzip-compressed: name it *.gz)" if data[:2] == _GZIP_MAGIC else ""
        raise ValueError(
            f"{name}: expected an IDX magic number 0x0000TTNN, got 0x{data[:4].hex()}: "
            f"not an IDX file{hint}"
        )
    code, ndim = data[2], data[3]
    if code not in IDX_DTYPES:
        known = ", ".join(f"0x{c:02X}" for c in IDX_DTYPES)
        raise ValueError(f"{name}: expected an IDX type code in {{{known}}}, got 0x{code:02X}")
    if ndim == 0:
        raise ValueError(f"{name}: expected an IDX file with at least 1 dimension, got 0")
    header = 4 + 4 * ndim
    if len(data) < header:
        raise ValueError(
            f"{name}: expected an IDX header of {header} bytes ({ndim} dimensions), "
            f"got {len(data)} bytes: the file is truncated"
        )
    shape = struct.unpack(f">{ndim}I", data[4:header])
    dtype = IDX_DTYPES[code]
    expected = header + math.prod(shape) * dtype.itemsize
    if len(data) != expected:
        problem = "the file is truncated" if len(data) < expected else "trailing bytes"
        raise ValueError(
            f"{name}: expected {expected} bytes for an IDX array of shape {shape} and type "
            f"{dtype.name}, got {len(data)} bytes: {problem}"
        )
    array = np.frombuffer(data, dtype=dtype, offset=header).reshape(shape)
    if dtype.byteorder == ">":
        # Native order makes later arithmetic fast; this copy is writable, so lock it too.
        array = array.astype(dtype.newbyteorder("="))
        array.flags.writeable = False
    return array


def read_bytes(path: str | os.PathLike[str], gzipped: bool | None = None) -> bytes:
    """The content of a file, decompressed if `gzipped` (default: if its name ends in ``.gz``).

    Raises
    ------
    ValueError
        If a ``.gz`` file does not decompress (corrupt, truncated, or not gzip at all).
    """
    path = Path(path)
    if gzipped is None:
        gzipped = path.suffix == ".gz"
    if not gzipped:
        return path.read_bytes()
    try:
        with gzip.open(path, "rb") as file:
            return file.read()
    except (gzip.BadGzipFile, EOFError, zlib.error) as exc:
        # Only the decompression errors: a missing file or a permission problem is not
        # "corrupt" and keeps its own exception.
        raise ValueError(
            f"{path}: expected a gzip-compressed file, got one that does not decompress "
            f"({exc}): it is corrupt or truncated"
        ) from exc


def read_idx(path: str | os.PathLike[str]) -> np.ndarray:
    """Read an IDX file, raw or gzip-compressed (by the ``.gz`` suffix); see `parse_idx`."""
    return parse_idx(read_bytes(path), name=str(path))
