"""`Optimizer`: PyTorch's structure (param groups, per-parameter state, state dicts) for
`Value` and `Tensor` parameters.

A subclass says how one parameter moves, twice over: `_update_arrays` on NumPy arrays (in
place, with ``out=`` and scratch arrays, so a step allocates nothing) and `_update_value`
on Python floats, doing the same operations in the same order, so a `Value` follows exactly
the trajectory of a float64 `Tensor`. This class does the rest: checking parameters and
hyperparameters, skipping parameters without a gradient, and the *flat* fast path, where a
group's tensors live in one buffer (`FlatGroup`) and `_update_arrays` runs once on whole
buffers instead of once per parameter.
"""

from __future__ import annotations

import abc
import functools
import numbers
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import numpy as np

from autograd_lite import Tensor, Value, enable_grad
from autograd_lite.engine import Node
from nn.optim._checks import check_bool, check_not_module, check_parameter, check_real
from nn.optim._flat import FlatGroup, Scratch, flat_problem

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
        the group's flat state buffers.
    """

    def __init__(self, params: ParamsT, defaults: Mapping[str, Any]) -> None:
        self.defaults = dict(defaults)
        self.defaults.setdefault("flat", None)
        self._check_hyperparameters(self.defaults)
        self.param_groups: list[dict[str, Any]] = []
        self.state: defaultdict[Node, dict[str, Any]] = defaultdict(dict)
        self._flat: dict[int, tuple[dict[str, Any], FlatGroup]] = {}
        self._scratch = Scratch()
        check_not_module(self._name, params)
        if isinstance(params, (Node, np.ndarray)):
            raise TypeError(
                f"{self._name}: expected an iterable of parameters or of dicts, got a single "
                f"{type(params).__name__}; wrap it in a list"
            )
        if isinstance(params, (set, frozenset)):
            raise TypeError(
                f"{self._name}: expected an ordered iterable of parameters, got a set (its "
                f"order changes from run to run); pass a list, e.g. model.parameters()"
            )
        try:
            items = list(params)
        except TypeError:
            raise TypeError(
                f"{self._name}: expected an iterable of parameters or of dicts, got "
                f"{type(params).__name__}"
            ) from None
        if not items:
            raise ValueError(f"{self._name}: expected at least one parameter, got an empty list")
        if all(isinstance(item, dict) for item in items):
            groups = items
        elif any(isinstance(item, dict) for item in items):
            raise TypeError(
                f"{self._name}: expected parameters or parameter groups (dicts), got a mix"
            )
        else:
            groups = [{"params": items}]
        for group in groups:
            self.add_param_group(group)

    @property
    def _name(self) -> str:
        return type(self).__name__

    # -- what subclasses define -----------------------------------------------------------

    def _check_hyperparameters(self, group: dict[str, Any]) -> None:
        """Raise if a hyperparameter of `group` is invalid; may normalise values in place.

        Checks what every optimizer here has (lr, weight_decay, maximize, flat); subclasses
        check their own hyperparameters after calling this."""
        check_real(self._name, group, "lr", 0.0)
        check_real(self._name, group, "weight_decay", 0.0)
        check_bool(self._name, group, "maximize")
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

    @abc.abstractmethod
    def _update_value(self, group: dict[str, Any], p: Value, state: dict[str, Any]) -> None:
        """Update the Value `p` (the float twin of `_update_arrays`)."""

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
        if not isinstance(param_group, dict) or "params" not in param_group:
            raise TypeError(
                f"{self._name}: expected a parameter group as a dict with a 'params' entry, "
                f"got {param_group!r:.80}"
            )
        params = param_group["params"]
        check_not_module(self._name, params)
        if isinstance(params, Node):
            params = [params]
        elif isinstance(params, (set, frozenset)):
            raise TypeError(f"{self._name}: expected the group's params as a list, got a set")
        params = list(params)
        if not params:
            raise ValueError(f"{self._name}: expected at least one parameter, got an empty list")
        group = {**self.defaults, **param_group, "params": params}
        self._check_hyperparameters(group)
        known = {id(p): k for k, g in enumerate(self.param_groups) for p in g["params"]}
        seen: set[int] = set()
        for i, p in enumerate(params):
            check_parameter(self._name, i, p)
            if id(p) in seen:
                raise ValueError(f"{self._name}: parameter {i} appears twice in its group")
            if id(p) in known:
                raise ValueError(
                    f"{self._name}: expected each parameter in one group, got parameter {i} of "
                    f"the new group already in group {known[id(p)]}"
                )
            seen.add(id(p))
        problem = flat_problem(params)
        if group["flat"] is True and problem is not None:
            raise ValueError(
                f"{self._name}: flat=True expected floating Tensors of one dtype, got {problem}"
            )
        if group["flat"] is not False and problem is None:
            self._flat[id(group)] = (group, FlatGroup(params))
        self.param_groups.append(group)

    def _flat_of(self, group: dict[str, Any]) -> FlatGroup | None:
        entry = self._flat.get(id(group))
        return entry[1] if entry is not None and entry[0] is group else None

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
            flat = self._flat_of(group)
            if flat is not None:
                flat.rehome()
                if group["flat"] is not False and self._flat_step(group, flat):
                    continue
            self._step_each(group, flat)
        return loss

    def _flat_step(self, group: dict[str, Any], flat: FlatGroup) -> bool:
        """One update over the whole buffer; False (nothing done) when it cannot be one."""
        g = flat.gather()
        if g is None:
            return False
        states = [self.state[p] for p in flat.params]
        first = states[0]
        keys, phase = set(first), self._phase(group, first)
        for state in states:
            if state.keys() != keys or self._phase(group, state) != phase:
                return False  # e.g. a parameter that missed a step: its own bias correction
        for state in states:
            state["step"] = state.get("step", 0) + 1
        merged = {name: flat.states.get(name, first[name]) for name in keys}
        merged["step"] = first["step"]

        def new(name: str) -> np.ndarray:
            buffer = merged[name] = flat.new_state(name)
            for state, view in zip(states, flat.state_views[name]):
                state[name] = view
            return buffer

        work, tmp = flat.scratch(self._needs_work(group))
        self._update_arrays(group, flat.data, g, merged, new, work, tmp)
        return True

    def _step_each(self, group: dict[str, Any], flat: FlatGroup | None) -> None:
        needs_work = self._needs_work(group)
        scratch = self._scratch
        for i, p in enumerate(group["params"]):
            if isinstance(p, Value):
                state = self.state[p]
                state["step"] = state.get("step", 0) + 1
                self._update_value(group, p, state)
                continue
            g = p.grad
            if g is None:
                continue  # no gradient this step: the parameter does not move
            data = p.data
            if g.shape != data.shape:
                raise ValueError(
                    f"{self._name}: expected a gradient of shape {data.shape}, got shape {g.shape}"
                )
            state = self.state[p]
            state["step"] = state.get("step", 0) + 1
            new = functools.partial(_new_state, state, flat, i, data)
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
        owners = []  # index -> (param, group number, position in its group)
        new_groups = []
        for k, (group, saved) in enumerate(zip(self.param_groups, saved_groups)):
            owners += [(p, k, i) for i, p in enumerate(group["params"])]
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
            p = owners[index][0]
            new_state[int(index)] = {
                k: _restore(self._name, p, index, k, v) for k, v in entry.items()
            }
        for group, merged in zip(self.param_groups, new_groups):
            group.clear()
            group.update(merged)
        self.state.clear()
        for index, entry in new_state.items():
            p, k, i = owners[index]
            flat = self._flat_of(self.param_groups[k])
            if flat is not None:
                for name, value in entry.items():
                    if isinstance(value, np.ndarray):
                        view = flat.state_view(name, i)
                        view[...] = value
                        entry[name] = view
            self.state[p] = entry

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
    state: dict[str, Any], flat: FlatGroup | None, i: int, data: np.ndarray, name: str
) -> np.ndarray:
    """A zeroed state array for parameter i: its view of the flat buffer in a flat group."""
    array = flat.state_view(name, i) if flat is not None else np.zeros_like(data)
    state[name] = array
    return array


def _kinds(params: list[Node]) -> str:
    names = sorted({type(p).__name__ for p in params})
    return "/".join(f"{n}s" if len(params) > 1 else n for n in names)


def _copy(value: Any) -> Any:
    return value.copy() if isinstance(value, np.ndarray) else value


def _restore(owner: str, p: Node, index: int, key: str, value: Any) -> Any:
    """A saved state entry, checked against its parameter and copied."""
    if isinstance(value, np.ndarray) and isinstance(p, Tensor):
        if value.shape != p.shape:
            raise ValueError(
                f"{owner}.load_state_dict: expected state '{key}' of parameter {index} to have "
                f"shape {p.shape}, got shape {value.shape}"
            )
        return np.array(value, dtype=p.dtype)
    if isinstance(value, (np.ndarray, np.generic)) and value.size == 1:
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(
            f"{owner}.load_state_dict: expected state '{key}' of parameter {index} to be "
            f"a number{' or an array' if isinstance(p, Tensor) else ''}, got "
            f"{type(value).__name__}"
        )
    return value


# ------------------------------------------------------------------- gradient transforms


def effective_grad(
    g: np.ndarray, p: np.ndarray, weight_decay: float, maximize: bool, work: np.ndarray | None
) -> np.ndarray:
    """The gradient the update follows: ``(-g if maximize else g) + weight_decay * p``, in
    `work` when it differs from `g` (the parameter's own gradient is never written)."""
    if weight_decay:
        np.multiply(p, weight_decay, out=work)
        if maximize:
            np.subtract(work, g, out=work)
        else:
            np.add(work, g, out=work)
        return work
    if maximize:
        np.negative(g, out=work)
        return work
    return g


def effective_grad_value(g: float, p: float, weight_decay: float, maximize: bool) -> float:
    """`effective_grad` for floats, the same operations in the same order."""
    if weight_decay:
        return p * weight_decay - g if maximize else p * weight_decay + g
    return -g if maximize else g
