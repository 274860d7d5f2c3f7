"""Localised gradient checking: *which* op's VJP is wrong?

An end-to-end `gradcheck` says that ``dL/dx`` is wrong; it cannot say where in a graph of a
thousand ops the mistake is. `locate_wrong_vjp` checks every op on its own: for each node on
a path from the inputs to the output, and each of its parents, it compares the node's VJP
(``vjp(v)`` for a random cotangent ``v`` of the output's shape, ``vjp(1)`` for a `Value`)
with finite differences of that op alone, its other inputs held fixed. The first op, in
topological order from the inputs, whose VJP disagrees is the one to fix: every op before it
passed, so it is the first place where the gradient goes wrong.

How one op's forward is re-run with a perturbed parent is in `trace`, which steps
are taken (inside the op's domain) in `probes`. Nothing here costs anything when
no check runs. `gradcheck` calls this when a gradient is wrong.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from autograd_lite import engine
from autograd_lite.broadcasting import unbroadcast
from autograd_lite.check.domain import OutsideDomain
from autograd_lite.check.inputs import _float64_copy
from autograd_lite.check.numeric import DEFAULT_EPS, classify, needs_refinement
from autograd_lite.check.probes import Line, Prober, lines_of
from autograd_lite.check.results import LocalCheck, LocalReport, Verdict
from autograd_lite.check.trace import Record, Replayer, record_run
from autograd_lite.scalar import Value

__all__ = ["LocalCheck", "LocalReport", "locate_wrong_vjp"]

_DIRECTIONS = 3


def locate_wrong_vjp(
    f: Callable[..., Any],
    *inputs: Any,
    eps: float | None = None,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    max_elements: int = 256,
    seed: int = 0,
    _copy_inputs: bool = True,
) -> LocalReport:
    """Check the VJP of every op of ``f(*inputs)`` on its own, by finite differences.

    Parameters
    ----------
    f : callable
        Takes the inputs, returns a `Value` or a `Tensor` (any shape). It is run once to
        record its graph, then again for each probe: it must be deterministic.
    *inputs : Value, Tensor or anything
        As for `gradcheck` (copied to float64); the ops checked are those on a path from an
        input that requires grad to the output.
    eps, atol, rtol, max_elements, seed :
        As for `gradcheck`; parents with more than `max_elements` elements are probed along
        3 random directions.

    Returns
    -------
    LocalReport
        ``report.first`` names the first wrong op: its position, label and op, the function
        that built it and the line that called it, the parent, and the analytic and numeric
        local VJPs; ``str(report)`` says it in words.

    Examples
    --------
    >>> from autograd_lite import Value, primitive
    >>> @primitive
    ... def square(x):
    ...     return x * x
    >>> @square.defvjp
    ... def square_vjp(g, ans, x):  # a planted bug: d(x * x) is 2 x, the 2 is missing
    ...     return (g * x,)
    >>> report = locate_wrong_vjp(lambda x: square(x.tanh()).exp(), Value(0.5))
    >>> report.first.op, report.first.slots, report.first.function[:9]
    ('square', (0,), 'square() ')
    """
    eps = DEFAULT_EPS if eps is None else float(eps)
    args = [_float64_copy(x) for x in inputs] if _copy_inputs else list(inputs)
    checked = {x for x in args if isinstance(x, engine.Node) and x.requires_grad}
    if not checked:
        raise TypeError(
            "locate_wrong_vjp: expected at least one Value or Tensor input that requires "
            "grad, got none"
        )
    out, records = record_run(f, args)
    if not isinstance(out, engine.Node):
        raise TypeError(f"locate_wrong_vjp: expected f to return a Value or a Tensor, got {out!r}")
    return _Localiser(f, args, records, out, checked, eps, atol, rtol, max_elements, seed).run()


@dataclass
class _Edge:
    """One parent (with all the slots it fills) of one recorded node."""

    record: Record
    source: tuple[str, int]
    slots: tuple[int, ...]
    parent: engine.Node
    analytic: np.ndarray  # the local VJP for this parent, in the parent's shape


class _Localiser:
    def __init__(
        self,
        f: Callable[..., Any],
        args: list[Any],
        records: list[Record],
        out: engine.Node,
        checked: set[engine.Node],
        eps: float,
        atol: float,
        rtol: float,
        max_elements: int,
        seed: int,
    ) -> None:
        self.args, self.records, self.eps = args, records, eps
        self.atol, self.rtol, self.max_elements = atol, rtol, max_elements
        self.rng = np.random.default_rng(seed)
        self.cotangents: dict[int, Any] = {}
        self.prober = Prober(Replayer(f, args, records, self._project), self._project, eps)
        index = {r.node: r.index for r in records}
        order = engine.topological_order(out)
        reached: set[engine.Node] = set()
        self.ops: list[Record] = []  # the ops to check, in topological order
        self.notes: list[str] = []
        for node in order:
            if node in checked or any(p in reached for p in node.parents):
                reached.add(node)
                if node.parents and node in index:
                    record = records[index[node]]
                    if self._opaque(record):
                        self.notes.append(
                            f"'{node.op}' ({record.function}) was not checked: it makes nodes "
                            f"of its own that are not among its parents (declare them as "
                            f"parents, or build it from ops)"
                        )
                    else:
                        self.ops.append(record)
        self._stop_at_overflow()
        self.reached = reached
        self.position = {r.index: k for k, r in enumerate(self.ops, 1)}  # 1-based, as shown

    def _stop_at_overflow(self) -> None:
        """Check only the ops before the first one whose forward value is not finite: a finite
        difference through an inf or a NaN says nothing about a VJP, so the ops after it
        would all look wrong. The note names the op where the values broke down."""
        for k, record in enumerate(self.ops):
            if not np.all(np.isfinite(record.node.data)):
                self.notes.append(
                    f"op #{k + 1} '{record.node.op}' ({record.function}) produced a non-finite "
                    f"value; the {len(self.ops) - k} op(s) from it on were not checked (finite "
                    f"differences through inf or NaN are meaningless): rescale the inputs or "
                    f"use a stable formulation"
                )
                del self.ops[k:]
                return

    def _opaque(self, record: Record) -> bool:
        """A composite op whose inner nodes are not all behind its parents: its output may
        depend on them outside the graph, so no finite difference of one edge is its VJP."""
        inner = set(range(record.inner_start, record.index))
        if not inner:
            return False
        behind: set[int] = set()
        stack = [s[1] for s in record.sources if s is not None and s[0] == "node"]
        while stack:
            j = stack.pop()
            if j in inner and j not in behind:
                behind.add(j)
                stack += [s[1] for s in self.records[j].sources if s is not None and s[0] == "node"]
        return bool(inner - behind)

    # -- projections and VJPs -------------------------------------------------------------

    def _project(self, k: int, data: Any) -> float:
        if k not in self.cotangents:
            return float(data)
        return float(np.sum(self.cotangents[k] * data))

    def _edges(self, record: Record) -> list[_Edge]:
        node = record.node
        if isinstance(node, Value):  # one number: the local derivatives themselves
            grads = node.vjp(1.0)
        else:
            shape, dtype = np.shape(node.data), np.asarray(node.data).dtype
            v = self.rng.standard_normal(shape) if np.prod(shape) > 1 else np.ones(shape)
            self.cotangents[record.index] = v
            grads = node.vjp(v.astype(dtype))
        groups: dict[tuple[str, int], list[int]] = {}
        for slot, source in enumerate(record.sources):
            if source is not None and node.parents[slot] in self.reached:
                groups.setdefault(source, []).append(slot)
        edges = []
        for source, slots in groups.items():
            parent = node.parents[slots[0]]
            shape = np.shape(parent.data)
            total = np.zeros(shape)
            for slot in slots:
                if grads[slot] is not None:  # None: "no gradient", i.e. zero, to the engine
                    total = total + unbroadcast(np.asarray(grads[slot], dtype=np.float64), shape)
            edges.append(_Edge(record, source, tuple(slots), parent, total))
        return edges

    # -- the check ------------------------------------------------------------------------

    def run(self) -> LocalReport:
        edges = [edge for record in self.ops for edge in self._edges(record)]
        lines = []
        for edge in edges:
            shape = np.shape(edge.parent.data)
            large = np.size(edge.parent.data) > self.max_elements
            directions = [_unit(self.rng, shape) for _ in range(_DIRECTIONS)] if large else None
            lines += lines_of(edge, self.eps, directions)
        self.prober.search(lines)
        analytic = {line: self._analytic(line.edge, line.where) for line in lines}
        self.prober.refine(
            [
                line
                for line in lines
                if line.coarse is not None
                and needs_refinement(analytic[line], line.coarse, *self._tolerance(line))
            ]
        )
        verdicts: dict[int, list[tuple[str, float, float, Any]]] = {}
        for line in lines:
            edge = line.edge
            if line.error is not None or line.coarse is None:
                self._note_error(line)
                continue
            a = analytic[line]
            fine = line.fine if line.fine is not None else line.coarse
            verdict, numeric, _ = classify(
                a, line.coarse, lambda fine=fine: fine, *self._tolerance(line)
            )
            if verdict != Verdict.OK:
                verdicts.setdefault(id(edge), []).append((verdict, a, numeric, line.where))
        return self._report(edges, verdicts, self.notes)

    def _note_error(self, line: Line) -> None:
        """Say, once per edge, which op could not be checked and why."""
        record, error = line.edge.record, line.error
        op = f"op #{self.position[record.index]} ('{record.node.op}')"
        if isinstance(error, OutsideDomain):
            note = (
                f"{op} was not checked at {self._parent_name(line.edge)}: the finite-difference "
                f"evaluation left its domain ({error.error!r} at a step of {error.step:+.3g}"
                + (f"; {error.tried} left it too)" if error.tried else ")")
            )
        else:
            note = (
                f"{op} raised {error!r} when its input was moved by the finite-difference "
                f"step; those elements were not checked"
            )
        if note not in self.notes:
            self.notes.append(note)

    def _analytic(self, edge: _Edge, where: Any) -> float:
        if isinstance(where, np.ndarray):
            return float(np.sum(edge.analytic * where))
        return float(np.asarray(edge.analytic).flat[where])

    def _tolerance(self, line: Line) -> tuple[float, float]:
        if isinstance(line.where, np.ndarray):  # as gradcheck's random directions
            return self.atol * max(1.0, float(np.linalg.norm(line.edge.analytic))), self.rtol
        return self.atol, self.rtol

    def _report(self, edges: list[_Edge], verdicts: dict, notes: list[str]) -> LocalReport:
        position = self.position
        failures, kinks = [], []
        for edge in edges:
            found = verdicts.get(id(edge))
            if not found:
                continue
            wrong = [v for v in found if v[0] == Verdict.WRONG]
            verdict, a, numeric, where = max(wrong or found, key=lambda v: abs(v[1] - v[2]))
            r = edge.record
            element = None
            if not isinstance(where, np.ndarray):
                shape = np.shape(edge.parent.data)
                element = tuple(int(i) for i in np.unravel_index(where, shape)) if shape else ()
            check = LocalCheck(
                position[r.index],
                r.node,
                r.node.op,
                r.function,
                r.site,
                edge.slots,
                self._parent_name(edge),
                element,
                a,
                numeric,
                verdict,
            )
            (failures if wrong else kinks).append(check)
        return LocalReport(len(self.ops), failures, kinks, notes)

    def _parent_name(self, edge: _Edge) -> str:
        kind, i = edge.source
        label = edge.parent.label
        if kind == "input":
            return f"input {i}" + (f" {label!r}" if label else "")
        r = self.records[i]
        pos = f"op #{self.position[i]} " if i in self.position else ""
        return f"{pos}'{r.node.op}'" + (f" {label!r}" if label else "")


def _unit(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    u = rng.standard_normal(shape)
    return u / np.linalg.norm(u)
