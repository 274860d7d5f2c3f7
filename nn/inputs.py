"""Argument handling shared by `nn.functional`, `nn.init` and the layers: random generators,
predictions paired with targets on both paths (Tensors, and Values in nested lists), shape
checks, and reductions."""

from __future__ import annotations

import numbers
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from autograd_lite import Tensor, Value

__all__ = [
    "REDUCTIONS",
    "Rng",
    "ScalarInput",
    "batch_size",
    "check_reduction",
    "generator",
    "is_scalar_input",
    "map_pairs",
    "node_input",
    "probability",
    "reduce_scalar",
    "reduce_tensor",
    "tensor_input",
    "tensor_pair",
    "total",
]

REDUCTIONS = ("mean", "sum", "none")

# A Value, or a (nested) list of Values and numbers.
ScalarInput = Value | Sequence[Any]
# What every `rng=` argument takes: a generator (advanced), a seed, or None (fresh entropy).
Rng = np.random.Generator | int | None


def generator(rng: Any, op: str) -> np.random.Generator:
    """`rng` as a Generator, or a TypeError naming `op`."""
    if isinstance(rng, np.random.Generator):
        return rng
    seed = isinstance(rng, (numbers.Integral, np.integer)) and not isinstance(rng, bool)
    if rng is None or seed:
        return np.random.default_rng(rng)
    raise TypeError(
        f"{op}: expected rng to be an np.random.Generator, an int seed or None, got "
        f"{type(rng).__name__}"
    )


def probability(p: Any, op: str) -> float:
    """`p` as a float in [0, 1], or a ValueError naming `op`."""
    if isinstance(p, bool) or not isinstance(p, (int, float, np.floating)) or not 0 <= p <= 1:
        raise ValueError(f"{op}: expected a probability p in [0, 1], got {p!r}")
    return float(p)


def check_reduction(reduction: Any, op: str) -> None:
    if reduction not in REDUCTIONS:
        raise ValueError(f"{op}: expected reduction in {REDUCTIONS}, got {reduction!r}")


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


def reduce_tensor(losses: Tensor, reduction: str) -> Tensor:
    if reduction == "mean":
        return losses.mean()
    if reduction == "sum":
        return losses.sum()
    return losses


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


def total(items: Any, op: str) -> Any:
    """The sum of the nodes in a (nested) list, built as a chain of additions."""
    flat = _flatten(items)
    if not flat:
        raise ValueError(f"{op}: expected at least one prediction, got none")
    result = flat[0]
    for item in flat[1:]:
        result = result + item
    return result


def reduce_scalar(losses: Any, reduction: str, op: str) -> Any:
    """The mean or sum of a nested list of Values, or the list itself for ``"none"``."""
    if reduction == "none":
        return losses
    result = total(losses, op)
    if reduction == "mean":
        return result * (1.0 / len(_flatten(losses)))
    return result


def _flatten(items: Any) -> list[Any]:
    if not isinstance(items, (list, tuple)):
        return [items]
    flat: list[Any] = []
    stack = [iter(items)]
    while stack:  # iterative: a long list of lists must not hit the recursion limit
        for item in stack[-1]:
            if isinstance(item, (list, tuple)):
                stack.append(iter(item))
                break
            flat.append(item)
        else:
            stack.pop()
    return flat
