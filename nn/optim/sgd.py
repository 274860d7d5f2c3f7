"""Stochastic gradient descent, with momentum, Nesterov momentum and weight decay."""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd_lite.kernels.optim import FLUSH_EVERY, sgd_update
from nn.optim.optimizer import NewState, Optimizer, ParamsT
from nn.validation import boolean, real

__all__ = ["SGD"]


class SGD(Optimizer):
    r"""Stochastic gradient descent, exactly as PyTorch's ``torch.optim.SGD``.

    For t = 1, 2, ... with gradient :math:`g_t` (negated if `maximize`):

    .. math::
        g_t &\leftarrow g_t + \lambda \theta_{t-1}  \quad (\lambda = \text{weight\_decay}) \\
        b_t &\leftarrow g_t \ (t = 1), \quad \mu b_{t-1} + (1 - \tau) g_t \ (t > 1) \\
        g_t &\leftarrow g_t + \mu b_t \ (\text{nesterov}), \quad b_t \ (\text{otherwise}) \\
        \theta_t &\leftarrow \theta_{t-1} - \gamma g_t

    (the momentum lines only when :math:`\mu > 0`).

    Parameters
    ----------
    params : iterable of Value/Tensor, or of dicts (parameter groups)
    lr : float
        Learning rate :math:`\gamma` (>= 0).
    momentum : float
        :math:`\mu` (>= 0); 0 is plain SGD.
    dampening : float
        :math:`\tau` in [0, 1]: the share of the gradient left out of the momentum buffer.
    weight_decay : float
        L2 penalty :math:`\lambda` (>= 0), added to the gradient.
    nesterov : bool
        Nesterov momentum (needs momentum > 0 and dampening 0).
    maximize : bool
        Ascend the objective instead of descending it.
    flat : bool or None
        The layout (see `Optimizer`): None re-homes groups of floating Tensors of one dtype
        into one buffer, updated with whole-buffer ufuncs.

    Examples
    --------
    >>> from autograd_lite import Value
    >>> w = Value(3.0)
    >>> opt = SGD([w], lr=0.1)
    >>> (w * w).backward()
    >>> opt.step()
    >>> w.data  # 3 - 0.1 * 6
    2.4
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float,
        momentum: float = 0.0,
        dampening: float = 0.0,
        weight_decay: float = 0.0,
        nesterov: bool = False,
        maximize: bool = False,
        *,
        flat: bool | None = None,
    ) -> None:
        defaults = {
            "lr": lr,
            "momentum": momentum,
            "dampening": dampening,
            "weight_decay": weight_decay,
            "nesterov": nesterov,
            "maximize": maximize,
            "flat": flat,
        }
        super().__init__(params, defaults)

    def _check_hyperparameters(self, group: dict[str, Any]) -> None:
        super()._check_hyperparameters(group)
        name = self._name
        self._check(group, real, "momentum", 0.0)
        self._check(group, real, "dampening", 0.0, 1.0)
        self._check(group, boolean, "nesterov")
        if group["nesterov"] and (group["momentum"] <= 0 or group["dampening"] != 0):
            raise ValueError(
                f"{name}: expected momentum > 0 and dampening 0 with nesterov=True, got "
                f"momentum={group['momentum']!r} and dampening={group['dampening']!r}"
            )

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
        buf, first = None, False
        if group["momentum"]:
            buf = state.get("momentum_buffer")
            if buf is None:  # the first step sets it to the gradient
                buf, first = new("momentum_buffer"), True
        sgd_update(p, g, buf, lr=group["lr"], momentum=group["momentum"],
                   dampening=group["dampening"], nesterov=group["nesterov"],
                   weight_decay=group["weight_decay"], maximize=group["maximize"], first=first,
                   work=work, tmp=tmp, flush=state["step"] % FLUSH_EVERY == 0)  # fmt: skip
