"""Hypothesis strategies for testing gradients: the ones autograd-lite's own tests use.

Install the test extra (``pip install autograd-lite[test]``) to use this module.

- `floats_in(domain)`: finite floats inside an op's domain, kept away from its kinks and
  boundaries so that finite differences are meaningful there;
- `values(domain)`: the same as `Value` leaves;
- `expressions()`: small random expression graphs (with reused inputs) to check any
  property of the engine, or of your own code, on many graph shapes.

Examples
--------
>>> from hypothesis import given
>>> from autograd_lite import Value, gradcheck
>>> from autograd_lite.testing import floats_in
>>> @given(floats_in("positive"))
... def test_my_softplus_gradient(x):
...     assert gradcheck(lambda v: (v.exp() + 1).log(), Value(x))
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

try:
    from hypothesis import strategies as st
except ImportError as error:  # pragma: no cover - depends on the environment
    raise ImportError(
        "autograd_lite.testing needs hypothesis: pip install 'autograd-lite[test]'"
    ) from error

from autograd_lite.scalar import Value

__all__ = ["DOMAINS", "Domain", "Expression", "expressions", "floats_in", "values"]


@dataclass(frozen=True)
class Domain:
    """Where an op is smooth: an interval, minus small gaps around kinks and singularities.

    ``gap`` is wide enough that a central difference with a step of 1e-6 never straddles a
    kink, so a failing gradient check points at a real bug, not at a corner.
    """

    low: float
    high: float
    kinks: tuple[float, ...] = ()
    gap: float = 1e-3

    def contains(self, x: float) -> bool:
        return self.low <= x <= self.high and all(abs(x - k) >= self.gap for k in self.kinks)


DOMAINS: dict[str, Domain] = {
    # Any moderate real: exp stays far from overflow, tanh and sigmoid from saturation.
    "real": Domain(-10.0, 10.0),
    # log, sqrt, a Value-exponent base: bounded away from 0 where derivatives blow up.
    "positive": Domain(1e-2, 10.0),
    # A denominator: both signs, bounded away from 0.
    "nonzero": Domain(-10.0, 10.0, kinks=(0.0,), gap=1e-2),
    # relu, abs, leaky_relu, step: the kink at 0.
    "kink_at_zero": Domain(-10.0, 10.0, kinks=(0.0,)),
    # hard_sigmoid with its default corners.
    "hard_sigmoid": Domain(-10.0, 10.0, kinks=(-3.0, 3.0)),
    # A small exponent, so powers stay in range.
    "exponent": Domain(-3.0, 3.0),
}


def floats_in(domain: str | Domain = "real") -> st.SearchStrategy[float]:
    """Finite floats in `domain` (a name from `DOMAINS`, or a `Domain`).

    Hypothesis shrinks towards simple values, and its edge cases (the interval's ends,
    values near the kinks) are kept, so edge behaviour is exercised too.
    """
    d = DOMAINS[domain] if isinstance(domain, str) else domain
    floats = st.floats(d.low, d.high, allow_nan=False, allow_infinity=False)
    return floats.filter(d.contains) if d.kinks else floats


def values(domain: str | Domain = "real", label: str | None = None) -> st.SearchStrategy[Value]:
    """`Value` leaves whose data lies in `domain`."""
    return floats_in(domain).map(lambda x: Value(x, label=label))


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
