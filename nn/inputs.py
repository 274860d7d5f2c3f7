"""The inputs of layers and losses: a node from what the user passed (a Tensor, a NumPy
array, a Value), and predictions paired with their targets on both paths (Tensors of
exactly one shape, and Values in nested lists of numbers)."""

from __future__ import annotations

import numbers
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from autograd_lite import Tensor, Value

__all__ = [
    "ScalarInput",
    "batch_size",
    "is_scalar_input",
    "map_pairs",
    "node_input",
    "tensor_input",
    "tensor_pair",
]

# A Value, or a (nested) list of Values and numbers.
ScalarInput = Value | Sequence[Any]


# ----------------------------------------------------------------------------- one input


def tensor_input(x: Any, op: str) -> Tensor:
    """`x` as a Tensor: Tensors as they are, NumPy arrays wrapped without requires_grad
    (a data batch needs no graph)."""
    if isinstance(x, Tensor):
        return x
    if isinstance(x, (np.ndarray, np.generic)):
        return Tensor(np.asarray(x))
    raise TypeError(f"{op}: expected a Tensor or a NumPy array, got {type(x).__name__}")


def node_input(x: Any, op: str) -> Tensor | Value:
    """`x` as a node: a Value or Tensor as it is, a NumPy array as a Tensor."""
    if isinstance(x, Value):
        return x
    try:
        return tensor_input(x, op)
    except TypeError:
        raise TypeError(
            f"{op}: expected a Tensor, a NumPy array or a Value, got {type(x).__name__}"
        ) from None


def is_scalar_input(pred: Any) -> bool:
    """True when `pred` takes the Value path (a Value, or a list or tuple of them)."""
    return isinstance(pred, (Value, list, tuple))


def batch_size(pred: Any) -> int:
    """The length of the first axis (1 for a single Value or a 0-d tensor)."""
    if isinstance(pred, Tensor):
        return pred.shape[0] if pred.ndim else 1
    return len(pred) if isinstance(pred, (list, tuple)) else 1


# ----------------------------------------------------------------------------- tensor path


def tensor_pair(pred: Any, target: Any, op: str) -> tuple[Tensor, Tensor]:
    """`pred` and `target` as Tensors of exactly the same shape.

    A target that needs no gradient takes the prediction's floating dtype, so integer
    labels do not promote a float32 loss to float64.
    """
    pred = tensor_input(pred, op)
    dtype = pred.dtype if pred.dtype.kind == "f" else None
    if isinstance(target, Tensor):
        if dtype is not None and target.dtype != dtype and not target.requires_grad:
            target = Tensor(target.data.astype(dtype))
    else:
        try:
            target = Tensor(np.asarray(target, dtype=dtype))
        except (TypeError, ValueError):
            raise TypeError(
                f"{op}: expected target to be a Tensor, an array or numbers, got "
                f"{type(target).__name__}"
            ) from None
    if target.shape != pred.shape:
        raise ValueError(
            f"{op}: expected target of shape {pred.shape} (the shape of pred), got "
            f"{target.shape}; reshape one of them (broadcasting them would compare every "
            f"prediction with every target)"
        )
    return pred, target


# ----------------------------------------------------------------------------- value path


def map_pairs(pred: Any, target: Any, fn: Callable[[Value, Any], Value], op: str) -> Any:
    """``fn(p, t)`` for each prediction and its target, in the nesting of `pred`.

    `pred` is a Value or a nested list of Values (numbers are constants); `target` a number
    or a nested list or array of the same shape.
    """
    if isinstance(target, np.ndarray):
        target = target.tolist()
    if isinstance(target, Tensor):
        raise TypeError(
            f"{op}: expected numbers or a list of numbers as target for Value predictions, "
            f"got a Tensor"
        )
    if _shape(pred) != _shape(target):
        raise ValueError(
            f"{op}: expected target of shape {_shape(pred)} (the shape of pred), got "
            f"{_shape(target)}"
        )
    return _map(pred, target, fn, op)


def _map(pred: Any, target: Any, fn: Callable[[Value, Any], Value], op: str) -> Any:
    if isinstance(pred, (list, tuple)):
        return [_map(p, t, fn, op) for p, t in zip(pred, target)]
    return fn(_value(pred, "pred", op), _number(target, op))


def _shape(x: Any) -> tuple[int, ...]:
    """The shape of a nested list, following its first elements (ragged lists are caught
    element by element, as the shapes of their parts differ)."""
    if isinstance(x, (list, tuple)):
        if not x:
            return (0,)
        inner = {_shape(item) for item in x}
        return (len(x), *inner.pop()) if len(inner) == 1 else (len(x), -1)
    return ()


def _value(x: Any, what: str, op: str) -> Value:
    if isinstance(x, Value):
        return x
    if isinstance(x, numbers.Real) and not isinstance(x, bool):
        return Value(x)
    raise TypeError(f"{op}: expected {what} to hold Values or numbers, got {type(x).__name__}")


def _number(x: Any, op: str) -> float | Value:
    """A target: a number (a Value target is used as it is, so it can be differentiated)."""
    if isinstance(x, Value):
        return x
    if isinstance(x, numbers.Real) and not isinstance(x, bool):
        return float(x)
    raise TypeError(f"{op}: expected target to hold numbers, got {type(x).__name__}")
