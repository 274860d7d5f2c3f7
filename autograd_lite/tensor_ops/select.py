"""Tensor-only ops that choose between values: where, maximum, minimum, clip.

Each input's gradient is ``g`` where that input was chosen, and 0 elsewhere; which one was
chosen is read from the values (`_rules.value`), a constant when the rules run on nodes, and
the JVPs are the VJPs' formulas applied to the tangent (the Jacobians are diagonal).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd_lite.primitive import primitive
from autograd_lite.tensor_ops import OPS
from autograd_lite.tensor_ops._rules import diagonal_jvp, value


@OPS.register(method=False)
@primitive
def where(condition: Any, a: Any, b: Any) -> np.ndarray:
    """a where condition holds, else b (``np.where``);  d/da = condition, d/db = not condition.

    The condition (a boolean array or Tensor) is not differentiable: it gets no gradient.
    """
    cond = np.asarray(condition, dtype=bool)
    try:
        return np.where(cond, a, b)
    except ValueError:
        raise ValueError(
            f"where: condition {cond.shape}, a {np.shape(a)} and b {np.shape(b)} cannot be "
            f"broadcast together"
        ) from None


where.defvjp(
    lambda g, ans, condition, a, b: None,
    lambda g, ans, condition, a, b: where(condition, g, 0),
    lambda g, ans, condition, a, b: where(condition, 0, g),
)
diagonal_jvp(where)


def _share(a: Any, b: Any, ans: Any) -> Any:
    """a's share of the gradient of max(a, b) or min(a, b): 1 where a was chosen, 0 where b
    was, and half at ties (the gradient of the symmetric choice)."""
    a = value(a)
    return np.asarray(np.equal(a, value(ans)) - 0.5 * np.equal(a, value(b)))


@OPS.register(method=False)
@primitive
def maximum(a: Any, b: Any) -> np.ndarray:
    """Elementwise max(a, b);  d/da = 1 where a > b, 0 where a < b, 1/2 at ties."""
    return np.maximum(a, b)


@OPS.register(method=False)
@primitive
def minimum(a: Any, b: Any) -> np.ndarray:
    """Elementwise min(a, b);  d/da = 1 where a < b, 0 where a > b, 1/2 at ties."""
    return np.minimum(a, b)


for _extremum in (maximum, minimum):
    _extremum.defvjp(
        lambda g, ans, a, b: g * _share(a, b, ans),
        lambda g, ans, a, b: g * (1 - _share(a, b, ans)),
    )
    diagonal_jvp(_extremum)


@OPS.register()
@primitive
def clip(a: np.ndarray, min: float | None = None, max: float | None = None) -> np.ndarray:
    """a limited to [min, max];  d/da = 1 inside the interval (ends included, as PyTorch's
    ``clamp``), 0 outside."""
    if min is None and max is None:
        raise ValueError("clip: expected at least one of min and max, got neither")
    if min is not None and max is not None and min > max:
        raise ValueError(f"clip: expected min <= max, got min={min}, max={max}")
    return np.clip(a, min, max)


@clip.defvjp
def clip_vjp(g: Any, ans: Any, a: np.ndarray, min: Any = None, max: Any = None) -> tuple[Any]:
    return (g * np.asarray(value(ans) == value(a)),)  # a 0-d comparison is a NumPy bool


diagonal_jvp(clip)
