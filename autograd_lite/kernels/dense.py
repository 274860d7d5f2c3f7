"""A linear layer's bias and ReLU: added in place after the matrix product, and their
gradients (the ReLU mask and the bias's column sums) in one pass over the output gradient.

The matrix products stay with BLAS; these are the passes around them, which NumPy makes one
ufunc at a time (add the bias, clamp; then mask, then sum the columns).
"""

from __future__ import annotations

import numpy as np

from autograd_lite.kernels import switch
from autograd_lite.kernels.jit import jit

__all__ = ["bias_relu", "relu_bias_grads"]


def bias_relu(out: np.ndarray, bias: np.ndarray | None) -> np.ndarray:
    """``out = max(out + bias, 0)`` in place, for a product `out` of shape (batch, n) and a
    bias of shape (n,) (or None); returns `out`."""
    if bias is not None and out.ndim == 2 and switch.compiled_for(out, bias):
        _bias_relu_loop(out, bias)
        return out
    if bias is not None:
        out += bias
    return np.maximum(out, 0, out=out)


@jit
def _bias_relu_loop(out, bias):
    zero = out.dtype.type(0)
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            out[i, j] = max(out[i, j] + bias[j], zero)


def relu_bias_grads(
    g: np.ndarray, ans: np.ndarray, bias_out: np.ndarray | None = None, want_bias: bool = True
) -> tuple[np.ndarray, np.ndarray | None]:
    """The gradient before the ReLU, ``g * (ans > 0)`` (`ans` its output), and its column
    sums, the bias's gradient (into `bias_out` when given; None unless `want_bias`)."""
    if want_bias and g.ndim == 2 and switch.compiled_for(g, ans):
        if bias_out is None or not switch.compiled_for(g, bias_out):
            bias_out = np.empty(g.shape[1], g.dtype)
        masked = np.empty(g.shape, g.dtype)  # (empty_like is a Python wrapper)
        _relu_bias_grads_loop(g, ans, masked, bias_out)
        return masked, bias_out
    masked = g * (ans > 0)
    if not want_bias:
        return masked, None
    rows = masked if masked.ndim == 2 else masked.reshape(-1, masked.shape[-1])
    return masked, np.add.reduce(rows, axis=0, out=bias_out)


@jit
def _relu_bias_grads_loop(g, ans, masked, bias_grad):
    zero = g.dtype.type(0)
    bias_grad[:] = zero
    for i in range(g.shape[0]):
        for j in range(g.shape[1]):
            v = g[i, j] if ans[i, j] > zero else zero
            masked[i, j] = v
            bias_grad[j] += v
