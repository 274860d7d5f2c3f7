"""The scalar ops: each one a `primitive` on floats, with its VJP right below it.

A VJP takes ``g = d loss / d out``, the answer and the inputs, and returns one gradient per
input, ``g * (d out / d input)``; a JVP (forward mode) takes one input's tangent ``t`` and
returns its share of the answer's tangent, ``(d out / d input) * t``. Both are written with
operators and these ops only, so the same text runs on floats (first order, the fast path)
and on Values (``create_graph=True``: the derivative is recorded and can be differentiated
again). A first-order VJP never sees the output node (a node held by its own closure is a
reference cycle, and cycles make Python's garbage collector the bottleneck). Calling a node's
VJP with ``g = 1`` gives the local derivatives, which is how the pictures label edges.
Parameters with a default (``beta=1.0``) are constants.

Every op is registered in `OPS`, which makes it a method (``x.exp()``) or an operator
(``a * b``) of `Value`, a name of ``__all__`` and a row the op-table tests require.
`tensor_ops` defines the same ops, with the same names, in the same order.

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

from autograd_lite.primitive import Registry, primitive
from autograd_lite.scalar import Value, as_value

OPS = Registry()

_SQRT_2PI = math.sqrt(2.0 * math.pi)

# ---------------------------------------------------------------------------- arithmetic


@OPS.register(operator="add")
@primitive
def add(a: float, b: float) -> float:
    """a + b;  d/da = 1, d/db = 1."""
    return a + b


@add.defvjp
def add_vjp(g: float, ans: float, a: float, b: float) -> tuple[float, float]:
    return g, g


add.defjvp(lambda t, ans, a, b: t, lambda t, ans, a, b: t)


@OPS.register(operator="sub")
@primitive
def sub(a: float, b: float) -> float:
    """a - b;  d/da = 1, d/db = -1."""
    return a - b


@sub.defvjp
def sub_vjp(g: float, ans: float, a: float, b: float) -> tuple[float, float]:
    return g, -g


sub.defjvp(lambda t, ans, a, b: t, lambda t, ans, a, b: -t)


@OPS.register(operator="mul")
@primitive
def mul(a: float, b: float) -> float:
    """a * b;  d/da = b, d/db = a."""
    return a * b


@mul.defvjp
def mul_vjp(g: float, ans: float, a: float, b: float) -> tuple[float, float]:
    return g * b, g * a


mul.defjvp(lambda t, ans, a, b: t * b, lambda t, ans, a, b: t * a)


@OPS.register(operator="truediv")
@primitive
def div(a: float, b: float) -> float:
    """a / b;  d/da = 1/b, d/db = -a/b**2 (computed as -out/b, which cannot overflow early)."""
    if b == 0.0:
        raise ValueError(f"/: division by zero (numerator {a!r}, denominator 0.0)")
    return a / b


@div.defvjp
def div_vjp(g: float, ans: float, a: float, b: float) -> tuple[float, float]:
    return g / b, -g * ans / b


div.defjvp(lambda t, ans, a, b: t / b, lambda t, ans, a, b: -t * ans / b)


@OPS.register(operator="neg")
@primitive
def neg(a: float) -> float:
    """-a;  d/da = -1."""
    return -a


@neg.defvjp
def neg_vjp(g: float, ans: float, a: float) -> tuple[float]:
    return (-g,)


neg.defjvp(lambda t, ans, a: -t)


@OPS.register(operator="pow")
def pow(a: Value | float, b: Value | float) -> Value:
    """a ** b: `power` for a number exponent, `power_of` for a Value exponent.

    d/da = b * a**(b-1); with a Value exponent also d/db = a**b * log(a), defined for a > 0
    (and taken as 0 at a = 0, its limit for b > 0).
    """
    if isinstance(b, Value):
        return power_of(a, b)
    return power(a, _number(b, "**", "exponent"))


@primitive
def power(a: float, n: float = 2.0) -> float:
    """a ** n for a number exponent n;  d/da = n * a**(n-1)."""
    return _power(a, n)


@power.defvjp
def power_vjp(g: float, ans: float, a: float, n: float = 2.0) -> tuple[float]:
    return (g * _power_derivative(a, n),)


power.defjvp(lambda t, ans, a, n=2.0: t * _power_derivative(a, n))


power._label = lambda n=2.0: f"**{n:g}"


@primitive
def power_of(a: float, b: float) -> float:
    """a ** b for a Value exponent b;  d/da = b a**(b-1), d/db = a**b log(a) (0 at a = 0)."""
    if a < 0.0:
        raise ValueError(
            f"**: a negative base ({a!r}) with a Value exponent has no real derivative with "
            f"respect to the exponent; use a number exponent or a positive base"
        )
    return _power(a, b)


@power_of.defvjp
def power_of_vjp(g: float, ans: float, a: float, b: float) -> tuple[float, float]:
    return g * _power_derivative(a, b), g * _log_factor(ans, a)


power_of.defjvp(
    lambda t, ans, a, b: t * _power_derivative(a, b), lambda t, ans, a, b: t * _log_factor(ans, a)
)


def _log_factor(ans: Any, a: Any) -> Any:
    """d(a**b)/db = a**b log(a), taken as 0 at a = 0 (its limit for b > 0)."""
    return ans * log(a) if a > 0.0 else 0.0


power_of.name = "**"


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


def _power_derivative(x: Any, n: Any) -> Any:
    """d/dx x**n = n * x**(n-1); 0 for n = 0, +inf at x = 0 for 0 < n < 1. On Values (also
    a Value exponent) it records, so the derivative can be differentiated again."""
    if not isinstance(n, Value) and n == 0.0:  # (a Value exponent's 0 still has a derivative)
        return 0.0
    if float(x) == 0.0 and n < 1.0:
        return math.inf
    if isinstance(x, Value) or isinstance(n, Value):  # create_graph: record it
        return n * pow(x, n - 1.0)
    return n * _power(x, n - 1.0)  # first order: the same formula on floats, without dispatch


# ---------------------------------------------------------------------- elementary functions


@OPS.register()
@primitive
def exp(a: float) -> float:
    """exp(a);  d/da = exp(a)."""
    try:
        return math.exp(a)
    except OverflowError:
        return math.inf


@exp.defvjp
def exp_vjp(g: float, ans: float, a: float) -> tuple[float]:
    return (g * ans,)


exp.defjvp(lambda t, ans, a: t * ans)


@OPS.register()
@primitive
def log(a: float) -> float:
    """log(a), natural logarithm;  d/da = 1/a."""
    if a <= 0.0:
        raise ValueError(f"log: expected a positive input, got {a!r}")
    return math.log(a)


@log.defvjp
def log_vjp(g: float, ans: float, a: float) -> tuple[float]:
    return (g / a,)


log.defjvp(lambda t, ans, a: t / a)


@OPS.register()
@primitive
def sqrt(a: float) -> float:
    """sqrt(a);  d/da = 1 / (2 sqrt(a)), +inf at a = 0."""
    if a < 0.0:
        raise ValueError(f"sqrt: expected a non-negative input, got {a!r}")
    return math.sqrt(a)


@sqrt.defvjp
def sqrt_vjp(g: float, ans: float, a: float) -> tuple[float]:
    return (g * _sqrt_derivative(ans),)


sqrt.defjvp(lambda t, ans, a: t * _sqrt_derivative(ans))


def _sqrt_derivative(ans: Any) -> Any:
    return 0.5 / ans if ans > 0.0 else math.inf


@OPS.register(operator="abs", method="abs")
@primitive
def abs(a: float) -> float:
    """|a|;  d/da = sign(a), and 0 at a = 0 (the subgradient PyTorch uses)."""
    return builtins.abs(a)


@abs.defvjp
def abs_vjp(g: float, ans: float, a: float) -> tuple[float]:
    return (g * _sign(a),)


abs.defjvp(lambda t, ans, a: t * _sign(a))


def _sign(a: Any) -> float:
    return 1.0 if a > 0.0 else (-1.0 if a < 0.0 else 0.0)


# ------------------------------------------------------------------------------ activations


@OPS.register()
@primitive
def tanh(a: float) -> float:
    """tanh(a);  d/da = 1 - tanh(a)**2."""
    return math.tanh(a)


@tanh.defvjp
def tanh_vjp(g: float, ans: float, a: float) -> tuple[float]:
    return (g * (1.0 - ans * ans),)


tanh.defjvp(lambda t, ans, a: t * (1.0 - ans * ans))


@OPS.register()
@primitive
def sigmoid(a: float, beta: float = 1.0) -> float:
    """1 / (1 + exp(-beta a));  d/da = beta s (1 - s). Never overflows, for any a and beta."""
    if beta != 1.0:
        beta = _number(beta, "sigmoid", "beta")
    z = beta * a
    if z >= 0.0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)  # exp(-z) would overflow for very negative z; exp(z) cannot
    return e / (1.0 + e)


@sigmoid.defvjp
def sigmoid_vjp(g: float, ans: float, a: float, beta: float = 1.0) -> tuple[float]:
    return (g * beta * ans * (1.0 - ans),)


sigmoid.defjvp(lambda t, ans, a, beta=1.0: t * beta * ans * (1.0 - ans))


sigmoid._label = lambda beta=1.0: "sigmoid" if beta == 1.0 else f"sigmoid(β={beta:g})"


@OPS.register()
@primitive
def relu(a: float) -> float:
    """max(0, a);  d/da = 1 for a > 0, else 0 (relu'(0) = 0, as in PyTorch)."""
    return a if a > 0.0 else 0.0


@relu.defvjp
def relu_vjp(g: float, ans: float, a: float) -> tuple[float]:
    return (g if a > 0.0 else 0.0,)


relu.defjvp(lambda t, ans, a: t if a > 0.0 else 0.0)


@OPS.register()
@primitive
def leaky_relu(a: float, negative_slope: float = 0.01) -> float:
    """a for a > 0, else negative_slope * a;  d/da = 1 for a > 0, else negative_slope."""
    slope = _number(negative_slope, "leaky_relu", "negative_slope")
    return a if a > 0.0 else a * slope


@leaky_relu.defvjp
def leaky_relu_vjp(g: float, ans: float, a: float, negative_slope: float = 0.01) -> tuple[float]:
    return (g if a > 0.0 else g * negative_slope,)


leaky_relu.defjvp(lambda t, ans, a, negative_slope=0.01: t if a > 0.0 else t * negative_slope)


@OPS.register()
@primitive
def hard_sigmoid(a: float, x_min: float = -3.0, x_max: float = 3.0) -> float:
    """The piecewise-linear sigmoid: 0 for a <= x_min, 1 for a >= x_max, linear between.

    d/da = 1 / (x_max - x_min) strictly between the corners, else 0. The defaults (-3, 3)
    are PyTorch's ``Hardsigmoid``.
    """
    lo, hi = _corners(x_min, x_max)
    if a <= lo:
        return 0.0
    if a >= hi:
        return 1.0
    return (a - lo) / (hi - lo)


@hard_sigmoid.defvjp
def hard_sigmoid_vjp(
    g: float, ans: float, a: float, x_min: float = -3.0, x_max: float = 3.0
) -> tuple[float]:
    return (g / (x_max - x_min) if x_min < a < x_max else 0.0,)


hard_sigmoid.defjvp(
    lambda t, ans, a, x_min=-3.0, x_max=3.0: t / (x_max - x_min) if x_min < a < x_max else 0.0
)


def _corners(x_min: Any, x_max: Any) -> tuple[float, float]:
    lo, hi = _number(x_min, "hard_sigmoid", "x_min"), _number(x_max, "hard_sigmoid", "x_max")
    if not lo < hi:
        raise ValueError(f"hard_sigmoid: expected x_min < x_max, got x_min={lo}, x_max={hi}")
    return lo, hi


@OPS.register()
@primitive
def gaussian(a: float, mu: float = 0.0, sigma: float = 1.0) -> float:
    """The normal density exp(-(a - mu)**2 / (2 sigma**2)) / (sigma sqrt(2 pi));
    d/da = -(a - mu) / sigma**2 * out.

    (Lopez Davila's activation table, in *Neural Networks: The Backpropagation Algorithm*,
    writes the factor as 1/sqrt(2 pi sigma), a typo for 1/(sigma sqrt(2 pi)); the two agree
    at sigma = 1.)
    """
    mu, sigma = _number(mu, "gaussian", "mu"), _number(sigma, "gaussian", "sigma")
    if not sigma > 0.0:
        raise ValueError(f"gaussian: expected sigma > 0, got {sigma}")
    u = (a - mu) / sigma
    return math.exp(-0.5 * u * u) / (sigma * _SQRT_2PI)


@gaussian.defvjp
def gaussian_vjp(
    g: float, ans: float, a: float, mu: float = 0.0, sigma: float = 1.0
) -> tuple[float]:
    return (-g * (a - mu) / (sigma * sigma) * ans,)


gaussian.defjvp(lambda t, ans, a, mu=0.0, sigma=1.0: -t * (a - mu) / (sigma * sigma) * ans)


@OPS.register()
@primitive
def step(a: float) -> float:
    """The unit step: 1 for a >= 0, else 0;  d/da = 0 everywhere.

    The derivative is 0 (and undefined at 0), so no gradient flows through a step: this is
    why the perceptron's threshold unit cannot be trained by backpropagation.
    """
    return 1.0 if a >= 0.0 else 0.0


@step.defvjp
def step_vjp(g: float, ans: float, a: float) -> tuple[float]:
    return (0.0,)


step.defjvp(lambda t, ans, a: 0.0)


# ------------------------------------------------------------------------- fused neuron


@OPS.register(method=False)
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
    # The lean path of the `weighted_sum` primitive: this runs once per neuron per example.
    values = (*weights, *inputs) if bias is None else (*weights, *inputs, bias)
    nodes = tuple(v if type(v) is Value else as_value(v, "linear") for v in values)
    data = tuple([v.data for v in nodes])
    n, has_bias = len(weights), bias is not None
    ans = weighted_sum.fun(*data, n=n, bias=has_bias)
    how = _LINEAR_CALLS.get((n, has_bias))
    if how is None:  # one shared record per layer width: no dict built per neuron
        how = _LINEAR_CALLS[n, has_bias] = (weighted_sum, (), {"n": n, "bias": has_bias})
    return Value._result(ans, nodes, _linear_vjp, "linear", how, (ans, data, n, has_bias))


def _linear_vjp(g: float, ans: float, data: tuple, n: int, bias: bool) -> tuple[float, ...]:
    return weighted_sum.rule(g, ans, *data, n=n, bias=bias)


# (n, bias) -> the call `linear` records for derivatives of derivatives (never mutated).
_LINEAR_CALLS: dict[tuple[int, bool], tuple[Any, tuple, dict[str, Any]]] = {}


@primitive
def weighted_sum(*values: float, n: int, bias: bool) -> float:
    """w . x (+ b) of ``values = (*w, *x[, b])``, n weights;  d/dw_i = x_i, d/dx_i = w_i,
    d/db = 1."""
    out = sum(map(operator.mul, values[:n], values[n : 2 * n]), 0.0)
    return out + values[-1] if bias else out


@weighted_sum.defvjp
def weighted_sum_vjp(g: float, ans: float, *values: float, n: int, bias: bool) -> tuple:
    ws, xs = values[:n], values[n : 2 * n]
    grads = (*[g * x for x in xs], *[g * w for w in ws])
    return (*grads, g) if bias else grads


@weighted_sum.defjvp
def weighted_sum_jvp(t: float, ans: float, *values: float, n: int, bias: bool, argnum: int):
    """Input `argnum`'s share: a weight's tangent times its input, an input's tangent times
    its weight, the bias's tangent as it is."""
    if argnum < n:
        return t * values[n + argnum]
    if argnum < 2 * n:
        return t * values[argnum - n]
    return t


weighted_sum.name = "linear"


# ------------------------------------------------------------------------------- helpers


def _number(x: Any, op: str, name: str) -> float:
    """A finite real hyperparameter (an exponent, a slope), or a clear error."""
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        raise TypeError(f"{op}: expected a real number for {name}, got {type(x).__name__}")
    value = float(x)
    if not math.isfinite(value):
        raise ValueError(f"{op}: expected a finite {name}, got {value}")
    return value


__all__ = OPS.names()
