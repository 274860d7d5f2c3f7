"""The MNIST step in JAX: the same 784-128-10 MLP, mean softmax cross-entropy and Adam,
compiled whole with ``jax.jit`` (XLA fuses it into a few kernels), buffers donated so that
the update happens in place. A peer for the benchmarks, used when JAX is installed (the
``bench`` extra)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np


def jax_step(
    params: list[np.ndarray], lr: float = 1e-3
) -> Callable[[np.ndarray, np.ndarray], float]:
    """A ``step(x, y) -> loss`` training a copy of `params` (W1, b1, W2, b2) with Adam."""
    import jax
    import jax.numpy as jnp

    b1, b2, eps = 0.9, 0.999, 1e-8

    def loss_fn(p: Any, x: Any, y: Any) -> Any:
        W1, c1, W2, c2 = p
        h = jax.nn.relu(x @ W1.T + c1)
        z = h @ W2.T + c2
        logp = jax.nn.log_softmax(z, axis=1)
        return -jnp.mean(jnp.take_along_axis(logp, y[:, None], axis=1))

    def update(p: Any, m: Any, v: Any, t: Any, x: Any, y: Any) -> Any:
        loss, g = jax.value_and_grad(loss_fn)(p, x, y)
        t = t + 1
        m = [b1 * mi + (1 - b1) * gi for mi, gi in zip(m, g)]
        v = [b2 * vi + (1 - b2) * gi * gi for vi, gi in zip(v, g)]
        step = lr * jnp.sqrt(1 - b2**t) / (1 - b1**t)
        p = [
            pi - step * mi / (jnp.sqrt(vi) + eps * jnp.sqrt(1 - b2**t))
            for pi, mi, vi in zip(p, m, v)
        ]
        return p, m, v, t, loss

    compiled = jax.jit(update, donate_argnums=(0, 1, 2))
    state = [
        [jnp.asarray(a) for a in params],
        [jnp.zeros_like(a) for a in params],
        [jnp.zeros_like(a) for a in params],
        jnp.asarray(0.0, jnp.float32),
    ]

    def step(x: np.ndarray, y: np.ndarray) -> float:
        p, m, v, t, loss = compiled(*state, x, y.astype(np.int32))
        state[:] = [p, m, v, t]
        return float(loss)

    return step
