"""Forward mode: tangents travel with the forward pass.

Reverse mode sends one gradient back from the output to every input; forward mode pushes
one *tangent* (a direction ``dx``) from the inputs to the output, alongside the values. Each
op's JVP rule (`Primitive.defjvp`) turns its inputs' tangents into its answer's tangent,
``d ans = sum over inputs of (d ans / d input) · d input``, as soon as the op runs. A `Value`
with a tangent is a dual number ``a + b·ε`` (``ε² = 0``); a `Tensor` carries an array of
tangents of its shape.

`carrying_tangents` is the mechanism (a node hook, so the engines' ops need no second code
path); `autograd_lite.jvp` is the function most people want.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from autograd_lite import engine
from autograd_lite.engine import Node
from autograd_lite.higher_order import recorded_call

__all__ = ["carrying_tangents"]


@contextlib.contextmanager
def carrying_tangents(tangents: dict[Node, Any]) -> Iterator[dict[Node, Any]]:
    """Context manager: every node an op creates in this thread gets its tangent in
    `tangents` (a dict ``node -> tangent`` seeded with the inputs' tangents), computed by its
    op's JVP rules from its parents' tangents. Nodes whose parents have none get none.

    Tangents are plain numbers or arrays, or nodes (then the rules run on nodes and record,
    so a tangent can be differentiated: reverse over forward). The nodes the JVP rules create
    belong to the computation of a tangent, not to the forward pass: they get no tangent
    here (mixing the two would be "perturbation confusion"), but an enclosing
    `carrying_tangents` sees them as ordinary ops.
    """
    busy = False

    def push(node: Node) -> None:
        nonlocal busy
        if busy or not node._parents:
            return
        incoming = [tangents.get(parent) for parent in node._parents]
        if all(t is None for t in incoming):
            return
        busy = True
        try:
            tangent = _tangent_of(node, incoming)
        finally:
            busy = False
        if tangent is not None:
            tangents[node] = node._tangent(tangent)

    with engine.enable_grad(), engine.node_hook(push):
        yield tangents


def _tangent_of(node: Node, incoming: list[Any]) -> Any:
    prim, constants, kwargs = recorded_call(node, "forward mode", "no tangent can go through it")
    if any(isinstance(t, Node) for t in incoming):  # nested: the rules record
        return prim.jvp(incoming, node, node._parents, constants, kwargs)
    inputs = [parent.data for parent in node._parents]
    return prim.jvp(incoming, node.data, inputs, constants, kwargs)
