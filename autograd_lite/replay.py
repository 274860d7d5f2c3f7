"""Reverse mode replayed step by step, computed on the side (no ``.grad`` is touched).

`backward()` visits the nodes in reverse topological order. When it reaches a node, every
node that uses it has already sent it a share of the gradient, so its gradient is complete;
it then multiplies that gradient by each local derivative and sends the products on to its
inputs. `backward_steps` records exactly that, one `Step` per node, with the same arithmetic
in the same order as the engine, so the last step's gradients equal ``backward()``'s.

A node's gradient is complete as soon as its last contribution has arrived, which can be
steps before its own turn: the pictures show a gradient only from then on.
"""

from __future__ import annotations

import html
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from autograd_lite.engine import Node, topological_order
from autograd_lite.viz import Extras, Picture, draw_graph
from autograd_lite.viz_labels import (
    fmt,
    grad_norm,
    is_tensor,
    joint_norm,
    node_name,
    table,
    unique_names,
)

__all__ = ["BackwardReplay", "Contribution", "Step", "backward_steps", "draw_step"]

DONE, READY, CURRENT, PENDING = "#a6dba0", "#d9f0d3", "#d6604d", "#bbbbbb"
# Node attributes by state: 0 done, 1 ready (gradient complete, turn to come), 2 pending.
_STATE_ATTRS = (
    {"fillcolor": DONE},
    {"fillcolor": READY},
    {"fillcolor": "#f2f2f2", "fontcolor": "#777777", "color": PENDING},
)


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

    def __str__(self) -> str:
        def name_of(node: Node) -> str:
            return self.names.get(node) or node_name(node)

        name = name_of(self.node)
        if not self.incoming:
            head = f"step {self.index}: {name} is the output, d{name}/d{name} = {_num(self.grad)}"
        else:
            got = ", ".join(f"{_num(c.amount)} from {name_of(c.child)}" for c in self.incoming)
            head = f"step {self.index}: {name} got {got}"
            if len(self.incoming) > 1 and _is_norm(self.grad):  # norms do not add up
                head += f", so its gradient is their sum, {_num(self.grad)}"
            elif len(self.incoming) > 1:
                parts = " + ".join(_num(c.amount) for c in self.incoming)
                head += f", so its gradient is {parts} = {_num(self.grad)}"
        if not self.outgoing:
            return head + (". A leaf: nothing to send." if not self.node._parents else ".")
        sends = ", ".join(
            f"{_num(self.grad)} × {_num(c.local_derivative)} = {_num(c.amount)} to "
            f"{name_of(c.parent)}"
            if c.local_derivative is not None
            else f"{_num(c.amount)} to {name_of(c.parent)}"
            for c in self.outgoing
        )
        return f"{head}. It sends {sends}."


class BackwardReplay(Sequence):
    """The steps of reverse mode from `root`; ``replay[k]`` is a `Step`, ``str(replay)`` the
    whole story, ``replay.draw(k)`` the picture of step k."""

    def __init__(self, root: Node, steps: list[Step], order: list[Node]) -> None:
        self.root = root
        self.steps = steps
        self._order = order
        self._step_of = {step.node: step for step in steps}
        # The step after which each gradient is complete: the one sending its last share.
        self._complete_at: dict[Node, int] = {steps[0].node: 0} if steps else {}
        for step in steps:
            for c in step.outgoing:
                self._complete_at[c.parent] = step.index

    def __len__(self) -> int:
        return len(self.steps)

    def __getitem__(self, k: Any) -> Any:
        return self.steps[k]

    def __iter__(self) -> Iterator[Step]:
        return iter(self.steps)

    def __str__(self) -> str:
        return "\n".join(str(step) for step in self.steps)

    @property
    def gradients(self) -> dict[Node, Any]:
        """Every node's gradient at the end (what ``backward()`` leaves in ``.grad``)."""
        return {step.node: step.grad for step in self.steps}

    def gradients_after(self, k: int) -> dict[Node, Any]:
        """The (partial) gradient of every node reached so far, once step `k` is done."""
        k = self._index(k)
        grads: dict[Node, Any] = {self.steps[0].node: self.steps[0].grad}
        for step in self.steps[: k + 1]:
            for c in step.outgoing:
                grads[c.parent] = c.total
        return grads

    def complete_after(self, k: int) -> dict[Node, Any]:
        """The gradients that are complete once step `k` is done (every share has arrived),
        even those of nodes whose own turn comes later."""
        k = self._index(k)
        finals = self.gradients
        return {n: finals[n] for n, at in self._complete_at.items() if at <= k}

    def draw(self, k: int, **options: Any) -> Picture:
        """Draw step `k`: the current node outlined in red with the gradient it sends on each
        input edge; nodes done filled green; nodes whose gradient is complete but whose turn
        is still to come pale green; pending nodes grey with ``grad ?`` and the sum so far.

        `options` go to `draw_graph` (``rankdir``, ``max_nodes``, ``module``, ...).
        """
        k = self._index(k)
        step = self.steps[k]
        # The current node stays visible even if `module=` or `max_nodes=` would hide it.
        extras = Extras(role_key=False, names=step.names, keep={step.node})
        state = self._states(k)
        complete, partial = self.complete_after(k), self.gradients_after(k)

        def grad_text(node: Node) -> str:
            if node in complete:
                return f"grad {_num(complete[node])}"
            if node not in self._step_of:  # never reached: a tensor that needs no gradient
                return "no grad"
            if node not in partial:
                return "grad ?"
            shares = self._step_of[node].incoming
            arrived = sum(self._step_of[c.child].index <= k for c in shares)
            return f"grad ? (so far {_num(partial[node])}, {arrived} of {len(shares)} uses)"

        def group_grad_text(members: list[Node]) -> str:
            ready = [n for n in members if n in complete]
            if len(ready) < len(members):
                return f"grad ? ({len(ready)} of {len(members)} complete)"
            return f"grad ‖·‖ {fmt(joint_norm(complete[n] for n in members))}"

        extras.grad_text, extras.group_grad_text = grad_text, group_grad_text
        # A module node is as far along as its least advanced parameter.
        extras.group_attrs = lambda members: _STATE_ATTRS[max(state.get(n, 2) for n in members)]
        for node in self._order:
            extras.node_attrs[node] = _STATE_ATTRS[state.get(node, 2)]
        extras.node_attrs[step.node] = {"color": CURRENT, "penwidth": "3"}
        self._mark_sends(step, extras)
        key = "".join(
            f'<td bgcolor="{fill}">{text}</td>'
            for fill, text in (
                (DONE, "done: complete, its turn over"),
                ("#ffffff", "current (red outline)"),
                (READY, "ready: complete, its turn to come"),
                ("#f2f2f2", "pending: gradient still incomplete"),
            )
        )
        extras.legend += [
            f"<b>backward, step {k} (of steps 0 to {len(self) - 1})</b>",
            html.escape(str(step)),
            table([f"<tr>{key}</tr>"]),
        ]
        options.setdefault("legend", True)
        return draw_graph(self.root, extras=extras, **options)

    def _states(self, k: int) -> dict[Node, int]:
        """Each reached node's state after step `k` (an index into `_STATE_ATTRS`); the
        current node counts as done, nodes never reached are left out (pending)."""
        return {
            s.node: 0 if s.index <= k else (1 if self._complete_at[s.node] <= k else 2)
            for s in self.steps
        }

    @staticmethod
    def _mark_sends(step: Step, extras: Extras) -> None:
        """Label the current node's input edges with what it sends (against the arrows)."""
        for c in step.outgoing:
            label = f"{_num(step.grad)} × {_num(c.local_derivative)} = {_num(c.amount)}"
            if c.local_derivative is None:
                label = f"‖·‖ {fmt(grad_norm(np.asarray(c.amount)))}"
            extras.edge_attrs[(c.child, c.slot)] = {
                "color": CURRENT,
                "penwidth": "2.5",
                "dir": "back",  # the gradient flows against the arrow: show it
                "label": label,
                "fontcolor": CURRENT,
            }
        if step.outgoing:
            extras.op_attrs[step.node] = {"color": CURRENT, "penwidth": "2"}
            extras.result_edge_attrs[step.node] = {
                "color": CURRENT,
                "penwidth": "2.5",
                "dir": "back",
            }

    def _index(self, k: int) -> int:
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
    order = topological_order(root)
    arrays = is_tensor(root)
    if arrays:
        if root.data.size != 1:
            raise ValueError(
                f"backward_steps: expected an output with one element, got shape {root.data.shape}"
            )
        from autograd_lite.broadcasting import unbroadcast
    seed = np.ones(root.data.shape, dtype=root.data.dtype) if arrays else 1.0
    grads: dict[Node, Any] = {root: seed}
    names = unique_names(order)
    incoming: dict[Node, list[Contribution]] = {}
    steps: list[Step] = []
    for node in reversed(order):
        g = grads.get(node)
        if g is None:  # nothing reached it (a tensor that needs no gradient)
            continue
        outgoing = []
        if node._vjp is not None:
            parent_grads = _call_vjp(node, g)
            locals_ = None if arrays else _call_vjp(node, 1.0)
            for slot, (parent, pg) in enumerate(zip(node._parents, parent_grads)):
                if pg is None or not getattr(parent, "requires_grad", True):
                    continue  # the engine skips these too
                if arrays:  # the engine fits tensor gradients to the parent (broadcasting)
                    pg = unbroadcast(np.asarray(pg), parent.data.shape)
                    pg = pg.astype(parent.data.dtype, copy=False)
                old = grads.get(parent)
                if old is None and not arrays and parent._vjp is None:
                    old = 0.0  # the engine adds onto a zeroed Value leaf: 0.0 + -0.0 is 0.0
                total = pg if old is None else old + pg
                grads[parent] = total
                local = None if locals_ is None else float(locals_[slot])
                c = Contribution(node, parent, slot, local, pg, total)
                outgoing.append(c)
                incoming.setdefault(parent, []).append(c)
        step = Step(len(steps), node, g, tuple(incoming.get(node, ())), tuple(outgoing), names)
        steps.append(step)
    return BackwardReplay(root, steps, order)


def draw_step(root: Node, k: int, **options: Any) -> Picture:
    """Draw step `k` of the backward replay from `root` (``backward_steps(root).draw(k)``)."""
    return backward_steps(root).draw(k, **options)


def _call_vjp(node: Node, g: Any) -> tuple[Any, ...]:
    try:
        return node._vjp(g)
    except RuntimeError as error:
        raise RuntimeError(
            f"backward_steps: the saved values of {node_name(node)} were freed by backward(); "
            f"replay before backward(), or call backward(retain_graph=True)"
        ) from error


def _is_norm(x: Any) -> bool:
    """True when `_num` shows a norm (an array of more than one element)."""
    return isinstance(x, np.ndarray) and x.size != 1


def _num(x: Any) -> str:
    if x is None:
        return "?"
    if isinstance(x, np.ndarray):
        return fmt(float(x.flat[0])) if x.size == 1 else f"‖·‖ {fmt(grad_norm(x))}"
    return fmt(x)
