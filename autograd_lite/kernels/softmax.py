"""Softmax cross-entropy of integer labels: the forward (each row's softmax and loss) and
the gradient ``(softmax - onehot) * scale``, each one pass over the logits.

The forward keeps the softmax for the backward, which would otherwise compute it again.
Only float32 logits take the compiled loops: numba's ``exp`` may differ from NumPy's in the
last bit, and float64 is the dtype of gradient checks, where the first-order gradient must
be bit for bit the one that ``create_graph=True`` records with NumPy's ops.
"""

from __future__ import annotations

import math

import numpy as np

from autograd_lite.kernels import switch
from autograd_lite.kernels.jit import jit

__all__ = ["rows", "softmax_cross_entropy", "softmax_cross_entropy_grad"]

_ROWS: dict[int, np.ndarray] = {}


def rows(n: int) -> np.ndarray:
    """``np.arange(n)``, read-only and kept: every step indexes its batch's rows with it."""
    index = _ROWS.get(n)
    if index is None:
        if len(_ROWS) > 64:  # batch sizes come and go: keep a few
            _ROWS.clear()
        index = _ROWS[n] = np.arange(n)
        index.flags.writeable = False
    return index


def _compiled(z: np.ndarray, labels: np.ndarray) -> bool:
    return (
        switch.backend() == "numba"
        and z.dtype == np.float32
        and z.ndim == 2
        and z.flags.c_contiguous
        and labels.dtype.kind in "iu"
    )


def softmax_cross_entropy(z: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each row's softmax (a new array) and loss ``log(sum(exp(z))) - z[label]``, computed
    from ``z - max(z)`` so that no exponential overflows. Labels must be in range."""
    if _compiled(z, labels):
        softmax, losses = np.empty(z.shape, z.dtype), np.empty(len(z), z.dtype)
        _forward_loop(z, labels.astype(np.intp, copy=False), softmax, losses)
        return softmax, losses
    # The ufuncs' own reductions: the .max and .sum methods add a Python wrapper each.
    shifted = z - np.maximum.reduce(z, axis=1, keepdims=True)  # exponents <= 0: no overflow
    e = np.exp(shifted)
    sums = np.add.reduce(e, axis=1, keepdims=True)
    losses = np.log(sums[:, 0]) - shifted[rows(len(labels)), labels]
    return np.divide(e, sums, out=e), losses


@jit(fastmath=False)  # the max must see an inf or a NaN logit as NumPy does
def _forward_loop(z, labels, softmax, losses):
    for i in range(z.shape[0]):
        top = z[i, 0]
        for j in range(1, z.shape[1]):
            top = max(top, z[i, j])
        total = z.dtype.type(0)
        for j in range(z.shape[1]):
            e = math.exp(z[i, j] - top)
            softmax[i, j] = e
            total += e
        for j in range(z.shape[1]):
            softmax[i, j] /= total
        losses[i] = math.log(total) - (z[i, labels[i]] - top)


def softmax_cross_entropy_grad(softmax: np.ndarray, labels: np.ndarray, scale: float) -> np.ndarray:
    """``(softmax - onehot(labels)) * scale``, a new array (`softmax` is kept: a graph
    retained for a second backward reads it again)."""
    if _compiled(softmax, labels):
        grad = np.empty(softmax.shape, softmax.dtype)
        _grad_loop(softmax, labels.astype(np.intp, copy=False), softmax.dtype.type(scale), grad)
        return grad
    grad = softmax.copy()
    grad[rows(len(labels)), labels] -= 1.0
    grad *= scale
    return grad


@jit(fastmath=False)  # (p - 1) * scale at the label, as the reference rounds it
def _grad_loop(softmax, labels, scale, grad):
    for i in range(softmax.shape[0]):
        for j in range(softmax.shape[1]):
            grad[i, j] = softmax[i, j] * scale
        label = labels[i]
        grad[i, label] = (softmax[i, label] - 1) * scale
