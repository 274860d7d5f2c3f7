"""RMSprop: steps scaled by a running root-mean-square of the gradient."""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd_lite.kernels.optim import FLUSH_EVERY, rmsprop_update
from nn.optim.optimizer import NewState, Optimizer, ParamsT
from nn.validation import boolean, real

__all__ = ["RMSprop"]


class RMSprop(Optimizer):
    r"""RMSprop, exactly as PyTorch's ``torch.optim.RMSprop``.

    For t = 1, 2, ... with gradient :math:`g_t` (negated if `maximize`, plus
    :math:`\lambda \theta_{t-1}` with weight decay):

    .. math::
        v_t &= \alpha v_{t-1} + (1 - \alpha) g_t^2, \qquad \tilde v_t = v_t \\
        g^{ave}_t &= \alpha g^{ave}_{t-1} + (1 - \alpha) g_t, \qquad
        \tilde v_t = v_t - (g^{ave}_t)^2 \quad (\text{centered only}) \\
        b_t &= \mu b_{t-1} + g_t / (\sqrt{\tilde v_t} + \epsilon), \qquad
        \theta_t = \theta_{t-1} - \gamma b_t \quad (\mu > 0) \\
        \theta_t &= \theta_{t-1} - \gamma g_t / (\sqrt{\tilde v_t} + \epsilon)
        \quad (\mu = 0)

    The state holds PyTorch's ``square_avg``, ``grad_avg`` (centered) and
    ``momentum_buffer`` (momentum > 0), all starting at zero.

    Parameters
    ----------
    params : iterable of Value/Tensor, or of dicts (parameter groups)
    lr : float
        Learning rate :math:`\gamma` (>= 0).
    alpha : float
        Smoothing constant :math:`\alpha` in [0, 1).
    eps : float
        :math:`\epsilon` (> 0), added to the root mean square.
    weight_decay : float
        L2 penalty :math:`\lambda` (>= 0), added to the gradient.
    momentum : float
        :math:`\mu` (>= 0).
    centered : bool
        Divide by an estimate of the gradient's standard deviation instead of its RMS.
    maximize : bool
        Ascend the objective instead of descending it.
    flat : bool or None
        The layout (see `Optimizer`).
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        momentum: float = 0.0,
        centered: bool = False,
        maximize: bool = False,
        *,
        flat: bool | None = None,
    ) -> None:
        defaults = {
            "lr": lr,
            "alpha": alpha,
            "eps": eps,
            "weight_decay": weight_decay,
            "momentum": momentum,
            "centered": centered,
            "maximize": maximize,
            "flat": flat,
        }
        super().__init__(params, defaults)

    def _check_hyperparameters(self, group: dict[str, Any]) -> None:
        super()._check_hyperparameters(group)
        self._check(group, real, "alpha", 0.0, 1.0, high_open=True)
        self._check(group, real, "eps", 0.0, low_open=True)
        self._check(group, real, "momentum", 0.0)
        self._check(group, boolean, "centered")

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
        v = state.get("square_avg")
        if v is None:
            v = new("square_avg")
        g_avg = buf = None
        if group["centered"]:
            g_avg = state.get("grad_avg")
            if g_avg is None:
                g_avg = new("grad_avg")
        if group["momentum"]:
            buf = state.get("momentum_buffer")
            if buf is None:
                buf = new("momentum_buffer")
        rmsprop_update(p, g, v, g_avg, buf, lr=group["lr"], alpha=group["alpha"],
                       eps=group["eps"], momentum=group["momentum"],
                       weight_decay=group["weight_decay"], maximize=group["maximize"],
                       work=work, tmp=tmp, flush=state["step"] % FLUSH_EVERY == 0)  # fmt: skip
