"""Tensor-only ops that move elements around: reshape, transpose, indexing, joining.

Their VJPs move the gradient back the same way; none of them computes anything.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from autograd_lite.tensor import Tensor, as_tensor

__all__ = [
    "concatenate",
    "expand_dims",
    "flatten",
    "getitem",
    "reshape",
    "squeeze",
    "stack",
    "transpose",
]


def _shape_argument(shape: tuple[Any, ...]) -> tuple[int, ...]:
    """``reshape(5, 4)`` and ``reshape((5, 4))`` alike."""
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        return tuple(shape[0])
    return tuple(shape)


def reshape(a: Tensor, *shape: Any) -> Tensor:
    """The same elements in a new shape (one axis may be -1);  the gradient is reshaped back."""
    a = as_tensor(a, "reshape")
    new_shape = _shape_argument(shape)
    try:
        out = a.data.reshape(new_shape)
    except (ValueError, TypeError):
        raise ValueError(
            f"reshape: cannot reshape a tensor of shape {a.shape} ({a.size} elements) into "
            f"shape {new_shape}"
        ) from None
    old_shape = a.shape

    def vjp(g: np.ndarray) -> tuple[Any]:
        return (g.reshape(old_shape),)

    return Tensor._result(out, (a,), vjp, "reshape")


def transpose(a: Tensor, *axes: Any) -> Tensor:
    """The axes permuted (reversed by default);  the gradient is permuted back."""
    a = as_tensor(a, "transpose")
    order = _shape_argument(axes) or tuple(reversed(range(a.ndim)))
    in_range = all(isinstance(ax, (int, np.integer)) and -a.ndim <= ax < a.ndim for ax in order)
    if not in_range or sorted(int(ax) % a.ndim for ax in order) != list(range(a.ndim)):
        raise ValueError(
            f"transpose: expected a permutation of the {a.ndim} axes, got axes {order}"
        )
    inverse = tuple(np.argsort([int(ax) % a.ndim for ax in order])) if a.ndim else ()

    def vjp(g: np.ndarray) -> tuple[Any]:
        return (g.transpose(inverse),)

    return Tensor._result(a.data.transpose(order), (a,), vjp, "transpose")


def flatten(a: Tensor, start_axis: int = 0, end_axis: int = -1) -> Tensor:
    """Axes start_axis..end_axis merged into one (all of them by default)."""
    a = as_tensor(a, "flatten")
    if a.ndim == 0:
        return reshape(a, 1)
    start, end = start_axis % a.ndim, end_axis % a.ndim
    if start > end:
        raise ValueError(f"flatten: expected start_axis <= end_axis, got {start_axis}, {end_axis}")
    shape = a.shape
    merged = int(np.prod(shape[start : end + 1]))  # not -1: an empty batch has no inferable axis
    return reshape(a, (*shape[:start], merged, *shape[end + 1 :]))


def expand_dims(a: Tensor, axis: int) -> Tensor:
    """A new axis of length 1 at `axis` (PyTorch's ``unsqueeze``)."""
    a = as_tensor(a, "expand_dims")
    if not -a.ndim - 1 <= axis <= a.ndim:
        raise ValueError(f"expand_dims: axis {axis} is out of range for {a.ndim + 1} axes")
    return reshape(a, np.expand_dims(a.data, axis).shape)


def squeeze(a: Tensor, axis: int | tuple[int, ...] | None = None) -> Tensor:
    """Axes of length 1 removed (all of them, or those in `axis`)."""
    a = as_tensor(a, "squeeze")
    try:
        shape = np.squeeze(a.data, axis=axis).shape
    except ValueError:
        raise ValueError(
            f"squeeze: expected axes of length 1, got axis {axis!r} of shape {a.shape}"
        ) from None
    return reshape(a, shape)


def _index(index: Any) -> Any:
    """A NumPy index from one that may hold Tensors or lists."""
    if isinstance(index, tuple):
        return tuple(_index(i) for i in index)
    if isinstance(index, Tensor):
        return index.data
    if isinstance(index, list):
        return np.asarray(index)
    return index


def _has_repeats(index: Any) -> bool:
    """Whether the index may select an element twice (integer arrays), so that the VJP must
    add the gradients rather than assign them."""
    parts = index if isinstance(index, tuple) else (index,)
    return any(isinstance(p, np.ndarray) and p.dtype.kind in "iu" for p in parts)


def getitem(a: Tensor, index: Any) -> Tensor:
    """a[index]: slices, integers, boolean masks and integer arrays (with repeats);
    d/da = 1 at every selected position, summed over repeats."""
    a = as_tensor(a, "[]")
    idx = _index(index)
    try:
        out = a.data[idx]
    except IndexError as error:
        raise IndexError(f"[]: {error} (indexing a tensor of shape {a.shape})") from None
    shape, repeats = a.shape, _has_repeats(idx)

    def vjp(g: np.ndarray) -> tuple[Any]:
        grad = np.zeros(shape, dtype=g.dtype)
        if repeats:
            np.add.at(grad, idx, g)  # x[[0, 0]] sends two gradients to x[0]
        else:
            grad[idx] = g
        return (grad,)

    return Tensor._result(np.asarray(out), (a,), vjp, "[]")


def _tensors(tensors: Sequence[Any], op: str) -> list[Tensor]:
    if isinstance(tensors, Tensor) or not isinstance(tensors, (list, tuple)) or not tensors:
        raise TypeError(f"{op}: expected a non-empty list of tensors, got {type(tensors).__name__}")
    return [as_tensor(t, op) for t in tensors]


def concatenate(tensors: Sequence[Tensor], axis: int = 0) -> Tensor:
    """The tensors joined along an existing axis;  the gradient is split back."""
    ts = _tensors(tensors, "concatenate")
    try:
        out = np.concatenate([t.data for t in ts], axis=axis)
    except (ValueError, np.exceptions.AxisError):
        shapes = ", ".join(str(t.shape) for t in ts)
        raise ValueError(
            f"concatenate: shapes {shapes} must match except along axis {axis}"
        ) from None
    bounds = np.cumsum([t.shape[axis] for t in ts])[:-1]

    def vjp(g: np.ndarray) -> tuple[Any, ...]:
        return tuple(np.split(g, bounds, axis=axis))

    return Tensor._result(out, tuple(ts), vjp, "concatenate")


def stack(tensors: Sequence[Tensor], axis: int = 0) -> Tensor:
    """The tensors joined along a new axis;  each gets its slice of the gradient."""
    ts = _tensors(tensors, "stack")
    try:
        out = np.stack([t.data for t in ts], axis=axis)
    except (ValueError, np.exceptions.AxisError):
        shapes = ", ".join(str(t.shape) for t in ts)
        raise ValueError(f"stack: expected tensors of one shape, got {shapes}") from None
    n = len(ts)

    def vjp(g: np.ndarray) -> tuple[Any, ...]:
        return tuple(np.take(g, i, axis=axis) for i in range(n))

    return Tensor._result(out, tuple(ts), vjp, "stack")
