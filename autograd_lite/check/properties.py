"""Ready-made gradient properties for your own functions and modules, re-exported by
`autograd_lite.testing`: call them in a test (each raises `AssertionError` with a readable
message when the property fails), or under hypothesis with `gradient_property`.

They work on copies of the inputs, so the caller's nodes and their ``.grad`` are left alone.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from autograd_lite import engine
from autograd_lite.check.domain import DOMAINS
from autograd_lite.check.gradcheck import GradcheckError, NonDifferentiableWarning, gradcheck_report
from autograd_lite.check.results import kink_lines
from autograd_lite.scalar import Value
from autograd_lite.tensor import Tensor

__all__ = [
    "assert_grads_close",
    "check_backward_idempotent",
    "check_broadcast_grads",
    "gradient_property",
]


def assert_grads_close(
    f: Callable[..., Any],
    *inputs: Any,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    eps: float | None = None,
    max_elements: int = 256,
    seed: int = 0,
    kinks: str = "warn",
) -> None:
    """Assert that ``backward()``'s gradients of ``f(*inputs)`` match finite differences.

    `gradcheck` as an assertion: on failure pytest shows the wrong elements, the analytic
    and numeric values, and the first op whose VJP is wrong (`GradcheckError` is an
    `AssertionError`). `kinks` says what to do at a non-differentiable point of `f`:
    ``"warn"`` (a `NonDifferentiableWarning`), ``"ignore"``, or ``"fail"``.

    Examples
    --------
    >>> from autograd_lite import Value
    >>> def softplus(x):
    ...     return (x.exp() + 1).log()
    >>> assert_grads_close(softplus, Value(0.5))
    """
    __tracebackhide__ = True  # pytest shows the caller's line, not this one
    if kinks not in ("warn", "ignore", "fail"):
        raise ValueError(f"assert_grads_close: expected kinks in warn/ignore/fail, got {kinks!r}")
    result = gradcheck_report(
        f, *inputs, eps=eps, atol=atol, rtol=rtol, max_elements=max_elements, seed=seed
    )
    if not result.ok:
        raise GradcheckError(str(result), result)
    if result.nondifferentiable:
        text = "\n".join(kink_lines(result.nondifferentiable))
        if kinks == "fail":
            raise AssertionError(text)
        if kinks == "warn":
            warnings.warn(text, NonDifferentiableWarning, stacklevel=2)


def check_backward_idempotent(f: Callable[..., Any], *inputs: Any, grad: Any = None) -> None:
    """Assert that calling ``backward`` twice on one graph is consistent: the intermediate
    gradients are the same both times and the leaf gradients have doubled.

    Runs ``out = f(*inputs)`` on fresh copies of the inputs, asks every intermediate tensor
    to keep its gradient, then calls ``out.backward(grad, retain_graph=True)`` twice (Values
    always keep their graph). `grad` defaults to ones for a tensor with several elements.

    Examples
    --------
    >>> from autograd_lite import Value
    >>> check_backward_idempotent(lambda a, b: (a * b + a).tanh() * a, Value(0.5), Value(2.0))
    """
    __tracebackhide__ = True
    copies = [_leaf_copy(x) for x in inputs]
    leaves = [x for x in copies if isinstance(x, engine.Node) and x.requires_grad]
    out = f(*copies)
    if not isinstance(out, engine.Node):
        raise TypeError(f"expected f to return a Value or a Tensor, got {type(out).__name__}")
    inner = [n for n in engine.topological_order(out) if n.parents]
    for node in inner:
        if isinstance(node, Tensor):
            node.retain_grad()

    def walk() -> tuple[list[Any], list[Any]]:
        if isinstance(out, Tensor):
            seed = np.ones(out.shape) if grad is None and out.size > 1 else grad
            out.backward(seed, retain_graph=True)
        else:
            out.backward(1.0 if grad is None else grad)
        return [_copy(n.grad) for n in inner], [_copy(x.grad) for x in leaves]

    inner_1, leaves_1 = walk()
    inner_2, leaves_2 = walk()
    problems = []
    for node, g1, g2 in zip(inner, inner_1, inner_2):
        if not _close(g1, g2, 1e-12):
            problems.append(f"  intermediate {_name(node)}: first {g1}, second {g2}")
    for k, (leaf, g1, g2) in enumerate(zip(leaves, leaves_1, leaves_2)):
        if not _close(None if g1 is None else 2 * np.asarray(g1), g2, 1e-9):
            name = leaf.label or f"leaf {k}"
            problems.append(f"  {name}: expected twice {g1} after two backward(), got {g2}")
    if problems:
        raise AssertionError("backward twice on one graph is inconsistent:\n" + "\n".join(problems))


def check_broadcast_grads(
    f: Callable[..., Any],
    *shapes: Sequence[int],
    domain: Any = "real",
    seed: int = 0,
    **gradcheck_options: Any,
) -> None:
    """Assert that gradients of inputs of different (broadcast) shapes come back in each
    input's own shape and match finite differences.

    Builds one float64 tensor per shape (elements drawn from `domain`, a name of
    `DOMAINS` or a `Domain`), runs ``f(*tensors)``, checks every
    ``.grad`` has its tensor's shape, then `assert_grads_close` (options passed on).

    Examples
    --------
    >>> check_broadcast_grads(lambda x, b: (x * b).tanh().sum(), (4, 3), (3,))
    >>> check_broadcast_grads(lambda x, s: x / s, (2, 1, 3), (4, 1), domain="positive")
    """
    __tracebackhide__ = True
    d = DOMAINS[domain] if isinstance(domain, str) else domain
    rng = np.random.default_rng(seed)
    tensors = []
    for k, shape in enumerate(shapes):
        x = rng.uniform(max(d.low, -3.0), min(d.high, 3.0), size=tuple(shape))
        for kink in d.kinks:  # off the kinks, by more than the domain's gap
            x = np.where(np.abs(x - kink) < 2 * d.gap, kink + 4 * d.gap, x)
        tensors.append(Tensor(x, requires_grad=True, label=f"x{k}"))
    out = f(*tensors)
    out.backward(np.ones(out.shape) if out.size > 1 else None)
    for t in tensors:
        if t.grad is None or t.grad.shape != t.shape:
            got = None if t.grad is None else t.grad.shape
            raise AssertionError(f"{t.label}: expected a gradient of shape {t.shape}, got {got}")
    assert_grads_close(f, *tensors, seed=seed, **gradcheck_options)


def gradient_property(f: Callable[..., Any], *strategies: Any, **options: Any) -> Callable:
    """A hypothesis test that `assert_grads_close(f, *inputs, **options)` for every draw of
    the inputs from `strategies` (one per argument of `f`).

    Assign it to a name starting with ``test_`` and pytest collects it; hypothesis shrinks
    a failure to the simplest inputs and prints them. The settings come from the active
    hypothesis profile (decorate with ``@settings(...)`` to change them).

    Examples
    --------
    In a test module:

    >>> from autograd_lite.testing import values, tensors
    >>> test_softplus = gradient_property(lambda v: (v.exp() + 1).log(), values("real"))
    >>> test_scaled_tanh = gradient_property(
    ...     lambda x, s: (x * s).tanh().sum(), tensors(shape=(3, 2)), tensors(shape=(2,))
    ... )
    """
    from hypothesis import given
    from hypothesis import strategies as st

    @given(st.tuples(*strategies))
    def gradients_match_finite_differences(inputs: tuple[Any, ...]) -> None:
        assert_grads_close(f, *inputs, **options)

    gradients_match_finite_differences.__doc__ = (
        f"gradient property of {getattr(f, '__qualname__', repr(f))}"
    )
    return gradients_match_finite_differences


# ------------------------------------------------------------------------------ helpers


def _leaf_copy(x: Any) -> Any:
    if isinstance(x, Value):
        return Value(x.data, label=x.label)
    if isinstance(x, Tensor):
        return Tensor(x.data.copy(), requires_grad=x.requires_grad, label=x.label)
    return x


def _copy(g: Any) -> Any:
    return g.copy() if isinstance(g, np.ndarray) else g


def _close(a: Any, b: Any, rtol: float) -> bool:
    if a is None or b is None:
        return a is None and b is None
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    scale = max(1.0, float(np.max(np.abs(a), initial=0.0)))
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=rtol, atol=rtol * scale))


def _name(node: engine.Node) -> str:
    return node.label or f"'{node.op}'"
