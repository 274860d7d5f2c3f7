"""Activation functions as modules, for `Sequential`: ``Sequential(Linear(2, 16), ReLU())``.

Each calls the engine's op (``x.relu()``, ...); none has parameters. They accept a
`Tensor`, a NumPy array (wrapped without requires_grad) or, for the elementwise ones, a
`Value`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd_lite import Tensor
from nn import functional as F
from nn.module import Module

__all__ = ["LeakyReLU", "LogSoftmax", "ReLU", "Sigmoid", "Softmax", "Tanh"]


class ReLU(Module):
    """max(0, x) elementwise (relu'(0) = 0)."""

    def forward(self, x: Any) -> Any:
        return F.relu(x)


class Tanh(Module):
    """tanh(x) elementwise."""

    def forward(self, x: Any) -> Any:
        return F.tanh(x)


class Sigmoid(Module):
    """1 / (1 + exp(-beta x)) elementwise; it never overflows."""

    def __init__(self, beta: float = 1.0) -> None:
        self.beta = _real(beta, "Sigmoid", "beta")

    def forward(self, x: Any) -> Any:
        return F.sigmoid(x, self.beta)

    def extra_repr(self) -> str:
        return "" if self.beta == 1.0 else f"beta={self.beta}"


class LeakyReLU(Module):
    """x for x > 0, else negative_slope * x."""

    def __init__(self, negative_slope: float = 0.01) -> None:
        self.negative_slope = _real(negative_slope, "LeakyReLU", "negative_slope")

    def forward(self, x: Any) -> Any:
        return F.leaky_relu(x, self.negative_slope)

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}"


class Softmax(Module):
    """exp(x) / sum(exp(x)) along `axis` (the class axis, last by default).

    For training, feed logits to `nn.functional.cross_entropy` instead: it includes the
    softmax and is exact at any logit.
    """

    def __init__(self, axis: int = -1) -> None:
        self.axis = _axis(axis, "Softmax")

    def forward(self, x: Tensor | np.ndarray) -> Tensor:
        return F.softmax(x, self.axis)

    def extra_repr(self) -> str:
        return f"axis={self.axis}"


class LogSoftmax(Module):
    """x - logsumexp(x) along `axis`, computed stably."""

    def __init__(self, axis: int = -1) -> None:
        self.axis = _axis(axis, "LogSoftmax")

    def forward(self, x: Tensor | np.ndarray) -> Tensor:
        return F.log_softmax(x, self.axis)

    def extra_repr(self) -> str:
        return f"axis={self.axis}"


def _real(x: Any, op: str, name: str) -> float:
    if isinstance(x, bool) or not isinstance(x, (int, float, np.integer, np.floating)):
        raise TypeError(f"{op}: expected a real number for {name}, got {type(x).__name__}")
    if not np.isfinite(x):
        raise ValueError(f"{op}: expected a finite {name}, got {x}")
    return float(x)


def _axis(axis: Any, op: str) -> int:
    if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)):
        raise TypeError(f"{op}: expected an int axis, got {type(axis).__name__}")
    return int(axis)
