"""Fused, numerically stable loss ops: each one node whose VJP is its textbook formula.

Composing ``log_softmax`` and indexing would give the same gradient through three nodes;
fused, cross-entropy's VJP is the famous ``softmax - onehot``, computed once, and it stays
finite at logits of +-1e4. `nn.functional` builds its losses on these.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd_lite.tensor import Tensor, as_tensor
from autograd_lite.tensor_ops import stable_sigmoid
from autograd_lite.tensor_reduce import _shifted_max

__all__ = ["binary_cross_entropy_with_logits", "cross_entropy"]

_REDUCTIONS = ("mean", "sum", "none")


def _check_reduction(reduction: str, op: str) -> None:
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{op}: expected reduction in {_REDUCTIONS}, got {reduction!r}")


def _reduce(losses: np.ndarray, reduction: str, op: str) -> tuple[np.ndarray, float]:
    """The reduced loss and the factor each element's gradient is scaled by."""
    if reduction == "none":
        return losses, 1.0
    if reduction == "mean" and losses.size == 0:
        raise ValueError(f"{op}: the mean over an empty batch is undefined; got 0 examples")
    scale = 1.0 / losses.size if reduction == "mean" else 1.0
    # add.reduce and a multiply: np.mean's Python wrapper costs more than the sum itself.
    total = np.add.reduce(losses, axis=None) * losses.dtype.type(scale)
    return np.asarray(total, dtype=losses.dtype), scale


def _labels(labels: Any, n: int, classes: int) -> np.ndarray:
    y = np.asarray(labels.data if isinstance(labels, Tensor) else labels)
    if y.dtype.kind not in "iu":
        raise TypeError(
            f"cross_entropy: expected integer class labels, got dtype {y.dtype} "
            f"(convert with labels.astype(np.int64))"
        )
    if y.shape != (n,):
        raise ValueError(f"cross_entropy: expected labels of shape ({n},), got {y.shape}")
    # One pass: as unsigned integers, negative labels become huge, so a single comparison
    # finds labels below 0 and labels >= classes alike.
    if n and (y.astype(np.intp, copy=False).view(np.uintp) >= classes).any():
        bad = y[(y < 0) | (y >= classes)]
        raise ValueError(
            f"cross_entropy: expected labels in [0, {classes}), got {bad.size} out of range "
            f"(e.g. {bad[0]})"
        )
    return y


def cross_entropy(logits: Tensor, labels: Any, reduction: str = "mean") -> Tensor:
    """-log softmax(logits)[label] for each row, reduced;
    d/dlogits = (softmax(logits) - onehot(labels)) * (1/N for the mean).

    Parameters
    ----------
    logits : Tensor of shape (N, C)
    labels : integer array or Tensor of shape (N,), values in [0, C)
    reduction : "mean" (default), "sum" or "none"
    """
    logits = as_tensor(logits, "cross_entropy")
    _check_reduction(reduction, "cross_entropy")
    if logits.ndim != 2:
        raise ValueError(f"cross_entropy: expected logits of shape (N, C), got {logits.shape}")
    n, classes = logits.shape
    y = _labels(labels, n, classes)
    z = logits.data - _shifted_max(logits.data, 1)  # exponents <= 0: no overflow
    e = np.exp(z)
    sums = e.sum(axis=1, keepdims=True)
    rows = np.arange(n)
    losses = np.log(sums[:, 0]) - z[rows, y]
    out, scale = _reduce(losses, reduction, "cross_entropy")

    def vjp(g: np.ndarray) -> tuple[Any]:
        grad = e / sums  # softmax
        grad[rows, y] -= 1.0
        factor = g * scale if reduction != "none" else (g * scale)[:, None]
        grad *= factor
        return (grad,)

    return Tensor._result(out, (logits,), vjp, "cross_entropy")


def binary_cross_entropy_with_logits(
    logits: Tensor, targets: Any, reduction: str = "mean"
) -> Tensor:
    """-(t log sigmoid(z) + (1 - t) log(1 - sigmoid(z))), from logits z, reduced;
    d/dz = (sigmoid(z) - t) * (1/N for the mean).

    Computed as max(z, 0) - z t + log(1 + exp(-|z|)), which never overflows.
    """
    logits = as_tensor(logits, "binary_cross_entropy_with_logits")
    _check_reduction(reduction, "binary_cross_entropy_with_logits")
    t = np.asarray(targets.data if isinstance(targets, Tensor) else targets, dtype=logits.dtype)
    if t.shape != logits.shape:
        raise ValueError(
            f"binary_cross_entropy_with_logits: expected targets of shape {logits.shape}, "
            f"got {t.shape}"
        )
    if t.size and (t.min() < 0 or t.max() > 1):
        raise ValueError("binary_cross_entropy_with_logits: expected targets in [0, 1]")
    z = logits.data
    e = np.exp(-np.abs(z))  # shared by the loss and its VJP
    losses = np.maximum(z, 0) - z * t + np.log1p(e)
    out, scale = _reduce(losses, reduction, "binary_cross_entropy_with_logits")

    def vjp(g: np.ndarray) -> tuple[Any]:
        return ((stable_sigmoid(z, e) - t) * (g * scale),)

    return Tensor._result(out, (logits,), vjp, "binary_cross_entropy_with_logits")
