"""Gradient health: is training getting the gradients it needs, layer by layer?

After ``loss.backward()``, the report reads every parameter's gradient norm and value norm
and the size of the update relative to the weights (from a learning rate, or measured
between two reports). With a `Watch` that recorded the forward pass (`nn.watch`), it adds
the fraction of ReLU units that output zero for the whole batch ("dead": they pass no
gradient, so they cannot recover)::

    with nn.watch(model) as watch:
        loss = F.cross_entropy(model(x), y)
        loss.backward()
    print(watch.report(lr=0.1))      # or nn.grad_report(model, watch=watch, lr=0.1)

Vanishing, exploding, missing or non-finite gradients, out-of-range updates and layers of
mostly dead units are flagged. Nothing is changed: the report only reads ``.data`` and
``.grad``.
"""

from __future__ import annotations

import math
import re
import warnings
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from autograd_lite import Value
from autograd_lite.engine import Node
from nn.health.dead_units import ReluHealth, Watch
from nn.module import Module
from nn.validation import probability, real

__all__ = ["GradReport", "ParamHealth", "grad_report"]


@dataclass(frozen=True)
class ParamHealth:
    """One parameter (a `Tensor`, or a group of `Value`s such as a layer's weights).

    ``update_ratio`` is ``|update| / |param|``: ``lr |grad| / |param|`` for plain SGD, or the
    change measured since the previous report (any optimizer). Around 1e-3 is the usual rule
    of thumb; much larger and training is unstable, much smaller and it crawls.
    """

    name: str
    shape: tuple[int, ...]
    grad_norm: float | None  # None: no gradient reached it
    param_norm: float
    update_ratio: float | None
    flags: tuple[str, ...] = ()


@dataclass
class GradReport:
    """What `grad_report` found: ``params`` and ``relus`` rows, and a table as ``str()``.

    Pass it as ``previous=`` to the next call to measure the updates in between.
    """

    params: list[ParamHealth]
    relus: list[ReluHealth]
    lr: float | None = None
    snapshot: dict[str, np.ndarray] = field(default_factory=dict, repr=False)

    @property
    def flagged(self) -> list[ParamHealth | ReluHealth]:
        """The rows with at least one flag."""
        return [row for row in [*self.params, *self.relus] if row.flags]

    @property
    def ok(self) -> bool:
        return not self.flagged

    def __str__(self) -> str:
        head = "gradient health" + (f" (lr={self.lr:g})" if self.lr is not None else "")
        header = ("parameter", "shape", "|grad|", "|param|", "update/param", "flags")
        rows = [
            (
                p.name,
                str(p.shape),
                _num(p.grad_norm),
                _num(p.param_norm),
                _num(p.update_ratio),
                ", ".join(p.flags),
            )
            for p in self.params
        ]
        lines = [head, *_table(header, rows)]
        if self.relus:
            header = ("ReLU", "after", "units", "dead", "zero outputs", "flags")
            rows = [
                (
                    r.name,
                    r.after or "-",
                    str(r.units),
                    f"{r.dead} ({r.dead_fraction:.1%})",
                    f"{r.zero_fraction:.1%}",
                    ", ".join(r.flags),
                )
                for r in self.relus
            ]
            lines += ["", *_table(header, rows)]
        n = len(self.flagged)
        lines.append("" if n == 0 else f"\n{n} row(s) flagged")
        return "\n".join(lines).rstrip()


def grad_report(
    model: Module,
    loss: Node | None = None,
    *,
    watch: Watch | None = None,
    lr: float | None = None,
    previous: GradReport | None = None,
    vanishing: float = 1e-7,
    exploding: float = 1e3,
    update_range: tuple[float, float] = (1e-5, 1e-2),
    dead_fraction: float = 0.5,
) -> GradReport:
    """Report the gradient health of `model` after ``loss.backward()``.

    Parameters
    ----------
    model : Module
        Its ``named_parameters()`` are the rows: each `Tensor` parameter on its own, `Value`
        parameters grouped by the list they are in (``layers.0.neurons.w`` gathers the
        weights of every neuron of layer 0).
    loss : Value or Tensor, optional
        Deprecated and not read (a DeprecationWarning says so): the report used to find the
        ReLUs by walking the loss graph; it now learns them from the modules (`watch`).
    watch : Watch, optional
        A watch of `model` (`nn.watch`) that recorded the forward pass: the report then has
        a row per ReLU module (or per layer of ReLU neurons) with its dead units. Without
        it, the report has no ReLU section.
    lr : float, optional
        The learning rate: the update ratio is then ``lr |grad| / |param|`` (plain SGD).
    previous : GradReport, optional
        An earlier report of the same model: the update ratio is then measured as
        ``|param - param before| / |param before|`` (any optimizer; takes precedence).
    vanishing, exploding : float
        Flag a gradient norm below / above these.
    update_range : (float, float)
        Flag an update ratio outside this range.
    dead_fraction : float
        Flag a ReLU layer with at least this fraction of dead units.

    Returns
    -------
    GradReport
        ``print(report)`` shows the table; ``report.flagged`` lists the rows with flags.

    Examples
    --------
    >>> import nn
    >>> from autograd_lite import Value
    >>> model = nn.MLP(2, [4, 1], rng=0)
    >>> with nn.watch(model) as watch:
    ...     loss = (model([Value(1.0), Value(-2.0)]) - 1.0) ** 2
    ...     loss.backward()
    >>> report = grad_report(model, watch=watch, lr=0.1)
    >>> [p.name for p in report.params]
    ['layers.0.neurons.w', 'layers.0.neurons.b', 'layers.1.neurons.w', 'layers.1.neurons.b']
    >>> [(r.name, r.units) for r in report.relus]
    [('layers.0', 4)]
    """
    if not isinstance(model, Module):
        raise TypeError(f"grad_report: expected an nn.Module, got {type(model).__name__}")
    if lr is not None:
        lr = real("grad_report", "lr", lr, 0.0, low_open=True)
    vanishing = real("grad_report", "vanishing", vanishing, 0.0)
    exploding = real("grad_report", "exploding", exploding, 0.0, low_open=True)
    dead_fraction = probability("grad_report", "dead_fraction", dead_fraction)
    if loss is not None:
        warnings.warn(
            "grad_report: the loss argument is deprecated and not read; the parameter rows "
            "need only the model, and the dead-ReLU rows come from the forward pass: record "
            "it with `with nn.watch(model) as watch:` and call watch.report(...)",
            DeprecationWarning,
            stacklevel=2,
        )
    if watch is not None and not isinstance(watch, Watch):
        raise TypeError(
            f"grad_report: expected watch to be a Watch (nn.watch(model)), got "
            f"{type(watch).__name__}"
        )
    if watch is not None and watch.model is not model:
        raise ValueError(
            f"grad_report: expected a watch of this {type(model).__name__}, got a watch of "
            f"another model, a {type(watch.model).__name__}"
        )
    groups = _groups(model.named_parameters())
    params, snapshot = [], {}
    for name, (shape, members) in groups.items():
        data = _flat([p.data for p in members])
        grad = None
        if any(p.grad is not None for p in members):
            grad = _flat(
                [np.zeros(np.shape(p.data)) if p.grad is None else p.grad for p in members]
            )
        snapshot[name] = data
        params.append(
            _param_row(name, shape, data, grad, lr, previous, vanishing, exploding, update_range)
        )
    relus = watch.relus(dead_fraction) if watch is not None else []
    return GradReport(params, relus, lr, snapshot)


def _groups(named: Iterable[tuple[str, Node]]) -> dict[str, tuple[tuple[int, ...], list[Node]]]:
    """name -> (shape, members). Tensor parameters one by one; Values by list: the numeric
    parts of a dotted name after the first are dropped (``layers.0.neurons.3.w.1`` ->
    ``layers.0.neurons.w``) and become the group's shape ((neurons, inputs) here)."""
    groups: dict[str, list[Node]] = {}
    indices: dict[str, list[tuple[int, ...]]] = {}
    for name, p in named:
        key, index = name, ()
        if isinstance(p, Value):
            parts = name.split(".")
            first = next((i for i, s in enumerate(parts) if s.isdigit()), len(parts))
            rest = parts[first + 1 :]
            key = ".".join(parts[: first + 1] + [s for s in rest if not s.isdigit()])
            index = tuple(int(s) for s in rest if s.isdigit())
        groups.setdefault(key, []).append(p)
        indices.setdefault(key, []).append(index)
    shaped = {}
    for key, members in groups.items():
        shape = tuple(np.shape(members[0].data))
        if isinstance(members[0], Value):
            shape = tuple(max(i) + 1 for i in zip(*indices[key]))
            if math.prod(shape) != len(members):  # ragged: just count them
                shape = (len(members),)
        shaped[key] = (shape, members)
    return shaped


def _param_row(
    name: str,
    shape: tuple[int, ...],
    data: np.ndarray,
    grad: np.ndarray | None,
    lr: float | None,
    previous: GradReport | None,
    vanishing: float,
    exploding: float,
    update_range: tuple[float, float],
) -> ParamHealth:
    param_norm = float(np.linalg.norm(data))
    flags = []
    grad_norm = None
    if grad is None:
        flags.append("no gradient")
    else:
        grad_norm = float(np.linalg.norm(grad))
        if not np.all(np.isfinite(grad)):
            flags.append("non-finite gradient")
        elif grad_norm == 0.0:
            flags.append("zero gradient")
        elif grad_norm < vanishing:
            flags.append(f"vanishing (< {vanishing:g})")
        elif grad_norm > exploding:
            flags.append(f"exploding (> {exploding:g})")
    ratio = None
    before = previous.snapshot.get(name) if previous is not None else None
    if before is not None and before.shape == data.shape:
        ratio = float(np.linalg.norm(data - before)) / max(float(np.linalg.norm(before)), 1e-300)
    elif lr is not None and grad_norm is not None:
        ratio = lr * grad_norm / max(param_norm, 1e-300)
    if ratio is not None and math.isfinite(ratio) and ratio > 0.0:
        low, high = update_range
        if ratio < low:
            flags.append(f"small updates (< {low:g})")
        elif ratio > high:
            flags.append(f"large updates (> {high:g})")
    return ParamHealth(name, shape, grad_norm, param_norm, ratio, tuple(flags))


def _flat(arrays: list[Any]) -> np.ndarray:
    """The elements of every array, as one new float64 vector."""
    return np.concatenate([np.ravel(np.asarray(a, dtype=np.float64)) for a in arrays])


def _num(x: float | None) -> str:
    return "-" if x is None else f"{x:.2e}"


def _table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> list[str]:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    fmt = "  ".join(f"{{:<{w}}}" for w in widths)
    return [re.sub(r"\s+$", "", fmt.format(*r)) for r in [header, *rows]]
