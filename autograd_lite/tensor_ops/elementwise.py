"""The elementwise tensor ops: `scalar_ops.py`'s ops, with the same names in the same order,
each one a `primitive` on arrays with its VJP right below it.

A VJP takes ``g = d loss / d out`` (in the output's shape), the answer and the inputs, and
returns ``g * (d out / d input)`` in the output's shape: the engine sums it back over
broadcast axes. A binary op has one rule per input, so a constant or a data batch gets no
gradient computed. An input may be a Python number (``x * 0.5``): NumPy 2 keeps it weak,
so the result has the tensor's dtype.

The rules are written with operators and ops, so that they run on arrays (first order) and
on Tensors (``create_graph=True``: then they record the graph of the gradient, to
differentiate again). Masks and signs are read from the values (`_rules.value`): constants,
so relu'' = 0 as the first-order conventions say. Every op's Jacobian is diagonal, so its
JVP is its VJP rule applied to the tangent (`_rules.diagonal_jvp`).

Domain errors (``log`` of a non-positive element, division by a zero element, ...) raise
`ValueError` as the scalar engine does; overflow follows IEEE (``inf``, with NumPy's
warning); `detect_anomaly()` finds where. `scalar_ops` ends with the fused neuron ``linear``;
its tensor twin is in `linalg`, with ``matmul``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd_lite.primitive import primitive
from autograd_lite.scalar_ops import _number
from autograd_lite.tensor import Tensor
from autograd_lite.tensor_ops import OPS
from autograd_lite.tensor_ops._rules import diagonal_jvp, value, where

_SQRT_2PI = float(np.sqrt(2.0 * np.pi))  # a Python float: weak, so float32 stays float32

# ---------------------------------------------------------------------------- arithmetic


@OPS.register(operator="add")
@primitive
def add(a: Any, b: Any) -> Any:
    """a + b;  d/da = 1, d/db = 1."""
    return a + b


@add.defvjp
def add_vjp(g: Any, ans: Any, a: Any, b: Any) -> tuple[Any, Any]:
    return g, g


@OPS.register(operator="sub")
@primitive
def sub(a: Any, b: Any) -> Any:
    """a - b;  d/da = 1, d/db = -1."""
    return a - b


sub.defvjp(lambda g, ans, a, b: g, lambda g, ans, a, b: -g)


@OPS.register(operator="mul")
@primitive
def mul(a: Any, b: Any) -> Any:
    """a * b;  d/da = b, d/db = a."""
    return a * b


mul.defvjp(lambda g, ans, a, b: g * b, lambda g, ans, a, b: g * a)


@OPS.register(operator="truediv")
@primitive
def div(a: Any, b: Any) -> Any:
    """a / b;  d/da = 1/b, d/db = -a/b**2 (computed as -out/b, which cannot overflow early)."""
    if not (b.all() if isinstance(b, np.ndarray) else b != 0):
        raise ValueError(
            f"/: division by zero ({_count(np.equal(b, 0))} zero element(s) in the denominator)"
        )
    return a / b


div.defvjp(lambda g, ans, a, b: g / b, lambda g, ans, a, b: -g * ans / b)


@OPS.register(operator="neg")
@primitive
def neg(a: Any) -> Any:
    """-a;  d/da = -1."""
    return -a


@neg.defvjp
def neg_vjp(g: Any, ans: Any, a: Any) -> tuple[Any]:
    return (-g,)


@OPS.register(operator="pow")
def pow(a: Tensor | Any, b: Tensor | Any) -> Tensor:
    """a ** b: `power` for a number exponent, `power_of` for a Tensor (or array) exponent.

    d/da = b * a**(b-1); with a Tensor exponent also d/db = a**b * log(a), for a > 0 (taken
    as 0 at a = 0, its limit for b > 0).
    """
    if isinstance(a, Tensor) and not isinstance(b, (Tensor, np.ndarray, list, tuple)):
        return power(a, _number(b, "**", "exponent"))
    if isinstance(b, Tensor) and b.requires_grad:
        x = np.asarray(a.data if isinstance(a, Tensor) else a)
        if (x < 0).any():
            raise ValueError(
                f"**: a negative base (e.g. {x[x < 0].flat[0]!r}) with a Tensor exponent that "
                f"requires grad has no real derivative with respect to the exponent"
            )
    return power_of(a, b)


@primitive
def power(a: np.ndarray, n: float = 2.0) -> np.ndarray:
    """a ** n for a number exponent n;  d/da = n * a**(n-1)."""
    if n < 0 and (a == 0).any():
        raise ValueError("**: 0.0 raised to a negative power is a division by zero")
    if not float(n).is_integer() and (a < 0).any():
        raise ValueError("**: a negative base to a non-integer power is not real")
    # An integer tensor to a whole, non-negative power stays integer (as NumPy's `x ** 2`).
    if a.dtype.kind in "iu" and n >= 0 and float(n).is_integer():
        return a ** int(n)
    return a**n


@power.defvjp
def power_vjp(g: np.ndarray, ans: np.ndarray, a: np.ndarray, n: float = 2.0) -> tuple[Any]:
    if n == 0.0:
        return (np.zeros_like(g),)  # on a node too: a constant
    with np.errstate(divide="ignore"):  # 0 ** (n - 1) is +inf for n < 1: IEEE, on purpose
        return (g * (n * a ** (n - 1.0)),)


power._label = lambda n=2.0: f"**{n:g}"


@primitive
def power_of(a: Any, b: Any) -> np.ndarray:
    """a ** b for a Tensor exponent b;  d/da = b a**(b-1), d/db = a**b log(a) (0 at a = 0)."""
    _check_power_domain(a, b)
    return np.power(a, b)


def _power_of_vjp_a(g: Any, ans: Any, a: Any, b: Any) -> Any:
    with np.errstate(divide="ignore", invalid="ignore"):
        # b * a**(b-1) is 0 * inf at a = 0, b = 0; its value there is 0 (a**0 is flat).
        corner = (value(a) == 0) & (value(b) == 0)
        return g * where(corner, 0, b * a ** (b - 1))


def _power_of_vjp_b(g: Any, ans: Any, a: Any, b: Any) -> Any:
    return g * ans * log(where(a > 0, a, 1))


power_of.defvjp(_power_of_vjp_a, _power_of_vjp_b)
power_of.name = "**"


def _check_power_domain(x: Any, n: Any) -> None:
    x, n = np.asarray(x), np.asarray(n)
    if ((x == 0) & (n < 0)).any():
        raise ValueError("**: 0.0 raised to a negative power is a division by zero")
    if ((x < 0) & (n != np.round(n))).any():
        raise ValueError("**: a negative base to a non-integer power is not real")


# ---------------------------------------------------------------------- elementary functions


@OPS.register()
@primitive
def exp(a: np.ndarray) -> np.ndarray:
    """exp(a);  d/da = exp(a)."""
    return np.exp(a)


@exp.defvjp
def exp_vjp(g: np.ndarray, ans: np.ndarray, a: np.ndarray) -> tuple[Any]:
    return (g * ans,)


@OPS.register()
@primitive
def log(a: np.ndarray) -> np.ndarray:
    """log(a), natural logarithm;  d/da = 1/a."""
    if (a <= 0).any():
        raise ValueError(
            f"log: expected positive inputs, got {_count(a <= 0)} element(s) <= 0 "
            f"(e.g. {a[a <= 0].flat[0]!r})"
        )
    return np.log(a)


@log.defvjp
def log_vjp(g: np.ndarray, ans: np.ndarray, a: np.ndarray) -> tuple[Any]:
    return (g / a,)


@OPS.register()
@primitive
def sqrt(a: np.ndarray) -> np.ndarray:
    """sqrt(a);  d/da = 1 / (2 sqrt(a)), +inf at a = 0."""
    if (a < 0).any():
        raise ValueError(
            f"sqrt: expected non-negative inputs, got {_count(a < 0)} negative element(s) "
            f"(e.g. {a[a < 0].flat[0]!r})"
        )
    return np.sqrt(a)


@sqrt.defvjp
def sqrt_vjp(g: np.ndarray, ans: np.ndarray, a: np.ndarray) -> tuple[Any]:
    with np.errstate(divide="ignore"):
        return (g * (0.5 / ans),)


@OPS.register(operator="abs", method="abs")
@primitive
def abs(a: np.ndarray) -> np.ndarray:
    """|a|;  d/da = sign(a), and 0 at a = 0 (the subgradient PyTorch uses)."""
    return np.abs(a)


@abs.defvjp
def abs_vjp(g: np.ndarray, ans: np.ndarray, a: np.ndarray) -> tuple[Any]:
    return (g * np.sign(value(a)),)


# ------------------------------------------------------------------------------ activations


@OPS.register()
@primitive
def tanh(a: np.ndarray) -> np.ndarray:
    """tanh(a);  d/da = 1 - tanh(a)**2."""
    return np.tanh(a)


@tanh.defvjp
def tanh_vjp(g: np.ndarray, ans: np.ndarray, a: np.ndarray) -> tuple[Any]:
    return (g * (1 - ans * ans),)


def stable_sigmoid(z: np.ndarray, e: np.ndarray) -> np.ndarray:
    """1 / (1 + exp(-z)) from ``e = exp(-|z|)``, which is <= 1 and so cannot overflow."""
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))


@OPS.register()
@primitive
def sigmoid(a: np.ndarray, beta: float = 1.0) -> np.ndarray:
    """1 / (1 + exp(-beta a));  d/da = beta s (1 - s). Never overflows, for any a and beta."""
    if beta != 1.0:
        beta = _number(beta, "sigmoid", "beta")
    z = a * beta if beta != 1.0 else a
    return stable_sigmoid(z, np.exp(-np.abs(z)))


@sigmoid.defvjp
def sigmoid_vjp(g: np.ndarray, ans: np.ndarray, a: np.ndarray, beta: float = 1.0) -> tuple[Any]:
    return (g * (beta * ans * (1 - ans)),)


sigmoid._label = lambda beta=1.0: "sigmoid" if beta == 1.0 else f"sigmoid(β={beta:g})"


@OPS.register()
@primitive
def relu(a: np.ndarray) -> np.ndarray:
    """max(0, a);  d/da = 1 for a > 0, else 0 (relu'(0) = 0, as in PyTorch)."""
    return np.maximum(a, 0)


@relu.defvjp
def relu_vjp(g: np.ndarray, ans: np.ndarray, a: np.ndarray) -> tuple[Any]:
    return (g * (a > 0),)


@OPS.register()
@primitive
def leaky_relu(a: np.ndarray, negative_slope: float = 0.01) -> np.ndarray:
    """a for a > 0, else negative_slope * a;  d/da = 1 for a > 0, else negative_slope."""
    slope = _number(negative_slope, "leaky_relu", "negative_slope")
    return np.where(a > 0, a, a * slope)


@leaky_relu.defvjp
def leaky_relu_vjp(
    g: np.ndarray, ans: np.ndarray, a: np.ndarray, negative_slope: float = 0.01
) -> tuple[Any]:
    return (where(a > 0, g, g * negative_slope),)


@OPS.register()
@primitive
def hard_sigmoid(a: np.ndarray, x_min: float = -3.0, x_max: float = 3.0) -> np.ndarray:
    """The piecewise-linear sigmoid: 0 for a <= x_min, 1 for a >= x_max, linear between;
    d/da = 1 / (x_max - x_min) strictly between the corners, else 0."""
    lo, hi = _number(x_min, "hard_sigmoid", "x_min"), _number(x_max, "hard_sigmoid", "x_max")
    if not lo < hi:
        raise ValueError(f"hard_sigmoid: expected x_min < x_max, got x_min={lo}, x_max={hi}")
    return np.clip((a - lo) / (hi - lo), 0, 1).astype(a.dtype, copy=False)


@hard_sigmoid.defvjp
def hard_sigmoid_vjp(
    g: np.ndarray, ans: np.ndarray, a: np.ndarray, x_min: float = -3.0, x_max: float = 3.0
) -> tuple[Any]:
    return (g * ((a > x_min) * (a < x_max)) / (x_max - x_min),)  # both hold


@OPS.register()
@primitive
def gaussian(a: np.ndarray, mu: float = 0.0, sigma: float = 1.0) -> np.ndarray:
    """The normal density exp(-(a - mu)**2 / (2 sigma**2)) / (sigma sqrt(2 pi));
    d/da = -(a - mu) / sigma**2 * out."""
    mu, sigma = _number(mu, "gaussian", "mu"), _number(sigma, "gaussian", "sigma")
    if not sigma > 0.0:
        raise ValueError(f"gaussian: expected sigma > 0, got {sigma}")
    u = (a - mu) / sigma
    return np.exp(-0.5 * u * u) / (sigma * _SQRT_2PI)


@gaussian.defvjp
def gaussian_vjp(
    g: np.ndarray, ans: np.ndarray, a: np.ndarray, mu: float = 0.0, sigma: float = 1.0
) -> tuple[Any]:
    return (g * (-(a - mu) / (sigma * sigma) * ans),)


@OPS.register()
@primitive
def step(a: np.ndarray) -> np.ndarray:
    """The unit step: 1 for a >= 0, else 0;  d/da = 0 everywhere (no gradient flows)."""
    return (a >= 0).astype(a.dtype if a.dtype.kind == "f" else np.float32)


@step.defvjp
def step_vjp(g: np.ndarray, ans: np.ndarray, a: np.ndarray) -> tuple[Any]:
    return (np.zeros_like(g),)  # on a node too: a constant


def _count(mask: Any) -> int:
    return int(np.count_nonzero(mask))


for _prim in (add, sub, mul, div, neg, power, power_of, exp, log, sqrt, abs, tanh, sigmoid):
    diagonal_jvp(_prim)
for _prim in (relu, leaky_relu, hard_sigmoid, gaussian, step):
    diagonal_jvp(_prim)

# `power` and `power_of` are reached through `pow` (``x ** 2``), not bound as methods: give
# them the engine's lean path too.
Tensor._method(power)
Tensor._operator(power_of, reflected=False)
