"""Tensor-only ops that move elements around: reshape, transpose, indexing, joining.

Their VJPs move the gradient back the same way; none of them computes anything. The ops
whose arguments are not a fixed list of tensors (``reshape(*shape)``, ``transpose(*axes)``,
``x[index]``, a list of tensors to join) are functions that check their arguments and call
a primitive, whose VJP is the derivative.

Every op here is linear, so its JVP is the op itself applied to the tangent. The rules use
only ops (indexing, `scattered`, reshape, transpose), so they also run on Tensors and record:
a gradient can be differentiated again. Indexing's VJP puts ``g`` back into zeros with
`scattered`, an op whose own VJP is indexing again.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from autograd_lite.primitive import primitive
from autograd_lite.tensor import Tensor, as_tensor
from autograd_lite.tensor_ops import OPS


def _shape_argument(shape: tuple[Any, ...]) -> tuple[Any, ...]:
    """``reshape(5, 4)`` and ``reshape((5, 4))`` alike."""
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        return tuple(shape[0])
    return tuple(shape)


# ------------------------------------------------------------------------- reshaping


@OPS.register()
def reshape(a: Tensor, *shape: Any) -> Tensor:
    """The same elements in a new shape (one axis may be -1);  d/da: g reshaped back."""
    return reshaped(as_tensor(a, "reshape"), _shape_argument(shape))


@primitive
def reshaped(a: np.ndarray, shape: tuple[int, ...] = ()) -> np.ndarray:
    """`a` in the given shape;  d/da: g in a's shape."""
    try:
        return a.reshape(shape)
    except (ValueError, TypeError):
        raise ValueError(
            f"reshape: cannot reshape a tensor of shape {a.shape} ({a.size} elements) into "
            f"shape {shape}"
        ) from None


@reshaped.defvjp
def reshaped_vjp(g: np.ndarray, ans: Any, a: np.ndarray, shape: Any = ()) -> tuple[Any]:
    return (g.reshape(a.shape),)


reshaped.defjvp(lambda t, ans, a, shape=(): t.reshape(ans.shape))
reshaped.name = "reshape"


@OPS.register()
def transpose(a: Tensor, *axes: Any) -> Tensor:
    """The axes permuted (reversed by default);  d/da: g permuted back."""
    a = as_tensor(a, "transpose")
    return permuted(a, _shape_argument(axes) or tuple(reversed(range(a.ndim))))


@primitive
def permuted(a: np.ndarray, axes: tuple[int, ...] = ()) -> np.ndarray:
    """`a` with its axes in the given order;  d/da: g with the inverse order."""
    in_range = all(isinstance(ax, (int, np.integer)) and -a.ndim <= ax < a.ndim for ax in axes)
    if not in_range or sorted(int(ax) % a.ndim for ax in axes) != list(range(a.ndim)):
        raise ValueError(f"transpose: expected a permutation of the {a.ndim} axes, got axes {axes}")
    return a.transpose(axes)


@permuted.defvjp
def permuted_vjp(g: np.ndarray, ans: Any, a: np.ndarray, axes: Any = ()) -> tuple[Any]:
    inverse = tuple(int(i) for i in np.argsort([int(ax) % a.ndim for ax in axes]))
    return (g.transpose(inverse),)


permuted.defjvp(lambda t, ans, a, axes=(): t.transpose(tuple(axes)))
permuted.name = "transpose"


@OPS.register()
def flatten(a: Tensor, start_axis: int = 0, end_axis: int = -1) -> Tensor:
    """Axes start_axis..end_axis merged into one (all of them by default);  d/da: g
    reshaped back."""
    a = as_tensor(a, "flatten")
    if a.ndim == 0:
        return reshape(a, 1)
    start, end = start_axis % a.ndim, end_axis % a.ndim
    if start > end:
        raise ValueError(f"flatten: expected start_axis <= end_axis, got {start_axis}, {end_axis}")
    shape = a.shape
    merged = int(np.prod(shape[start : end + 1]))  # not -1: an empty batch has no inferable axis
    return reshape(a, (*shape[:start], merged, *shape[end + 1 :]))


@OPS.register()
def expand_dims(a: Tensor, axis: int) -> Tensor:
    """A new axis of length 1 at `axis` (PyTorch's ``unsqueeze``);  d/da: g reshaped back."""
    a = as_tensor(a, "expand_dims")
    if not -a.ndim - 1 <= axis <= a.ndim:
        raise ValueError(f"expand_dims: axis {axis} is out of range for {a.ndim + 1} axes")
    return reshape(a, np.expand_dims(a.data, axis).shape)


@OPS.register()
def squeeze(a: Tensor, axis: int | tuple[int, ...] | None = None) -> Tensor:
    """Axes of length 1 removed (all of them, or those in `axis`);  d/da: g reshaped back."""
    a = as_tensor(a, "squeeze")
    try:
        shape = np.squeeze(a.data, axis=axis).shape
    except ValueError:
        raise ValueError(
            f"squeeze: expected axes of length 1, got axis {axis!r} of shape {a.shape}"
        ) from None
    return reshape(a, shape)


# -------------------------------------------------------------------------- indexing


def _index(index: Any) -> Any:
    """A NumPy index from one that may hold Tensors or lists."""
    if isinstance(index, tuple):
        return tuple(_index(i) for i in index)
    if isinstance(index, Tensor):
        return index.data
    if isinstance(index, list):
        return np.asarray(index)
    return index


@OPS.register(method=False)
def getitem(a: Tensor, index: Any) -> Tensor:
    """a[index]: slices, integers, boolean masks and integer arrays (with repeats);
    d/da = 1 at every selected position, summed over repeats."""
    return indexed(as_tensor(a, "[]"), _index(index))


@primitive
def indexed(a: np.ndarray, index: Any = ()) -> np.ndarray:
    """a[index] for a NumPy index;  d/da: g at the selected positions, 0 elsewhere."""
    try:
        return np.asarray(a[index])
    except IndexError as error:
        raise IndexError(f"[]: {error} (indexing a tensor of shape {a.shape})") from None


indexed.defvjp(lambda g, ans, a, index=(): (scattered(g, a.shape, index),))
indexed.defjvp(lambda t, ans, a, index=(): indexed(t, index))
indexed.name = "[]"


@primitive
def scattered(g: np.ndarray, shape: tuple[int, ...] = (), index: Any = ()) -> np.ndarray:
    """Zeros of `shape` with `g` added at ``[index]`` (summed where the index repeats a
    position): the VJP of indexing;  d/dg = the gradient at ``[index]`` (indexing)."""
    out = np.zeros(shape, dtype=g.dtype)
    parts = index if isinstance(index, tuple) else (index,)
    if any(isinstance(p, np.ndarray) and p.dtype.kind in "iu" for p in parts):
        np.add.at(out, index, g)  # integer arrays may repeat: x[[0, 0]] sends x[0] two
    else:
        out[index] = g
    return out


scattered.defvjp(lambda g, ans, a, shape=(), index=(): (indexed(g, index),))
scattered.defjvp(lambda t, ans, a, shape=(), index=(): scattered(t, shape, index))
scattered.name = "scatter"


# --------------------------------------------------------------------------- joining


def _tensors(tensors: Sequence[Any], op: str) -> list[Tensor]:
    if isinstance(tensors, Tensor) or not isinstance(tensors, (list, tuple)) or not tensors:
        raise TypeError(f"{op}: expected a non-empty list of tensors, got {type(tensors).__name__}")
    return [as_tensor(t, op) for t in tensors]


@OPS.register(method=False)
def concatenate(tensors: Sequence[Tensor], axis: int = 0) -> Tensor:
    """The tensors joined along an existing axis;  d/d(each): its slice of g."""
    return concatenated(*_tensors(tensors, "concatenate"), axis=axis)


@primitive
def concatenated(*arrays: np.ndarray, axis: int = 0) -> np.ndarray:
    """The arrays joined along `axis`;  d/d(each): its slice of g."""
    try:
        return np.concatenate(arrays, axis=axis)
    except (ValueError, np.exceptions.AxisError):
        shapes = ", ".join(str(a.shape) for a in arrays)
        raise ValueError(
            f"concatenate: shapes {shapes} must match except along axis {axis}"
        ) from None


def _pieces(arrays: Sequence[Any], axis: int) -> list[tuple[Any, ...]]:
    """Each array's place in the concatenation along `axis`, as an index."""
    ax = axis % arrays[0].ndim
    ends = np.cumsum([a.shape[ax] for a in arrays]).tolist()
    return [(slice(None),) * ax + (slice(end - a.shape[ax], end),) for a, end in zip(arrays, ends)]


@concatenated.defvjp
def concatenated_vjp(g: np.ndarray, ans: Any, *arrays: np.ndarray, axis: int = 0) -> tuple:
    return tuple(g[piece] for piece in _pieces(arrays, axis))


@concatenated.defjvp
def concatenated_jvp(t: Any, ans: Any, *arrays: Any, axis: int = 0, argnum: int) -> Any:
    return scattered(t, ans.shape, _pieces(arrays, axis)[argnum])


concatenated.name = "concatenate"


@OPS.register(method=False)
def stack(tensors: Sequence[Tensor], axis: int = 0) -> Tensor:
    """The tensors joined along a new axis;  d/d(each): its slice of g."""
    return stacked(*_tensors(tensors, "stack"), axis=axis)


@primitive
def stacked(*arrays: np.ndarray, axis: int = 0) -> np.ndarray:
    """The arrays joined along a new `axis`;  d/d(each): its slice of g."""
    try:
        return np.stack(arrays, axis=axis)
    except (ValueError, np.exceptions.AxisError):
        shapes = ", ".join(str(a.shape) for a in arrays)
        raise ValueError(f"stack: expected tensors of one shape, got {shapes}") from None


def _layer(ans: Any, axis: int, i: int) -> tuple[Any, ...]:
    """The index of the i-th stacked array in the answer: i along the new `axis`."""
    return (slice(None),) * (axis % ans.ndim) + (i,)


@stacked.defvjp
def stacked_vjp(g: np.ndarray, ans: Any, *arrays: np.ndarray, axis: int = 0) -> tuple:
    return tuple(g[_layer(ans, axis, i)] for i in range(len(arrays)))


@stacked.defjvp
def stacked_jvp(t: Any, ans: Any, *arrays: Any, axis: int = 0, argnum: int) -> Any:
    return scattered(t, ans.shape, _layer(ans, axis, argnum))


stacked.name = "stack"

# The functions above reach these primitives on Tensors: give them the engine's lean path.
for _prim in (reshaped, permuted, indexed, scattered):
    Tensor._method(_prim)
