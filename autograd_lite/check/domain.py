"""Finite differences that stay inside the function's domain.

The plain central difference evaluates ``phi(-h)`` and ``phi(h)`` with ``h = eps * max(1,
|x|)``: 6e-6 around ``log`` at 1e-9 is mostly outside its domain. `find_scheme` learns where
the domain ends from the error the first step raised, and looks for steps that are inside:
a symmetric step scaled to the distance to the edge, or, at the edge itself, a one-sided
difference. A point no step can reach raises `OutsideDomain`, which the checks turn into an
error naming the input as the user passed it and the step, never the value an op saw.

`Domain` and `DOMAINS` say the other way round where each op is smooth, for drawing test
inputs (`autograd_lite.testing` re-exports them).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass

import numpy as np

from autograd_lite.check.numeric import Difference, Estimate, OneSided

__all__ = [
    "DOMAINS",
    "DOMAIN_ERRORS",
    "Domain",
    "OutsideDomain",
    "Results",
    "Scheme",
    "evaluate_all",
    "evaluate_defined",
    "find_scheme",
    "run_scheme",
]

# What the ops raise outside their domain: ValueError (log of a negative, sqrt, a negative
# base to a fractional power), ZeroDivisionError and OverflowError from Python's math.
DOMAIN_ERRORS = (ValueError, ArithmeticError)
_EPS_MACHINE = float(np.finfo(np.float64).eps)


Results = tuple[float | BaseException, ...]


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


class OutsideDomain(Exception):
    """``phi`` raised `error` at `step` and no other step was found inside its domain
    (`tried` says which others were tried)."""

    def __init__(self, step: float, error: BaseException, tried: str = "") -> None:
        super().__init__(step, error)
        self.step, self.error, self.tried = step, error, tried

    def message(self, where: str, x: float | None) -> str:
        """The error for the user: the input they passed, the step, and what f raised."""
        at = f"{where} = {x!r}" if x is not None else where
        moved = f" (to {x + self.step!r})" if x is not None else ""
        tried = f" ({self.tried} left it too)" if self.tried else ""
        return (
            f"gradcheck: expected f to be defined next to {at} on at least one side, got "
            f"{self.error!r} when the finite-difference evaluation moved it by "
            f"{self.step:+.3g}{moved}: the evaluation left the function's domain at the "
            f"perturbed point{tried}"
        )


@dataclass(frozen=True)
class Scheme:
    """Where to evaluate ``phi``: at ``-h`` and ``h`` (`side` 0), or at ``side * h`` and
    ``side * 2h`` (a one-sided difference away from the domain's edge)."""

    h: float
    side: int = 0
    why: str = ""  # what made it differ from the plain central difference, for the notes

    def steps(self, scale: float = 1.0) -> tuple[float, float]:
        h = self.h / scale
        return (-h, h) if self.side == 0 else (self.side * h, 2.0 * self.side * h)

    def difference(self, values: Results, taken: Sequence[float], base: float) -> Estimate:
        """The estimate from `values` at the steps actually `taken` (signed, after rounding)."""
        first, second = (float(v) for v in values)  # type: ignore[arg-type]
        if self.side == 0:
            return Difference(first, base, second, -taken[0], taken[1])
        return OneSided(base, first, second, taken[0], taken[1])


def find_scheme(
    h: float, eps: float, size: float, zero_at: float | None = None
) -> Generator[tuple[float, ...], Results, tuple[Scheme, Results]]:
    """Find steps at which ``phi`` is defined, asking for evaluations as it goes.

    A generator: it yields the steps ``t`` it needs ``phi(t)`` of, is sent back a tuple of
    the values (or of the `DOMAIN_ERRORS` that ``phi`` raised there) and returns the scheme
    and its values at ``scheme.steps()``, the last steps it asked for. Callers that evaluate
    one point at a time (the end-to-end check) and callers that batch many points into one
    run (the op-by-op check) drive it alike.

    1. The central difference at `h`: when both points are defined, nothing else is asked.
    2. Otherwise the domain's edge is within `h`. The ops' domains end at 0 (``log``,
       ``sqrt``, fractional powers), so when the step crossed 0 (`zero_at`, the distance
       from the point to 0, is below `h`) the largest step ``h / 2**k`` that does not is
       tried first: near 0 the search then costs one evaluation outside the domain, the
       first one. Else bisecting on ``k`` finds the largest symmetric step ``s`` that is
       inside (the edge is between ``s`` and ``2s`` away). Near such an edge the function
       varies on the scale ``s`` (``log`` and ``sqrt`` at ``x`` vary on the scale ``x``),
       so the step is ``eps * s``: the balance of truncation and rounding errors of
       `DEFAULT_EPS` on the scale ``max(1, |x|)``, on the edge's scale. This is what makes
       ``log`` at 1e-9 check with a step of about 3e-15.
    3. When no symmetric step is inside, down to a few ulps of `size` (the magnitude of
       the point), the point is on the edge: a second-order `OneSided` difference with
       step `h` on the side that is defined.
    4. If that side is not defined either, `OutsideDomain` names the first failing step.
    """
    first = yield (-h, h)
    failed = _failure(first)
    if failed is None:
        return Scheme(h), first
    outside = OutsideDomain(
        -h if failed == 0 else h,
        first[failed],  # type: ignore[arg-type]
        "smaller steps on both sides and one-sided steps",
    )
    # eps * s must still move a number of magnitude `size` by several ulps.
    floor = max(16.0 * float(np.spacing(max(size, 0.0))) / eps, float(np.finfo(np.float64).tiny))
    deepest = math.ceil(math.log2(h / floor)) if h > floor else 0
    outer, inner = 0, None  # steps h / 2**outer leave the domain, h / 2**inner stay inside
    smallest = first  # the values at the smallest symmetric step tried
    if zero_at is not None and 0.0 < zero_at < h:
        k = max(1, math.floor(math.log2(h / zero_at)))
        while h / 2.0**k >= zero_at:
            k += 1
        if k <= deepest:
            smallest = yield (-h / 2.0**k, h / 2.0**k)
            if _failure(smallest) is None:
                inner = k
            else:
                outer = k
    if inner is None and deepest > outer:
        smallest = yield (-h / 2.0**deepest, h / 2.0**deepest)
        if _failure(smallest) is None:
            inner = deepest
            while inner - outer > 1:
                mid = (outer + inner) // 2
                values = yield (-h / 2.0**mid, h / 2.0**mid)
                if _failure(values) is None:
                    inner, smallest = mid, values
                else:
                    outer = mid
    if inner is not None:
        step = _step_inside(h / 2.0**inner, smallest, eps)  # type: ignore[arg-type]
        scheme = Scheme(step, 0, "a step scaled to the domain's edge")
        values = yield scheme.steps()
        if _failure(values) is None:
            return scheme, values
        raise outside
    for side in [s for s, v in zip((-1, 1), smallest) if not isinstance(v, BaseException)]:
        scheme = Scheme(h, side, "a one-sided difference at the domain's edge")
        values = yield scheme.steps()
        if _failure(values) is None:
            return scheme, values
    raise outside


def _step_inside(s: float, values: tuple[float, float], eps: float) -> float:
    """The central step for a point whose domain ends between `s` and ``2s`` away, from
    ``phi(-s)`` and ``phi(s)`` (`values`).

    A central difference is off by ``h**2 |phi'''| / 6`` (truncation) plus
    ``eps_machine |phi| / h`` (rounding), least at ``h = cbrt(3 eps_machine |phi| /
    |phi'''|)``. Near an edge ``phi`` varies on the edge's scale (``log`` and ``sqrt`` at
    ``x``: ``|phi'''| ~ |phi'| / x**2``), so ``|phi'''| ~ |phi'| / s**2``, with ``|phi|`` and
    ``|phi'|`` estimated from `values`. That is ``eps * s`` (`DEFAULT_EPS` on the edge's
    scale) when ``|phi| ~ |phi'| s`` (``log`` alone), and larger when ``phi`` is large beside
    its variation (``x log x`` summed with other terms), where ``eps * s`` would drown the
    difference in rounding. Kept within ``[eps s, s / 16]``: the upper end bounds the
    truncation error to about 1e-3 of ``phi'``.
    """
    down, up = values
    magnitude = max(abs(down), abs(up))
    slope = abs(up - down) / (2.0 * s)
    low, high = eps * s, s / 16.0
    if not (math.isfinite(magnitude) and math.isfinite(slope)):
        return low
    if slope == 0.0:
        return high
    return min(max(math.cbrt(3.0 * _EPS_MACHINE * magnitude * s * s / slope), low), high)


def _failure(values: Results) -> int | None:
    """The index of the first value that is an error, or None."""
    for k, v in enumerate(values):
        if isinstance(v, BaseException):
            return k
    return None


def evaluate_all(phi: Callable[[float], float], steps: Sequence[float]) -> Results:
    """``phi`` at each step, with the domain errors it raises in place of values."""
    out: list[float | BaseException] = []
    for t in steps:
        try:
            out.append(phi(t))
        except DOMAIN_ERRORS as error:
            out.append(error)
    return tuple(out)


def evaluate_defined(phi: Callable[[float], float], steps: Sequence[float]) -> Results:
    """``phi`` at each step; `OutsideDomain` at the first step where it raises a domain error."""
    values = evaluate_all(phi, steps)
    k = _failure(values)
    if k is not None:
        raise OutsideDomain(steps[k], values[k])  # type: ignore[arg-type]
    return values


def run_scheme(
    search: Generator[tuple[float, ...], Results, tuple[Scheme, Results]],
    phi: Callable[[float], float],
) -> tuple[Scheme, Results]:
    """Drive `find_scheme` one evaluation at a time."""
    request = next(search)
    while True:
        try:
            request = search.send(evaluate_all(phi, request))
        except StopIteration as done:
            return done.value
