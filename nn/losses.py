"""Losses as modules: ``loss_fn = nn.CrossEntropyLoss(); loss = loss_fn(logits, labels)``.

Each holds its options and calls the function of the same loss in `nn.functional`
(see there for the formulas, gradients and accepted inputs).
"""

from __future__ import annotations

from typing import Any

from nn import functional as F
from nn.module import Module
from nn.reductions import check_reduction
from nn.validation import real

__all__ = [
    "BCELoss",
    "BCEWithLogitsLoss",
    "CrossEntropyLoss",
    "HalfSquaredError",
    "HingeLoss",
    "MSELoss",
]


class _Loss(Module):
    """A loss with a `reduction` ("mean", "sum" or "none"), checked when it is made."""

    def __init__(self, reduction: str = "mean") -> None:
        check_reduction(type(self).__name__, reduction)
        self.reduction = reduction

    def extra_repr(self) -> str:
        return "" if self.reduction == "mean" else f"reduction={self.reduction!r}"


class MSELoss(_Loss):
    """Mean squared error, `nn.functional.mse_loss`; for Tensors and Values."""

    def forward(self, pred: Any, target: Any) -> Any:
        return F.mse_loss(pred, target, self.reduction)


class HalfSquaredError(_Loss):
    """The textbooks' 1/2 (y - yhat)**2, summed over outputs and averaged over the batch,
    `nn.functional.half_squared_error`; for Tensors and Values."""

    def forward(self, pred: Any, target: Any) -> Any:
        return F.half_squared_error(pred, target, self.reduction)


class BCELoss(_Loss):
    """Binary cross-entropy from probabilities, clipped to [eps, 1 - eps],
    `nn.functional.binary_cross_entropy`; for Tensors and Values."""

    def __init__(self, reduction: str = "mean", eps: float = 1e-7) -> None:
        super().__init__(reduction)
        self.eps = real("BCELoss", "eps", eps, 0.0, 0.5, low_open=True, high_open=True)

    def forward(self, probs: Any, targets: Any) -> Any:
        return F.binary_cross_entropy(probs, targets, self.reduction, self.eps)

    def extra_repr(self) -> str:
        extras = [super().extra_repr(), "" if self.eps == 1e-7 else f"eps={self.eps:g}"]
        return ", ".join(e for e in extras if e)


class BCEWithLogitsLoss(_Loss):
    """Binary cross-entropy from logits, exact at any logit,
    `nn.functional.binary_cross_entropy_with_logits`."""

    def forward(self, logits: Any, targets: Any) -> Any:
        return F.binary_cross_entropy_with_logits(logits, targets, self.reduction)


class CrossEntropyLoss(_Loss):
    """Cross-entropy from logits (N, C) and integer labels (N,),
    `nn.functional.cross_entropy`."""

    def forward(self, logits: Any, labels: Any) -> Any:
        return F.cross_entropy(logits, labels, self.reduction)


class HingeLoss(_Loss):
    """The max-margin loss relu(margin - t * s) for targets in {-1, +1},
    `nn.functional.hinge_loss`; for Tensors and Values."""

    def __init__(self, reduction: str = "mean", margin: float = 1.0) -> None:
        super().__init__(reduction)
        self.margin = real("HingeLoss", "margin", margin)

    def forward(self, scores: Any, targets: Any) -> Any:
        return F.hinge_loss(scores, targets, self.reduction, self.margin)

    def extra_repr(self) -> str:
        extras = [super().extra_repr(), "" if self.margin == 1.0 else f"margin={self.margin:g}"]
        return ", ".join(e for e in extras if e)
