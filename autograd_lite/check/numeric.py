"""The numerics shared by the end-to-end and the op-by-op gradient checks: step sizes,
central and one-sided differences, and telling a wrong derivative from a kink.

Every check here looks at one real function ``phi(t)`` of a step ``t`` (an element of an
input moved by ``t``, or the input moved by ``t`` along a direction ``u``) and compares
``phi'(0)`` with what the engine says. The three evaluations ``phi(-h), phi(0), phi(h)`` give
the central difference and both one-sided differences at no extra cost.

Where ``phi(-h)`` or ``phi(h)`` is outside the function's domain (``log`` at 1e-9 with a
step of 6e-6), `autograd_lite.check.domain` finds steps that are not.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from autograd_lite.check.results import Verdict

__all__ = [
    "DEFAULT_EPS",
    "Difference",
    "Estimate",
    "OneSided",
    "classify",
    "close",
    "needs_refinement",
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

# A bound on the rounding error of one evaluation of phi, in units of eps_machine * |phi|:
# a few operations' worth, so that rounding noise is never taken for a kink's jump.
_ROUNDING_ULPS = 16.0
_EPS_MACHINE = float(np.finfo(np.float64).eps)


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

    estimate = central

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

    @property
    def noise(self) -> float:
        """A bound on the rounding error of `jump` (it grows as the steps shrink)."""
        spread = abs(self.up) / self.h_up + abs(self.down) / self.h_down
        spread += abs(self.base) * (1.0 / self.h_up + 1.0 / self.h_down)
        return _ROUNDING_ULPS * _EPS_MACHINE * spread


@dataclass(frozen=True)
class OneSided:
    """``phi`` at ``0``, ``a`` and ``b``: two steps on one side of 0 (``b`` about ``2a``).

    For a point at the edge of the function's domain. The estimate is the slope at 0 of the
    parabola through the three points, ``(-3 phi(0) + 4 phi(h) - phi(2h)) / 2h`` for
    ``a = h, b = 2h``: its truncation error ``-a b phi''' / 6`` (``h**2 phi''' / 3``) is of
    the same order as the central difference's, where the plain one-sided difference
    ``(phi(h) - phi(0)) / h`` would be off by ``h phi'' / 2``, a thousand times more at
    ``h = 6e-6``. It sees one side only, so it cannot tell a kink.
    """

    base: float
    near: float
    far: float
    a: float
    b: float

    @property
    def estimate(self) -> float:
        a, b = self.a, self.b
        return (
            -self.base * (a + b) / (a * b)
            + self.near * b / (a * (b - a))
            - self.far * a / (b * (b - a))
        )

    left = right = estimate
    jump = noise = 0.0


Estimate = Difference | OneSided


# -------------------------------------------------------------------------------- verdicts


def close(analytic: float, numeric: float, atol: float, rtol: float) -> bool:
    """``|analytic - numeric| <= atol + rtol |numeric|`` (equal infinities are close)."""
    if math.isinf(analytic) and analytic == numeric:
        return True
    return abs(analytic - numeric) <= atol + rtol * abs(numeric)


def _scale(d: Estimate, atol: float, rtol: float) -> float:
    return atol + rtol * max(abs(d.left), abs(d.right))


def _jumps(d: Estimate, atol: float, rtol: float) -> bool:
    """The one-sided derivatives differ by more than the tolerance and the rounding noise."""
    return abs(d.jump) > _scale(d, atol, rtol) + d.noise


def needs_refinement(analytic: float, coarse: Estimate, atol: float, rtol: float) -> bool:
    """Whether `classify` will ask for the refined estimate: the coarse one disagrees, or
    its one-sided differences do (a possible kink)."""
    return not close(analytic, coarse.estimate, atol, rtol) or _jumps(coarse, atol, rtol)


def classify(
    analytic: float,
    coarse: Estimate,
    refine: Callable[[], Estimate],
    atol: float,
    rtol: float,
) -> tuple[str, float, Estimate]:
    """Compare `analytic` with finite differences; returns (verdict, numeric, estimate used).

    1. The estimate at the coarse step agrees, and so do the two one-sided differences
       (their jump, about ``h * phi''``, is within the tolerance): OK, at no extra cost.
    2. Otherwise `refine()` recomputes everything with a step 4 times smaller.
    3. If the one-sided derivatives differ at both steps by about the same amount (a jump
       that does not shrink with the step, unlike ``h * phi''``), the point is a kink of the
       function (relu or abs at 0, a tie of max): any value between the one-sided
       derivatives is a valid subgradient, so an analytic value in that range is a
       non-differentiable point, not an error. This holds when the analytic value is the
       central difference too: ``abs'(0) = 0`` and a tie shared equally are the midpoint
       of the one-sided derivatives, which no central difference can tell from a
       derivative.
    4. Else an estimate that agrees at either step is OK (at the coarse step a large
       curvature merely asked for the refinement; at the fine one the coarse step was too
       large, or straddled a nearby kink); anything else is a wrong derivative.
    """
    if not needs_refinement(analytic, coarse, atol, rtol):
        return Verdict.OK, coarse.estimate, coarse
    agrees = close(analytic, coarse.estimate, atol, rtol)
    fine = refine()
    scale = _scale(fine, atol, rtol)
    jump_persists = (
        _jumps(fine, atol, rtol)
        and abs(fine.jump) >= 0.5 * abs(coarse.jump)
        and math.copysign(1.0, fine.jump) == math.copysign(1.0, coarse.jump)
    )
    low, high = sorted((fine.left, fine.right))
    if jump_persists and low - scale <= analytic <= high + scale:
        return Verdict.KINK, fine.estimate, fine
    if agrees:
        return Verdict.OK, coarse.estimate, coarse
    if close(analytic, fine.estimate, atol, rtol):
        return Verdict.OK, fine.estimate, fine
    if isinstance(fine, OneSided) and _approaches(analytic, coarse.estimate, fine.estimate):
        return Verdict.OK, fine.estimate, fine
    return Verdict.WRONG, fine.estimate, fine


def _approaches(analytic: float, coarse: float, fine: float) -> bool:
    """One-sided estimates at a domain's edge that converge to `analytic`, slowly.

    At the edge the function need not be smooth: ``sqrt`` at 0 has an infinite derivative
    (the estimates double each time the step shrinks 4-fold), ``x ** 1.5`` at 0 an infinite
    curvature (the estimates halve on their way to 0), where a smooth function's would
    change 16-fold less. An analytic value is accepted when the estimates move towards it,
    and what is left is at most twice what the last refinement changed: true of any rate of
    convergence faster than ``h ** 0.29``, while a wrong value stays as far as it was.
    """
    if math.isinf(analytic):
        return math.copysign(1.0, fine) == math.copysign(1.0, analytic) and abs(fine) >= 1.5 * abs(
            coarse
        )
    return abs(analytic - fine) < abs(analytic - coarse) and abs(analytic - fine) <= 2.0 * abs(
        fine - coarse
    )
