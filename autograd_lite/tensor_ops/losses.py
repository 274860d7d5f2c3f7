"""Fused, numerically stable loss ops: each one node whose VJP is its textbook formula.

Composing ``log_softmax`` and indexing would give the same gradient through three nodes;
fused, cross-entropy's VJP is the famous ``softmax - onehot``, computed once, and it stays
finite at logits of +-1e4. `nn.functional` builds its losses on these.

The labels and targets are data, not inputs: they are constants of the primitives (keyword
arguments), so no gradient is ever computed for them, and the losses' nodes have the logits
as their only parent.

The VJPs run on arrays (first order) and on Tensors (to differentiate a gradient again):
on arrays, cross-entropy's rule keeps its in-place fast form; on Tensors it runs the same
formula with ops, which record.
"""

from __future__ import annotations

from functools import partial
from typing import Any

import numpy as np

from autograd_lite.kernels import softmax as softmax_kernels
from autograd_lite.primitive import primitive
from autograd_lite.tensor import Tensor, as_tensor
from autograd_lite.tensor_ops import OPS
from autograd_lite.tensor_ops.elementwise import sigmoid
from autograd_lite.tensor_ops.reduce import _shifted_max
from autograd_lite.tensor_ops.reduce import softmax as row_softmax

_REDUCTIONS = ("mean", "sum", "none")


def _check_reduction(reduction: str, op: str) -> None:
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{op}: expected reduction in {_REDUCTIONS}, got {reduction!r}")


def _reduce(losses: np.ndarray, reduction: str, op: str) -> np.ndarray:
    """The losses reduced as asked (the mean over an empty batch is an error)."""
    if reduction == "none":
        return losses
    if reduction == "mean" and losses.size == 0:
        raise ValueError(f"{op}: the mean over an empty batch is undefined; got 0 examples")
    # add.reduce and a multiply: np.mean's Python wrapper costs more than the sum itself.
    scale = 1.0 / losses.size if reduction == "mean" else 1.0
    total = np.add.reduce(losses, axis=None) * losses.dtype.type(scale)
    return np.asarray(total, dtype=losses.dtype)


# ------------------------------------------------------------------------- cross-entropy


def class_labels(labels: Any, n: int, classes: int) -> np.ndarray:
    """`labels` (an integer array or Tensor) as an array, checked: shape (n,), values in
    [0, classes)."""
    y = labels if type(labels) is np.ndarray else np.asarray(_data(labels))
    if y.dtype.kind not in "iu":
        raise TypeError(
            f"cross_entropy: expected integer class labels, got dtype {y.dtype} "
            f"(convert with labels.astype(np.int64))"
        )
    if y.shape != (n,):
        raise ValueError(f"cross_entropy: expected labels of shape ({n},), got {y.shape}")
    # One reduction: as unsigned integers, negative labels become huge, so the largest
    # finds labels below 0 and labels >= classes alike.
    if n and _LARGEST(y.astype(np.intp, copy=False).view(np.uintp)) >= classes:
        bad = y[(y < 0) | (y >= classes)]
        raise ValueError(
            f"cross_entropy: expected labels in [0, {classes}), got {bad.size} out of range "
            f"(e.g. {bad[0]})"
        )
    return y


_LARGEST = np.maximum.reduce


def _data(labels: Any) -> Any:
    return labels.data if isinstance(labels, Tensor) else labels


@OPS.register(method=False)
def cross_entropy(logits: Tensor, labels: Any, reduction: str = "mean") -> Tensor:
    """-log softmax(logits)[label] for each row, reduced;
    d/dlogits = (softmax(logits) - onehot(labels)) * (1/N for the mean).

    Parameters
    ----------
    logits : Tensor of shape (N, C)
    labels : integer array or Tensor of shape (N,), values in [0, C)
    reduction : "mean" (default), "sum" or "none"
    """
    logits = logits if type(logits) is Tensor else as_tensor(logits, "cross_entropy")
    _check_reduction(reduction, "cross_entropy")
    if logits.ndim != 2:
        raise ValueError(f"cross_entropy: expected logits of shape (N, C), got {logits.shape}")
    y = class_labels(labels, *logits.shape)
    z = logits.data
    ans, softmax = cross_entropy_forward(z, y, reduction)
    vjp = partial(cross_entropy_backward, ans, z, y, reduction, softmax)
    how = (softmax_cross_entropy, (), {"labels": y, "reduction": reduction})
    return Tensor._result(ans, (logits,), vjp, "cross_entropy", how)


def cross_entropy_forward(
    z: np.ndarray, y: np.ndarray, reduction: str
) -> tuple[np.ndarray, np.ndarray]:
    """The reduced loss of logits `z` (N, C) and checked labels `y`, and the softmax, kept
    for the backward, which would otherwise compute it again (this runs once per training
    step); both are one pass over the logits with the compiled kernels. The lean path of
    `softmax_cross_entropy`."""
    softmax, losses = softmax_kernels.softmax_cross_entropy(z, y)
    return _reduce(losses, reduction, "cross_entropy"), softmax


def cross_entropy_backward(ans: Any, z: Any, y: Any, reduction: str, softmax: Any, g: Any):
    """The first-order VJP, on arrays: ``(softmax - onehot) * g`` (over N for the mean)."""
    if reduction == "none":  # each row's loss has its own gradient: the rule's general form
        rule = softmax_cross_entropy.rule
        return rule(g, ans, z, labels=y, reduction=reduction, softmax=softmax.copy())
    scale = g * (1.0 / len(y) if reduction == "mean" else 1.0)
    return (softmax_kernels.softmax_cross_entropy_grad(softmax, y, scale),)


def _softmax_parts(z: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """exp(z - max), its row sums and each row's loss log(sum) - (z - max)[label]."""
    shifted = z - _shifted_max(z, 1)  # exponents <= 0: no overflow
    e = np.exp(shifted)
    sums = e.sum(axis=1, keepdims=True)
    return e, sums, np.log(sums[:, 0]) - shifted[np.arange(len(y)), y]


@primitive
def softmax_cross_entropy(
    logits: np.ndarray, *, labels: np.ndarray, reduction: str = "mean"
) -> np.ndarray:
    """Cross-entropy of integer labels from logits;  d/dlogits = softmax - onehot (scaled)."""
    _, _, losses = _softmax_parts(logits, labels)
    return _reduce(losses, reduction, "cross_entropy")


@softmax_cross_entropy.defvjp
def softmax_cross_entropy_vjp(
    g: Any, ans: Any, logits: np.ndarray, *, labels: Any, reduction: str = "mean", softmax=None
) -> tuple[Any]:
    if type(logits) is not np.ndarray:  # on nodes: the formula, recorded
        grad = row_softmax(logits, axis=1) - _onehot(labels, logits)
        return (grad * (g[:, None] if reduction == "none" else _scaled(g, reduction, labels)),)
    # First order, in place. `softmax`: the forward's (`cross_entropy`) when it kept it.
    if softmax is None:
        e, sums, _ = _softmax_parts(logits, labels)
        softmax = e / sums
    grad = softmax  # a new array: edited in place
    grad[np.arange(len(labels)), labels] -= 1.0
    if reduction == "none":  # each row's loss has its own gradient
        grad *= g[:, None]
    else:
        grad *= g * (1.0 / len(labels) if reduction == "mean" else 1.0)
    return (grad,)


@softmax_cross_entropy.defjvp
def softmax_cross_entropy_jvp(
    t: Any, ans: Any, logits: Any, *, labels: Any, reduction: str = "mean"
) -> Any:
    rows = ((row_softmax(logits, axis=1) - _onehot(labels, logits)) * t).sum(axis=1)
    return rows if reduction == "none" else _scaled(rows.sum(), reduction, labels)


def _onehot(labels: np.ndarray, logits: Any) -> np.ndarray:
    out = np.zeros(logits.shape, dtype=logits.dtype)
    out[np.arange(len(labels)), labels] = 1.0
    return out


def _scaled(total: Any, reduction: str, examples: Any) -> Any:
    """A summed loss's gradient or tangent, divided by the examples' count for the mean."""
    return total * (1.0 / np.size(examples)) if reduction == "mean" else total


softmax_cross_entropy.name = "cross_entropy"


# ------------------------------------------------------------------------ BCE with logits


@OPS.register(method=False)
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
    return bce_with_logits(logits, targets=t, reduction=reduction)


@primitive
def bce_with_logits(logits: np.ndarray, *, targets: np.ndarray, reduction: str = "mean") -> Any:
    """Binary cross-entropy of targets in [0, 1] from logits;  d/dlogits = sigmoid - t."""
    z = logits
    losses = np.maximum(z, 0) - z * targets + np.log1p(np.exp(-np.abs(z)))
    return _reduce(losses, reduction, "binary_cross_entropy_with_logits")


@bce_with_logits.defvjp
def bce_with_logits_vjp(
    g: Any, ans: Any, logits: np.ndarray, *, targets: np.ndarray, reduction: str = "mean"
) -> tuple[Any]:
    if reduction != "none":
        g = g * (1.0 / logits.size if reduction == "mean" else 1.0)
    return ((sigmoid(logits) - targets) * g,)


@bce_with_logits.defjvp
def bce_with_logits_jvp(
    t: Any, ans: Any, logits: Any, *, targets: np.ndarray, reduction: str = "mean"
) -> Any:
    elements = (sigmoid(logits) - targets) * t
    return elements if reduction == "none" else _scaled(elements.sum(), reduction, targets)


bce_with_logits.name = "binary_cross_entropy_with_logits"
