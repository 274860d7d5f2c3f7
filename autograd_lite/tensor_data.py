"""What a `Tensor` holds: a NumPy array of a numeric dtype.

Arrays keep their dtype; Python numbers and lists become the default dtype (float32, as in
PyTorch; settable). Strings, objects and complex numbers are refused with the dtype named.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from autograd_lite.engine import Node

__all__ = [
    "as_array",
    "check_broadcast",
    "check_buffer",
    "get_default_dtype",
    "promoted_dtype",
    "set_default_dtype",
    "unit_seed",
    "weak_dtype",
]

_default_dtype = np.dtype(np.float32)


def get_default_dtype() -> np.dtype:
    """The dtype of tensors made from Python numbers and lists (float32 unless changed)."""
    return _default_dtype


def set_default_dtype(dtype: Any) -> None:
    """Set the dtype of tensors made from Python numbers and lists: float32 or float64."""
    global _default_dtype
    dt = np.dtype(dtype)
    if dt.kind != "f":
        raise TypeError(f"set_default_dtype: expected a floating dtype, got {dt}")
    _default_dtype = dt


def as_array(data: Any, dtype: Any) -> np.ndarray:
    """`data` as an array: arrays keep their dtype, Python numbers and lists get the default."""
    if dtype is not None:
        _check_numeric(np.dtype(dtype), "the dtype argument")
    if isinstance(data, np.ndarray):
        _check_numeric(data.dtype, "an array")
        return data if dtype is None else data.astype(dtype, copy=False)
    if isinstance(data, np.generic):
        _check_numeric(data.dtype, "a NumPy scalar")
        return np.asarray(data, dtype=dtype)
    if isinstance(data, (list, tuple)) and any(isinstance(v, Node) for v in data):
        raise TypeError(
            "Tensor: expected numbers, got a list holding Values or Tensors (their graph would "
            "be dropped); use tensor_ops.stack for Tensors, or take .data first"
        )
    if isinstance(data, (numbers.Number, list, tuple)) and not isinstance(data, complex):
        try:
            array = np.array(data, dtype=dtype if dtype is not None else _default_dtype)
        except (TypeError, ValueError) as error:
            raise TypeError(f"Tensor: cannot make an array from {data!r}: {error}") from None
        return array
    raise TypeError(
        f"Tensor: expected an array, a number or a (nested) list, got {type(data).__name__}"
    )


def _check_numeric(dtype: np.dtype, what: str) -> None:
    """Only booleans, integers and reals: strings or objects would compute nonsense
    (``Tensor(['a', 'b']) * 2`` is ``['aa', 'bb']``) and complex numbers have no order."""
    if dtype.kind not in "biuf":
        raise TypeError(
            f"Tensor: expected a numeric dtype (bool, int or float), got {what} of dtype "
            f"{dtype} ({dtype.kind!r} kind); convert it first, e.g. with .astype(np.float32)"
        )


_UNIT_SEEDS: dict[tuple[tuple[int, ...], np.dtype], np.ndarray] = {}


def unit_seed(shape: tuple[int, ...], dtype: np.dtype, writeable: bool) -> np.ndarray:
    """d loss / d loss = 1 for a one-element loss: a cached read-only array (allocating it
    cost a fifth of a small op's backward). Read-only is safe: the engine copies a read-only
    gradient before a leaf owns it, and a retained gradient gets a writeable one."""
    if writeable:
        return np.ones(shape, dtype=dtype)
    seed = _UNIT_SEEDS.get((shape, dtype))
    if seed is None:
        seed = _UNIT_SEEDS[(shape, dtype)] = np.ones(shape, dtype=dtype)
        seed.flags.writeable = False
    return seed


def weak_dtype(dtype: np.dtype, number: int | float) -> np.dtype:
    """The dtype a Python number takes beside an array of `dtype` (NumPy 2's weak scalars:
    float32 with 0.5 is float32, int64 with 0.5 is float64). It depends on the number's type
    only, so it is cached: ``np.result_type`` costs a microsecond, as much as a small op."""
    key = (dtype, type(number))
    found = _WEAK_DTYPES.get(key)
    if found is None:
        found = _WEAK_DTYPES[key] = np.result_type(dtype, number)
    return found


_WEAK_DTYPES: dict[tuple[np.dtype, type], np.dtype] = {}


def promoted_dtype(dtypes: list[np.dtype]) -> np.dtype | None:
    """The dtype these promote to (what a Python number among tensors of them takes), or None
    for no dtype at all."""
    if not dtypes:
        return None
    return dtypes[0] if len(dtypes) == 1 else np.result_type(*dtypes)


def check_broadcast(op: str, *arrays: Any) -> None:
    """Raise the ValueError that names `op` and the shapes, if they cannot be broadcast
    together (NumPy's own message names neither the op nor which operand is which)."""
    shapes = [np.shape(a) for a in arrays]
    try:
        np.broadcast_shapes(*shapes)
    except ValueError:
        listed = ", ".join(map(str, shapes[:-1])) + f" and {shapes[-1]}"
        raise ValueError(f"{op}: shapes {listed} cannot be broadcast together") from None


def check_buffer(buffer: Any, like: np.ndarray, where: str) -> None:
    """A writeable array of `like`'s shape and dtype, or a ValueError saying what it is."""
    if not isinstance(buffer, np.ndarray) or (buffer.shape, buffer.dtype) != (
        like.shape,
        like.dtype,
    ):
        got = (
            f"shape {buffer.shape} and dtype {buffer.dtype}"
            if isinstance(buffer, np.ndarray)
            else type(buffer).__name__
        )
        raise ValueError(
            f"{where}: expected an array of shape {like.shape} and dtype {like.dtype}, got {got}"
        )
    if not buffer.flags.writeable:
        raise ValueError(f"{where}: expected a writeable array, got a read-only one")
