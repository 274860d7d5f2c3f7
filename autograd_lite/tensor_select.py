"""Tensor-only ops that choose between values: where, maximum, minimum, clip."""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd_lite.tensor import Tensor, apply_binary, as_operands, as_tensor

__all__ = ["clip", "maximum", "minimum", "where"]


def where(condition: Any, a: Tensor | Any, b: Tensor | Any) -> Tensor:
    """a where condition holds, else b (``np.where``);  d/da = condition, d/db = not condition.

    The condition (a boolean array or Tensor) is not differentiable.
    """
    cond = np.asarray(condition.data if isinstance(condition, Tensor) else condition, dtype=bool)
    a, b = as_operands(a, b, "where")
    try:
        out = np.where(cond, a.data, b.data)
    except ValueError:
        raise ValueError(
            f"where: condition {cond.shape}, a {a.shape} and b {b.shape} cannot be broadcast "
            f"together"
        ) from None
    a_needs, b_needs = a.requires_grad, b.requires_grad

    def vjp(g: np.ndarray) -> tuple[Any, Any]:
        zero = np.zeros((), dtype=g.dtype)
        return (np.where(cond, g, zero) if a_needs else None), (
            np.where(cond, zero, g) if b_needs else None
        )

    return Tensor._result(out, (a, b), vjp, "where")


def _extremum(a: Any, b: Any, pick: Any, op: str) -> Tensor:
    a, b = as_operands(a, b, op)
    ad, bd = a.data, b.data
    out = apply_binary(a, b, pick, op)
    a_needs, b_needs = a.requires_grad, b.requires_grad

    def vjp(g: np.ndarray) -> tuple[Any, Any]:
        # Where a and b tie, each gets half: the gradient of the symmetric choice.
        share_a = (ad == out).astype(g.dtype) - 0.5 * (ad == bd)
        return (g * share_a if a_needs else None), (g * (1 - share_a) if b_needs else None)

    return Tensor._result(out, (a, b), vjp, op)


def maximum(a: Tensor | Any, b: Tensor | Any) -> Tensor:
    """Elementwise max(a, b);  d/da = 1 where a > b, 0 where a < b, 1/2 at ties."""
    return _extremum(a, b, np.maximum, "maximum")


def minimum(a: Tensor | Any, b: Tensor | Any) -> Tensor:
    """Elementwise min(a, b);  d/da = 1 where a < b, 0 where a > b, 1/2 at ties."""
    return _extremum(a, b, np.minimum, "minimum")


def clip(a: Tensor, min: float | None = None, max: float | None = None) -> Tensor:
    """a limited to [min, max];  d/da = 1 inside the interval (ends included, as PyTorch's
    ``clamp``), 0 outside."""
    a = as_tensor(a, "clip")
    if min is None and max is None:
        raise ValueError("clip: expected at least one of min and max, got neither")
    if min is not None and max is not None and min > max:
        raise ValueError(f"clip: expected min <= max, got min={min}, max={max}")
    x = a.data
    out = np.clip(x, min, max)
    inside = out == x

    def vjp(g: np.ndarray) -> tuple[Any]:
        return (g * inside,)

    return Tensor._result(out, (a,), vjp, "clip")
