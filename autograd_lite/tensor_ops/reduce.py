"""Tensor-only ops that reduce along axes: sums, means, extremes, and the softmax family.

Reductions take ``axis`` as an int, a tuple or None (all axes) and ``keepdims``, as NumPy.
Their VJPs put the reduced axes back and spread the gradient over them (`broadcast_to`, an
op of its own, so that a gradient can be differentiated again); their JVPs reduce the
tangent the same way. Like every rule, they run on arrays and on Tensors (see `_rules`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd_lite.primitive import primitive
from autograd_lite.tensor import Tensor, as_tensor
from autograd_lite.tensor_ops import OPS
from autograd_lite.tensor_ops._rules import value
from autograd_lite.tensor_ops.elementwise import exp

Axis = int | tuple[int, ...] | None


def _axes(axis: Axis, ndim: int, op: str) -> tuple[int, ...]:
    """The reduced axes as non-negative ints, or a clear error."""
    if axis is None:
        return tuple(range(ndim))
    if isinstance(axis, (int, np.integer)):
        axes = (axis,)
    elif isinstance(axis, (tuple, list)):
        axes = tuple(axis)
    else:
        raise TypeError(f"{op}: expected axis as an int, a tuple of ints or None, got {axis!r}")
    if not all(isinstance(ax, (int, np.integer)) and -ndim <= ax < ndim for ax in axes):
        raise ValueError(f"{op}: axis {axis!r} is out of range for a tensor with {ndim} axes")
    normalized = tuple(int(ax) % ndim for ax in axes)
    if len(set(normalized)) != len(normalized):
        raise ValueError(f"{op}: axis {axis!r} repeats an axis")
    return normalized


def _one_axis(axis: Any, ndim: int, op: str) -> int:
    """The single axis that softmax-like ops normalise along."""
    if not isinstance(axis, (int, np.integer)):
        raise TypeError(f"{op}: expected one axis (an int), got {axis!r}")
    (ax,) = _axes(axis, ndim, op)
    return ax


def _keep(g: Any, shape: tuple[int, ...], axes: tuple[int, ...], keepdims: bool) -> Any:
    """A reduction's result (or its gradient) with the reduced axes of `shape` put back
    (length 1); a reshape, which arrays and Tensors both have."""
    if keepdims:
        return g
    return g.reshape(tuple(1 if i in axes else n for i, n in enumerate(shape)))


@primitive
def broadcast_to(a: np.ndarray, shape: tuple[int, ...] = ()) -> np.ndarray:
    """`a` repeated along the axes that broadcasting stretches to `shape` (a read-only view);
    d/da: g summed over them, which the engine does for every op (so the VJP is g)."""
    return np.broadcast_to(a, shape)


broadcast_to.defvjp(lambda g, ans, a, shape=(): (g,))
broadcast_to.defjvp(lambda t, ans, a, shape=(): broadcast_to(t, shape))


# ---------------------------------------------------------------------------- sums


@OPS.register()
@primitive
def sum(a: np.ndarray, axis: Axis = None, keepdims: bool = False) -> np.ndarray:
    """The sum over `axis`;  d/da = 1 for every summed element."""
    return a.sum(axis=_axes(axis, a.ndim, "sum"), keepdims=keepdims)


@sum.defvjp
def sum_vjp(g: Any, ans: Any, a: np.ndarray, axis: Axis = None, keepdims: bool = False) -> tuple:
    axes = _axes(axis, a.ndim, "sum")
    return (broadcast_to(_keep(g, a.shape, axes, keepdims), a.shape),)


@sum.defjvp
def sum_jvp(t: Any, ans: Any, a: np.ndarray, axis: Axis = None, keepdims: bool = False) -> Any:
    return t.sum(axis=_axes(axis, a.ndim, "sum"), keepdims=keepdims)


def _count(shape: tuple[int, ...], axes: tuple[int, ...]) -> int:
    return int(np.prod([shape[ax] for ax in axes]))


@OPS.register()
@primitive
def mean(a: np.ndarray, axis: Axis = None, keepdims: bool = False) -> np.ndarray:
    """The mean over `axis`;  d/da = 1/n for each of the n averaged elements."""
    axes = _axes(axis, a.ndim, "mean")
    if _count(a.shape, axes) == 0:
        raise ValueError(
            f"mean: expected a non-empty reduction, got shape {a.shape} over axis {axis!r}"
        )
    return a.mean(axis=axes, keepdims=keepdims)


@mean.defvjp
def mean_vjp(g: Any, ans: Any, a: np.ndarray, axis: Axis = None, keepdims: bool = False) -> tuple:
    axes = _axes(axis, a.ndim, "mean")
    return (broadcast_to(_keep(g, a.shape, axes, keepdims) / _count(a.shape, axes), a.shape),)


@mean.defjvp
def mean_jvp(t: Any, ans: Any, a: np.ndarray, axis: Axis = None, keepdims: bool = False) -> Any:
    return t.mean(axis=_axes(axis, a.ndim, "mean"), keepdims=keepdims)


# ------------------------------------------------------------------------------ extremes


def _extreme(a: np.ndarray, axis: Axis, keepdims: bool, op: str) -> np.ndarray:
    axes = _axes(axis, a.ndim, op)
    if a.size == 0:
        raise ValueError(f"{op}: expected a non-empty tensor, got shape {a.shape}")
    return (a.max if op == "max" else a.min)(axis=axes, keepdims=keepdims)


def _share(a: Any, ans: Any, axes: tuple[int, ...], keepdims: bool, dtype: Any) -> Any:
    """Each element's share of the extreme: 1 for the winner, 0 for the others. Ties share
    it equally (the gradient of the symmetric choice, as NumPy-style amax/amin in PyTorch),
    so it sums to 1 whichever element wins. From the values: a constant on nodes."""
    x = value(a)
    hits = x == _keep(value(ans), x.shape, axes, keepdims)
    return (hits / hits.sum(axis=axes, keepdims=True)).astype(dtype, copy=False)


def _extreme_vjp(
    g: Any, ans: Any, a: np.ndarray, axis: Axis = None, keepdims: bool = False
) -> tuple:
    axes = _axes(axis, a.ndim, "max")
    return (_keep(g, a.shape, axes, keepdims) * _share(a, ans, axes, keepdims, g.dtype),)


def _extreme_jvp(t: Any, ans: Any, a: np.ndarray, axis: Axis = None, keepdims: bool = False):
    axes = _axes(axis, a.ndim, "max")
    return (t * _share(a, ans, axes, keepdims, t.dtype)).sum(axis=axes, keepdims=keepdims)


@OPS.register()
@primitive
def max(a: np.ndarray, axis: Axis = None, keepdims: bool = False) -> np.ndarray:
    """The maximum over `axis` (a Tensor of values);  d/da = 1 at the maximum (shared at ties)."""
    return _extreme(a, axis, keepdims, "max")


@OPS.register()
@primitive
def min(a: np.ndarray, axis: Axis = None, keepdims: bool = False) -> np.ndarray:
    """The minimum over `axis`;  d/da = 1 at the minimum (shared equally at ties)."""
    return _extreme(a, axis, keepdims, "min")


for _extreme_op in (max, min):
    _extreme_op.defvjp(_extreme_vjp)
    _extreme_op.defjvp(_extreme_jvp)


# ---------------------------------------------------------------- composed: var and std


@OPS.register()
def var(a: Tensor, axis: Axis = None, ddof: int = 0, keepdims: bool = False) -> Tensor:
    """The variance over `axis` (divisor n - ddof), composed of mean, sub, mul and sum;
    d/da = 2 (a - mean) / (n - ddof)."""
    a = as_tensor(a, "var")
    axes = _axes(axis, a.ndim, "var")
    count = _count(a.shape, axes)
    if count - ddof <= 0:
        raise ValueError(f"var: expected more than ddof={ddof} elements, got {count}")
    centered = a - a.mean(axis=axes, keepdims=True)
    return (centered * centered).sum(axis=axes, keepdims=keepdims) * (1.0 / (count - ddof))


@OPS.register()
def std(a: Tensor, axis: Axis = None, ddof: int = 0, keepdims: bool = False) -> Tensor:
    """The standard deviation, sqrt(var);  d/da = (a - mean) / ((n - ddof) std)."""
    return var(a, axis=axis, ddof=ddof, keepdims=keepdims).sqrt()


# ------------------------------------------------------------------- the softmax family


def _shifted_max(x: np.ndarray, axis: Axis) -> np.ndarray:
    """The max over `axis` (kept), with infinities replaced by 0 so that x - max is never
    inf - inf: subtracting it keeps every exponent <= 0, which cannot overflow."""
    m = x.max(axis=axis, keepdims=True)
    return np.where(np.isfinite(m), m, 0)


@OPS.register()
@primitive
def logsumexp(a: np.ndarray, axis: Axis = None, keepdims: bool = False) -> np.ndarray:
    """log(sum(exp(a))) over `axis`, computed stably;  d/da = softmax(a)."""
    axes = _axes(axis, a.ndim, "logsumexp")
    m = _shifted_max(a, axes)
    kept = m + np.log(np.exp(a - m).sum(axis=axes, keepdims=True))
    return kept if keepdims else np.squeeze(kept, axis=axes)


@logsumexp.defvjp
def logsumexp_vjp(
    g: Any, ans: Any, a: np.ndarray, axis: Axis = None, keepdims: bool = False
) -> tuple:
    axes = _axes(axis, a.ndim, "logsumexp")
    return (_keep(g, a.shape, axes, keepdims) * exp(a - _keep(ans, a.shape, axes, keepdims)),)


@logsumexp.defjvp
def logsumexp_jvp(t: Any, ans: Any, a: np.ndarray, axis: Axis = None, keepdims: bool = False):
    axes = _axes(axis, a.ndim, "logsumexp")
    softmax = exp(a - _keep(ans, a.shape, axes, keepdims))
    return (t * softmax).sum(axis=axes, keepdims=keepdims)


@OPS.register()
@primitive
def softmax(a: np.ndarray, axis: int = -1) -> np.ndarray:
    """exp(a) / sum(exp(a)) along `axis`, computed stably;
    d/da = s * (g - sum(g * s)) (the VJP, without forming the Jacobian)."""
    ax = _one_axis(axis, a.ndim, "softmax")
    e = np.exp(a - _shifted_max(a, ax))
    return e / e.sum(axis=ax, keepdims=True)


@softmax.defvjp
def softmax_vjp(g: Any, ans: np.ndarray, a: np.ndarray, axis: int = -1) -> tuple:
    ax = _one_axis(axis, a.ndim, "softmax")
    return (ans * (g - (g * ans).sum(axis=ax, keepdims=True)),)


@softmax.defjvp
def softmax_jvp(t: Any, ans: Any, a: np.ndarray, axis: int = -1) -> Any:
    # The Jacobian diag(s) - s s^T is symmetric: the JVP is the VJP's formula.
    return softmax_vjp(t, ans, a, axis)[0]


@OPS.register()
@primitive
def log_softmax(a: np.ndarray, axis: int = -1) -> np.ndarray:
    """a - logsumexp(a) along `axis`, computed stably;  d/da = g - softmax(a) * sum(g)."""
    ax = _one_axis(axis, a.ndim, "log_softmax")
    z = a - _shifted_max(a, ax)
    return z - np.log(np.exp(z).sum(axis=ax, keepdims=True))


@log_softmax.defvjp
def log_softmax_vjp(g: Any, ans: np.ndarray, a: np.ndarray, axis: int = -1) -> tuple:
    ax = _one_axis(axis, a.ndim, "log_softmax")
    return (g - exp(ans) * g.sum(axis=ax, keepdims=True),)


@log_softmax.defjvp
def log_softmax_jvp(t: Any, ans: Any, a: np.ndarray, axis: int = -1) -> Any:
    ax = _one_axis(axis, a.ndim, "log_softmax")
    return t - (exp(ans) * t).sum(axis=ax, keepdims=True)
