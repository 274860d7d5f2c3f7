"""Tensor-only ops that reduce along axes: sums, means, extremes, and the softmax family.

Reductions take ``axis`` as an int, a tuple or None (all axes) and ``keepdims``, as NumPy.
Their VJPs put the reduced axes back and broadcast the gradient over them.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd_lite.tensor import Tensor, as_tensor

__all__ = ["log_softmax", "logsumexp", "max", "mean", "min", "softmax", "std", "sum", "var"]

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


def _keep(g: np.ndarray, axes: tuple[int, ...], keepdims: bool) -> np.ndarray:
    """The gradient of a reduction with its reduced axes put back (length 1)."""
    return g if keepdims else np.expand_dims(g, axes)


def sum(a: Tensor, axis: Axis = None, keepdims: bool = False) -> Tensor:
    """The sum over `axis`;  d/da = 1 for every summed element."""
    a = as_tensor(a, "sum")
    axes = _axes(axis, a.ndim, "sum")
    shape = a.shape

    def vjp(g: np.ndarray) -> tuple[Any]:
        return (np.broadcast_to(_keep(g, axes, keepdims), shape),)

    return Tensor._result(np.asarray(a.data.sum(axis=axes, keepdims=keepdims)), (a,), vjp, "sum")


def mean(a: Tensor, axis: Axis = None, keepdims: bool = False) -> Tensor:
    """The mean over `axis`;  d/da = 1/n for each of the n averaged elements."""
    a = as_tensor(a, "mean")
    axes = _axes(axis, a.ndim, "mean")
    shape = a.shape
    count = int(np.prod([shape[ax] for ax in axes]))
    if count == 0:
        raise ValueError(
            f"mean: expected a non-empty reduction, got shape {shape} over axis {axis!r}"
        )
    out = np.asarray(a.data.mean(axis=axes, keepdims=keepdims))

    def vjp(g: np.ndarray) -> tuple[Any]:
        return (np.broadcast_to(_keep(g, axes, keepdims) / count, shape),)

    return Tensor._result(out, (a,), vjp, "mean")


def _extreme(a: Tensor, axis: Axis, keepdims: bool, op: str) -> Tensor:
    a = as_tensor(a, op)
    axes = _axes(axis, a.ndim, op)
    if a.size == 0:
        raise ValueError(f"{op}: expected a non-empty tensor, got shape {a.shape}")
    x = a.data
    kept = (x.max if op == "max" else x.min)(axis=axes, keepdims=True)

    def vjp(g: np.ndarray) -> tuple[Any]:
        # Ties share the gradient equally (the gradient of the symmetric choice, as
        # NumPy-style amax/amin in PyTorch), so it sums to g whichever element wins.
        hits = x == kept
        share = hits / hits.sum(axis=axes, keepdims=True)
        return (_keep(g, axes, keepdims) * share.astype(g.dtype, copy=False),)

    out = kept if keepdims else np.squeeze(kept, axis=axes)
    return Tensor._result(np.asarray(out), (a,), vjp, op)


def max(a: Tensor, axis: Axis = None, keepdims: bool = False) -> Tensor:
    """The maximum over `axis` (a Tensor of values);  d/da = 1 at the maximum (shared at ties)."""
    return _extreme(a, axis, keepdims, "max")


def min(a: Tensor, axis: Axis = None, keepdims: bool = False) -> Tensor:
    """The minimum over `axis`;  d/da = 1 at the minimum (shared equally at ties)."""
    return _extreme(a, axis, keepdims, "min")


def var(a: Tensor, axis: Axis = None, ddof: int = 0, keepdims: bool = False) -> Tensor:
    """The variance over `axis` (divisor n - ddof), composed of mean, sub, mul and sum;
    d/da = 2 (a - mean) / (n - ddof)."""
    a = as_tensor(a, "var")
    axes = _axes(axis, a.ndim, "var")
    count = int(np.prod([a.shape[ax] for ax in axes]))
    if count - ddof <= 0:
        raise ValueError(f"var: expected more than ddof={ddof} elements, got {count}")
    centered = a - mean(a, axis=axes, keepdims=True)
    return sum(centered * centered, axis=axes, keepdims=keepdims) * (1.0 / (count - ddof))


def std(a: Tensor, axis: Axis = None, ddof: int = 0, keepdims: bool = False) -> Tensor:
    """The standard deviation, sqrt(var);  d/da = (a - mean) / ((n - ddof) std)."""
    return var(a, axis=axis, ddof=ddof, keepdims=keepdims).sqrt()


def _shifted_max(x: np.ndarray, axis: Axis) -> np.ndarray:
    """The max over `axis` (kept), with infinities replaced by 0 so that x - max is never
    inf - inf: subtracting it keeps every exponent <= 0, which cannot overflow."""
    m = x.max(axis=axis, keepdims=True)
    return np.where(np.isfinite(m), m, 0)


def logsumexp(a: Tensor, axis: Axis = None, keepdims: bool = False) -> Tensor:
    """log(sum(exp(a))) over `axis`, computed stably;  d/da = softmax(a)."""
    a = as_tensor(a, "logsumexp")
    axes = _axes(axis, a.ndim, "logsumexp")
    x = a.data
    m = _shifted_max(x, axes)
    kept = m + np.log(np.exp(x - m).sum(axis=axes, keepdims=True))

    def vjp(g: np.ndarray) -> tuple[Any]:
        return (_keep(g, axes, keepdims) * np.exp(x - kept),)

    out = kept if keepdims else np.squeeze(kept, axis=axes)
    return Tensor._result(np.asarray(out), (a,), vjp, "logsumexp")


def softmax(a: Tensor, axis: int = -1) -> Tensor:
    """exp(a) / sum(exp(a)) along `axis`, computed stably;
    d/da = s * (g - sum(g * s)) (the VJP, without forming the Jacobian)."""
    a = as_tensor(a, "softmax")
    ax = _one_axis(axis, a.ndim, "softmax")
    e = np.exp(a.data - _shifted_max(a.data, ax))
    s = e / e.sum(axis=ax, keepdims=True)

    def vjp(g: np.ndarray) -> tuple[Any]:
        return (s * (g - (g * s).sum(axis=ax, keepdims=True)),)

    return Tensor._result(s, (a,), vjp, "softmax")


def log_softmax(a: Tensor, axis: int = -1) -> Tensor:
    """a - logsumexp(a) along `axis`, computed stably;  d/da = g - softmax(a) * sum(g)."""
    a = as_tensor(a, "log_softmax")
    ax = _one_axis(axis, a.ndim, "log_softmax")
    z = a.data - _shifted_max(a.data, ax)
    out = z - np.log(np.exp(z).sum(axis=ax, keepdims=True))

    def vjp(g: np.ndarray) -> tuple[Any]:
        return (g - np.exp(out) * g.sum(axis=ax, keepdims=True),)

    return Tensor._result(out, (a,), vjp, "log_softmax")
