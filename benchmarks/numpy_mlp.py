"""The floor: a 784-128-10 MLP trained with hand-written, optimised NumPy.

The reference every speed claim is measured against, so it must be as fast as NumPy allows:

- parameters, gradients and Adam's two moments each live in ONE flat float32 buffer (the
  per-layer arrays are views), so Adam is about ten whole-buffer ufunc calls;
- Adam's moments are kept pre-scaled (M = m / (1 - beta1), V = v / (1 - beta2)), so each
  moment update is two calls and the bias corrections fold into two scalars per step;
- every forward and backward intermediate is written into a preallocated array (`out=`),
  and the weight gradients are written straight into their views of the gradient buffer;
- every 50 steps, moments below 2^-100 are flushed to zero, as autograd-lite's NumPy path
  does: a dead unit's moments otherwise decay into subnormal numbers, which make every
  later Adam step several times slower (and the floor's timings swing with it).

`NaiveNumpyMLP` is the same math written the obvious way (new arrays everywhere, Adam per
layer), to show what the optimisations are worth. `ProductsAndAdam` is the other bound: the
step's five matrix products and Adam's update as one pass, and nothing else, the time no
implementation that runs the same products on the same BLAS threads can beat.
"""

from __future__ import annotations

import itertools
import math

import numpy as np

from autograd_lite.kernels.optim import adam_update

# Flush moments below TINY every FLUSH_EVERY steps (the values of autograd_lite.kernels.optim).
FLUSH_EVERY, TINY = 50, 2.0**-100


def init_params(rng: np.random.Generator, sizes: tuple[int, ...] = (784, 128, 10)) -> list:
    """PyTorch's default Linear init: U(-1/sqrt(fan_in), 1/sqrt(fan_in)), float32."""
    params = []
    for fan_in, fan_out in itertools.pairwise(sizes):
        bound = 1.0 / math.sqrt(fan_in)
        params.append(rng.uniform(-bound, bound, (fan_out, fan_in)).astype(np.float32))
        params.append(rng.uniform(-bound, bound, fan_out).astype(np.float32))
    return params


class OptimisedNumpyMLP:
    """784-128-10, ReLU, mean softmax cross-entropy, Adam; one `step(x, y)` per batch."""

    def __init__(self, params: list, batch_size: int, lr: float = 1e-3) -> None:
        self.lr, self.beta1, self.beta2, self.eps, self.t = lr, 0.9, 0.999, 1e-8, 0
        sizes = [p.size for p in params]
        total = sum(sizes)
        self.flat = np.empty(total, np.float32)
        self.grad = np.zeros(total, np.float32)
        self.M = np.zeros(total, np.float32)
        self.V = np.zeros(total, np.float32)
        self.tmp = np.empty(total, np.float32)
        views, grads, start = [], [], 0
        for p, n in zip(params, sizes):
            self.flat[start : start + n] = p.ravel()
            views.append(self.flat[start : start + n].reshape(p.shape))
            grads.append(self.grad[start : start + n].reshape(p.shape))
            start += n
        self.W1, self.b1, self.W2, self.b2 = views
        self.gW1, self.gb1, self.gW2, self.gb2 = grads
        hidden, classes = self.W1.shape[0], self.W2.shape[0]
        self.H = np.empty((batch_size, hidden), np.float32)  # pre-activation
        self.A = np.empty((batch_size, hidden), np.float32)  # relu(H)
        self.Z = np.empty((batch_size, classes), np.float32)  # logits, then softmax - onehot
        self.dA = np.empty((batch_size, hidden), np.float32)
        self.mask = np.empty((batch_size, hidden), bool)
        self.rows = np.arange(batch_size)

    def parameters(self) -> list:
        return [self.W1, self.b1, self.W2, self.b2]

    def step(self, x: np.ndarray, y: np.ndarray) -> float:
        H, A, Z, dA, rows = self.H, self.A, self.Z, self.dA, self.rows
        n = len(y)
        # forward
        np.matmul(x, self.W1.T, out=H)
        H += self.b1
        np.maximum(H, 0, out=A)
        np.matmul(A, self.W2.T, out=Z)
        Z += self.b2
        Z -= Z.max(axis=1, keepdims=True)  # stable softmax
        picked = Z[rows, y]
        np.exp(Z, out=Z)
        sums = Z.sum(axis=1, keepdims=True)
        loss = float(np.mean(np.log(sums[:, 0]) - picked))
        # backward: dZ = (softmax - onehot) / n
        Z *= 1.0 / sums
        Z[rows, y] -= 1.0
        Z *= 1.0 / n
        np.matmul(Z.T, A, out=self.gW2)
        Z.sum(axis=0, out=self.gb2)
        np.matmul(Z, self.W2, out=dA)
        np.greater(H, 0, out=self.mask)
        dA *= self.mask
        np.matmul(dA.T, x, out=self.gW1)
        dA.sum(axis=0, out=self.gb1)
        self._adam()
        return loss

    def _adam(self) -> None:
        b1, b2, g, M, V, tmp = self.beta1, self.beta2, self.grad, self.M, self.V, self.tmp
        self.t += 1
        # M = m / (1 - b1), V = v / (1 - b2):  M <- b1 M + g,  V <- b2 V + g^2.
        M *= b1
        M += g
        np.multiply(g, g, out=tmp)
        V *= b2
        V += tmp
        # p -= lr * m_hat / (sqrt(v_hat) + eps), with m_hat = (1 - b1) M / (1 - b1^t) and
        # v_hat = (1 - b2) V / (1 - b2^t), rearranged into one scale and one epsilon:
        #   p -= c * M / (sqrt(V) + e),  c = lr (1 - b1) sqrt(1 - b2^t) / ((1 - b1^t) sqrt(1 - b2)),
        #   e = eps sqrt(1 - b2^t) / sqrt(1 - b2).
        c, e = self._scalars()
        np.sqrt(V, out=tmp)
        tmp += e
        np.divide(M, tmp, out=tmp)
        tmp *= c
        self.flat -= tmp
        if self.t % FLUSH_EVERY == 0:
            np.putmask(M, np.abs(M) < TINY, 0)
            np.putmask(V, V < TINY, 0)  # V >= 0

    def _scalars(self) -> tuple[float, float]:
        """Step t's scale c and epsilon e (see `_adam`)."""
        root = math.sqrt(1 - self.beta2**self.t) / math.sqrt(1 - self.beta2)
        return self.lr * (1 - self.beta1) * root / (1 - self.beta1**self.t), self.eps * root


class ProductsAndAdam(OptimisedNumpyMLP):
    """Only the work no training step can skip: the five matrix products (two forward, the
    three of the backward: layer 1 needs no input gradient) and one pass of Adam over the
    flat buffers (`autograd_lite.kernels.optim.adam_update`, compiled when numba is chosen).
    No bias, activation, softmax or loss: its ratio to the floor is the ceiling of any step
    that uses the same BLAS. It computes no loss (returns 0.0)."""

    def step(self, x: np.ndarray, y: np.ndarray) -> float:
        H, Z = self.H, self.Z
        np.matmul(x, self.W1.T, out=H)
        np.matmul(H, self.W2.T, out=Z)
        np.matmul(Z.T, H, out=self.gW2)
        np.matmul(Z, self.W2, out=self.dA)
        np.matmul(self.dA.T, x, out=self.gW1)
        self.t += 1
        c, e = self._scalars()
        adam_update(self.flat, self.grad, self.M, self.V, None, beta1=self.beta1,
                    beta2=self.beta2, step_size=c, eps=e, weight_decay=0.0, maximize=False,
                    work=None, tmp=self.tmp)  # fmt: skip
        return 0.0


class NaiveNumpyMLP:
    """The same math written plainly: new arrays for every intermediate, Adam per layer."""

    def __init__(self, params: list, lr: float = 1e-3) -> None:
        self.params = [p.copy() for p in params]
        self.m = [np.zeros_like(p) for p in params]
        self.v = [np.zeros_like(p) for p in params]
        self.lr, self.t = lr, 0

    def parameters(self) -> list:
        return self.params

    def step(self, x: np.ndarray, y: np.ndarray) -> float:
        W1, b1, W2, b2 = self.params
        n = len(y)
        h = x @ W1.T + b1
        a = np.maximum(h, 0)
        z = a @ W2.T + b2
        z = z - z.max(axis=1, keepdims=True)
        p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
        loss = float(-np.log(p[np.arange(n), y]).mean())
        dz = p.copy()
        dz[np.arange(n), y] -= 1
        dz /= n
        grads = [None, None, dz.T @ a, dz.sum(axis=0)]
        da = (dz @ W2) * (h > 0)
        grads[0], grads[1] = da.T @ x, da.sum(axis=0)
        self.t += 1
        for p_, g, m, v in zip(self.params, grads, self.m, self.v):
            m[...] = 0.9 * m + 0.1 * g
            v[...] = 0.999 * v + 0.001 * g * g
            m_hat = m / (1 - 0.9**self.t)
            v_hat = v / (1 - 0.999**self.t)
            p_ -= self.lr * m_hat / (np.sqrt(v_hat) + 1e-8)
        return loss
