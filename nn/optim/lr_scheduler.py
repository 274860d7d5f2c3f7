"""Learning-rate schedules: `StepLR` (step decay), `ExponentialLR`, `CosineAnnealingLR`.

As in PyTorch: a scheduler reads each group's initial ``lr`` (kept as ``"initial_lr"`` in the
group, so a second scheduler, or one resumed with ``last_epoch``, finds it), and every
`step()` advances ``last_epoch`` and writes the new learning rates into the optimizer's
groups. Creating a scheduler takes the first step, to epoch 0.

Each learning rate is the schedule's *closed form* at ``last_epoch`` (e.g. step decay's
``base_lr * gamma ** (last_epoch // step_size)``), which PyTorch computes recursively to the
same values up to rounding. So a learning rate set by hand between steps is overwritten
at the next step rather than compounded.
"""

from __future__ import annotations

import abc
import math
from collections.abc import Mapping
from typing import Any

from nn.optim.optimizer import Optimizer
from nn.validation import integer, positive_int, real

__all__ = ["CosineAnnealingLR", "ExponentialLR", "LRScheduler", "StepLR"]


class LRScheduler(abc.ABC):
    """Base class: subclasses define `lr_at(base_lr, epoch)`.

    Parameters
    ----------
    optimizer : Optimizer
    last_epoch : int
        The epoch of the last step taken: -1 (the default) starts a schedule; a larger
        value resumes one (the groups must then hold ``"initial_lr"``).

    Attributes
    ----------
    base_lrs : list of float
        Each group's initial learning rate.
    last_epoch : int
        Incremented by every `step()`; 0 right after construction.
    """

    def __init__(self, optimizer: Optimizer, last_epoch: int = -1) -> None:
        name = type(self).__name__
        if not isinstance(optimizer, Optimizer):
            raise TypeError(
                f"{name}: expected an nn.optim Optimizer, got {type(optimizer).__name__}"
            )
        last_epoch = integer(name, "last_epoch", last_epoch, minimum=-1)
        for k, group in enumerate(optimizer.param_groups):
            if last_epoch == -1:
                group.setdefault("initial_lr", group["lr"])
            elif "initial_lr" not in group:
                raise KeyError(
                    f"{name}: expected 'initial_lr' in param_groups[{k}] when resuming with "
                    f"last_epoch={last_epoch}, got none (create the scheduler with "
                    f"last_epoch=-1 first, or load its state_dict)"
                )
        self.optimizer = optimizer
        self.base_lrs: list[float] = [group["initial_lr"] for group in optimizer.param_groups]
        self.last_epoch = last_epoch
        self._last_lr: list[float] = [group["lr"] for group in optimizer.param_groups]
        self.step()

    @abc.abstractmethod
    def lr_at(self, base_lr: float, epoch: int) -> float:
        """The learning rate of a group that started at `base_lr`, at `epoch`."""

    def get_lr(self) -> list[float]:
        """The learning rates of the current epoch (the closed form at `last_epoch`)."""
        return [self.lr_at(base, self.last_epoch) for base in self.base_lrs]

    def step(self) -> None:
        """Advance one epoch and set each group's ``lr``."""
        self.last_epoch += 1
        lrs = self.get_lr()
        for group, lr in zip(self.optimizer.param_groups, lrs):
            group["lr"] = lr
        self._last_lr = lrs

    def get_last_lr(self) -> list[float]:
        """The learning rates set by the last `step()` (one per group)."""
        return list(self._last_lr)

    def state_dict(self) -> dict[str, Any]:
        """Everything but the optimizer (which has its own `state_dict`)."""
        return {
            k: list(v) if isinstance(v, list) else v
            for k, v in vars(self).items()
            if k != "optimizer"
        }

    def load_state_dict(self, state_dict: Mapping[str, Any]) -> None:
        """Restore the state saved by `state_dict` (checked against this scheduler's keys)."""
        name = type(self).__name__
        if not isinstance(state_dict, Mapping):
            raise TypeError(
                f"{name}.load_state_dict: expected a mapping, got {type(state_dict).__name__}"
            )
        expected = set(self.state_dict())
        if set(state_dict) != expected:
            raise ValueError(
                f"{name}.load_state_dict: expected keys {sorted(expected)}, got "
                f"{sorted(map(str, state_dict))}"
            )
        groups = len(self.optimizer.param_groups)
        if len(state_dict["base_lrs"]) != groups:
            raise ValueError(
                f"{name}.load_state_dict: expected base_lrs for {groups} groups, got "
                f"{len(state_dict['base_lrs'])}"
            )
        for key, value in state_dict.items():
            setattr(self, key, list(value) if isinstance(value, list) else value)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(last_epoch={self.last_epoch}, lr={self._last_lr})"


class StepLR(LRScheduler):
    """Step decay: multiply the learning rate by `gamma` every `step_size` epochs.

    ``lr = base_lr * gamma ** (last_epoch // step_size)``.

    Parameters
    ----------
    optimizer : Optimizer
    step_size : int
        Epochs between decays (> 0).
    gamma : float
        The factor (> 0; 0.1 by default).
    last_epoch : int
        See `LRScheduler`.
    """

    def __init__(
        self, optimizer: Optimizer, step_size: int, gamma: float = 0.1, last_epoch: int = -1
    ) -> None:
        self.step_size = positive_int(type(self).__name__, "step_size", step_size)
        self.gamma = real(type(self).__name__, "gamma", gamma, 0.0, low_open=True)
        super().__init__(optimizer, last_epoch)

    def lr_at(self, base_lr: float, epoch: int) -> float:
        return base_lr * self.gamma ** (epoch // self.step_size)


class ExponentialLR(LRScheduler):
    """Multiply the learning rate by `gamma` every epoch: ``lr = base_lr * gamma ** last_epoch``.

    Parameters
    ----------
    optimizer : Optimizer
    gamma : float
        The factor (> 0).
    last_epoch : int
        See `LRScheduler`.
    """

    def __init__(self, optimizer: Optimizer, gamma: float, last_epoch: int = -1) -> None:
        self.gamma = real(type(self).__name__, "gamma", gamma, 0.0, low_open=True)
        super().__init__(optimizer, last_epoch)

    def lr_at(self, base_lr: float, epoch: int) -> float:
        return base_lr * self.gamma**epoch


class CosineAnnealingLR(LRScheduler):
    """Cosine annealing from the initial learning rate to `eta_min` over `T_max` epochs.

    ``lr = eta_min + (base_lr - eta_min) * (1 + cos(pi * last_epoch / T_max)) / 2``; past
    `T_max` it rises again along the same cosine (as PyTorch's does without restarts).

    Parameters
    ----------
    optimizer : Optimizer
    T_max : int
        Epochs of a half period (> 0).
    eta_min : float
        The smallest learning rate (>= 0).
    last_epoch : int
        See `LRScheduler`.
    """

    def __init__(
        self, optimizer: Optimizer, T_max: int, eta_min: float = 0.0, last_epoch: int = -1
    ) -> None:
        self.T_max = positive_int(type(self).__name__, "T_max", T_max)
        self.eta_min = real(type(self).__name__, "eta_min", eta_min, 0.0)
        super().__init__(optimizer, last_epoch)

    def lr_at(self, base_lr: float, epoch: int) -> float:
        cosine = (1.0 + math.cos(math.pi * epoch / self.T_max)) / 2.0
        return self.eta_min + (base_lr - self.eta_min) * cosine
