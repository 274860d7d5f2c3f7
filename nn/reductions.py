"""The reductions of a loss, one table for all of `nn`: ``"mean"``, ``"sum"`` or ``"none"``,
on both paths (a Tensor of losses, or a nested list of Value losses)."""

from __future__ import annotations

from typing import Any

from autograd_lite import Tensor
from nn.validation import choice

__all__ = ["REDUCTIONS", "check_reduction", "reduce_scalar", "reduce_tensor", "total"]

# "none" keeps one loss per element (PyTorch's names and default, "mean").
REDUCTIONS = ("mean", "sum", "none")


def check_reduction(owner: str, reduction: Any) -> str:
    """`reduction`, one of `REDUCTIONS` (TypeError for a non-string, ValueError otherwise)."""
    return choice(owner, "reduction", reduction, REDUCTIONS)


def reduce_tensor(losses: Tensor, reduction: str) -> Tensor:
    """The mean or sum of a Tensor of losses, or the Tensor itself for ``"none"``."""
    if reduction == "mean":
        return losses.mean()
    if reduction == "sum":
        return losses.sum()
    return losses


def reduce_scalar(losses: Any, reduction: str, owner: str) -> Any:
    """The mean or sum of a nested list of Values, or the list itself for ``"none"``."""
    if reduction == "none":
        return losses
    result = total(losses, owner)
    if reduction == "mean":
        return result * (1.0 / len(_flatten(losses)))
    return result


def total(items: Any, owner: str) -> Any:
    """The sum of the nodes in a (nested) list, built as a chain of additions."""
    flat = _flatten(items)
    if not flat:
        raise ValueError(f"{owner}: expected at least one prediction, got none")
    result = flat[0]
    for item in flat[1:]:
        result = result + item
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
