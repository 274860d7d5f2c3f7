"""`nn.watch(model)`: record, through forward hooks, what a model's ReLUs output.

A ReLU unit whose output is 0 for every example passes no gradient back, so it cannot learn
its way out: it is *dead*. Counting them needs the forward pass, which only the modules see,
so the watch puts a forward hook on every module of the model while it is on:

- each `nn.ReLU` module: its output, one unit per entry of the last axis (all other axes are
  the batch), and the layer it read from (the module whose output was its input);
- each `nn.Neuron` whose activation is ``"relu"``: its output, one unit, counted with the
  other ReLU neurons of the module that holds it (a `Layer`);
- every other module without sub-modules: its output, kept as a weak reference only to
  name the layer a ReLU reads from.

Only running counts are kept, so a watch can stay on for many batches; the counts cover
every forward pass while it was on (training and evaluation alike). A ReLU applied inside a
custom ``forward`` (``F.relu(x)``, ``x.relu()``) is not a module, and the watch cannot see it.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from types import TracebackType
from typing import TYPE_CHECKING, Any

import numpy as np

from autograd_lite.engine import Node
from nn.hooks import RemovableHandle
from nn.layers.activations import ReLU, activation_name
from nn.layers.scalar import Neuron
from nn.module import Module
from nn.validation import probability

if TYPE_CHECKING:
    from nn.health.report import GradReport

__all__ = ["ReluHealth", "Watch", "watch"]


@dataclass(frozen=True)
class ReluHealth:
    """The ReLU units of one module over the recorded forward passes.

    ``name`` is the ReLU module (tensor path) or the module holding the ReLU neurons (scalar
    path, a `Layer`); ``after`` the module whose output the ReLU read, when one was seen.
    """

    name: str
    units: int
    dead: int  # units whose output is 0 for every example: they pass no gradient
    zero_fraction: float  # of all the outputs
    flags: tuple[str, ...] = ()
    after: str | None = None

    @property
    def dead_fraction(self) -> float:
        return self.dead / self.units if self.units else 0.0


class _Units:
    """Running counts for the units of one row: which ever output a positive value, and how
    many of all their outputs were <= 0."""

    def __init__(self, units: int) -> None:
        self.alive = np.zeros(units, dtype=bool)
        self.zeros = 0
        self.total = 0

    def add(self, columns: np.ndarray, index: int | slice = slice(None)) -> None:
        """Outputs of shape (examples, units), or (examples,) for the single unit `index`."""
        positive = columns > 0
        self.alive[index] |= positive.any(axis=0)
        self.total += columns.size
        self.zeros += columns.size - int(np.count_nonzero(positive))

    def row(self, name: str, after: str | None, dead_fraction: float) -> ReluHealth:
        units = self.alive.size
        dead = units - int(np.count_nonzero(self.alive))
        flags = ()
        if units and dead / units >= dead_fraction:
            flags = (f"dead units (>= {dead_fraction:.0%})",)
        zero_fraction = self.zeros / self.total if self.total else 0.0
        return ReluHealth(name, units, dead, zero_fraction, flags, after)


class Watch:
    """Forward hooks on every module of `model`, recording its ReLU outputs while on.

    Use it as a context manager (``with nn.watch(model) as watch: ...``), or call `start`
    and `stop`. The counts stay after it stops: `relus` and `report` read them.
    """

    def __init__(self, model: Module) -> None:
        if not isinstance(model, Module):
            raise TypeError(f"watch: expected an nn.Module, got {type(model).__name__}")
        self.model = model
        self._handles: list[RemovableHandle] = []
        # (row name, module read from, units) -> counts, in the order first seen
        self._rows: dict[tuple[str, str | None, int], _Units] = {}
        # leaf module name -> weak reference to its latest output (for `after`)
        self._latest: dict[str, weakref.ref[Any]] = {}

    def start(self) -> Watch:
        """Put the hooks on (each module once, however often it is reachable)."""
        if self._handles:
            raise RuntimeError("watch: expected a watch that is off, got one already on")
        neurons = _relu_neurons(self.model)
        for name, module in self.model.named_modules():
            hook = self._hook(name, module, neurons.get(id(module)))
            if hook is not None:
                self._handles.append(module.register_forward_hook(hook))
        return self

    def stop(self) -> None:
        """Take the hooks off; the counts stay."""
        for handle in self._handles:
            handle.remove()
        self._handles.clear()
        self._latest.clear()

    def __enter__(self) -> Watch:
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.stop()

    def relus(self, dead_fraction: float = 0.5) -> list[ReluHealth]:
        """One row per ReLU module (and per layer it read from, and width), or per module of
        ReLU neurons, in the order first called; flagged with at least `dead_fraction` dead."""
        dead_fraction = probability("watch.relus", "dead_fraction", dead_fraction)
        return [
            units.row(name or type(self.model).__name__, after, dead_fraction)
            for (name, after, _), units in self._rows.items()
        ]

    def report(self, **options: Any) -> GradReport:
        """`grad_report` of the watched model with these ReLU rows; `options` are those of
        `grad_report` (``lr``, ``previous``, the thresholds)."""
        from nn.health.report import grad_report

        return grad_report(self.model, watch=self, **options)

    # -- the hooks --------------------------------------------------------------------------

    def _hook(self, name: str, module: Module, neuron: tuple[str, int, int] | None) -> Any:
        """The hook `module` gets, or None; `neuron` is (row, units, index) for a ReLU
        neuron."""
        if isinstance(module, ReLU):
            return lambda _module, args, output: self._relu(name, args, output)
        if neuron is not None:
            row, units, index = neuron
            return lambda _module, _args, output: self._neuron(row, units, index, output)
        if next(module.named_children(), None) is None:  # a layer: record what it outputs
            return lambda _module, _args, output: self._remember(name, output)
        return None

    def _remember(self, name: str, output: Any) -> None:
        if isinstance(output, Node):
            self._latest[name] = weakref.ref(output)

    def _relu(self, name: str, args: tuple[Any, ...], output: Any) -> None:
        source = args[0] if args else None
        after = next((m for m, ref in self._latest.items() if ref() is source), None)
        data = np.asarray(output.data if isinstance(output, Node) else output)
        columns = data.reshape(-1, data.shape[-1]) if data.ndim else data.reshape(1, 1)
        key = (name, after, columns.shape[1])  # a ReLU reading inputs of two widths: two rows
        units = self._rows.get(key)
        if units is None:
            units = self._rows[key] = _Units(columns.shape[1])
        units.add(columns)

    def _neuron(self, row: str, units: int, index: int, output: Any) -> None:
        counts = self._rows.get((row, None, units))
        if counts is None:
            counts = self._rows[(row, None, units)] = _Units(units)
        data = output.data if isinstance(output, Node) else output
        counts.add(np.asarray([data], dtype=np.float64), index)


def _relu_neurons(model: Module) -> dict[int, tuple[str, int, int]]:
    """id(neuron) -> (the name of the module holding it, how many ReLU neurons that module
    holds, its index among them), for every `Neuron` with a ReLU activation (a neuron held
    twice counts with its first holder)."""
    rows: dict[str, list[int]] = {}
    seen: set[int] = set()
    held = [(name, c) for name, module in model.named_modules() for _, c in module.named_children()]
    for name, child in [("", model), *held]:
        relu = isinstance(child, Neuron) and activation_name(child.activation) == "relu"
        if relu and id(child) not in seen:
            seen.add(id(child))
            rows.setdefault(name, []).append(id(child))
    return {key: (row, len(ids), j) for row, ids in rows.items() for j, key in enumerate(ids)}


def watch(model: Module) -> Watch:
    """Record what `model`'s ReLUs output while the returned watch is on.

    Examples
    --------
    >>> import numpy as np
    >>> import nn
    >>> from nn import functional as F
    >>> model = nn.Sequential(nn.Linear(3, 4, rng=0), nn.ReLU(), nn.Linear(4, 2, rng=1))
    >>> with nn.watch(model) as w:
    ...     loss = F.cross_entropy(model(np.ones((5, 3))), np.array([0, 1, 0, 1, 1]))
    ...     loss.backward()
    >>> [(row.name, row.after, row.units) for row in w.relus()]
    [('1', '0', 4)]
    >>> report = w.report(lr=0.1)  # gradients, update ratios and the ReLU rows
    """
    return Watch(model)
