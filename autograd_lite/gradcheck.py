"""Finite-difference gradient checking: is the engine's gradient of *your* function right?

`gradcheck` compares the gradients that ``backward()`` computes with central differences
``(f(x + h) - f(x - h)) / 2h`` in float64. It works on copies of the inputs, so the caller's
nodes and their ``.grad`` are left as they were.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from autograd_lite import engine
from autograd_lite.scalar import Value

__all__ = ["GradcheckError", "gradcheck"]


class GradcheckError(AssertionError):
    """Raised by `gradcheck` when analytic and numeric gradients disagree."""


@dataclass
class _Mismatch:
    input_index: int
    input_name: str
    element: tuple[int, ...]
    analytic: float
    numeric: float

    @property
    def abs_error(self) -> float:
        return abs(self.analytic - self.numeric)

    @property
    def rel_error(self) -> float:
        return self.abs_error / max(abs(self.numeric), 1e-300)


def gradcheck(
    f: Callable[..., Any],
    *inputs: Any,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
    max_elements: int = 256,
    seed: int = 0,
) -> bool:
    """Check ``backward()``'s gradients of ``f(*inputs)`` against central finite differences.

    Parameters
    ----------
    f : callable
        Takes the inputs and returns a `Value` or a `Tensor`. A tensor output with more than
        one element is checked through a random projection ``sum(out * v)``, which tests
        the whole vector-Jacobian product.
    *inputs : Value or Tensor
        The points to check at, copied to float64. Gradients are checked with respect to
        every `Value` and every `Tensor` with ``requires_grad=True``; other arguments
        (numbers, arrays, tensors that need no gradient) are passed to `f` as they are.
    eps : float
        Relative step: each element ``x`` is moved by ``h = eps * max(1, |x|)``, so large
        inputs get a step that still changes them in float64.
    atol, rtol : float
        An element passes when ``|analytic - numeric| <= atol + rtol * |numeric|``.
    raise_exception : bool
        Raise `GradcheckError` on a mismatch (default); otherwise return False.
    max_elements : int
        Inputs with more elements are checked along 3 random directions ``u`` (comparing
        ``<grad, u>`` with the finite-difference directional derivative) instead of one
        element at a time, which would cost two evaluations of `f` per element.
    seed : int
        Seeds the random projection and directions, so a check is reproducible.

    Returns
    -------
    bool
        True when every gradient matches.

    Raises
    ------
    GradcheckError
        Naming the input, the element and the analytic and numeric values of the worst
        mismatches.

    Examples
    --------
    >>> from autograd_lite import Value, gradcheck
    >>> gradcheck(lambda x, y: (x * y).tanh() + y.exp(), Value(0.3), Value(-1.2))
    True
    """
    rng = np.random.default_rng(seed)
    copies = [_float64_copy(x) for x in inputs]
    nodes = [i for i, x in enumerate(copies) if isinstance(x, engine.Node) and x.requires_grad]
    if not nodes:
        raise TypeError(
            "gradcheck: expected at least one Value or Tensor input that requires grad, got none"
        )
    loss = _scalarised(f, copies, rng)
    analytic = _analytic_gradients(loss, copies, nodes)
    mismatches = []
    for i in nodes:
        name = copies[i].label or f"input {i}"
        if np.size(copies[i].data) > max_elements:
            mismatches += _directional_mismatches(loss, copies, i, analytic[i], name, eps, rng)
            continue
        numeric = _numeric_gradient(loss, copies, i, eps)
        for element in map(tuple, np.argwhere(~_close(analytic[i], numeric, atol, rtol))):
            mismatches.append(
                _Mismatch(i, name, element, float(analytic[i][element]), float(numeric[element]))
            )
    if not mismatches:
        return True
    if raise_exception:
        raise GradcheckError(_report(mismatches))
    return False


def _close(analytic: np.ndarray, numeric: np.ndarray, atol: float, rtol: float) -> np.ndarray:
    both_inf = np.isinf(analytic) & (analytic == numeric)
    return both_inf | (np.abs(analytic - numeric) <= atol + rtol * np.abs(numeric))


def _report(mismatches: Sequence[_Mismatch], worst: int = 5) -> str:
    shown = sorted(mismatches, key=lambda m: -m.abs_error)[:worst]
    lines = [f"gradcheck: {len(mismatches)} gradient element(s) differ from finite differences"]
    for m in shown:
        where = m.input_name + (f"[{', '.join(map(str, m.element))}]" if m.element else "")
        lines.append(
            f"  {where}: analytic {m.analytic:.10g} vs numeric {m.numeric:.10g} "
            f"(abs error {m.abs_error:.3g}, rel error {m.rel_error:.3g})"
        )
    if len(mismatches) > worst:
        lines.append(f"  ... and {len(mismatches) - worst} more")
    return "\n".join(lines)


# --------------------------------------------------------------- one engine-neutral view


def _float64_copy(x: Any) -> Any:
    """A fresh float64 leaf with the same value (anything else is passed through)."""
    if isinstance(x, Value):
        return Value(x.data, label=x.label)
    copy = getattr(x, "_float64_leaf", None)  # Tensor provides this
    return copy() if copy is not None else x


def _flat(x: engine.Node) -> np.ndarray:
    """A float64 view (Tensor) or copy (Value) of the node's data as one flat array."""
    if isinstance(x, Value):
        return np.array([x.data])
    return x.data.reshape(-1)


def _set_element(x: engine.Node, k: int, v: float) -> None:
    if isinstance(x, Value):
        x.data = float(v)
    else:
        x.data.reshape(-1)[k] = v


def _scalar_output(out: Any) -> float:
    if isinstance(out, Value):
        return out.data
    if isinstance(out, engine.Node) and np.size(out.data) == 1:
        return float(np.asarray(out.data).reshape(()))
    raise TypeError(
        f"gradcheck: expected f to return a scalar Value or a one-element Tensor, got "
        f"{type(out).__name__}{_shape_suffix(out)}"
    )


def _shape_suffix(out: Any) -> str:
    shape = getattr(out, "shape", None)
    return f" of shape {tuple(shape)}" if shape is not None else ""


def _scalarised(f: Callable[..., Any], copies: list[Any], rng: np.random.Generator) -> Any:
    """f itself when it returns a scalar; else ``sum(f(...) * v)`` for one random v."""
    with engine.no_grad():
        probe = f(*copies)
    if isinstance(probe, Value) or (isinstance(probe, engine.Node) and np.size(probe.data) == 1):
        return f
    if not isinstance(probe, engine.Node):
        _scalar_output(probe)  # raises the type error
    v = rng.standard_normal(np.shape(probe.data))

    def projected(*args: Any) -> Any:
        return (f(*args) * v).sum()

    return projected


def _analytic_gradients(
    f: Callable[..., Any], copies: list[Any], nodes: list[int]
) -> dict[int, np.ndarray]:
    for i in nodes:
        copies[i].zero_grad()
    out = f(*copies)
    _scalar_output(out)  # the type check
    out.backward()
    grads = {}
    for i in nodes:
        g = copies[i].grad
        data_shape = np.shape(copies[i].data)
        grads[i] = np.zeros(data_shape) if g is None else np.asarray(g, dtype=np.float64)
    return grads


def _evaluate(f: Callable[..., Any], copies: list[Any]) -> float:
    with engine.no_grad():
        return _scalar_output(f(*copies))


def _numeric_gradient(f: Callable[..., Any], copies: list[Any], i: int, eps: float) -> np.ndarray:
    x = copies[i]
    flat = _flat(x).copy()
    numeric = np.empty_like(flat)
    for k, v in enumerate(flat):
        h = eps * max(1.0, abs(v)) if math.isfinite(v) else eps
        above, below = v + h, v - h  # the step actually taken, after rounding
        _set_element(x, k, above)
        up = _evaluate(f, copies)
        _set_element(x, k, below)
        down = _evaluate(f, copies)
        _set_element(x, k, v)
        numeric[k] = (up - down) / (above - below)
    return numeric.reshape(np.shape(x.data))


def _directional_mismatches(
    f: Callable[..., Any],
    copies: list[Any],
    i: int,
    grad: np.ndarray,
    name: str,
    eps: float,
    rng: np.random.Generator,
    directions: int = 3,
) -> list[_Mismatch]:
    """Compare <grad, u> with (f(x + h u) - f(x - h u)) / 2h for a few random unit u."""
    x = copies[i]
    original = x.data.copy()
    scale = max(1.0, float(np.max(np.abs(original))))
    mismatches = []
    for d in range(directions):
        u = rng.standard_normal(original.shape)
        u /= np.linalg.norm(u)
        h = eps * scale
        x.data[...] = original + h * u
        up = _evaluate(f, copies)
        x.data[...] = original - h * u
        down = _evaluate(f, copies)
        x.data[...] = original
        numeric = (up - down) / (2 * h)
        analytic = float(np.sum(grad * u))
        tolerance = 1e-5 * max(1.0, float(np.linalg.norm(grad))) + 1e-3 * abs(numeric)
        if abs(analytic - numeric) > tolerance:
            mismatches.append(_Mismatch(i, f"{name} (random direction {d})", (), analytic, numeric))
    return mismatches
