"""The forward pass replayed: the values computed in topological order, one node a step.

Before `backward()` sends gradients back, the forward pass computed every value from its
inputs, each node after all the nodes it reads. `forward_steps` lists that order as steps
(step 0: the leaves already hold their values; then one step per computed node) with the
arithmetic of each, so a player shows the forward frames before the backward ones.

Computed on the side: the values are read from the graph, nothing is recomputed or changed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from autograd_lite.engine import Node, topological_order
from autograd_lite.explain.labels import array_summary, fmt, is_tensor, node_name, unique_names

__all__ = ["ForwardStep", "forward_steps"]

_INFIX = {"+": "+", "-": "-", "*": "×", "/": "/", "@": "@"}
_LEAVES_LISTED = 6  # step 0 names this many leaves, then counts the rest


@dataclass(frozen=True)
class ForwardStep:
    """Step `index` of the forward pass: `node` is computed from its inputs (None at step 0,
    where the leaves are given)."""

    index: int
    node: Node | None
    # Shared by the steps of one pass: the step computing each node (0 for the leaves).
    turns: dict[Node, int] = field(repr=False, compare=False)
    names: dict[Node, str] = field(default_factory=dict, repr=False, compare=False)

    def known(self, node: Node) -> bool:
        """True when `node`'s value exists once this step is done."""
        return self.turns.get(node, 0) <= self.index

    def name(self, node: Node) -> str:
        """The node's name in this pass's text (unlabelled clashes numbered)."""
        return self.names.get(node) or node_name(node)

    @property
    def caption(self) -> str:
        """What happens at this step, in a few words."""
        if self.node is None:
            return "forward, step 0: the inputs and parameters hold their values"
        name, op = self.name(self.node), self.node.op
        return f"forward, step {self.index}: compute {name}" + (f" ({op})" if op != name else "")

    @property
    def arithmetic(self) -> str:
        """The numbers of this step: ``z = w × x + b = 0.8 × 1.5 + -0.5 = 0.7``."""
        if self.node is None:
            leaves = [n for n, turn in self.turns.items() if turn == 0]
            shown = [f"{self.name(n)} = {value(n)}" for n in leaves[:_LEAVES_LISTED]]
            more = len(leaves) - _LEAVES_LISTED
            return ", ".join(shown) + (f" and {more} more" if more > 0 else "")
        formula = _formula(self.node, [self.name(p) for p in self.node.parents])
        if is_tensor(self.node):  # the inputs' summaries are in their boxes: not repeated
            return f"{self.name(self.node)} = {formula} = {value(self.node)}"
        numeric = _formula(self.node, [value(p) for p in self.node.parents])
        return f"{self.name(self.node)} = {formula} = {numeric} = {value(self.node)}"

    def __str__(self) -> str:
        return f"{self.caption}. {self.arithmetic}."


def forward_steps(root: Node) -> list[ForwardStep]:
    """The forward pass that computed `root`, as steps in topological order.

    Parameters
    ----------
    root : Value or Tensor
        The output.

    Returns
    -------
    list of ForwardStep
        Step 0 (the leaves), then one step per computed node, `root` last.

    Examples
    --------
    >>> from autograd_lite import Value
    >>> a = Value(3.0, label="a")
    >>> b = a * a
    >>> b.label = "b"
    >>> for step in forward_steps(b):
    ...     print(step)
    forward, step 0: the inputs and parameters hold their values. a = 3.
    forward, step 1: compute b (*). b = a × a = 3 × 3 = 9.
    """
    if not isinstance(root, Node):
        raise TypeError(f"forward_steps: expected a Value or Tensor, got {type(root).__name__}")
    order = topological_order(root)
    names = unique_names(order)
    computed = [n for n in order if n.parents]
    turns = {n: 0 for n in order if not n.parents} | {n: k for k, n in enumerate(computed, 1)}
    return [ForwardStep(0, None, turns, names)] + [
        ForwardStep(k, node, turns, names) for k, node in enumerate(computed, 1)
    ]


def value(node: Node) -> str:
    """A node's value in a sentence: the number, or an array's shape and summary."""
    if is_tensor(node):
        return array_summary(node.data)
    return fmt(node.data)


def _formula(node: Node, args: list[str]) -> str:
    """`node`'s op applied to `args` (names or numbers), written as a learner would."""
    op = node.op or "op"
    if op in _INFIX and len(args) == 2:
        return f"{_group(args[0])} {_INFIX[op]} {_group(args[1])}"
    if op.startswith("**") and len(args) == 1:
        return f"{_group(args[0], sign=True)}{op}"
    if op == "linear" and len(args) >= 2:  # parents are (*weights, *inputs[, bias])
        n = len(args) // 2
        terms = " + ".join(f"{w} × {x}" for w, x in zip(args[:n], args[n : 2 * n]))
        return terms + (f" + {args[-1]}" if len(args) % 2 else "")
    return f"{op}({', '.join(args)})"


def _group(arg: str, sign: bool = False) -> str:
    """`arg` in brackets when it is itself a sum (``a - y``), or (with `sign`) negative."""
    return f"({arg})" if " " in arg or (sign and arg.startswith("-")) else arg
