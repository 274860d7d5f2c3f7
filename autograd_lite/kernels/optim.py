"""The optimizer updates (SGD with momentum, Adam, RMSprop) on flat arrays, in place.

Each has a NumPy reference (a handful of whole-array ufuncs writing into scratch arrays)
and a loop compiled by numba that reads and writes every array once. The loop also flushes
tiny state values to zero (`flush_below`): the moments of a unit whose gradient stays zero
(a dead ReLU) decay geometrically into subnormal numbers, and arithmetic on subnormals is
many times slower on x86. The flushed values are far below any update they could make
(Adam divides by ``sqrt(v) + eps``), so results agree with the references to float32
tolerance. The references flush too, with `flush_subnormal`, when the caller asks (the
optimizers ask every `FLUSH_EVERY` steps: it costs three passes, too many for every step).

Every function takes the parameter `p` (updated in place), its gradient `g` (never
written), the state arrays, the hyperparameters, and two scratch arrays shaped like `p`
(`work` for the gradient the update follows when `weight_decay` or `maximize` alter it,
else it may be None; and `tmp`), which only the references use.
"""

from __future__ import annotations

import math

import numpy as np

from autograd_lite.kernels import switch
from autograd_lite.kernels.jit import jit

__all__ = [
    "FLUSH_EVERY",
    "adam_update",
    "flush_below",
    "flush_subnormal",
    "rmsprop_update",
    "sgd_update",
]

_NONE = {np.dtype(np.float32): np.empty(0, np.float32), np.dtype(np.float64): np.empty(0)}
#: How often (in steps) the optimizers ask the NumPy references to flush their state.
FLUSH_EVERY = 50


def flush_below(dtype: np.dtype) -> float:
    """The magnitude under which the compiled updates set state to zero: 2^-100 in float32
    and 2^-1000 in float64, far enough above the smallest normal number that decaying
    state (times beta) never becomes subnormal."""
    return 2.0**-100 if np.dtype(dtype) == np.float32 else 2.0**-1000


def flush_subnormal(*arrays: np.ndarray | None) -> None:
    """Set to zero, in place, the entries of each array below `flush_below` in magnitude."""
    for a in arrays:
        if a is not None and a.dtype.kind == "f":
            np.putmask(a, np.abs(a) < flush_below(a.dtype), 0)


def _flat(dtype: np.dtype, *arrays: np.ndarray | None) -> list[np.ndarray]:
    """Contiguous arrays as 1-D (views), None as an empty array (the loops' "absent"); one
    call for all of them, as every update makes it."""
    flat = []
    for a in arrays:
        flat.append(_NONE[dtype] if a is None else a if a.ndim == 1 else a.reshape(-1))
    return flat


def effective_grad(
    g: np.ndarray, p: np.ndarray, weight_decay: float, maximize: bool, work: np.ndarray | None
) -> np.ndarray:
    """The gradient the update follows: ``(-g if maximize else g) + weight_decay * p``, in
    `work` when it differs from `g` (the parameter's own gradient is never written)."""
    if weight_decay:
        np.multiply(p, weight_decay, out=work)
        if maximize:
            np.subtract(work, g, out=work)
        else:
            np.add(work, g, out=work)
        return work
    if maximize:
        np.negative(g, out=work)
        return work
    return g


# -------------------------------------------------------------------------------- SGD


def sgd_update(
    p: np.ndarray,
    g: np.ndarray,
    buf: np.ndarray | None,
    *,
    lr: float,
    momentum: float,
    dampening: float,
    nesterov: bool,
    weight_decay: float,
    maximize: bool,
    first: bool,
    work: np.ndarray | None,
    tmp: np.ndarray,
    flush: bool = False,
) -> None:
    """SGD as PyTorch's: `buf` is the momentum buffer (None without momentum), which the
    `first` step sets to the gradient itself. `flush`: the reference flushes `buf` too."""
    if switch.compiled_for(p, g, buf):
        d, x = p.dtype, p.dtype.type  # scalars of the arrays' dtype: no float64 arithmetic
        _sgd_loop(*_flat(d, p, g, buf), x(lr), x(momentum), x(1.0 - dampening), nesterov,
                  x(weight_decay), x(-1.0 if maximize else 1.0), first,
                  x(flush_below(d)))  # fmt: skip
        return
    d = effective_grad(g, p, weight_decay, maximize, work)
    if momentum:
        if first:  # the buffer starts as the gradient itself
            np.copyto(buf, d)
        else:
            buf *= momentum
            if dampening:
                np.multiply(d, 1.0 - dampening, out=tmp)
                buf += tmp
            else:  # (1 - 0) * d is d: skip the multiply, same bits
                buf += d
        if nesterov:
            np.multiply(buf, momentum, out=tmp)
            tmp += d
            d = tmp
        else:
            d = buf
    np.multiply(d, lr, out=tmp)
    p -= tmp
    if flush:
        flush_subnormal(buf)


@jit(fastmath=False)
def _sgd_loop(p, g, buf, lr, mu, keep, nesterov, wd, sign, first, tiny):
    zero = p.dtype.type(0)
    for i in range(p.size):
        d = sign * g[i] + wd * p[i]
        if mu != 0:
            b = d if first else mu * buf[i] + keep * d
            if abs(b) < tiny:
                b = zero
            buf[i] = b
            d = d + mu * b if nesterov else b
        p[i] -= lr * d


# ------------------------------------------------------------------------------- Adam


def adam_update(
    p: np.ndarray,
    g: np.ndarray,
    m: np.ndarray,
    v: np.ndarray,
    v_max: np.ndarray | None,
    *,
    beta1: float,
    beta2: float,
    step_size: float,
    eps: float,
    weight_decay: float,
    maximize: bool,
    work: np.ndarray | None,
    tmp: np.ndarray,
    flush: bool = False,
) -> None:
    """Adam with pre-scaled moments (see `nn.optim.Adam`): ``m <- b1 m + g``,
    ``v <- b2 v + g^2`` (``v_max <- max(v_max, v)`` with AMSGrad, None without), then
    ``p -= step_size * m / (sqrt(v or v_max) + eps)``; the bias corrections are folded
    into `step_size` and `eps` by the caller. `flush`: the reference flushes the moments."""
    if switch.compiled_for(p, g, m, v, v_max):
        d, x = p.dtype, p.dtype.type
        _adam_loop(*_flat(d, p, g, m, v, v_max), x(beta1), x(beta2), x(step_size), x(eps),
                   x(weight_decay), x(-1.0 if maximize else 1.0),
                   x(flush_below(d)))  # fmt: skip
        return
    d = effective_grad(g, p, weight_decay, maximize, work)
    m *= beta1
    m += d
    np.multiply(d, d, out=tmp)
    v *= beta2
    v += tmp
    if v_max is not None:
        np.maximum(v_max, v, out=v_max)  # max commutes with the positive scaling
        v = v_max
    np.sqrt(v, out=tmp)
    tmp += eps
    np.divide(m, tmp, out=tmp)
    tmp *= step_size
    p -= tmp
    if flush:
        flush_subnormal(m, v, v_max)


@jit(fastmath=False)
def _adam_loop(p, g, m, v, v_max, b1, b2, c, e, wd, sign, tiny):
    zero = p.dtype.type(0)
    amsgrad = v_max.size > 0
    for i in range(p.size):
        d = sign * g[i] + wd * p[i]
        mi = b1 * m[i] + d
        vi = b2 * v[i] + d * d
        if abs(mi) < tiny:
            mi = zero
        if vi < tiny:
            vi = zero
        m[i] = mi
        v[i] = vi
        if amsgrad:
            vi = max(v_max[i], vi)
            v_max[i] = vi
        p[i] -= c * mi / (math.sqrt(vi) + e)


# ---------------------------------------------------------------------------- RMSprop


def rmsprop_update(
    p: np.ndarray,
    g: np.ndarray,
    v: np.ndarray,
    g_avg: np.ndarray | None,
    buf: np.ndarray | None,
    *,
    lr: float,
    alpha: float,
    eps: float,
    momentum: float,
    weight_decay: float,
    maximize: bool,
    work: np.ndarray | None,
    tmp: np.ndarray,
    flush: bool = False,
) -> None:
    """RMSprop as PyTorch's: `v` the running mean of g^2, `g_avg` that of g (centered,
    else None), `buf` the momentum buffer (momentum > 0, else None). `flush`: the
    reference flushes the state."""
    if switch.compiled_for(p, g, v, g_avg, buf):
        d, x = p.dtype, p.dtype.type
        _rmsprop_loop(*_flat(d, p, g, v, g_avg, buf), x(lr), x(alpha), x(1.0 - alpha),
                      x(eps), x(momentum), x(weight_decay), x(-1.0 if maximize else 1.0),
                      x(flush_below(d)))  # fmt: skip
        return
    d = effective_grad(g, p, weight_decay, maximize, work)
    np.multiply(d, d, out=tmp)
    tmp *= 1.0 - alpha
    v *= alpha
    v += tmp
    if g_avg is not None:
        np.multiply(d, 1.0 - alpha, out=tmp)
        g_avg *= alpha
        g_avg += tmp
        np.multiply(g_avg, g_avg, out=tmp)
        np.subtract(v, tmp, out=tmp)
        np.sqrt(tmp, out=tmp)
    else:
        np.sqrt(v, out=tmp)
    tmp += eps
    np.divide(d, tmp, out=tmp)
    if buf is not None:
        buf *= momentum
        buf += tmp
        np.multiply(buf, lr, out=tmp)
    else:
        tmp *= lr
    p -= tmp
    if flush:
        flush_subnormal(v, g_avg, buf)


@jit(fastmath=False)
def _rmsprop_loop(p, g, v, g_avg, buf, lr, alpha, rest, eps, mu, wd, sign, tiny):
    zero = p.dtype.type(0)
    centered, has_momentum = g_avg.size > 0, buf.size > 0
    for i in range(p.size):
        d = sign * g[i] + wd * p[i]
        vi = alpha * v[i] + rest * (d * d)
        if vi < tiny:
            vi = zero
        v[i] = vi
        if centered:
            ai = alpha * g_avg[i] + rest * d
            if abs(ai) < tiny:
                ai = zero
            g_avg[i] = ai
            vi = vi - ai * ai
        step = d / (math.sqrt(vi) + eps)
        if has_momentum:
            b = mu * buf[i] + step
            if abs(b) < tiny:
                b = zero
            buf[i] = b
            step = b
        p[i] -= lr * step
