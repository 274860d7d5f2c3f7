"""Reverse mode replayed step by step, computed on the side (no ``.grad`` is touched).

`backward()` visits the nodes in reverse topological order. When it reaches a node, every
node that uses it has already sent it a share of the gradient, so its gradient is complete;
it then multiplies that gradient by each local derivative and sends the products on to its
inputs. `backward_steps` records exactly that, one `Step` per node, from the engine's own
walk (`autograd_lite.engine.walk`), so the last step's gradients equal ``backward()``'s.

A node's gradient is complete as soon as its last contribution has arrived, which can be
steps before its own turn: `BackwardReplay.state_after` says which nodes are done, ready or
pending after each step, and ``replay.draw(k)`` (in `autograd_lite.draw`) shows it.
``replay.forward`` lists the forward pass that came first, and ``replay.to_html(path)`` and
``replay.widget()`` play both passes, the forward frames then the backward ones.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from autograd_lite.engine import Node, topological_order, walk
from autograd_lite.explain.forward import ForwardStep, forward_steps
from autograd_lite.explain.labels import fmt, grad_norm, is_tensor, node_name, unique_names
from autograd_lite.explain.playable import Playable

__all__ = ["BackwardReplay", "Contribution", "Step", "backward_steps"]


@dataclass(frozen=True)
class Contribution:
    """One edge's share of a gradient: ``amount = gradient of child × local_derivative``.

    `total` is the receiving node's running total right after adding `amount`.
    `local_derivative` is None for tensors (a Jacobian, not a number).
    """

    child: Node
    parent: Node
    slot: int
    local_derivative: float | None
    amount: Any
    total: Any


@dataclass(frozen=True)
class Step:
    """The engine reaching `node`: its gradient is complete (the sum of `incoming`), and it
    sends `outgoing` to its inputs."""

    index: int
    node: Node
    grad: Any
    incoming: tuple[Contribution, ...]
    outgoing: tuple[Contribution, ...]
    # Names for unlabelled nodes whose ops clash (shared by all the steps of one replay).
    names: dict[Node, str] = field(default_factory=dict, repr=False, compare=False)

    @property
    def caption(self) -> str:
        """What happens at this step, in a few words (a player's caption)."""
        name = self.names.get(self.node) or node_name(self.node)
        if not self.incoming:
            return f"backward, step 0: start at the output {name}"
        return f"backward, step {self.index}: the engine reaches {name}; its gradient is complete"

    @property
    def arithmetic(self) -> str:
        """The numbers of this step: what arrived, their sum, what is sent on."""
        return str(self).split(": ", 1)[1]

    def __str__(self) -> str:
        def name_of(node: Node) -> str:
            return self.names.get(node) or node_name(node)

        name = name_of(self.node)
        if not self.incoming:
            head = f"step {self.index}: {name} is the output, d{name}/d{name} = {num(self.grad)}"
        else:
            got = ", ".join(f"{num(c.amount)} from {name_of(c.child)}" for c in self.incoming)
            head = f"step {self.index}: {name} got {got}"
            if len(self.incoming) > 1 and _is_norm(self.grad):  # norms do not add up
                head += f", so its gradient is their sum, {num(self.grad)}"
            elif len(self.incoming) > 1:
                parts = " + ".join(num(c.amount) for c in self.incoming)
                head += f", so its gradient is {parts} = {num(self.grad)}"
        if not self.outgoing:
            return head + (". A leaf: nothing to send." if not self.node.parents else ".")
        sends = ", ".join(
            f"{num(self.grad)} × {num(c.local_derivative)} = {num(c.amount)} to {name_of(c.parent)}"
            if c.local_derivative is not None
            else f"{num(c.amount)} to {name_of(c.parent)}"
            for c in self.outgoing
        )
        return f"{head}. It sends {sends}."


class BackwardReplay(Playable):
    """The steps of reverse mode from `root`; ``replay[k]`` is a `Step`, ``str(replay)`` the
    whole story, ``replay.draw(k)`` the picture of step k, ``replay.forward`` the forward
    pass before it; ``replay.to_html(path)`` and ``replay.widget()`` play both passes."""

    def __init__(self, root: Node, steps: list[Step], order: list[Node]) -> None:
        self.root = root
        self.steps = steps
        #: Every node of the graph in topological order, reached by a gradient or not.
        self.order = order
        self._step_of = {step.node: step for step in steps}
        # The step after which each gradient is complete: the one sending its last share.
        self._complete_at: dict[Node, int] = {steps[0].node: 0} if steps else {}
        for step in steps:
            for c in step.outgoing:
                self._complete_at[c.parent] = step.index

    @property
    def forward(self) -> list[ForwardStep]:
        """The forward pass that computed the values, before these steps (`forward_steps`)."""
        return forward_steps(self.root)

    @property
    def gradients(self) -> dict[Node, Any]:
        """Every node's gradient at the end (what ``backward()`` leaves in ``.grad``)."""
        return {step.node: step.grad for step in self.steps}

    def step_of(self, node: Node) -> Step | None:
        """The step at which the walk reaches `node`; None if no gradient reaches it."""
        return self._step_of.get(node)

    def gradients_after(self, k: int) -> dict[Node, Any]:
        """The (partial) gradient of every node reached so far, once step `k` is done."""
        k = self.step_index(k)
        grads: dict[Node, Any] = {self.steps[0].node: self.steps[0].grad}
        for step in self.steps[: k + 1]:
            for c in step.outgoing:
                grads[c.parent] = c.total
        return grads

    def complete_after(self, k: int) -> dict[Node, Any]:
        """The gradients that are complete once step `k` is done (every share has arrived),
        even those of nodes whose own turn comes later."""
        k = self.step_index(k)
        finals = self.gradients
        return {n: finals[n] for n, at in self._complete_at.items() if at <= k}

    def state_after(self, k: int) -> dict[Node, str]:
        """Each reached node's state once step `k` is done: ``"done"`` (its turn is over;
        the current node counts as done), ``"ready"`` (its gradient is complete, its turn to
        come) or ``"pending"`` (shares still to arrive). Nodes never reached are left out."""
        k = self.step_index(k)
        return {
            s.node: "done"
            if s.index <= k
            else ("ready" if self._complete_at[s.node] <= k else "pending")
            for s in self.steps
        }

    def shares_arrived(self, node: Node, k: int) -> tuple[int, int]:
        """How many of `node`'s shares of the gradient have arrived once step `k` is done,
        and how many it gets in all (``(0, 0)`` for a node no gradient reaches)."""
        k = self.step_index(k)
        step = self._step_of.get(node)
        if step is None:
            return 0, 0
        arrived = sum(self._step_of[c.child].index <= k for c in step.incoming)
        return arrived, len(step.incoming)

    def draw(self, k: int, **options: Any) -> Any:
        """Draw step `k` (a `graphviz.Digraph`): the current node outlined in red with the
        gradient it sends on each input edge; nodes done filled green; nodes whose gradient
        is complete but whose turn is still to come pale green; pending nodes grey with
        ``grad ?`` and the sum so far. `options` go to `draw_graph` (``rankdir``,
        ``max_nodes``, ``module``, ...). See `autograd_lite.draw.replay`.
        """
        # Imported here: `explain` computes, `draw` (and graphviz) is loaded only to draw.
        from autograd_lite.draw.replay import draw_replay_step

        return draw_replay_step(self, k, **options)

    def step_index(self, k: int) -> int:
        """`k` as a step index (negative counts from the end), or an IndexError."""
        if (
            isinstance(k, bool)
            or not isinstance(k, (int, np.integer))
            or not -len(self) <= k < len(self)
        ):
            raise IndexError(f"expected a step between 0 and {len(self) - 1}, got {k!r}")
        return int(k) % len(self)


def backward_steps(root: Node) -> BackwardReplay:
    """Replay ``root.backward()`` as a list of steps, without changing any ``.grad``.

    Parameters
    ----------
    root : Value or Tensor
        A scalar output (a Tensor with one element). For tensors, replay before
        ``backward()`` or after ``backward(retain_graph=True)``: a plain ``backward()``
        frees the saved values the replay needs.

    Returns
    -------
    BackwardReplay
        A sequence of `Step`; ``replay.gradients`` equals the gradients ``backward()``
        computes (from zeroed leaf gradients).

    Examples
    --------
    >>> from autograd_lite import Value
    >>> a = Value(3.0, label="a")
    >>> b = a * a
    >>> b.label = "b"
    >>> print(backward_steps(b))
    step 0: b is the output, db/db = 1. It sends 1 × 3 = 3 to a, 1 × 3 = 3 to a.
    step 1: a got 3 from b, 3 from b, so its gradient is 3 + 3 = 6. A leaf: nothing to send.
    """
    if not isinstance(root, Node):
        raise TypeError(f"backward_steps: expected a Value or Tensor, got {type(root).__name__}")
    if is_tensor(root) and root.data.size != 1:
        raise ValueError(
            f"backward_steps: expected an output with one element, got shape {root.data.shape}"
        )
    order = topological_order(root)
    names = unique_names(order)
    steps: list[Step] = []
    incoming: dict[Node, list[Contribution]] = {}
    totals: dict[Node, Any] = {}  # each node's running total, as the engine adds them up
    try:
        for s in walk(root):
            grad = s.grad
            if s.node.is_leaf and not is_tensor(s.node):
                grad = 0.0 + grad  # the engine adds onto a zeroed Value leaf: 0.0 + -0.0 is 0.0
            outgoing = _contributions(s.node, s.sent, totals)
            for c in outgoing:
                incoming.setdefault(c.parent, []).append(c)
            inc = tuple(incoming.get(s.node, ()))
            steps.append(Step(len(steps), s.node, grad, inc, outgoing, names))
    except RuntimeError as error:  # most often: backward() freed the saved values
        raise RuntimeError(
            f"backward_steps: {error} (replay before backward(), or call "
            f"backward(retain_graph=True))"
        ) from error
    return BackwardReplay(root, steps, order)


def _contributions(
    node: Node, sent: tuple[Any, ...], totals: dict[Node, Any]
) -> tuple[Contribution, ...]:
    """What `node` sends each parent (from the walk), with the local derivative (Values) and
    the parent's running total after it."""
    if not any(g is not None for g in sent):
        return ()
    local = None if is_tensor(node) else node.vjp(1.0)
    out = []
    for slot, (parent, amount) in enumerate(zip(node.parents, sent)):
        if amount is None:  # no gradient needed there: the engine sends nothing
            continue
        old = totals.get(parent)
        if old is None and local is not None and parent.is_leaf:
            old = 0.0  # as the engine, onto a zeroed Value leaf
        totals[parent] = amount if old is None else old + amount
        d = None if local is None else float(local[slot])
        out.append(Contribution(node, parent, slot, d, amount, totals[parent]))
    return tuple(out)


def _is_norm(x: Any) -> bool:
    """True when `num` shows a norm (an array of more than one element)."""
    return isinstance(x, np.ndarray) and x.size != 1


def num(x: Any) -> str:
    """A gradient in a sentence: the number, ``?`` for none, ``‖·‖ n`` for an array."""
    if x is None:
        return "?"
    if isinstance(x, np.ndarray):
        return fmt(float(x.flat[0])) if x.size == 1 else f"‖·‖ {fmt(grad_norm(x))}"
    return fmt(x)
