"""The frames of the backward replay: step `k` of `autograd_lite.explain.backward_steps` as a
picture (what ``replay.draw(k)`` and `draw_step` return).

A frame never shows a number that is not computed yet at that step: a node shows its
gradient only once every share has arrived, pending nodes ``grad ?`` with the sum so far.
"""

from __future__ import annotations

import html
import textwrap
from typing import Any

import numpy as np

from autograd_lite.draw.graph import Extras, Picture, draw_graph
from autograd_lite.draw.labels import table
from autograd_lite.engine import Node
from autograd_lite.explain.labels import fmt, grad_norm, joint_norm
from autograd_lite.explain.replay import BackwardReplay, Step, backward_steps, num

__all__ = ["CURRENT", "DONE", "PENDING", "READY", "draw_replay_step", "draw_step"]

DONE, READY, CURRENT, PENDING = "#a6dba0", "#d9f0d3", "#d6604d", "#bbbbbb"
# Node attributes by state.
_STATE_ATTRS = {
    "done": {"fillcolor": DONE},  # gradient complete, its turn over
    "ready": {"fillcolor": READY},  # gradient complete, its turn to come
    "pending": {"fillcolor": "#f2f2f2", "fontcolor": "#777777", "color": PENDING},
}
_RANK = {"done": 0, "ready": 1, "pending": 2}


def draw_step(root: Node, k: int, **options: Any) -> Picture:
    """Draw step `k` of the backward replay from `root` (``backward_steps(root).draw(k)``)."""
    return draw_replay_step(backward_steps(root), k, **options)


def draw_replay_step(replay: BackwardReplay, k: int, **options: Any) -> Picture:
    """Draw step `k` of `replay`: the current node outlined in red with the gradient it sends
    on each input edge; nodes done filled green; nodes whose gradient is complete but whose
    turn is still to come pale green; pending nodes grey with ``grad ?`` and the sum so far.

    `options` go to `draw_graph` (``rankdir``, ``max_nodes``, ``module``, ...).
    """
    k = replay.step_index(k)
    step = replay[k]
    # The current node stays visible even if `module=` or `max_nodes=` would hide it.
    extras = Extras(role_key=False, names=step.names, keep={step.node})
    state = replay.state_after(k)
    complete, partial = replay.complete_after(k), replay.gradients_after(k)

    def grad_text(node: Node) -> str:
        if node in complete:
            return f"grad {num(complete[node])}"
        if replay.step_of(node) is None:  # never reached: a tensor that needs no gradient
            return "no grad"
        if node not in partial:
            return "grad ?"
        arrived, shares = replay.shares_arrived(node, k)
        return f"grad ? (so far {num(partial[node])}, {arrived} of {shares} uses)"

    def group_grad_text(members: list[Node]) -> str:
        ready = [n for n in members if n in complete]
        if len(ready) < len(members):
            return f"grad ? ({len(ready)} of {len(members)} complete)"
        return f"grad ‖·‖ {fmt(joint_norm(complete[n] for n in members))}"

    def group_attrs(members: list[Node]) -> dict[str, str]:
        # A module node is as far along as its least advanced parameter.
        return _STATE_ATTRS[max((state.get(n, "pending") for n in members), key=_RANK.get)]

    extras.grad_text, extras.group_grad_text = grad_text, group_grad_text
    extras.group_attrs = group_attrs
    for node in replay.order:
        extras.node_attrs[node] = _STATE_ATTRS[state.get(node, "pending")]
    extras.node_attrs[step.node] = {"color": CURRENT, "penwidth": "3"}
    _mark_sends(step, extras)
    extras.legend += [
        f"<b>backward, step {k} (of steps 0 to {len(replay) - 1})</b>",
        wrapped(str(step)),
        table([f"<tr>{_key()}</tr>"]),
    ]
    options.setdefault("legend", True)
    return draw_graph(replay.root, extras=extras, **options)


def wrapped(text: str, width: int = 100) -> str:
    """`text` for a caption, in lines of at most `width` characters: a long step (a neuron
    sends to every weight and input) must not widen the picture."""
    lines = textwrap.wrap(text, width, break_long_words=False)
    return "".join(html.escape(line) + '<br align="left"/>' for line in lines)


def _key() -> str:
    return "".join(
        f'<td bgcolor="{fill}">{text}</td>'
        for fill, text in (
            (DONE, "done: complete, its turn over"),
            ("#ffffff", "current (red outline)"),
            (READY, "ready: complete, its turn to come"),
            ("#f2f2f2", "pending: gradient still incomplete"),
        )
    )


def _mark_sends(step: Step, extras: Extras) -> None:
    """Label the current node's input edges with what it sends (against the arrows)."""
    for c in step.outgoing:
        label = f"{num(step.grad)} × {num(c.local_derivative)} = {num(c.amount)}"
        if c.local_derivative is None:
            label = f"‖·‖ {fmt(grad_norm(np.asarray(c.amount)))}"
        extras.edge_attrs[(c.child, c.slot)] = {
            "color": CURRENT,
            "penwidth": "2.5",
            "dir": "back",  # the gradient flows against the arrow: show it
            # A label, not an xlabel: an xlabel would keep the boxes still from frame to
            # frame, but Graphviz then prints it over the boxes when an edge is short.
            "label": label,
            "fontcolor": CURRENT,
        }
    if step.outgoing:
        extras.op_attrs[step.node] = {"color": CURRENT, "penwidth": "2"}
        extras.result_edge_attrs[step.node] = {"color": CURRENT, "penwidth": "2.5", "dir": "back"}
