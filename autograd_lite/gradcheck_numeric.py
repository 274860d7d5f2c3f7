"""The numerics shared by the end-to-end and the op-by-op gradient checks: step sizes,
one-sided and central differences, and telling a wrong derivative from a kink.

Every check here looks at one real function ``phi(t)`` of a step ``t`` (an element of an
input moved by ``t``, or the input moved by ``t`` along a direction ``u``) and compares
``phi'(0)`` with what the engine says. The three evaluations ``phi(-h), phi(0), phi(h)`` give
the central difference and both one-sided differences at no extra cost.

The second half holds the engine-neutral view `gradcheck` works on: float64 copies of the
inputs, the scalarised function, and `_Check`, its finite differences element by element or
along random directions.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from autograd_lite import engine
from autograd_lite.gradcheck_results import Mismatch, Verdict
from autograd_lite.scalar import Value

__all__ = [
    "DEFAULT_EPS",
    "Difference",
    "classify",
    "close",
    "relative_step",
]

# The central difference (phi(h) - phi(-h)) / 2h has a truncation error ~ h**2 |phi'''| / 6
# and a rounding error ~ eps_machine |phi| / h; their sum is smallest at
# h ~ cbrt(3 eps_machine |phi| / |phi'''|), i.e. h ~ cbrt(eps_machine) ~ 6e-6 on the scale of
# the input (Numerical Recipes, 5.7). Relative to max(1, |x|), so that a large input still
# moves in float64 and a small one is not moved by less than the spacing of its neighbours.
DEFAULT_EPS = float(np.cbrt(np.finfo(np.float64).eps))

# When a central difference disagrees, it is recomputed with the step divided by this:
# a smooth function's truncation error shrinks 16-fold, a kink's one-sided jump does not.
REFINE = 4.0


def relative_step(x: float, eps: float) -> float:
    """The step for an element of value `x`: ``eps * max(1, |x|)`` (``eps`` if x is not finite)."""
    return eps * max(1.0, abs(x)) if math.isfinite(x) else eps


@dataclass(frozen=True)
class Difference:
    """``phi`` at ``-h_down``, ``0`` and ``h_up`` (the steps as actually taken in float64)."""

    down: float
    base: float
    up: float
    h_down: float
    h_up: float

    @property
    def central(self) -> float:
        return (self.up - self.down) / (self.h_up + self.h_down)

    @property
    def left(self) -> float:
        return (self.base - self.down) / self.h_down

    @property
    def right(self) -> float:
        return (self.up - self.base) / self.h_up

    @property
    def jump(self) -> float:
        """``right - left``: about ``h * phi''`` where phi is smooth, the kink's jump at a kink."""
        return self.right - self.left


def close(analytic: float, numeric: float, atol: float, rtol: float) -> bool:
    """``|analytic - numeric| <= atol + rtol |numeric|`` (equal infinities are close)."""
    if math.isinf(analytic) and analytic == numeric:
        return True
    return abs(analytic - numeric) <= atol + rtol * abs(numeric)


def classify(
    analytic: float,
    coarse: Difference,
    refine: Callable[[], Difference],
    atol: float,
    rtol: float,
) -> tuple[str, float, Difference]:
    """Compare `analytic` with finite differences; returns (verdict, numeric, difference used).

    1. The central difference at the coarse step agrees: OK.
    2. Otherwise `refine()` recomputes it with a step 4 times smaller. If that agrees, the
       coarse step was too large for the curvature (or straddled a nearby kink): OK.
    3. If the one-sided differences disagree at both steps by about the same amount (a jump
       that does not shrink with the step, unlike ``h * phi''``), the point is a kink of the
       function (relu or abs at 0, a tie of max): any value between the one-sided derivatives
       is a valid subgradient, so an analytic value in that range is a non-differentiable
       point, not an error.
    4. Anything else is a wrong derivative.
    """
    if close(analytic, coarse.central, atol, rtol):
        return Verdict.OK, coarse.central, coarse
    fine = refine()
    if close(analytic, fine.central, atol, rtol):
        return Verdict.OK, fine.central, fine
    scale = atol + rtol * max(abs(fine.left), abs(fine.right))
    jump_persists = (
        abs(fine.jump) > scale
        and abs(fine.jump) >= 0.5 * abs(coarse.jump)
        and math.copysign(1.0, fine.jump) == math.copysign(1.0, coarse.jump)
    )
    low, high = sorted((fine.left, fine.right))
    if jump_persists and low - scale <= analytic <= high + scale:
        return Verdict.KINK, fine.central, fine
    return Verdict.WRONG, fine.central, fine


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


class _Check:
    """The finite differences of one scalarised function at the copied inputs."""

    n_directions = 3

    def __init__(
        self, f: Callable[..., Any], copies: list[Any], eps: float, atol: float, rtol: float
    ) -> None:
        self.f, self.copies, self.eps, self.atol, self.rtol = f, copies, eps, atol, rtol
        self._base: float | None = None

    @property
    def base(self) -> float:
        """f at the inputs: needed only for one-sided differences, so computed on demand."""
        if self._base is None:
            self._base = _evaluate(self.f, self.copies)
        return self._base

    def _element_difference(self, x: engine.Node, k: int, v: float, h: float) -> Difference:
        above, below = v + h, v - h  # the steps actually taken are these minus v, after rounding
        _set_element(x, k, above)
        up = _evaluate(self.f, self.copies)
        _set_element(x, k, below)
        down = _evaluate(self.f, self.copies)
        _set_element(x, k, v)
        return Difference(down, math.nan, up, v - below, above - v)

    def elements(self, i: int, grad: np.ndarray, name: str) -> list[Mismatch]:
        """Element by element: one central difference each, refined only where it disagrees."""
        x = self.copies[i]
        flat = _flat(x).copy()
        flat_grad = grad.reshape(-1)
        found = []
        for k, v in enumerate(flat):
            h = relative_step(v, self.eps)
            coarse = self._element_difference(x, k, v, h)
            a = float(flat_grad[k])
            if close(a, coarse.central, self.atol, self.rtol):
                continue
            coarse = _with_base(coarse, self.base)
            verdict, numeric, used = classify(
                a,
                coarse,
                lambda k=k, v=v, h=h: _with_base(
                    self._element_difference(x, k, v, h / REFINE), self.base
                ),
                self.atol,
                self.rtol,
            )
            if verdict != Verdict.OK:
                element = tuple(int(j) for j in np.unravel_index(k, np.shape(x.data)))
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
        h = self.eps * max(1.0, float(np.max(np.abs(original))))
        grad_norm = float(np.linalg.norm(grad))
        atol = self.atol * max(1.0, grad_norm)

        def difference(step: float) -> Difference:
            x.data[...] = original + step * u
            up = _evaluate(self.f, self.copies)
            x.data[...] = original - step * u
            down = _evaluate(self.f, self.copies)
            x.data[...] = original
            return Difference(down, math.nan, up, step, step)

        found = []
        for d in range(self.n_directions):
            u = rng.standard_normal(original.shape)
            u /= np.linalg.norm(u)
            analytic = float(np.sum(grad * u))
            coarse = difference(h)
            if close(analytic, coarse.central, atol, self.rtol):
                continue
            verdict, numeric, used = classify(
                analytic,
                _with_base(coarse, self.base),
                lambda: _with_base(difference(h / REFINE), self.base),
                atol,
                self.rtol,
            )
            if verdict != Verdict.OK:
                label = f"{name} (random direction {d})"
                found.append(Mismatch(i, label, (), analytic, numeric, verdict, _sides(used)))
        return found


def _with_base(d: Difference, base: float) -> Difference:
    return Difference(d.down, base, d.up, d.h_down, d.h_up)


def _sides(d: Difference) -> tuple[float, float]:
    return (d.left, d.right)
