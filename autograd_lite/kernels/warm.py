"""`warm_up`: compile every kernel now (or load it from numba's disk cache), instead of at
the first training step, and say what that cost."""

from __future__ import annotations

import numpy as np

from autograd_lite.kernels.dense import bias_relu, relu_bias_grads
from autograd_lite.kernels.jit import Compilation, compile_report
from autograd_lite.kernels.optim import adam_update, rmsprop_update, sgd_update
from autograd_lite.kernels.softmax import softmax_cross_entropy, softmax_cross_entropy_grad
from autograd_lite.kernels.switch import use_backend

__all__ = ["warm_up"]


def warm_up() -> list[Compilation]:
    """Compile the numba kernels for float32 and float64 (softmax: float32) on tiny arrays;
    returns this process's `compile_report`. Raises if numba cannot be imported."""
    with use_backend("numba"):
        for dtype in (np.float32, np.float64):
            _optimizers(dtype)
            out, bias = np.ones((2, 3), dtype), np.ones(3, dtype)
            bias_relu(out, bias)
            relu_bias_grads(out, out, bias)
        z, labels = np.zeros((2, 3), np.float32), np.array([0, 2])
        softmax, _ = softmax_cross_entropy(z, labels)
        softmax_cross_entropy_grad(softmax, labels, 0.5)
    return compile_report()


def _optimizers(dtype: type) -> None:
    p, state = np.zeros(4, dtype), [np.zeros(4, dtype) for _ in range(3)]
    scratch = {"work": np.zeros(4, dtype), "tmp": np.zeros(4, dtype)}
    common = {"weight_decay": 0.0, "maximize": False, **scratch}
    sgd_update(p, p, state[0], lr=0.1, momentum=0.9, dampening=0.0, nesterov=False,
               first=True, **common)  # fmt: skip
    adam_update(p, p, *state, beta1=0.9, beta2=0.999, step_size=1e-3, eps=1e-8, **common)
    rmsprop_update(p, p, *state, lr=1e-2, alpha=0.99, eps=1e-8, momentum=0.9, **common)
