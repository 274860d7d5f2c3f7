"""Adam (and AMSGrad), with its moments kept pre-scaled so that bias correction is free."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from autograd_lite.kernels.optim import FLUSH_EVERY, adam_update
from nn.optim.optimizer import NewState, Optimizer, ParamsT
from nn.validation import boolean, real

__all__ = ["Adam"]


class Adam(Optimizer):
    r"""Adam, exactly as PyTorch's ``torch.optim.Adam`` computes it (up to rounding).

    For t = 1, 2, ... with gradient :math:`g_t` (negated if `maximize`, plus
    :math:`\lambda \theta_{t-1}` with weight decay):

    .. math::
        m_t &= \beta_1 m_{t-1} + (1 - \beta_1) g_t, \qquad
        v_t = \beta_2 v_{t-1} + (1 - \beta_2) g_t^2 \\
        \hat m_t &= m_t / (1 - \beta_1^t), \qquad
        \hat v_t = v_t / (1 - \beta_2^t) \quad (\max_{s \le t} v_s \text{ with amsgrad}) \\
        \theta_t &= \theta_{t-1} - \gamma \, \hat m_t / (\sqrt{\hat v_t} + \epsilon)

    The state keeps the moments *pre-scaled*, ``exp_avg_scaled`` :math:`= m / (1 - \beta_1)`
    and ``exp_avg_sq_scaled`` :math:`= v / (1 - \beta_2)` (and ``max_exp_avg_sq_scaled``),
    which makes a step about ten whole-array operations; PyTorch's ``exp_avg`` is
    ``(1 - beta1) * exp_avg_scaled``. Because of that scaling, changing `betas` in the
    middle of training takes effect as if the moments had been accumulated with the new
    betas (PyTorch keeps the old moments as they are).

    Parameters
    ----------
    params : iterable of Value/Tensor, or of dicts (parameter groups)
    lr : float
        Learning rate :math:`\gamma` (>= 0).
    betas : (float, float)
        :math:`(\beta_1, \beta_2)`, each in [0, 1).
    eps : float
        :math:`\epsilon` (> 0), added to :math:`\sqrt{\hat v_t}`.
    weight_decay : float
        L2 penalty :math:`\lambda` (>= 0), added to the gradient (not decoupled: AdamW's
        differs).
    amsgrad : bool
        Use the running maximum of :math:`v_t` (AMSGrad).
    maximize : bool
        Ascend the objective instead of descending it.
    flat : bool or None
        The layout (see `Optimizer`).
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        amsgrad: bool = False,
        maximize: bool = False,
        *,
        flat: bool | None = None,
    ) -> None:
        defaults = {
            "lr": lr,
            "betas": betas,
            "eps": eps,
            "weight_decay": weight_decay,
            "amsgrad": amsgrad,
            "maximize": maximize,
            "flat": flat,
        }
        super().__init__(params, defaults)

    def _check_hyperparameters(self, group: dict[str, Any]) -> None:
        super()._check_hyperparameters(group)
        name = self._name
        betas = group["betas"]
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise TypeError(f"{name}: expected betas to be a pair of numbers, got {betas!r}")
        group["betas"] = (
            real(name, "beta1", betas[0], 0.0, 1.0, high_open=True),
            real(name, "beta2", betas[1], 0.0, 1.0, high_open=True),
        )
        self._check(group, real, "eps", 0.0, low_open=True)
        self._check(group, boolean, "amsgrad")

    def _phase(self, group: dict[str, Any], state: dict[str, Any]) -> Any:
        return state.get("step", 0)  # the bias corrections depend on it

    @staticmethod
    def _scalars(group: dict[str, Any], t: int) -> tuple[float, float]:
        r"""The step size `c` and epsilon `e` of ``p -= c * M / (sqrt(V) + e)``.

        With M = m / (1 - b1) and V = v / (1 - b2) (so that M <- b1 M + g and
        V <- b2 V + g^2 need no multiply by 1 - b), the textbook update is

            p -= lr * m_hat / (sqrt(v_hat) + eps)
            m_hat = m / (1 - b1^t) = M (1 - b1) / (1 - b1^t)
            sqrt(v_hat) = sqrt(v / (1 - b2^t)) = sqrt(V) / r,  r = sqrt(1 - b2^t) / sqrt(1 - b2)

        and multiplying the numerator and the denominator by r,

            p -= [lr (1 - b1) r / (1 - b1^t)] * M / (sqrt(V) + eps r)

        so the bias corrections become one scalar per step in each place (c, e).
        """
        b1, b2 = group["betas"]
        r = math.sqrt(1.0 - b2**t) / math.sqrt(1.0 - b2)
        c = group["lr"] * (1.0 - b1) * r / (1.0 - b1**t)
        return c, group["eps"] * r

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
        m = state.get("exp_avg_scaled")
        if m is None:
            m = new("exp_avg_scaled")
        v = state.get("exp_avg_sq_scaled")
        if v is None:
            v = new("exp_avg_sq_scaled")
        v_max = None
        if group["amsgrad"]:
            v_max = state.get("max_exp_avg_sq_scaled")
            if v_max is None:
                v_max = new("max_exp_avg_sq_scaled")
        b1, b2 = group["betas"]
        c, e = self._scalars(group, state["step"])
        adam_update(p, g, m, v, v_max, beta1=b1, beta2=b2, step_size=c, eps=e,
                    weight_decay=group["weight_decay"], maximize=group["maximize"],
                    work=work, tmp=tmp, flush=state["step"] % FLUSH_EVERY == 0)  # fmt: skip
