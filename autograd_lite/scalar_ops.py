"""The scalar ops: each one computes its result and returns it with its VJP beside it.

A VJP takes ``g = d out / d loss`` and returns one gradient per parent,
``g * (d out / d parent)``. It captures the *values* it needs (never the output node: a node
referenced by its own closure is a reference cycle, and cycles make Python's garbage
collector the bottleneck). Calling a VJP with ``g = 1`` gives the local derivatives, which
is how the pictures label edges.

`tensor_ops.py` defines the same ops, with the same names, in the same order.

Domain errors (``log(0)``, ``sqrt(-1)``, ``0 ** -1``, ``1 / 0``, ...) raise `ValueError`
naming the op and the value; float overflow follows IEEE and gives ``inf`` (use
`detect_anomaly()` to find where).
"""

from __future__ import annotations

import builtins
import math
import numbers
import operator
from collections.abc import Sequence
from typing import Any

from autograd_lite.scalar import Value, as_value

__all__ = [  # noqa: RUF022 (kept in op order, the same order as tensor_ops)
    "add",
    "sub",
    "mul",
    "div",
    "neg",
    "pow",
    "exp",
    "log",
    "sqrt",
    "abs",
    "tanh",
    "sigmoid",
    "relu",
    "leaky_relu",
    "hard_sigmoid",
    "gaussian",
    "step",
    "linear",
]

# Ops that are also methods of Value (``x.exp()``); the operators are bound by the engine.
METHODS = [
    name for name in __all__ if name not in ("add", "sub", "mul", "div", "neg", "pow", "linear")
]

_SQRT_2PI = math.sqrt(2.0 * math.pi)

# ---------------------------------------------------------------------------- arithmetic


def _add_vjp(g: float) -> tuple[float, float]:
    return g, g


def add(a: Value | float, b: Value | float) -> Value:
    """a + b;  d/da = 1, d/db = 1."""
    a, b = as_value(a, "+"), as_value(b, "+")
    return Value._result(a.data + b.data, (a, b), _add_vjp, "+")


def _sub_vjp(g: float) -> tuple[float, float]:
    return g, -g


def sub(a: Value | float, b: Value | float) -> Value:
    """a - b;  d/da = 1, d/db = -1."""
    a, b = as_value(a, "-"), as_value(b, "-")
    return Value._result(a.data - b.data, (a, b), _sub_vjp, "-")


def mul(a: Value | float, b: Value | float) -> Value:
    """a * b;  d/da = b, d/db = a."""
    a, b = as_value(a, "*"), as_value(b, "*")
    ad, bd = a.data, b.data

    def vjp(g: float) -> tuple[float, float]:
        return g * bd, g * ad

    return Value._result(ad * bd, (a, b), vjp, "*")


def div(a: Value | float, b: Value | float) -> Value:
    """a / b;  d/da = 1/b, d/db = -a/b**2 (computed as -out/b, which cannot overflow early)."""
    a, b = as_value(a, "/"), as_value(b, "/")
    bd = b.data
    if bd == 0.0:
        raise ValueError(f"/: division by zero (numerator {a.data!r}, denominator 0.0)")
    out = a.data / bd

    def vjp(g: float) -> tuple[float, float]:
        return g / bd, -g * out / bd

    return Value._result(out, (a, b), vjp, "/")


def _neg_vjp(g: float) -> tuple[float]:
    return (-g,)


def neg(a: Value) -> Value:
    """-a;  d/da = -1."""
    a = as_value(a, "-")
    return Value._result(-a.data, (a,), _neg_vjp, "neg")


def pow(a: Value | float, b: Value | float) -> Value:
    """a ** b.

    With a number exponent n: d/da = n * a**(n-1). With a Value exponent: also
    d/db = a**b * log(a), defined for a > 0 (and taken as 0 at a = 0, its limit for b > 0).
    """
    a = as_value(a, "**")
    x = a.data
    if not isinstance(b, Value):
        n = _number(b, "**", "exponent")
        out = _power(x, n)
        dx = _power_derivative(x, n)

        def vjp_const(g: float) -> tuple[float]:
            return (g * dx,)

        return Value._result(out, (a,), vjp_const, f"**{n:g}")
    n = b.data
    if x < 0.0:
        raise ValueError(
            f"**: a negative base ({x!r}) with a Value exponent has no real derivative with "
            f"respect to the exponent; use a number exponent or a positive base"
        )
    out = _power(x, n)
    dx = _power_derivative(x, n)
    dn = out * math.log(x) if x > 0.0 else 0.0

    def vjp(g: float) -> tuple[float, float]:
        return g * dx, g * dn

    return Value._result(out, (a, b), vjp, "**")


def _power(x: float, n: float) -> float:
    """x ** n with domain errors named, and IEEE infinity on overflow."""
    if x == 0.0 and n < 0.0:
        raise ValueError(f"**: 0.0 raised to a negative power ({n!r}) is a division by zero")
    if x < 0.0 and not float(n).is_integer():
        raise ValueError(f"**: a negative base ({x!r}) to a non-integer power ({n!r}) is not real")
    try:
        return x**n
    except OverflowError:
        odd = float(n).is_integer() and n % 2 == 1
        return -math.inf if (x < 0.0 and odd) else math.inf


def _power_derivative(x: float, n: float) -> float:
    """d/dx x**n = n * x**(n-1); 0 for n = 0, +inf at x = 0 for 0 < n < 1."""
    if n == 0.0:
        return 0.0
    if x == 0.0 and n < 1.0:
        return math.inf
    return n * _power(x, n - 1.0)


# ---------------------------------------------------------------------- elementary functions


def exp(a: Value) -> Value:
    """exp(a);  d/da = exp(a)."""
    a = as_value(a, "exp")
    try:
        out = math.exp(a.data)
    except OverflowError:
        out = math.inf

    def vjp(g: float) -> tuple[float]:
        return (g * out,)

    return Value._result(out, (a,), vjp, "exp")


def log(a: Value) -> Value:
    """log(a), natural logarithm;  d/da = 1/a."""
    a = as_value(a, "log")
    x = a.data
    if x <= 0.0:
        raise ValueError(f"log: expected a positive input, got {x!r}")

    def vjp(g: float) -> tuple[float]:
        return (g / x,)

    return Value._result(math.log(x), (a,), vjp, "log")


def sqrt(a: Value) -> Value:
    """sqrt(a);  d/da = 1 / (2 sqrt(a)), +inf at a = 0."""
    a = as_value(a, "sqrt")
    x = a.data
    if x < 0.0:
        raise ValueError(f"sqrt: expected a non-negative input, got {x!r}")
    out = math.sqrt(x)
    d = 0.5 / out if out > 0.0 else math.inf

    def vjp(g: float) -> tuple[float]:
        return (g * d,)

    return Value._result(out, (a,), vjp, "sqrt")


def abs(a: Value) -> Value:
    """|a|;  d/da = sign(a), and 0 at a = 0 (the subgradient PyTorch uses)."""
    a = as_value(a, "abs")
    x = a.data
    d = 1.0 if x > 0.0 else (-1.0 if x < 0.0 else 0.0)

    def vjp(g: float) -> tuple[float]:
        return (g * d,)

    return Value._result(builtins.abs(x), (a,), vjp, "abs")


# ------------------------------------------------------------------------------ activations


def tanh(a: Value) -> Value:
    """tanh(a);  d/da = 1 - tanh(a)**2."""
    a = as_value(a, "tanh")
    out = math.tanh(a.data)
    d = 1.0 - out * out

    def vjp(g: float) -> tuple[float]:
        return (g * d,)

    return Value._result(out, (a,), vjp, "tanh")


def sigmoid(a: Value, beta: float = 1.0) -> Value:
    """1 / (1 + exp(-beta a));  d/da = beta s (1 - s). Never overflows, for any a and beta."""
    a = as_value(a, "sigmoid")
    if beta != 1.0:
        beta = _number(beta, "sigmoid", "beta")
    z = beta * a.data
    if z >= 0.0:
        out = 1.0 / (1.0 + math.exp(-z))
    else:  # exp(-z) would overflow for very negative z; exp(z) cannot
        e = math.exp(z)
        out = e / (1.0 + e)
    d = beta * out * (1.0 - out)

    def vjp(g: float) -> tuple[float]:
        return (g * d,)

    return Value._result(out, (a,), vjp, "sigmoid" if beta == 1.0 else f"sigmoid(β={beta:g})")


def _relu_vjp_on(g: float) -> tuple[float]:
    return (g,)


def _relu_vjp_off(g: float) -> tuple[float]:
    return (0.0,)


def relu(a: Value) -> Value:
    """max(0, a);  d/da = 1 for a > 0, else 0 (relu'(0) = 0, as in PyTorch)."""
    a = as_value(a, "relu")
    x = a.data
    if x > 0.0:
        return Value._result(x, (a,), _relu_vjp_on, "relu")
    return Value._result(0.0, (a,), _relu_vjp_off, "relu")


def leaky_relu(a: Value, negative_slope: float = 0.01) -> Value:
    """a for a > 0, else negative_slope * a;  d/da = 1 for a > 0, else negative_slope."""
    a = as_value(a, "leaky_relu")
    slope = _number(negative_slope, "leaky_relu", "negative_slope")
    x = a.data
    d = 1.0 if x > 0.0 else slope

    def vjp(g: float) -> tuple[float]:
        return (g * d,)

    return Value._result(x * d, (a,), vjp, "leaky_relu")


def hard_sigmoid(a: Value, x_min: float = -3.0, x_max: float = 3.0) -> Value:
    """The piecewise-linear sigmoid: 0 for a <= x_min, 1 for a >= x_max, linear between.

    d/da = 1 / (x_max - x_min) strictly between the corners, else 0. The defaults (-3, 3)
    are PyTorch's ``Hardsigmoid``.
    """
    a = as_value(a, "hard_sigmoid")
    lo, hi = _number(x_min, "hard_sigmoid", "x_min"), _number(x_max, "hard_sigmoid", "x_max")
    if not lo < hi:
        raise ValueError(f"hard_sigmoid: expected x_min < x_max, got x_min={lo}, x_max={hi}")
    x = a.data
    slope = 1.0 / (hi - lo)
    if x <= lo:
        out, d = 0.0, 0.0
    elif x >= hi:
        out, d = 1.0, 0.0
    else:
        out, d = (x - lo) * slope, slope

    def vjp(g: float) -> tuple[float]:
        return (g * d,)

    return Value._result(out, (a,), vjp, "hard_sigmoid")


def gaussian(a: Value, mu: float = 0.0, sigma: float = 1.0) -> Value:
    """The normal density exp(-(a - mu)**2 / (2 sigma**2)) / (sigma sqrt(2 pi));
    d/da = -(a - mu) / sigma**2 * out.

    (The tutorial's table writes the factor as 1/sqrt(2 pi sigma), a typo for
    1/(sigma sqrt(2 pi)); the two agree at sigma = 1.)
    """
    a = as_value(a, "gaussian")
    mu, sigma = _number(mu, "gaussian", "mu"), _number(sigma, "gaussian", "sigma")
    if not sigma > 0.0:
        raise ValueError(f"gaussian: expected sigma > 0, got {sigma}")
    u = (a.data - mu) / sigma
    out = math.exp(-0.5 * u * u) / (sigma * _SQRT_2PI)
    d = -u / sigma * out

    def vjp(g: float) -> tuple[float]:
        return (g * d,)

    return Value._result(out, (a,), vjp, "gaussian")


def _step_vjp(g: float) -> tuple[float]:
    return (0.0,)


def step(a: Value) -> Value:
    """The unit step: 1 for a >= 0, else 0;  d/da = 0 everywhere.

    The derivative is 0 (and undefined at 0), so no gradient flows through a step: this is
    why the perceptron's threshold unit cannot be trained by backpropagation.
    """
    a = as_value(a, "step")
    return Value._result(1.0 if a.data >= 0.0 else 0.0, (a,), _step_vjp, "step")


# ------------------------------------------------------------------------- fused neuron


def linear(weights: Sequence[Value], inputs: Sequence[Value | float], bias: Value | None) -> Value:
    """A neuron's weighted sum w . x + b as one node (the tensor engine's ``linear`` for one
    output);  d/dw_i = x_i, d/dx_i = w_i, d/db = 1.

    The same value as ``sum(w * x for w, x in zip(weights, inputs)) + bias``, in one node with
    one edge per input instead of 2n nodes: pictures of networks stay readable and the
    graph is ten times smaller to build and to walk. Parents are ordered
    ``(*weights, *inputs, bias)``.
    """
    if len(weights) != len(inputs):
        raise ValueError(
            f"linear: expected as many weights as inputs, got {len(weights)} weights and "
            f"{len(inputs)} inputs"
        )
    ws = [as_value(w, "linear") for w in weights]
    xs = [as_value(x, "linear") for x in inputs]
    wd = [w.data for w in ws]
    xd = [x.data for x in xs]
    out = sum(map(operator.mul, wd, xd), 0.0)
    if bias is None:
        parents = (*ws, *xs)

        def vjp(g: float) -> tuple[float, ...]:
            return (*[g * x for x in xd], *[g * w for w in wd])

    else:
        b = as_value(bias, "linear")
        out += b.data
        parents = (*ws, *xs, b)

        def vjp(g: float) -> tuple[float, ...]:
            return (*[g * x for x in xd], *[g * w for w in wd], g)

    return Value._result(out, parents, vjp, "linear")


# ------------------------------------------------------------------------------- helpers


def _number(x: Any, op: str, name: str) -> float:
    """A finite real hyperparameter (an exponent, a slope), or a clear error."""
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        raise TypeError(f"{op}: expected a real number for {name}, got {type(x).__name__}")
    value = float(x)
    if not math.isfinite(value):
        raise ValueError(f"{op}: expected a finite {name}, got {value}")
    return value
