"""Hypothesis strategies for testing gradients: the ones autograd-lite's own tests use.

Install the test extra (``pip install autograd-lite[test]``) to use this module.

- `floats_in(domain)`: finite floats inside an op's domain, kept away from its kinks and
  boundaries so that finite differences are meaningful there;
- `values(domain)`: the same as `Value` leaves;
- `shapes()`, `broadcastable_shapes()`, `arrays(domain)`, `tensors(domain)`: small arrays
  and tensors, and shapes that broadcast together in both directions;
- `expressions()`: small random expression graphs (with reused inputs) to check any
  property of the engine, or of your own code, on many graph shapes.

And ready-made properties to call on your own functions and modules (each raises an
`AssertionError` with a readable message; the first four live in
`autograd_lite.check.properties`):

- `assert_grads_close(f, *inputs)`: gradients match finite differences (`gradcheck` as an
  assertion, naming the first op whose VJP is wrong);
- `check_backward_idempotent(f, *inputs)`: ``backward`` twice on one graph gives the same
  intermediate gradients and twice the leaf gradients;
- `check_broadcast_grads(f, *shapes)`: inputs of broadcast shapes get gradients of their own
  shapes, equal to finite differences;
- `gradient_property(f, *strategies)`: `assert_grads_close` as a hypothesis test;
- `check_scalar_tensor_parity(f, *arrays)`: the same expression on Tensors and on Values
  (one per element, by `autograd_lite.explain.to_values`) gives the same values and
  gradients.

And for derivatives of derivatives:

- `gradgradcheck(f, *inputs)`: second derivatives (``create_graph=True``) match finite
  differences of the first derivatives;
- `check_jvp_matches_vjp(f, *primals)`: forward mode and reverse mode agree,
  ``<jvp(u), v> = <u, vjp(v)>`` for random directions.

Examples
--------
>>> from hypothesis import given
>>> from autograd_lite import Value, gradcheck
>>> from autograd_lite.testing import floats_in
>>> @given(floats_in("positive"))
... def test_my_softplus_gradient(x):
...     assert gradcheck(lambda v: (v.exp() + 1).log(), Value(x))

The same property, ready-made (pytest collects it by its name):

>>> from autograd_lite.testing import gradient_property, values
>>> test_my_softplus = gradient_property(lambda v: (v.exp() + 1).log(), values("positive"))
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

try:
    from hypothesis import strategies as st
    from hypothesis.extra import numpy as hnp
except ImportError as error:  # pragma: no cover - depends on the environment
    raise ImportError(
        "autograd_lite.testing needs hypothesis: pip install 'autograd-lite[test]'"
    ) from error

from autograd_lite.check.domain import DOMAINS, Domain
from autograd_lite.check.duality import check_jvp_matches_vjp
from autograd_lite.check.gradgradcheck import gradgradcheck
from autograd_lite.check.properties import (
    assert_grads_close,
    check_backward_idempotent,
    check_broadcast_grads,
    gradient_property,
)
from autograd_lite.explain.bridge import to_values
from autograd_lite.scalar import Value
from autograd_lite.tensor import Tensor

__all__ = [
    "DOMAINS",
    "Domain",
    "Expression",
    "arrays",
    "assert_grads_close",
    "broadcastable_shapes",
    "check_backward_idempotent",
    "check_broadcast_grads",
    "check_jvp_matches_vjp",
    "check_scalar_tensor_parity",
    "expressions",
    "floats_in",
    "gradgradcheck",
    "gradient_property",
    "shapes",
    "tensors",
    "values",
]


def floats_in(domain: str | Domain = "real") -> st.SearchStrategy[float]:
    """Finite floats in `domain` (a name from `DOMAINS`, or a `Domain`).

    Built as a union of the smooth intervals between the kinks (no filtering, so it stays
    fast inside arrays). Hypothesis keeps the intervals' ends among its edge cases, so the
    values closest to a kink and the domain's extremes are exercised too.
    """
    d = DOMAINS[domain] if isinstance(domain, str) else domain
    pieces = []
    low = d.low
    for kink in sorted(d.kinks):
        if low <= kink - d.gap:
            pieces.append(st.floats(low, kink - d.gap))
        low = max(low, kink + d.gap)
    if low <= d.high:
        pieces.append(st.floats(low, d.high))
    return st.one_of(*pieces) if len(pieces) > 1 else pieces[0]


def values(domain: str | Domain = "real", label: str | None = None) -> st.SearchStrategy[Value]:
    """`Value` leaves whose data lies in `domain`."""
    return floats_in(domain).map(lambda x: Value(x, label=label))


# --------------------------------------------------------------------------------- tensors


def shapes(min_dims: int = 0, max_dims: int = 3, max_side: int = 4) -> st.SearchStrategy:
    """Array shapes, small enough for element-by-element gradient checks."""
    return hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=1, max_side=max_side)


def broadcastable_shapes(
    num_shapes: int = 2, max_dims: int = 3, max_side: int = 4
) -> st.SearchStrategy[tuple[tuple[int, ...], ...]]:
    """Tuples of shapes that broadcast together, in both directions: ``(3, 1)`` with
    ``(4,)``, ``()`` with ``(2, 3)``, equal shapes, ..."""
    strategy = hnp.mutually_broadcastable_shapes(
        num_shapes=num_shapes, min_dims=0, max_dims=max_dims, min_side=1, max_side=max_side
    )
    return strategy.map(lambda b: b.input_shapes)


def arrays(
    domain: str | Domain = "real", shape: Any = None, dtype: Any = np.float64
) -> st.SearchStrategy[np.ndarray]:
    """Arrays of `dtype` whose elements lie in `domain` (shape drawn by `shapes()` if None)."""
    return hnp.arrays(dtype, shape if shape is not None else shapes(), elements=floats_in(domain))


def tensors(
    domain: str | Domain = "real",
    shape: Any = None,
    dtype: Any = np.float64,
    requires_grad: bool = True,
) -> st.SearchStrategy[Tensor]:
    """`Tensor` leaves whose elements lie in `domain`."""
    return arrays(domain, shape, dtype).map(lambda a: Tensor(a, requires_grad=requires_grad))


# ---------------------------------------------------------------------- the two engines


def check_scalar_tensor_parity(
    f: Callable[..., Any],
    *arrays: Any,
    rtol: float = 1e-9,
    atol: float = 1e-12,
    seed: int = 0,
) -> None:
    """Assert that `f` gives the same values and gradients on Tensors and on Values.

    `f` is written with the `Tensor` API (operators, ``@``, ``.exp()``, ``.sum(axis=)``,
    ...). It runs once on float64 Tensors and once on Values, one per element
    (`autograd_lite.explain.to_values`, where each op is the scalar engine's); the outputs
    and the gradients for a random output cotangent must agree.

    Examples
    --------
    >>> import numpy as np
    >>> check_scalar_tensor_parity(lambda x, w: (x @ w).tanh(), np.ones((2, 3)), np.eye(3))
    """
    __tracebackhide__ = True
    tensors = [Tensor(np.array(a, dtype=np.float64), requires_grad=True) for a in arrays]
    out = f(*tensors)
    cotangent = np.random.default_rng(seed).standard_normal(out.shape)
    out.backward(cotangent)
    bridged = to_values(f, *arrays)
    bridged.backward(cotangent)
    problems = []
    if bridged.output.shape != out.shape:
        problems.append(f"  output shape: Tensor {out.shape}, Values {bridged.output.shape}")
    elif not np.allclose(bridged.output.data, out.data, rtol=rtol, atol=atol):
        problems.append(f"  output: Tensor {out.data}, Values {bridged.output.data}")
    for k, (t, g) in enumerate(zip(tensors, bridged.grads)):
        tg = np.zeros(t.shape) if t.grad is None else t.grad
        if not np.allclose(g, tg, rtol=rtol, atol=atol):
            problems.append(f"  gradient of input {k}: Tensor {tg}, Values {g}")
    if problems:
        raise AssertionError("Tensor and Value results differ:\n" + "\n".join(problems))


# ------------------------------------------------------------------ random expression graphs

# Smooth, bounded ops only, so any composition stays finite and differentiable.
_UNARY: dict[str, Callable[[Value], Value]] = {
    "tanh": lambda a: a.tanh(),
    "sigmoid": lambda a: a.sigmoid(),
    "neg": lambda a: -a,
    "square": lambda a: a * a,
    "sin-like": lambda a: (a * 0.5).tanh() * 2.0,
}
_BINARY: dict[str, Callable[[Value, Value], Value]] = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "tanh-mix": lambda a, b: (a * b + a).tanh(),
}


@dataclass(frozen=True)
class Expression:
    """A random expression over ``n_inputs`` leaves, as a tree of op names.

    Call it with `Value`s (or anything with the same operators) to build its graph. Leaves
    are indices into the inputs, so an input can appear many times (reused nodes).
    """

    tree: tuple | int
    n_inputs: int

    def __call__(self, *inputs: Value) -> Value:
        if len(inputs) != self.n_inputs:
            raise TypeError(f"expected {self.n_inputs} inputs, got {len(inputs)}")
        return _evaluate(self.tree, inputs)

    def __repr__(self) -> str:
        return f"Expression({_render(self.tree)})"


def _evaluate(tree: tuple | int, inputs: Sequence[Value]) -> Value:
    # The tree is at most a few levels deep (see `expressions`), so recursion is safe here.
    if isinstance(tree, int):
        return inputs[tree]
    name, *children = tree
    args = [_evaluate(c, inputs) for c in children]
    return (_UNARY if len(args) == 1 else _BINARY)[name](*args)


def _render(tree: tuple | int) -> str:
    if isinstance(tree, int):
        return f"x{tree}"
    name, *children = tree
    return f"{name}({', '.join(_render(c) for c in children)})"


@st.composite
def expressions(draw: st.DrawFn, max_inputs: int = 3, max_leaves: int = 12) -> Expression:
    """Random expression graphs over 1..max_inputs inputs, with shared subexpressions.

    Leaves reuse inputs, so the graphs exercise the classic bugs of this family of engines
    (a node used twice, ``a * a``, ``x - x``).
    """
    n_inputs = draw(st.integers(1, max_inputs))
    leaves = st.integers(0, n_inputs - 1)

    def extend(children: st.SearchStrategy) -> st.SearchStrategy:
        unary = st.tuples(st.sampled_from(sorted(_UNARY)), children)
        binary = st.tuples(st.sampled_from(sorted(_BINARY)), children, children)
        return unary | binary

    tree = draw(st.recursive(leaves, extend, max_leaves=max_leaves))
    return Expression(tree, n_inputs)
