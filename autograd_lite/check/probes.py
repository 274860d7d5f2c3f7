"""The finite differences of the op-by-op check: one op's output, as a function of one of its
parents moved by a step, measured by re-running f (`autograd_lite.check.trace`).

Each element of a parent (or random direction, for a large one) is a `Line`. Its steps come
from `find_scheme`, as for the end-to-end check, so an op next to the edge of its domain
(``log`` at 1e-7) is checked, not skipped. The lines advance together: each round of
requests, for every line of every op, costs as many re-runs of f as the replayer needs for
one round, not one per element.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from autograd_lite.check.domain import (
    DOMAIN_ERRORS,
    OutsideDomain,
    Results,
    Scheme,
    find_scheme,
)
from autograd_lite.check.numeric import REFINE, Estimate, relative_step
from autograd_lite.check.trace import Probe, Replayer


@dataclass(eq=False)  # identity: lines key dicts
class Line:
    """One element (`where` an index) or random direction (`where` a unit array) of one
    edge's parent, and what its finite differences found."""

    edge: Any  # the `_Edge` of `autograd_lite.check.local`: its record, source and parent
    where: Any
    h: float  # the plain central step
    size: float  # the magnitude of the point, for the smallest step worth trying
    x: float | None  # the element's value (None along a direction)
    scheme: Scheme | None = None
    coarse: Estimate | None = None
    fine: Estimate | None = None
    error: BaseException | None = None  # the op raised: not checked


def lines_of(edge: Any, eps: float, directions: list[np.ndarray] | None) -> list[Line]:
    """One line per element of the edge's parent, or per random direction."""
    x = np.asarray(edge.parent.data, dtype=np.float64)
    if directions is None:
        values = [float(v) for v in x.flat]
        return [Line(edge, e, relative_step(v, eps), abs(v), v) for e, v in enumerate(values)]
    size = float(np.max(np.abs(x)))
    return [Line(edge, u, eps * max(1.0, size), size, None) for u in directions]


class Prober:
    """Measures lines through a `Replayer`; `project(k, data)` is the number that node k's
    output is reduced to (its dot product with a random cotangent)."""

    def __init__(
        self, replayer: Replayer, project: Callable[[int, Any], float], eps: float
    ) -> None:
        self.replayer, self.project, self.eps = replayer, project, eps

    def search(self, lines: list[Line]) -> None:
        """Every line's scheme and coarse estimate (or its error)."""
        searches = {
            line: find_scheme(line.h, self.eps, line.size, None if line.x is None else line.size)
            for line in lines
        }
        requests = {line: next(search) for line, search in searches.items()}
        while requests:
            measured = self._evaluate(requests)
            requests = {}
            for line, values in measured.items():
                if _other_error(line, values):
                    continue
                try:
                    requests[line] = searches[line].send(values)
                except StopIteration as done:
                    line.scheme, values = done.value
                    line.coarse = self._estimate(line, values, 1.0)
                except OutsideDomain as outside:
                    line.error = outside

    def refine(self, lines: list[Line]) -> None:
        """The estimates of `lines` at their scheme's step divided by `REFINE`."""
        requests = {line: line.scheme.steps(REFINE) for line in lines if line.scheme}
        for line, values in self._evaluate(requests).items():
            if _other_error(line, values):
                continue
            bad = next((v for v in values if isinstance(v, BaseException)), None)
            if bad is not None:  # a domain with holes
                line.error = OutsideDomain(line.scheme.h / REFINE, bad)  # type: ignore[union-attr]
            else:
                line.fine = self._estimate(line, values, REFINE)

    def _evaluate(self, requests: dict[Line, tuple[float, ...]]) -> dict[Line, Results]:
        """The op's projected output at every requested step of every line."""
        probes: dict[int, list[Probe]] = {}
        owners = []
        for line, steps in requests.items():
            record = line.edge.record
            ps = [Probe(record.index, line.edge.source, _moved(line, t)) for t in steps]
            probes.setdefault(record.index, []).extend(ps)
            owners.append((line, ps))
        results = self.replayer.run_all(probes)
        return {line: tuple(results[p] for p in ps) for line, ps in owners}

    def _estimate(self, line: Line, values: Results, scale: float) -> Estimate:
        assert line.scheme is not None
        taken = [_taken(line, t) for t in line.scheme.steps(scale)]
        base = self.project(line.edge.record.index, line.edge.record.data)
        return line.scheme.difference(values, taken, base)


def _moved(line: Line, t: float) -> Any:
    """The parent's data moved by `t` (in its own dtype)."""
    data = line.edge.parent.data
    if isinstance(line.where, np.ndarray):
        x = np.asarray(data, dtype=np.float64)
        return (x + t * line.where).astype(np.asarray(data).dtype)
    if isinstance(data, float):  # a Value's
        return line.x + t  # type: ignore[operator]
    moved = np.array(data, copy=True)
    moved.flat[line.where] = line.x + t  # type: ignore[operator]
    return moved


def _taken(line: Line, t: float) -> float:
    """The step actually taken, after rounding to the parent's dtype."""
    if isinstance(line.where, np.ndarray):
        return t
    return float(np.asarray(_moved(line, t)).flat[line.where]) - line.x  # type: ignore[operator]


def _other_error(line: Line, values: Results) -> bool:
    """Keep an error that is not about the domain (a bug of the op): the line is not checked."""
    for v in values:
        if isinstance(v, BaseException) and not isinstance(v, DOMAIN_ERRORS):
            line.error = v
            return True
    return False
