"""Reference implementations of the documented optimizer algorithms (PyTorch's doc boxes)
and the small problems the optimizer tests run them on."""

from __future__ import annotations

import numpy as np

from autograd_lite import Tensor
from nn import optim

SHAPES = [(3, 4), (4,), (1,), (2, 1, 2)]
STEPS = 6

# ------------------------------------------------------------- references (the doc boxes)


def ref_sgd(
    params, grads, lr, momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False, maximize=False
):
    params, bufs, out = [p.copy() for p in params], [None] * len(params), []
    for step in grads:
        for i, g in enumerate(step):
            g = -g if maximize else g
            if weight_decay:
                g = g + weight_decay * params[i]
            if momentum:
                b = g.copy() if bufs[i] is None else momentum * bufs[i] + (1 - dampening) * g
                bufs[i] = b
                g = g + momentum * b if nesterov else b
            params[i] = params[i] - lr * g
        out.append([p.copy() for p in params])
    return out


def ref_adam(params, grads, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0,
             amsgrad=False, maximize=False):  # fmt: skip
    b1, b2 = betas
    params, out = [p.copy() for p in params], []
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    v_max = [np.zeros_like(p) for p in params]
    for t, step in enumerate(grads, start=1):
        for i, g in enumerate(step):
            g = -g if maximize else g
            if weight_decay:
                g = g + weight_decay * params[i]
            m[i] = b1 * m[i] + (1 - b1) * g
            v[i] = b2 * v[i] + (1 - b2) * g**2
            m_hat = m[i] / (1 - b1**t)
            if amsgrad:
                v_max[i] = np.maximum(v_max[i], v[i])
                v_hat = v_max[i] / (1 - b2**t)
            else:
                v_hat = v[i] / (1 - b2**t)
            params[i] = params[i] - lr * m_hat / (np.sqrt(v_hat) + eps)
        out.append([p.copy() for p in params])
    return out


def ref_rmsprop(params, grads, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0.0,
                momentum=0.0, centered=False, maximize=False):  # fmt: skip
    params, out = [p.copy() for p in params], []
    v, g_avg, b = ([np.zeros_like(p) for p in params] for _ in range(3))
    for step in grads:
        for i, g in enumerate(step):
            g = -g if maximize else g
            if weight_decay:
                g = g + weight_decay * params[i]
            v[i] = alpha * v[i] + (1 - alpha) * g**2
            v_tilde = v[i]
            if centered:
                g_avg[i] = alpha * g_avg[i] + (1 - alpha) * g
                v_tilde = v_tilde - g_avg[i] ** 2
            if momentum > 0:
                b[i] = momentum * b[i] + g / (np.sqrt(v_tilde) + eps)
                params[i] = params[i] - lr * b[i]
            else:
                params[i] = params[i] - lr * g / (np.sqrt(v_tilde) + eps)
        out.append([p.copy() for p in params])
    return out


SGD_CASES = [
    {"lr": 0.1},
    {"lr": 0.1, "momentum": 0.9},
    {"lr": 0.05, "momentum": 0.9, "dampening": 0.3},
    {"lr": 0.05, "momentum": 0.8, "nesterov": True},
    {"lr": 0.1, "weight_decay": 0.01},
    {"lr": 0.1, "maximize": True},
    {"lr": 0.05, "momentum": 0.9, "nesterov": True, "weight_decay": 0.1, "maximize": True},
]
ADAM_CASES = [
    {},
    {"lr": 0.01, "betas": (0.8, 0.99)},
    {"lr": 0.01, "betas": (0.0, 0.5), "eps": 1e-3},
    {"lr": 0.01, "weight_decay": 0.1},
    {"lr": 0.01, "amsgrad": True},
    {"lr": 0.01, "maximize": True},
    {"lr": 0.02, "amsgrad": True, "weight_decay": 0.05, "maximize": True},
]
RMSPROP_CASES = [
    {},
    {"lr": 0.01, "alpha": 0.9},
    {"lr": 0.01, "centered": True},
    {"lr": 0.01, "momentum": 0.9},
    {"lr": 0.01, "weight_decay": 0.1},
    {"lr": 0.01, "maximize": True},
    {"lr": 0.01, "centered": True, "momentum": 0.5, "weight_decay": 0.1, "maximize": True},
]
CASES = (
    [(optim.SGD, ref_sgd, kw) for kw in SGD_CASES]
    + [(optim.Adam, ref_adam, kw) for kw in ADAM_CASES]
    + [(optim.RMSprop, ref_rmsprop, kw) for kw in RMSPROP_CASES]
)
CASE_IDS = [f"{cls.__name__}-{kw}" for cls, _, kw in CASES]


def problem(seed=0, shapes=SHAPES, steps=STEPS):
    """Initial values and a gradient per parameter per step (scales vary, for amsgrad)."""
    rng = np.random.default_rng(seed)
    init = [rng.standard_normal(s) for s in shapes]
    scales = rng.uniform(0.1, 3.0, steps)
    return init, [[rng.standard_normal(s) * c for s in shapes] for c in scales]


def run(cls, kw, init, grads, dtype=np.float64, flat=None):
    """Our trajectory: gradients assigned by hand (None: that parameter has none)."""
    params = [Tensor(np.array(a, dtype=dtype), requires_grad=True) for a in init]
    opt = cls(params, flat=flat, **kw)
    out = []
    for step in grads:
        for p, g in zip(params, step):
            p.grad = None if g is None else np.array(g, dtype=dtype)
        opt.step()
        out.append([p.data.copy() for p in params])
    return out, params, opt


def assert_same(a, b):
    for step_a, step_b in zip(a, b, strict=True):
        for x, y in zip(step_a, step_b, strict=True):
            assert x.dtype == y.dtype and np.array_equal(x, y)
