"""Activation functions, by name and as modules.

By name (`get_activation`), for the scalar path: ``Neuron(3, activation="tanh")``. Both
engines have the same activation methods (``z.relu()``, ``z.tanh()``, ...), so one name
resolves to one function that works on a `Value` or a `Tensor`.

As modules, for `Sequential`: ``Sequential(Linear(2, 16), ReLU())``. Each calls the
engine's op (``x.relu()``, ...); none has parameters. They accept a `Tensor`, a NumPy array
(wrapped without requires_grad) or, for the elementwise ones, a `Value`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from autograd_lite import Tensor
from nn import functional as F
from nn.module import Module
from nn.validation import int_axis, real

__all__ = [
    "ACTIVATIONS",
    "Activation",
    "LeakyReLU",
    "LogSoftmax",
    "ReLU",
    "Sigmoid",
    "Softmax",
    "Tanh",
    "activation_name",
    "get_activation",
]

# name -> the node method it calls (None: the identity, a linear unit).
ACTIVATIONS: dict[str, str | None] = {
    "relu": "relu",
    "tanh": "tanh",
    "sigmoid": "sigmoid",
    "leaky_relu": "leaky_relu",
    "hard_sigmoid": "hard_sigmoid",
    "gaussian": "gaussian",
    "step": "step",
    "linear": None,
}

Activation = Callable[[Any], Any]


def _identity(z: Any) -> Any:
    return z


def get_activation(spec: str | Activation | None) -> Activation:
    """The activation function for `spec`: a name from `ACTIVATIONS`, a callable, or None.

    None and ``"linear"`` mean no activation (the identity).
    """
    if spec is None:
        return _identity
    if callable(spec):
        return spec
    if not isinstance(spec, str) or spec not in ACTIVATIONS:
        raise ValueError(
            f"unknown activation {spec!r}: expected one of {sorted(ACTIVATIONS)}, a callable, "
            f"or None"
        )
    method = ACTIVATIONS[spec]
    if method is None:
        return _identity

    def activation(z: Any) -> Any:
        return getattr(z, method)()

    activation.__name__ = spec
    return activation


def activation_name(fn: Activation) -> str:
    """A short name for reprs."""
    return "linear" if fn is _identity else getattr(fn, "__name__", type(fn).__name__)


# ---------------------------------------------------------------------------------- modules


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
        self.beta = real("Sigmoid", "beta", beta)

    def forward(self, x: Any) -> Any:
        return F.sigmoid(x, self.beta)

    def extra_repr(self) -> str:
        return "" if self.beta == 1.0 else f"beta={self.beta}"


class LeakyReLU(Module):
    """x for x > 0, else negative_slope * x."""

    def __init__(self, negative_slope: float = 0.01) -> None:
        self.negative_slope = real("LeakyReLU", "negative_slope", negative_slope)

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
        self.axis = int_axis("Softmax", "axis", axis)

    def forward(self, x: Tensor | np.ndarray) -> Tensor:
        return F.softmax(x, self.axis)

    def extra_repr(self) -> str:
        return f"axis={self.axis}"


class LogSoftmax(Module):
    """x - logsumexp(x) along `axis`, computed stably."""

    def __init__(self, axis: int = -1) -> None:
        self.axis = int_axis("LogSoftmax", "axis", axis)

    def forward(self, x: Tensor | np.ndarray) -> Tensor:
        return F.log_softmax(x, self.axis)

    def extra_repr(self) -> str:
        return f"axis={self.axis}"
