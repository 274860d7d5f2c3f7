"""Checks at the optimizers' boundary: parameters and hyperparameters, with errors that say
what was expected and what was given."""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np

from autograd_lite.engine import Node
from nn.module import Module

__all__ = ["check_bool", "check_not_module", "check_parameter", "check_real"]


def check_not_module(owner: str, params: Any) -> None:
    """Refuse a model where its parameters belong: ``Adam(model)`` for
    ``Adam(model.parameters())``, the most common slip (a `Sequential` is even iterable, so
    without this check the error would be about its layers)."""
    if isinstance(params, Module):
        raise TypeError(
            f"{owner}: expected an iterable of parameters, got the model itself "
            f"({type(params).__name__}); pass model.parameters()"
        )


def check_parameter(owner: str, i: int, p: Any) -> None:
    """Parameters are leaf nodes that require grad (every `Value`; Tensors that ask)."""
    if isinstance(p, Module):
        raise TypeError(
            f"{owner}: expected parameters that are Values or Tensors, got parameter {i}, "
            f"a {type(p).__name__} module; pass model.parameters() instead of the model"
        )
    if not isinstance(p, Node):
        raise TypeError(
            f"{owner}: expected parameters that are Values or Tensors, got parameter {i} of "
            f"type {type(p).__name__}"
        )
    if not p.is_leaf:
        raise ValueError(
            f"{owner}: expected leaf parameters, got parameter {i} computed by op "
            f"'{p._op}' (optimize the leaves it came from, or detach() it)"
        )
    if not p.requires_grad:
        raise ValueError(
            f"{owner}: expected parameters that require grad, got parameter {i}, a Tensor of "
            f"shape {p.shape} with requires_grad=False"
        )


def check_real(
    owner: str,
    group: dict[str, Any],
    name: str,
    low: float | None = None,
    high: float | None = None,
    *,
    low_open: bool = False,
    high_open: bool = False,
) -> None:
    """Check that ``group[name]`` is a finite real number in the interval; store it as float."""
    value = group[name]
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{owner}: expected {name} to be a real number, got {value!r}")
    x = float(value)
    below = low is not None and (x <= low if low_open else x < low)
    above = high is not None and (x >= high if high_open else x > high)
    if not math.isfinite(x) or below or above:
        interval = _interval(low, high, low_open, high_open)
        raise ValueError(f"{owner}: expected {name} {interval}, got {value!r}")
    group[name] = x


def _interval(low: float | None, high: float | None, low_open: bool, high_open: bool) -> str:
    if high is None:
        return f"{'>' if low_open else '>='} {low:g}"
    return f"in {'(' if low_open else '['}{low:g}, {high:g}{')' if high_open else ']'}"


def check_bool(owner: str, group: dict[str, Any], name: str) -> None:
    """Check that ``group[name]`` is a bool; store it as one."""
    if not isinstance(group[name], (bool, np.bool_)):
        raise TypeError(f"{owner}: expected {name} to be True or False, got {group[name]!r}")
    group[name] = bool(group[name])
