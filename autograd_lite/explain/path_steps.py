"""The chain rule, stepped: the paths from `w` to `L` one at a time, with the running sum of
their products reaching ``dL/dw`` (what ``L.backward()`` puts in ``w.grad``).

`path_steps` gives one step per path, then a last step with the sum; ``.draw(k)`` highlights
the paths so far, ``.to_html(path)`` and ``.widget()`` play them (`autograd_lite.draw`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from autograd_lite.engine import Node
from autograd_lite.explain.labels import fmt, is_tensor, node_name, unique_names
from autograd_lite.explain.paths import ChainPath, chain_rule_paths, gradients_of
from autograd_lite.explain.playable import Playable
from autograd_lite.explain.subgraph import nodes_between

__all__ = ["PathReplay", "PathStep", "path_steps"]

MAX_PATHS = 64  # one frame per path: beyond this, the factored view (explain_gradient) reads better


@dataclass(frozen=True)
class PathStep:
    """Step `index`: path `index` added to the sum (`path` is None at the last step, which
    compares the sum of all `n` paths with ``dL/dw``)."""

    index: int
    n: int
    path: ChainPath | None
    running: float  # the sum of the products of the paths so far
    gradient: float  # dL/dw from a backward walk, the number the sum reaches
    w: Node
    L: Node
    names: dict[Node, str] = field(repr=False, compare=False)

    @property
    def caption(self) -> str:
        """What happens at this step, in a few words."""
        if self.path is None:
            return f"the {self.n} path products add up to d{node_name(self.L)}/d{node_name(self.w)}"
        return f"chain rule, path {self.index + 1} of {self.n}: {self.path.text(self.names)}"

    @property
    def arithmetic(self) -> str:
        """The product of this path's local derivatives and the running sum."""
        if self.path is None:
            w, L = node_name(self.w), node_name(self.L)
            return f"sum {fmt(self.running)}; d{L}/d{w} by backward ({w}.grad) {fmt(self.gradient)}"
        product = f"{self.path.derivative_text()} = {fmt(self.path.product)}"
        return f"product {product}; running sum {fmt(self.running)}"

    def __str__(self) -> str:
        return f"{self.caption}. {self.arithmetic}."


class PathReplay(Playable):
    """The chain-rule paths from `w` to `L` as steps: ``replay[k]`` is a `PathStep`,
    ``replay.draw(k)`` its picture; ``to_html(path)`` and ``widget()`` play them."""

    def __init__(self, w: Node, L: Node, steps: list[PathStep]) -> None:
        self.w, self.L, self.steps = w, L, steps

    @property
    def paths(self) -> list[ChainPath]:
        """The paths, in the order they are added."""
        return [s.path for s in self.steps if s.path is not None]

    def step_index(self, k: int) -> int:
        """`k` as a step index (negative counts from the end), or an IndexError."""
        if isinstance(k, bool) or not isinstance(k, int) or not -len(self) <= k < len(self):
            raise IndexError(f"expected a step between 0 and {len(self) - 1}, got {k!r}")
        return k % len(self)

    def draw(self, k: int, **options: Any) -> Any:
        """Draw step `k`: the paths added so far in their colours (the newest thickest), the
        caption with their products and the running sum. `options` go to `draw_graph`."""
        from autograd_lite.draw.paths import draw_path_step

        return draw_path_step(self, k, **options)


def path_steps(w: Node, L: Node, max_paths: int = MAX_PATHS) -> PathReplay:
    """The chain-rule paths from `w` to `L`, one step each, then their sum next to ``dL/dw``.

    Parameters
    ----------
    w, L : Value
        The input (a parameter) and the output (the loss). ``dL/dw`` is computed by a
        backward walk on the side: no ``.grad`` is read or changed.
    max_paths : int
        At most this many paths (one frame each); more raise `TooManyPathsError`, and
        `explain_gradient` shows the factored view instead.

    Examples
    --------
    >>> from autograd_lite import Value
    >>> a = Value(3.0, label="a")
    >>> b = a * a
    >>> b.label = "b"
    >>> print(path_steps(a, b))
    chain rule, path 1 of 2: a -> b (input 0). product 3 = 3; running sum 3.
    chain rule, path 2 of 2: a -> b (input 1). product 3 = 3; running sum 6.
    the 2 path products add up to db/da. sum 6; db/da by backward (a.grad) 6.
    """
    for node, what in ((w, "w"), (L, "L")):
        if not isinstance(node, Node) or is_tensor(node):
            raise TypeError(f"path_steps: expected a Value for {what}, got {type(node).__name__}")
    paths = chain_rule_paths(w, L, max_paths=max_paths)
    if not paths:
        raise ValueError(f"path_steps: {node_name(w)} does not reach {node_name(L)}")
    _, grads = gradients_of(L)
    names = unique_names(nodes_between(w, L))
    gradient, n = float(grads.get(w, 0.0)), len(paths)
    steps = []
    for k, path in enumerate(paths):
        running = math.fsum(p.product for p in paths[: k + 1])
        steps.append(PathStep(k, n, path, running, gradient, w, L, names))
    steps.append(PathStep(n, n, None, steps[-1].running, gradient, w, L, names))
    return PathReplay(w, L, steps)
