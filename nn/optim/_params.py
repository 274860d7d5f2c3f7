"""What an optimizer is given to optimize: parameters, or parameter groups, checked with
errors that say what was expected and what was given (hyperparameters are checked with
`nn.validation`)."""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd_lite.engine import Node
from nn.module import Module

__all__ = ["check_not_module", "check_parameters", "group_params", "param_groups"]


def check_not_module(owner: str, params: Any) -> None:
    """Refuse a model where its parameters belong: ``Adam(model)`` for
    ``Adam(model.parameters())``, the most common slip (a `Sequential` is even iterable, so
    without this check the error would be about its layers)."""
    if isinstance(params, Module):
        raise TypeError(
            f"{owner}: expected an iterable of parameters, got the model itself "
            f"({type(params).__name__}); pass model.parameters()"
        )


def _check_parameter(owner: str, i: int, p: Any) -> None:
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
            f"'{p.op}' (optimize the leaves it came from, or detach() it)"
        )
    if not p.requires_grad:
        raise ValueError(
            f"{owner}: expected parameters that require grad, got parameter {i}, a Tensor of "
            f"shape {p.shape} with requires_grad=False"
        )


def param_groups(owner: str, params: Any) -> list[dict[str, Any]]:
    """The parameter groups of an optimizer's `params` argument: an iterable of parameters
    (one group) or of dicts (the groups themselves)."""
    check_not_module(owner, params)
    if isinstance(params, (Node, np.ndarray)):
        raise TypeError(
            f"{owner}: expected an iterable of parameters or of dicts, got a single "
            f"{type(params).__name__}; wrap it in a list"
        )
    if isinstance(params, (set, frozenset)):
        raise TypeError(
            f"{owner}: expected an ordered iterable of parameters, got a set (its order "
            f"changes from run to run); pass a list, e.g. model.parameters()"
        )
    try:
        items = list(params)
    except TypeError:
        raise TypeError(
            f"{owner}: expected an iterable of parameters or of dicts, got {type(params).__name__}"
        ) from None
    if not items:
        raise ValueError(f"{owner}: expected at least one parameter, got an empty list")
    if all(isinstance(item, dict) for item in items):
        return items
    if any(isinstance(item, dict) for item in items):
        raise TypeError(f"{owner}: expected parameters or parameter groups (dicts), got a mix")
    return [{"params": items}]


def group_params(owner: str, param_group: Any) -> list[Any]:
    """The parameters of one group (a dict with a ``"params"`` entry), as a new list."""
    if not isinstance(param_group, dict) or "params" not in param_group:
        raise TypeError(
            f"{owner}: expected a parameter group as a dict with a 'params' entry, "
            f"got {param_group!r:.80}"
        )
    params = param_group["params"]
    check_not_module(owner, params)
    if isinstance(params, Node):
        params = [params]
    elif isinstance(params, (set, frozenset)):
        raise TypeError(f"{owner}: expected the group's params as a list, got a set")
    params = list(params)
    if not params:
        raise ValueError(f"{owner}: expected at least one parameter, got an empty list")
    return params


def check_parameters(owner: str, params: list[Any], groups: list[dict[str, Any]]) -> None:
    """Each a leaf that requires grad, listed once, and in none of the existing `groups`."""
    known = {id(p): k for k, g in enumerate(groups) for p in g["params"]}
    seen: set[int] = set()
    for i, p in enumerate(params):
        _check_parameter(owner, i, p)
        if id(p) in seen:
            raise ValueError(f"{owner}: parameter {i} appears twice in its group")
        if id(p) in known:
            raise ValueError(
                f"{owner}: expected each parameter in one group, got parameter {i} of the new "
                f"group already in group {known[id(p)]}"
            )
        seen.add(id(p))
