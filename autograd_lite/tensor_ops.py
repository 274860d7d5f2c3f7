"""The tensor ops: `scalar_ops.py`'s ops, with the same names in the same order, on arrays.

Each op computes its result with NumPy and returns it with its VJP beside it. VJPs return
gradients in the *output's* shape; the engine sums them back over broadcast axes
(`broadcasting.unbroadcast`), so no VJP here deals with broadcasting. A VJP computes only
the gradients some parent needs (``needs`` below): no gradient for a data batch.

Domain errors (``log`` of a non-positive element, division by a zero element, ...) raise
`ValueError` as the scalar engine does; overflow follows IEEE (``inf``, with NumPy's
warning); `detect_anomaly()` finds where.

The tensor-only ops (reductions, shapes, matmul, softmax, ...) are at the end, imported
from `tensor_reduce.py` and `tensor_shape.py`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd_lite.scalar_ops import _number
from autograd_lite.tensor import Tensor, apply_binary, as_operands, as_tensor, grad_destination

__all__ = [  # noqa: RUF022 (op order, the same as scalar_ops; tensor-only ops appended below)
    "add", "sub", "mul", "div", "neg", "pow", "exp", "log", "sqrt", "abs",
    "tanh", "sigmoid", "relu", "leaky_relu", "hard_sigmoid", "gaussian", "step", "linear",
]  # fmt: skip

_SQRT_2PI = np.sqrt(2.0 * np.pi)


# ---------------------------------------------------------------------------- arithmetic


def add(a: Tensor | Any, b: Tensor | Any) -> Tensor:
    """a + b;  d/da = 1, d/db = 1."""
    a, b = as_operands(a, b, "+")

    def vjp(g: np.ndarray) -> tuple[Any, Any]:
        return g, g

    return Tensor._result(apply_binary(a, b, np.add, "+"), (a, b), vjp, "+")


def sub(a: Tensor | Any, b: Tensor | Any) -> Tensor:
    """a - b;  d/da = 1, d/db = -1."""
    a, b = as_operands(a, b, "-")
    b_needs = b.requires_grad

    def vjp(g: np.ndarray) -> tuple[Any, Any]:
        return g, (-g if b_needs else None)

    return Tensor._result(apply_binary(a, b, np.subtract, "-"), (a, b), vjp, "-")


def mul(a: Tensor | Any, b: Tensor | Any) -> Tensor:
    """a * b;  d/da = b, d/db = a."""
    a, b = as_operands(a, b, "*")
    ad, bd = a.data, b.data
    a_needs, b_needs = a.requires_grad, b.requires_grad

    def vjp(g: np.ndarray) -> tuple[Any, Any]:
        return (g * bd if a_needs else None), (g * ad if b_needs else None)

    return Tensor._result(apply_binary(a, b, np.multiply, "*"), (a, b), vjp, "*")


def div(a: Tensor | Any, b: Tensor | Any) -> Tensor:
    """a / b;  d/da = 1/b, d/db = -a/b**2 (computed as -out/b)."""
    a, b = as_operands(a, b, "/")
    bd = b.data
    if not bd.all():
        raise ValueError(
            f"/: division by zero ({_count(bd == 0)} zero element(s) in the denominator)"
        )
    out = apply_binary(a, b, np.divide, "/")
    a_needs, b_needs = a.requires_grad, b.requires_grad

    def vjp(g: np.ndarray) -> tuple[Any, Any]:
        return (g / bd if a_needs else None), (-g * out / bd if b_needs else None)

    return Tensor._result(out, (a, b), vjp, "/")


def neg(a: Tensor) -> Tensor:
    """-a;  d/da = -1."""
    a = as_tensor(a, "-")

    def vjp(g: np.ndarray) -> tuple[Any]:
        return (-g,)

    return Tensor._result(-a.data, (a,), vjp, "neg")


def pow(a: Tensor | Any, b: Tensor | Any) -> Tensor:
    """a ** b.

    With a number exponent n: d/da = n * a**(n-1). With a Tensor exponent: also
    d/db = a**b * log(a), for a > 0 (taken as 0 at a = 0, its limit for b > 0).
    """
    if isinstance(a, Tensor) and not isinstance(b, (Tensor, np.ndarray, list, tuple)):
        return _power_const(a, _number(b, "**", "exponent"))
    a, b = as_operands(a, b, "**")
    x, n = a.data, b.data
    if b.requires_grad and (x < 0).any():
        raise ValueError(
            f"**: a negative base (e.g. {x[x < 0].flat[0]!r}) with a Tensor exponent that "
            f"requires grad has no real derivative with respect to the exponent"
        )
    _check_power_domain(x, n)
    out = apply_binary(a, b, np.power, "**")
    a_needs, b_needs = a.requires_grad, b.requires_grad

    def vjp(g: np.ndarray) -> tuple[Any, Any]:
        with np.errstate(divide="ignore", invalid="ignore"):
            # n * x**(n-1) is 0 * inf at x = 0, n = 0; its value there is 0 (x**0 is flat).
            da = g * np.where(n == 0, 0, n * np.power(x, n - 1)) if a_needs else None
            db = g * out * np.log(np.where(x > 0, x, 1)) if b_needs else None
        return da, db

    return Tensor._result(out, (a, b), vjp, "**")


def _power_const(a: Tensor, n: float) -> Tensor:
    x = a.data
    _check_power_domain(x, n)
    # An integer tensor to a whole, non-negative power stays integer (as NumPy's `x ** 2`).
    whole = x.dtype.kind in "iu" and n >= 0 and float(n).is_integer()
    out = x ** int(n) if whole else x**n

    def vjp(g: np.ndarray) -> tuple[Any]:
        if n == 0.0:
            return (np.zeros_like(g),)
        with np.errstate(divide="ignore"):  # 0 ** (n - 1) is +inf for n < 1: IEEE, on purpose
            return (g * (n * x ** (n - 1.0)),)

    return Tensor._result(out, (a,), vjp, f"**{n:g}")


def _check_power_domain(x: np.ndarray, n: Any) -> None:
    n = np.asarray(n)
    if ((x == 0) & (n < 0)).any():
        raise ValueError("**: 0.0 raised to a negative power is a division by zero")
    if ((x < 0) & (n != np.round(n))).any():
        raise ValueError("**: a negative base to a non-integer power is not real")


# ---------------------------------------------------------------------- elementary functions


def exp(a: Tensor) -> Tensor:
    """exp(a);  d/da = exp(a)."""
    a = as_tensor(a, "exp")
    out = np.exp(a.data)

    def vjp(g: np.ndarray) -> tuple[Any]:
        return (g * out,)

    return Tensor._result(out, (a,), vjp, "exp")


def log(a: Tensor) -> Tensor:
    """log(a), natural logarithm;  d/da = 1/a."""
    a = as_tensor(a, "log")
    x = a.data
    if (x <= 0).any():
        raise ValueError(
            f"log: expected positive inputs, got {_count(x <= 0)} element(s) <= 0 "
            f"(e.g. {x[x <= 0].flat[0]!r})"
        )

    def vjp(g: np.ndarray) -> tuple[Any]:
        return (g / x,)

    return Tensor._result(np.log(x), (a,), vjp, "log")


def sqrt(a: Tensor) -> Tensor:
    """sqrt(a);  d/da = 1 / (2 sqrt(a)), +inf at a = 0."""
    a = as_tensor(a, "sqrt")
    if (a.data < 0).any():
        raise ValueError(
            f"sqrt: expected non-negative inputs, got {_count(a.data < 0)} negative element(s) "
            f"(e.g. {a.data[a.data < 0].flat[0]!r})"
        )
    out = np.sqrt(a.data)

    def vjp(g: np.ndarray) -> tuple[Any]:
        with np.errstate(divide="ignore"):
            return (g * (0.5 / out),)

    return Tensor._result(out, (a,), vjp, "sqrt")


def abs(a: Tensor) -> Tensor:
    """|a|;  d/da = sign(a), and 0 at a = 0 (the subgradient PyTorch uses)."""
    a = as_tensor(a, "abs")
    x = a.data

    def vjp(g: np.ndarray) -> tuple[Any]:
        return (g * np.sign(x),)

    return Tensor._result(np.abs(x), (a,), vjp, "abs")


# ------------------------------------------------------------------------------ activations


def tanh(a: Tensor) -> Tensor:
    """tanh(a);  d/da = 1 - tanh(a)**2."""
    a = as_tensor(a, "tanh")
    out = np.tanh(a.data)

    def vjp(g: np.ndarray) -> tuple[Any]:
        return (g * (1 - out * out),)

    return Tensor._result(out, (a,), vjp, "tanh")


def stable_sigmoid(z: np.ndarray, e: np.ndarray) -> np.ndarray:
    """1 / (1 + exp(-z)) from ``e = exp(-|z|)``, which is <= 1 and so cannot overflow."""
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))


def sigmoid(a: Tensor, beta: float = 1.0) -> Tensor:
    """1 / (1 + exp(-beta a));  d/da = beta s (1 - s). Never overflows, for any a and beta."""
    a = as_tensor(a, "sigmoid")
    if beta != 1.0:
        beta = _number(beta, "sigmoid", "beta")
    z = a.data * beta if beta != 1.0 else a.data
    out = stable_sigmoid(z, np.exp(-np.abs(z)))

    def vjp(g: np.ndarray) -> tuple[Any]:
        return (g * (beta * out * (1 - out)),)

    return Tensor._result(out, (a,), vjp, "sigmoid" if beta == 1.0 else f"sigmoid(β={beta:g})")


def relu(a: Tensor) -> Tensor:
    """max(0, a);  d/da = 1 for a > 0, else 0 (relu'(0) = 0, as in PyTorch)."""
    a = as_tensor(a, "relu")
    x = a.data
    out = np.maximum(x, 0)

    def vjp(g: np.ndarray) -> tuple[Any]:
        return (g * (x > 0),)

    return Tensor._result(out, (a,), vjp, "relu")


def leaky_relu(a: Tensor, negative_slope: float = 0.01) -> Tensor:
    """a for a > 0, else negative_slope * a;  d/da = 1 for a > 0, else negative_slope."""
    a = as_tensor(a, "leaky_relu")
    slope = _number(negative_slope, "leaky_relu", "negative_slope")
    x = a.data
    positive = x > 0

    def vjp(g: np.ndarray) -> tuple[Any]:
        return (np.where(positive, g, g * slope),)

    return Tensor._result(np.where(positive, x, x * slope), (a,), vjp, "leaky_relu")


def hard_sigmoid(a: Tensor, x_min: float = -3.0, x_max: float = 3.0) -> Tensor:
    """The piecewise-linear sigmoid: 0 for a <= x_min, 1 for a >= x_max, linear between;
    d/da = 1 / (x_max - x_min) strictly between the corners, else 0."""
    a = as_tensor(a, "hard_sigmoid")
    lo, hi = _number(x_min, "hard_sigmoid", "x_min"), _number(x_max, "hard_sigmoid", "x_max")
    if not lo < hi:
        raise ValueError(f"hard_sigmoid: expected x_min < x_max, got x_min={lo}, x_max={hi}")
    x = a.data
    slope = 1.0 / (hi - lo)
    inside = (x > lo) & (x < hi)

    def vjp(g: np.ndarray) -> tuple[Any]:
        return (g * (inside * slope).astype(g.dtype, copy=False),)

    out = np.clip((x - lo) * slope, 0, 1).astype(x.dtype, copy=False)
    return Tensor._result(out, (a,), vjp, "hard_sigmoid")


def gaussian(a: Tensor, mu: float = 0.0, sigma: float = 1.0) -> Tensor:
    """The normal density exp(-(a - mu)**2 / (2 sigma**2)) / (sigma sqrt(2 pi));
    d/da = -(a - mu) / sigma**2 * out."""
    a = as_tensor(a, "gaussian")
    mu, sigma = _number(mu, "gaussian", "mu"), _number(sigma, "gaussian", "sigma")
    if not sigma > 0.0:
        raise ValueError(f"gaussian: expected sigma > 0, got {sigma}")
    u = (a.data - mu) / sigma
    out = np.exp(-0.5 * u * u) / (sigma * _SQRT_2PI)

    def vjp(g: np.ndarray) -> tuple[Any]:
        return (g * (-u / sigma * out),)

    return Tensor._result(out, (a,), vjp, "gaussian")


def step(a: Tensor) -> Tensor:
    """The unit step: 1 for a >= 0, else 0;  d/da = 0 everywhere (no gradient flows)."""
    a = as_tensor(a, "step")
    out = (a.data >= 0).astype(a.data.dtype if a.data.dtype.kind == "f" else np.float32)

    def vjp(g: np.ndarray) -> tuple[Any]:
        return (np.zeros_like(g),)

    return Tensor._result(out, (a,), vjp, "step")


# ------------------------------------------------------------------------- fused neuron


def linear(x: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """x @ weight.T + bias as one node (PyTorch's ``F.linear``: weight is (out, in));
    d/dx = g @ weight, d/dweight = g.T @ x, d/dbias = g summed over the batch.

    One node instead of three: one VJP, and no broadcast bias gradient to reduce.
    """
    x, weight = as_tensor(x, "linear"), as_tensor(weight, "linear")
    xd, wd = x.data, weight.data
    if wd.ndim != 2 or xd.ndim == 0 or xd.shape[-1] != wd.shape[1]:
        raise ValueError(
            f"linear: expected x of shape (..., {wd.shape[-1] if wd.ndim else '?'}) and "
            f"weight of shape (out, in), got x {x.shape} and weight {weight.shape}"
        )
    out = xd @ wd.T
    parents: tuple[Tensor, ...] = (x, weight)
    if bias is not None:
        bias = as_tensor(bias, "linear")
        if bias.shape != (wd.shape[0],):
            raise ValueError(f"linear: expected bias of shape ({wd.shape[0]},), got {bias.shape}")
        out += bias.data
        parents = (x, weight, bias)
    x_needs, w_needs = x.requires_grad, weight.requires_grad
    b_needs = bias is not None and bias.requires_grad

    def vjp(g: np.ndarray) -> tuple[Any, ...]:
        g2 = g.reshape(-1, g.shape[-1])  # batch axes folded into one
        gx = g @ wd if x_needs else None
        gw = gb = None
        if w_needs:  # straight into the optimizer's buffer when it has one: no allocation
            gw = np.matmul(g2.T, xd.reshape(-1, xd.shape[-1]), out=_destination(weight, g2))
        if len(parents) == 2:
            return gx, gw
        if b_needs:
            gb = np.add.reduce(g2, axis=0, out=_destination(bias, g2))
        return gx, gw, gb

    return Tensor._result(out, parents, vjp, "linear")


# ------------------------------------------------------------------------ tensor-only ops


def matmul(a: Tensor | Any, b: Tensor | Any) -> Tensor:
    """a @ b (1-D, 2-D, or batched with broadcasting, as ``np.matmul``);
    d/da = g @ b.T, d/db = a.T @ g (over the last two axes)."""
    a, b = as_operands(a, b, "@")
    ad, bd = a.data, b.data
    if ad.ndim == 0 or bd.ndim == 0 or ad.shape[-1] != bd.shape[-2 if bd.ndim > 1 else 0]:
        raise ValueError(
            f"@: shapes {a.shape} and {b.shape} are not aligned: the last axis of the left "
            f"operand must match the {'first' if bd.ndim == 1 else 'second-to-last'} axis of "
            f"the right operand"
        )
    out = apply_binary(a, b, np.matmul, "@")
    a_needs, b_needs = a.requires_grad, b.requires_grad

    def vjp(g: np.ndarray) -> tuple[Any, Any]:
        # A 1-D operand is a matrix with one row (left) or one column (right) whose extra
        # axis matmul removed; put it back, use the 2-D rule, and take it out again.
        a2 = ad[None, :] if ad.ndim == 1 else ad
        b2 = bd[:, None] if bd.ndim == 1 else bd
        g2 = g[..., None] if bd.ndim == 1 else g  # (..., m) -> (..., m, 1)
        g2 = np.expand_dims(g2, -2) if ad.ndim == 1 else g2  # (..., p) -> (..., 1, p)
        ga = gb = None
        if a_needs:
            ga = g2 @ np.swapaxes(b2, -1, -2)
            ga = ga[..., 0, :] if ad.ndim == 1 else ga
        if b_needs:
            gb = np.swapaxes(a2, -1, -2) @ g2
            gb = gb[..., 0] if bd.ndim == 1 else gb
        return ga, gb

    return Tensor._result(out, (a, b), vjp, "@")


def _destination(leaf: Tensor, g: np.ndarray) -> np.ndarray | None:
    """`leaf`'s gradient buffer when a VJP may write into it (same dtype as the result)."""
    out = grad_destination(leaf) if leaf._vjp is None else None
    return out if out is not None and out.dtype == g.dtype else None


def _count(mask: np.ndarray) -> int:
    return int(np.count_nonzero(mask))


# The other tensor-only ops, one file per concept.
from autograd_lite import tensor_reduce, tensor_select, tensor_shape  # noqa: E402
from autograd_lite.tensor_reduce import *  # noqa: E402, F403
from autograd_lite.tensor_select import *  # noqa: E402, F403
from autograd_lite.tensor_shape import *  # noqa: E402, F403

__all__ += ["matmul", *tensor_select.__all__, *tensor_reduce.__all__, *tensor_shape.__all__]

# Ops that are also methods of Tensor (``x.exp()``, ``x.sum(axis=0)``); the operators
# (``+ - * / ** @``, indexing, comparisons) are bound in tensor.py.
_OPERATOR_OPS = ("add", "sub", "mul", "div", "neg", "pow", "linear", "getitem", "where")
_FUNCTIONS_ONLY = ("maximum", "minimum", "concatenate", "stack")
METHODS = [name for name in __all__ if name not in _OPERATOR_OPS + _FUNCTIONS_ONLY]
