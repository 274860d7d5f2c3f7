"""The engine-neutral view `gradcheck` works on: float64 copies of the inputs, the function
scalarised to one number, its analytic gradients, and `_Check`, its finite differences
element by element or along random directions (with the numerics of `autograd_lite.check.numeric`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from autograd_lite import engine
from autograd_lite.check.domain import OutsideDomain, evaluate_defined, find_scheme, run_scheme
from autograd_lite.check.numeric import REFINE, Estimate, OneSided, classify, relative_step
from autograd_lite.check.results import Mismatch, Verdict
from autograd_lite.scalar import Value
from autograd_lite.tensor import Tensor


def _float64_copy(x: Any) -> Any:
    """A fresh float64 leaf with the same value (anything else is passed through)."""
    if isinstance(x, Value):
        return Value(x.data, label=x.label)
    if isinstance(x, Tensor):
        floating = x.data.dtype.kind == "f"  # integer data (labels, indices) stays as it is
        data = np.array(x.data, dtype=np.float64) if floating else x.data
        return Tensor(data, requires_grad=x.requires_grad, label=x.label)
    return x


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


class _Check:
    """The finite differences of one scalarised function at the copied inputs."""

    n_directions = 3

    def __init__(
        self, f: Callable[..., Any], copies: list[Any], eps: float, atol: float, rtol: float
    ) -> None:
        self.f, self.copies, self.eps, self.atol, self.rtol = f, copies, eps, atol, rtol
        self._base: float | None = None
        self.notes: list[str] = []

    @property
    def base(self) -> float:
        """f at the inputs (for the one-sided differences): computed once, on demand."""
        if self._base is None:
            self._base = _evaluate(self.f, self.copies)
        return self._base

    def _line(
        self,
        phi: Callable[[float], float],
        taken: Callable[[float], float],
        h: float,
        size: float,
        where: str,
        x: float | None,
    ) -> tuple[Estimate, Callable[[], Estimate]]:
        """The coarse estimate of ``phi'(0)`` and a function computing the refined one."""
        zero_at = None if x is None else abs(x)
        try:
            scheme, values = run_scheme(find_scheme(h, self.eps, size, zero_at), phi)
        except OutsideDomain as outside:
            raise ValueError(outside.message(where, x)) from outside.error
        if scheme.side:
            side = "above" if scheme.side > 0 else "below"
            self.notes.append(
                f"({where}: f is not defined on both sides of the point, so it was checked "
                f"with a one-sided difference from {side})"
            )

        def estimate(values: tuple[Any, ...], scale: float) -> Estimate:
            return scheme.difference(values, [taken(t) for t in scheme.steps(scale)], self.base)

        def refine() -> Estimate:
            try:  # smaller steps than the scheme's: inside too, unless the domain has holes
                return estimate(evaluate_defined(phi, scheme.steps(REFINE)), REFINE)
            except OutsideDomain as outside:
                raise ValueError(outside.message(where, x)) from outside.error

        return estimate(values, 1.0), refine

    def elements(self, i: int, grad: np.ndarray, name: str) -> list[Mismatch]:
        """Element by element: one central difference each, refined only where it disagrees
        or the one-sided differences do (a possible kink)."""
        x = self.copies[i]
        flat = _flat(x).copy()
        flat_grad = grad.reshape(-1)
        shape = np.shape(x.data)
        found = []
        for k, v in enumerate(flat):
            v = float(v)
            element = tuple(int(j) for j in np.unravel_index(k, shape))
            where = name + (f"[{', '.join(map(str, element))}]" if element else "")

            def phi(t: float, k: int = k, v: float = v) -> float:
                _set_element(x, k, v + t)
                try:
                    return _evaluate(self.f, self.copies)
                finally:
                    _set_element(x, k, v)

            def taken(t: float, v: float = v) -> float:
                return (v + t) - v  # the step actually taken, after rounding

            coarse, refine = self._line(phi, taken, relative_step(v, self.eps), abs(v), where, v)
            a = float(flat_grad[k])
            verdict, numeric, used = classify(a, coarse, refine, self.atol, self.rtol)
            if verdict != Verdict.OK:
                found.append(Mismatch(i, name, element, a, numeric, verdict, _sides(used)))
        return found

    def directions(
        self, i: int, grad: np.ndarray, name: str, rng: np.random.Generator
    ) -> list[Mismatch]:
        """Compare <grad, u> with the directional derivative for a few random unit u.

        A fixed wrong gradient has a non-zero component along a random direction with
        probability 1, so a few directions catch any error that is not tiny compared with
        the whole gradient; they cannot say which element is wrong (the op-by-op check can).
        The tolerance scales `atol` with the gradient's norm: the directional derivative
        sums n products, and its rounding grows with their size, not with the result's.
        """
        x = self.copies[i]
        original = x.data.copy()
        size = float(np.max(np.abs(original)))
        h = self.eps * max(1.0, size)
        grad_norm = float(np.linalg.norm(grad))
        atol = self.atol * max(1.0, grad_norm)
        found = []
        for d in range(self.n_directions):
            u = rng.standard_normal(original.shape)
            u /= np.linalg.norm(u)
            label = f"{name} (random direction {d})"

            def phi(t: float, u: np.ndarray = u) -> float:
                x.data[...] = original + t * u
                try:
                    return _evaluate(self.f, self.copies)
                finally:
                    x.data[...] = original

            coarse, refine = self._line(phi, lambda t: t, h, size, label, None)
            analytic = float(np.sum(grad * u))
            verdict, numeric, used = classify(analytic, coarse, refine, atol, self.rtol)
            if verdict != Verdict.OK:
                found.append(Mismatch(i, label, (), analytic, numeric, verdict, _sides(used)))
        return found


def _sides(d: Estimate) -> tuple[float, float] | None:
    return None if isinstance(d, OneSided) else (d.left, d.right)
