"""Activation functions by name, for the scalar and the tensor path alike.

Both engines have the same activation methods (``z.relu()``, ``z.tanh()``, ...), so one
name resolves to one function that works on a `Value` or a `Tensor`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["ACTIVATIONS", "get_activation"]

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
