"""`Optimizer`: PyTorch's structure (param groups, per-parameter state, state dicts) for
`Value` and `Tensor` parameters.

A subclass says how parameters move once, in `_update_arrays`, on NumPy arrays (in place,
with ``out=`` and scratch arrays, so a step allocates nothing). This class does the rest:
checking parameters and hyperparameters, skipping parameters without a gradient, and laying
the parameters out in *blocks* (see `nn.optim._flat`) so that `_update_arrays` runs once per
group instead of once per parameter: a group's floating Tensors of one dtype live in one
flat buffer (`FlatGroup`, the fast path), and its `Value`s are gathered into one float64
array and scattered back (`ValueBlock`), so a Value follows exactly the trajectory of a
float64 Tensor.
"""

from __future__ import annotations

import abc
import functools
import numbers
import operator
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import numpy as np

from autograd_lite import Tensor, Value, enable_grad
from autograd_lite.engine import Node
from nn.optim._flat import Block, FlatGroup, Scratch, flat_problem, layout
from nn.optim._params import check_parameters, group_params, param_groups
from nn.validation import boolean, real

__all__ = ["Optimizer"]

ParamsT = Iterable[Node] | Iterable[dict[str, Any]]
# `new(name)` returns a zeroed state array registered under `name` (see `_update_arrays`).
NewState = Callable[[str], np.ndarray]


class Optimizer(abc.ABC):
    """Base class of optimizers.

    Parameters
    ----------
    params : iterable of Value/Tensor, or iterable of dicts
        The parameters to optimize, or *parameter groups*: dicts with a ``"params"`` entry
        and any hyperparameters that differ from `defaults` for that group.
    defaults : dict
        The hyperparameters of groups that do not set their own. ``"flat"`` chooses the
        layout: None (the default) re-homes a group into one buffer when all its parameters
        are floating Tensors of one dtype, True requires it, False never does it.

    Attributes
    ----------
    param_groups : list of dict
        Each with ``"params"`` (a list) and its hyperparameters; schedulers edit ``"lr"``.
    state : dict
        Per-parameter state (keyed by the parameter: nodes hash by identity), e.g.
        ``{"step": 3, "momentum_buffer": array}``. For a flat group the arrays are views of
        the group's flat state buffers; a `Value`'s are 0-d views of its group's float64
        state buffers (state set by hand or loaded is copied into them at the next step).

    Subclasses define `_update_arrays` (how parameters move, on arrays, once) and may
    extend `_check_hyperparameters` and `_phase`.
    """

    def __init__(self, params: ParamsT, defaults: Mapping[str, Any]) -> None:
        self.defaults = dict(defaults)
        self.defaults.setdefault("flat", None)
        self._check_hyperparameters(self.defaults)
        self.param_groups: list[dict[str, Any]] = []
        self.state: defaultdict[Node, dict[str, Any]] = defaultdict(dict)
        # id(group) -> (group, its blocks, its Tensors updated one by one)
        self._layouts: dict[int, tuple[dict[str, Any], list[Block], list[Tensor]]] = {}
        self._scratch = Scratch()
        for group in param_groups(self._name, params):
            self.add_param_group(group)

    @property
    def _name(self) -> str:
        return type(self).__name__

    # -- what subclasses define -----------------------------------------------------------

    def _check_hyperparameters(self, group: dict[str, Any]) -> None:
        """Raise if a hyperparameter of `group` is invalid; may normalise values in place.

        Checks what every optimizer here has (lr, weight_decay, maximize, flat); subclasses
        check their own hyperparameters after calling this."""
        self._check(group, real, "lr", 0.0)
        self._check(group, real, "weight_decay", 0.0)
        self._check(group, boolean, "maximize")
        flat = group.get("flat")
        if flat is not None and not isinstance(flat, bool):
            raise TypeError(f"{self._name}: expected flat to be None, True or False, got {flat!r}")

    @abc.abstractmethod
    def _update_arrays(
        self,
        group: dict[str, Any],
        p: np.ndarray,
        g: np.ndarray,
        state: dict[str, Any],
        new: NewState,
        work: np.ndarray | None,
        tmp: np.ndarray,
    ) -> None:
        """Update `p` in place from gradient `g` (never written). `state` holds ``"step"``
        (already incremented) and the arrays made so far by `new`; `work` (given when the
        group has weight decay or maximize) and `tmp` are scratch arrays shaped like `p`."""

    def _check(
        self, group: dict[str, Any], check: Callable[..., Any], name: str, *args: Any, **kwargs: Any
    ) -> None:
        """``group[name] = check(owner, name, group[name], ...)``: one of `nn.validation`'s
        checks, storing the canonical value it returns."""
        group[name] = check(self._name, name, group[name], *args, **kwargs)

    def _phase(self, group: dict[str, Any], state: dict[str, Any]) -> Any:
        """What must agree across a flat group's parameters for one whole-buffer update
        (Adam: the step count, which sets its bias corrections)."""
        return None

    @staticmethod
    def _needs_work(group: dict[str, Any]) -> bool:
        return bool(group.get("weight_decay")) or bool(group.get("maximize"))

    # -- groups ---------------------------------------------------------------------------

    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Add a group of parameters with its own hyperparameters (the others default).

        Raises
        ------
        TypeError, ValueError
            For a parameter that is not a leaf node requiring grad, a parameter that is
            already optimized (in this group or another), an empty group, or an invalid
            hyperparameter.
        """
        params = group_params(self._name, param_group)
        group = {**self.defaults, **param_group, "params": params}
        self._check_hyperparameters(group)
        check_parameters(self._name, params, self.param_groups)
        problem = flat_problem(params)
        if group["flat"] is True and problem is not None:
            raise ValueError(
                f"{self._name}: flat=True expected floating Tensors of one dtype, got {problem}"
            )
        self._layouts[id(group)] = (group, *layout(params, group["flat"] is not False))
        self.param_groups.append(group)

    def _layout(self, group: dict[str, Any]) -> tuple[list[Block], list[Tensor]]:
        """The blocks of `group` and its Tensors updated one by one."""
        entry = self._layouts.get(id(group))
        if entry is None or entry[0] is not group:  # a group dict replaced by hand
            entry = self._layouts[id(group)] = (group, *layout(group["params"], flat=False))
        return entry[1], entry[2]

    def _flat_of(self, group: dict[str, Any]) -> FlatGroup | None:
        """The flat buffer of `group`, if it has one."""
        return next((b for b in self._layout(group)[0] if isinstance(b, FlatGroup)), None)

    # -- gradients and steps --------------------------------------------------------------

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget the gradients: a Tensor's becomes None (or is zero-filled in place with
        ``set_to_none=False``; None stays None); a Value's becomes 0.0."""
        for group in self.param_groups:
            for p in group["params"]:
                if isinstance(p, Value):
                    p.grad = 0.0
                elif set_to_none:
                    p.grad = None
                elif p.grad is not None:
                    p.grad.fill(0)

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Update every parameter that has a gradient (a Tensor whose ``.grad`` is None is
        skipped, as in PyTorch). `closure`, if given, recomputes and returns the loss."""
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        for group in self.param_groups:
            blocks, loose = self._layout(group)
            for block in blocks:
                if not self._block_step(group, block):
                    self._step_each(group, block, block.params)
                block.finish()
            if loose:
                self._step_each(group, None, loose)
        return loss

    def _block_step(self, group: dict[str, Any], block: Block) -> bool:
        """One update of the whole block; False (nothing done) when it cannot be one."""
        g = block.gather()
        if g is None:
            return False  # a parameter without gradient must not move
        state_of = self.state
        states = [state_of[p] for p in block.params]
        merged = _unchanged_since(block, states)
        if merged is None:
            merged = self._merged_state(group, block, states)
            if merged is None:
                return False
        else:  # the members' state is as the last update left it: only the step moves on
            step = merged["step"] = merged["step"] + 1
            for state in states:
                state["step"] = step
        new = functools.partial(_new_block_state, block, states, merged)
        work, tmp = block.scratch(self._needs_work(group))
        self._update_arrays(group, block.data, g, merged, new, work, tmp)
        block.last_update = (states, [tuple(state.values()) for state in states], merged)
        return True

    def _merged_state(
        self, group: dict[str, Any], block: Block, states: list[dict[str, Any]]
    ) -> dict[str, Any] | None:
        """The block's state for one update of all its members (their steps counted), with
        every member's state arrays made views of the block's buffers; None when the members
        disagree (e.g. a parameter that missed a step: its own bias correction)."""
        first = states[0]
        keys, phase = set(first), self._phase(group, first)
        for state in states:
            if state.keys() != keys or self._phase(group, state) != phase:
                return None
        _adopt(block, states, keys - {"step"})
        for state in states:
            state["step"] = state.get("step", 0) + 1
        merged: dict[str, Any] = {name: block.states[name] for name in keys if name != "step"}
        merged["step"] = first["step"]
        return merged

    def _step_each(self, group: dict[str, Any], block: Block | None, params: list[Any]) -> None:
        """Update parameter by parameter: the members of `block`, or (without a block)
        Tensors with arrays of their own."""
        needs_work = self._needs_work(group)
        scratch = self._scratch
        for i, p in enumerate(params):
            data, g = block.member(i) if block is not None else (p.data, p.grad)
            if g is None:
                continue  # no gradient this step: the parameter does not move
            if g.shape != data.shape:
                raise ValueError(
                    f"{self._name}: expected a gradient of shape {data.shape}, got shape {g.shape}"
                )
            state = self.state[p]
            state["step"] = state.get("step", 0) + 1
            new = functools.partial(_new_state, state, block, i, data)
            work = scratch.get("work", data.dtype, data.shape) if needs_work else None
            tmp = scratch.get("tmp", data.dtype, data.shape)
            self._update_arrays(group, data, g, state, new, work, tmp)

    # -- saving and loading ---------------------------------------------------------------

    def state_dict(self) -> dict[str, Any]:
        """The hyperparameters and state, with parameters referred to by their index in
        group order (as PyTorch does); arrays are copies."""
        index: dict[int, int] = {}
        groups = []
        for group in self.param_groups:
            packed = {k: v for k, v in group.items() if k != "params"}
            packed["params"] = [index.setdefault(id(p), len(index)) for p in group["params"]]
            groups.append(packed)
        state = {
            index[id(p)]: {k: _copy(v) for k, v in s.items()}
            for p, s in self.state.items()
            if id(p) in index and s
        }
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: Mapping[str, Any]) -> None:
        """Restore hyperparameters and state saved by `state_dict` (copies, cast to each
        parameter's dtype). Nothing changes unless all of it fits these parameters."""
        if not isinstance(state_dict, Mapping) or not {"state", "param_groups"} <= set(state_dict):
            raise TypeError(
                f"{self._name}.load_state_dict: expected a mapping with 'state' and "
                f"'param_groups', got {type(state_dict).__name__}"
            )
        saved_groups = list(state_dict["param_groups"])
        sizes = [len(g["params"]) for g in self.param_groups]
        saved_sizes = [len(g["params"]) for g in saved_groups]
        if sizes != saved_sizes:
            raise ValueError(
                f"{self._name}.load_state_dict: expected groups of sizes {sizes}, got {saved_sizes}"
            )
        owners = []  # index -> parameter
        new_groups = []
        for group, saved in zip(self.param_groups, saved_groups):
            owners += group["params"]
            merged = {**group, **saved, "params": group["params"], "flat": group["flat"]}
            self._check_hyperparameters(merged)
            new_groups.append(merged)
        new_state: dict[int, dict[str, Any]] = {}
        for index, entry in dict(state_dict["state"]).items():
            if not isinstance(index, (int, np.integer)) or not 0 <= index < len(owners):
                raise ValueError(
                    f"{self._name}.load_state_dict: expected parameter indices in "
                    f"[0, {len(owners)}), got {index!r}"
                )
            p = owners[index]
            new_state[int(index)] = {
                k: _restore(self._name, p, index, k, v) for k, v in entry.items()
            }
        for group, merged in zip(self.param_groups, new_groups):
            group.clear()
            group.update(merged)
        self.state.clear()
        for index, entry in new_state.items():
            # A block's members get their views of its state buffers at its next step.
            self.state[owners[index]] = entry

    # -- repr -----------------------------------------------------------------------------

    def __repr__(self) -> str:
        lines = [f"{self._name} ("]
        for k, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {k}")
            for key in sorted(group):
                if key != "params":
                    lines.append(f"    {key}: {group[key]!r}")
            params = group["params"]
            flat = self._flat_of(group)
            layout = f", {flat.describe()}" if flat is not None else ""
            lines.append(f"    params: {len(params)} {_kinds(params)}{layout}")
        return "\n".join(lines) + "\n)"


# ----------------------------------------------------------------------------- helpers


def _new_state(
    state: dict[str, Any], block: Block | None, i: int, data: np.ndarray, name: str
) -> np.ndarray:
    """A zeroed state array for parameter i: its view of the block's buffer in a block."""
    array = block.state_view(name, i) if block is not None else np.zeros_like(data)
    state[name] = array
    return array


def _new_block_state(
    block: Block, states: list[dict[str, Any]], merged: dict[str, Any], name: str
) -> np.ndarray:
    """A zeroed state buffer `name` for the whole block, each member's state its view."""
    buffer = merged[name] = block.new_state(name)
    for state, view in zip(states, block.state_views[name]):
        state[name] = view
    return buffer


def _unchanged_since(block: Block, states: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The block's merged state of its last update when its members' state dicts are the
    same dicts holding the same objects (so it needs no checking or adopting), else None.

    Compared by identity (an array that is not the block's view must be adopted, whatever
    its values); the last update's dicts and values are kept, so none is a look-alike.
    """
    last = block.last_update
    if last is None:
        return None
    last_states, values, merged = last
    if len(states) != len(last_states):
        return None
    for state, old, expected in zip(states, last_states, values):
        if (
            state is not old
            or len(state) != len(expected)
            or not all(map(operator.is_, state.values(), expected))
        ):
            return None
    return merged


def _adopt(block: Block, states: list[dict[str, Any]], names: set[str]) -> None:
    """Make every state array `names` of the block's members its view of the block's state
    buffer, copying in what is not (state loaded by `load_state_dict`, or set by hand)."""
    for name in names:
        views = block.state_views.get(name)
        if views is None:
            block.new_state(name)
            views = block.state_views[name]
        for state, view in zip(states, views):
            if state[name] is not view:
                view[...] = state[name]
                state[name] = view


def _kinds(params: list[Node]) -> str:
    names = sorted({type(p).__name__ for p in params})
    return "/".join(f"{n}s" if len(params) > 1 else n for n in names)


def _copy(value: Any) -> Any:
    return value.copy() if isinstance(value, np.ndarray) else value


def _restore(owner: str, p: Node, index: int, key: str, value: Any) -> Any:
    """A saved state entry, checked against its parameter and copied: the step count as a
    number, every other entry as an array shaped like the parameter (0-d for a Value)."""
    where = f"{owner}.load_state_dict: expected state '{key}' of parameter {index}"
    if key == "step":
        if isinstance(value, (np.ndarray, np.generic)) and value.size == 1:
            value = value.item()
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise TypeError(f"{where} to be a number, got {type(value).__name__}")
        return value
    dtype = p.dtype if isinstance(p, Tensor) else np.dtype(np.float64)
    shape = p.shape if isinstance(p, Tensor) else ()
    if isinstance(value, bool) or not isinstance(value, (np.ndarray, np.generic, numbers.Real)):
        raise TypeError(f"{where} to be an array, got {type(value).__name__}")
    if np.shape(value) != shape:
        raise ValueError(f"{where} to have shape {shape}, got shape {np.shape(value)}")
    return np.array(value, dtype=dtype)
