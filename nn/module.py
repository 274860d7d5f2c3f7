"""`Module`: the base class of every model, for `Value` and `Tensor` parameters alike.

A module finds its parameters by walking its attributes (sub-modules, lists, tuples and
dicts of them), the way PyTorch's ``Module`` does, so subclasses only assign attributes:
there is nothing to register.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from autograd_lite.engine import Node

__all__ = ["Module"]


class Module:
    """Base class of models: parameters, gradients, training mode and a readable ``repr``.

    A parameter is any node attribute that requires a gradient (every `Value`; a `Tensor`
    with ``requires_grad=True``), found in the module's attributes, in lists, tuples and
    dicts of them, and in sub-modules.

    Subclasses define ``forward`` and may define ``extra_repr``.
    """

    training = True

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        forward = getattr(self, "forward", None)
        if forward is None:
            raise TypeError(f"{type(self).__name__} is a Module but defines no forward() method")
        return forward(*args, **kwargs)

    # -- walking the attributes -----------------------------------------------------------

    def named_children(self) -> Iterator[tuple[str, Module]]:
        """The direct sub-modules with their attribute names (``layers.0`` for lists)."""
        for name, item in _attributes(self, ""):
            if isinstance(item, Module):
                yield name, item

    def named_modules(self, prefix: str = "") -> Iterator[tuple[str, Module]]:
        """This module and every module below it, each once, depth first, with dotted names."""
        for name, item in _tree(self, prefix):
            if isinstance(item, Module):
                yield name, item

    def modules(self) -> Iterator[Module]:
        """This module and every module below it."""
        for _, module in self.named_modules():
            yield module

    def named_parameters(self, prefix: str = "") -> Iterator[tuple[str, Node]]:
        """Every parameter once, in attribute order, with its dotted name
        (``layers.0.neurons.1.w.2``); a parameter reachable twice keeps its first name."""
        seen: set[int] = set()
        for name, item in _tree(self, prefix):
            if isinstance(item, Node) and item.requires_grad and id(item) not in seen:
                seen.add(id(item))
                yield name, item

    def parameters(self) -> list[Node]:
        """Every parameter once, in a stable order (a list, so ``len()`` works)."""
        return [p for _, p in self.named_parameters()]

    # -- gradients and modes --------------------------------------------------------------

    def zero_grad(self) -> None:
        """Reset every parameter's gradient (0.0 for a `Value`, None for a `Tensor`)."""
        for p in self.parameters():
            p.zero_grad()

    def train(self, mode: bool = True) -> Module:
        """Set training mode (``Dropout`` is active) on this module and every sub-module."""
        for module in self.modules():
            module.training = mode
        return self

    def eval(self) -> Module:
        """Set evaluation mode: ``train(False)``."""
        return self.train(False)

    # -- repr -------------------------------------------------------------------------------

    def extra_repr(self) -> str:
        """What to show between the parentheses of this module's ``repr``."""
        return ""

    def __repr__(self) -> str:
        children = list(self.named_children())
        head = f"{type(self).__name__}({self.extra_repr()}"
        if not children:
            return head + ")"
        lines = [head]
        for name, child in children:
            text = repr(child).replace("\n", "\n  ")
            lines.append(f"  ({name}): {text}")
        return "\n".join(lines) + "\n)"


def _tree(root: Module, prefix: str) -> Iterator[tuple[str, Any]]:
    """(dotted name, item) for `root` and every module and node below it, depth first in
    attribute order; a module reachable twice is entered once."""
    seen: set[int] = set()
    stack: list[tuple[str, Any]] = [(prefix, root)]
    while stack:
        name, item = stack.pop()
        if isinstance(item, Module):
            if id(item) in seen:
                continue
            seen.add(id(item))
            stack.extend(reversed(list(_attributes(item, name))))
        yield name, item


def _attributes(module: Module, prefix: str) -> Iterator[tuple[str, Any]]:
    """(dotted name, item) for the nodes and modules among a module's attributes.

    Lists, tuples and dicts are entered (``layers.0``); modules are not (`_tree` enters
    them). Names starting with ``_`` are private state, not parameters.
    """
    stack = [(_join(prefix, k), v) for k, v in vars(module).items() if not k.startswith("_")]
    stack.reverse()
    while stack:
        name, item = stack.pop()
        if isinstance(item, (Node, Module)):
            yield name, item
        elif isinstance(item, (list, tuple)):
            stack.extend(reversed([(_join(name, str(i)), v) for i, v in enumerate(item)]))
        elif isinstance(item, dict):
            stack.extend(reversed([(_join(name, str(k)), v) for k, v in item.items()]))


def _join(prefix: str, name: str) -> str:
    return f"{prefix}.{name}" if prefix else name
