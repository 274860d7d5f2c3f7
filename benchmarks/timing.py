"""Timing that is fair to every candidate: interleaved, repeated, reported as ratios."""

from __future__ import annotations

import gc
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Timing:
    """The seconds each call of one candidate took, for `work` units of work per call."""

    name: str
    work: float = 1.0
    seconds: list[float] = field(default_factory=list)

    @property
    def best(self) -> float:
        return min(self.seconds) / self.work

    @property
    def median(self) -> float:
        return statistics.median(self.seconds) / self.work

    def speed_vs(self, reference: Timing) -> float:
        """How many times faster than `reference` (> 1: faster): the median, over the rounds
        of `compare`, of the reference's time divided by this one's in the same round. A
        burst of load slows both of a round's times alike, so it moves this median less than
        it moves the ratio of two medians taken over different rounds."""
        if len(self.seconds) != len(reference.seconds):  # not timed side by side
            return reference.median / self.median
        ratios = [
            (r / reference.work) / (s / self.work)
            for r, s in zip(reference.seconds, self.seconds, strict=True)
        ]
        return statistics.median(ratios)


def compare(
    candidates: dict[str, Callable[[], Any]], repeats: int, work: float = 1.0, warmup: int = 1
) -> list[Timing]:
    """Time each candidate `repeats` times, interleaved so that any drift of the machine
    (frequency, other processes) hits every candidate alike. Returns seconds per unit of
    `work` (per step, per node, per sample...).

    The garbage collector runs, untimed, before each call: every candidate then pays for
    the collections its own allocations trigger, and never for another's leftover cycles.
    """
    for _ in range(warmup):
        for fn in candidates.values():
            fn()
    timings = {name: Timing(name, work) for name in candidates}
    for _ in range(repeats):
        for name, fn in candidates.items():
            gc.collect()
            start = time.perf_counter()
            fn()
            timings[name].seconds.append(time.perf_counter() - start)
    return list(timings.values())


def format_table(title: str, timings: list[Timing], unit: str, reference: str | None = None) -> str:
    """A table of best and median times; with a reference, each row's speed relative to it
    (``ratio > 1`` means faster than the reference; `Timing.speed_vs`, round by round)."""
    scale, label = _scale(min(t.best for t in timings), unit)
    ref = next((t for t in timings if t.name == reference), None)
    width = max(len(t.name) for t in timings)
    header = f"{'':{width}}  {'best':>10}  {'median':>10}"
    if ref is not None:
        header += f"  {'speed vs ' + ref.name:>24}"
    lines = [f"## {title}", header]
    for t in timings:
        row = f"{t.name:{width}}  {t.best * scale:10.3f}  {t.median * scale:10.3f}"
        if ref is not None:
            row += f"  {t.speed_vs(ref):23.2f}x"
        lines.append(row)
    lines.append(f"(times in {label})")
    return "\n".join(lines)


def _scale(seconds: float, unit: str) -> tuple[float, str]:
    for factor, prefix in ((1.0, "s"), (1e3, "ms"), (1e6, "us"), (1e9, "ns")):
        if seconds * factor >= 1.0:
            return factor, f"{prefix} per {unit}"
    return 1e9, f"ns per {unit}"
