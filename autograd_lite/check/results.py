"""What the gradient checks found, as data with a readable ``str()``: the end-to-end
`GradcheckResult` (with its `Mismatch` elements) and the op-by-op `LocalReport` (with its
`LocalCheck` edges)."""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from autograd_lite import engine
from autograd_lite.scalar import Value

__all__ = ["GradcheckResult", "LocalCheck", "LocalReport", "Mismatch", "Verdict"]


class Verdict:
    """What one comparison concluded."""

    OK = "ok"
    KINK = "non-differentiable point"
    WRONG = "wrong"


class _Errors:
    """Absolute and relative error of an analytic value against a numeric one."""

    analytic: float
    numeric: float

    @property
    def abs_error(self) -> float:
        return abs(self.analytic - self.numeric)

    @property
    def rel_error(self) -> float:
        return self.abs_error / max(abs(self.numeric), 1e-300)


@dataclass
class Mismatch(_Errors):
    """One gradient element (or random direction) where the engine and finite differences
    disagree, or a kink where they cannot be compared (``verdict`` says which)."""

    input_index: int
    input_name: str
    element: tuple[int, ...]
    analytic: float
    numeric: float
    verdict: str = Verdict.WRONG
    one_sided: tuple[float, float] | None = None  # (left, right) derivatives, when computed

    @property
    def where(self) -> str:
        return self.input_name + (f"[{', '.join(map(str, self.element))}]" if self.element else "")


@dataclass
class GradcheckResult:
    """Everything `gradcheck_report` found; true when every gradient matched.

    Attributes
    ----------
    mismatches : list of Mismatch
        The wrong gradient elements (or random directions of large inputs).
    nondifferentiable : list of Mismatch
        Elements at a kink of the function, not counted as failures.
    checked : int
        How many elements and directions were compared.
    localisation : LocalReport or None
        The op-by-op check (`autograd_lite.check.local`), run when a gradient is wrong.
    """

    mismatches: list[Mismatch]
    nondifferentiable: list[Mismatch]
    checked: int
    localisation: Any = None
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.mismatches

    def __bool__(self) -> bool:
        return self.ok

    def __str__(self) -> str:
        lines = []
        if self.ok:
            kinks = len(self.nondifferentiable)
            lines.append(
                f"gradcheck: {self.checked - kinks} of {self.checked} gradient element(s) match "
                f"finite differences" + (f"; {kinks} at a kink" if kinks else "")
            )
        else:
            lines += _mismatch_lines(self.mismatches)
        if self.nondifferentiable:
            lines += kink_lines(self.nondifferentiable)
        if self.localisation is not None:
            lines.append(str(self.localisation))
        lines += self.notes
        return "\n".join(lines)


@dataclass
class LocalCheck(_Errors):
    """One edge (a node and one of its parents) whose VJP disagrees with finite differences
    of its op alone, or sits at a kink of that op.

    ``element`` is the parent element with the largest error (``None``: a random direction
    of a large parent). For a `Tensor` node, `analytic` and `numeric` are elements of the
    VJP for a random cotangent ``v`` of the output's shape; for a `Value`, the local
    derivative ``d node / d parent``.
    """

    position: int  # 1-based, among the op nodes checked, in topological order
    node: engine.Node
    op: str
    function: str
    site: str
    slots: tuple[int, ...]  # the parent's input slots (two for ``a * a``)
    parent: str
    element: tuple[int, ...] | None
    analytic: float
    numeric: float
    verdict: str = Verdict.WRONG

    @property
    def name(self) -> str:
        label = f" {self.node.label!r}" if self.node.label else ""
        return f"op #{self.position}{label} ('{self.op}', {_shape_text(self.node)})"

    def __str__(self) -> str:
        slots = "parent " + " and ".join(map(str, self.slots))
        if len(self.slots) > 1:
            slots = "parents " + slots[7:] + " (one node)"
        if not isinstance(self.node, Value):
            what = "local VJP, random cotangent, "
            what += "along a random direction" if self.element is None else "element "
            what += _element_text(self.element or ())
        else:
            what = "local derivative"
        return "\n".join(
            [
                self.name,
                f"      built by   {self.function}",
                f"      called at  {self.site}",
                f"      {slots:<10} {self.parent}",
                f"      {what}: analytic {self.analytic:.10g} vs numeric {self.numeric:.10g} "
                f"(abs error {self.abs_error:.3g}, rel error {self.rel_error:.3g})",
            ]
        )


@dataclass
class LocalReport:
    """The op-by-op check of a graph: ``report.first`` is the op to fix (None if none)."""

    n_ops: int
    failures: list[LocalCheck]
    kinks: list[LocalCheck] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures

    @property
    def first(self) -> LocalCheck | None:
        return self.failures[0] if self.failures else None

    def __bool__(self) -> bool:
        return self.ok

    def __str__(self) -> str:
        overflow = any("non-finite value" in note for note in self.notes)
        if self.first is None and overflow:
            text = (
                f"op-by-op check: the {self.n_ops} op(s) before the forward values became "
                f"infinite or NaN agree with finite differences; the gradient is wrong "
                f"because of that overflow (see the note)."
            )
            lines = textwrap.wrap(text, width=100, subsequent_indent="  ")
        elif self.first is None:
            text = (
                f"op-by-op check: the VJPs of all {self.n_ops} op(s) on the paths from the "
                f"inputs agree with finite differences of each op alone. A wrong end-to-end "
                f"gradient then comes from outside the graph: f reads values with .data, "
                f".item(), float() or NumPy (they are constants to backward()), or uses "
                f"detach() or no_grad(), or is not deterministic."
            )
            lines = textwrap.wrap(text, width=100, subsequent_indent="  ")
        else:
            bad = len({id(c.node) for c in self.failures})
            lines = [
                f"op-by-op check: {bad} of {self.n_ops} op(s) have a VJP that disagrees with "
                f"finite differences of that op alone.",
                "The first in topological order from the inputs (every op before it is right):",
                f"  {self.first}",
            ]
            others = [c for c in self.failures[1:] if c.node is not self.first.node]
            if others:
                more = ", ".join(c.name for c in others[:3])
                lines.append(f"  later ops whose VJP is wrong too: {more}")
        if self.kinks:
            lines.append(
                f"  ({len(self.kinks)} edge(s) at a non-differentiable point of their op, not "
                f"counted: {', '.join(c.name for c in self.kinks[:3])})"
            )
        lines += [f"  note: {note}" for note in self.notes]
        return "\n".join(lines)


def _mismatch_lines(mismatches: Sequence[Mismatch], worst: int = 5) -> list[str]:
    shown = sorted(mismatches, key=lambda m: -m.abs_error)[:worst]
    lines = [f"gradcheck: {len(mismatches)} gradient element(s) differ from finite differences"]
    for m in shown:
        lines.append(
            f"  {m.where}: analytic {m.analytic:.10g} vs numeric {m.numeric:.10g} "
            f"(abs error {m.abs_error:.3g}, rel error {m.rel_error:.3g})"
        )
    if len(mismatches) > worst:
        lines.append(f"  ... and {len(mismatches) - worst} more")
    return lines


def kink_lines(kinks: Sequence[Mismatch], worst: int = 5) -> list[str]:
    lines = [
        f"gradcheck: {len(kinks)} element(s) at a non-differentiable point (a kink within the "
        f"finite-difference step), not counted as failures:"
    ]
    for m in kinks[:worst]:
        left, right = m.one_sided or (math.nan, math.nan)
        lines.append(
            f"  {m.where}: non-differentiable point: one-sided derivatives {left:.6g} (left) "
            f"and {right:.6g} (right), analytic {m.analytic:.6g} lies between them"
        )
    if len(kinks) > worst:
        lines.append(f"  ... and {len(kinks) - worst} more")
    return lines


def _shape_text(node: engine.Node) -> str:
    return "a scalar" if isinstance(node, Value) else f"output shape {np.shape(node.data)}"


def _element_text(element: tuple[int, ...]) -> str:
    return f"[{', '.join(map(str, element))}]" if element else ""
