"""The graph as an indented tree of text, for terminals and doctests (no Graphviz needed).

The output is at the top and each node's inputs are indented under it. A node used more
than once is expanded the first time and referenced (``-> see #3``) after that, so the text
grows with the size of the graph, not with the number of paths through it.
"""

from __future__ import annotations

from collections.abc import Iterable

from autograd_lite.engine import Node, topological_order
from autograd_lite.explain.labels import (
    array_summary,
    edge_labels,
    fmt,
    grad_text,
    is_tensor,
    node_name,
    role,
)

__all__ = ["graph_text"]


def graph_text(
    root: Node,
    *,
    show_grad: bool = True,
    edge_derivatives: bool = False,
    max_lines: int | None = 200,
    parameters: Iterable[Node] | None = None,
) -> str:
    """An indented tree of the graph of `root`: each node once, repeats referenced.

    Parameters
    ----------
    root : Value or Tensor
        The output, printed first.
    show_grad : bool
        Show each node's gradient (the norm for tensors).
    edge_derivatives : bool
        Prefix each input with its local derivative ``∂(result)/∂(input)`` (Value graphs).
    max_lines : int or None
        Stop after this many lines and say how many nodes were left out.
    parameters : iterable of nodes, optional
        Which leaves to mark ``[parameter]`` (by default labelled Values and tensors that
        require grad, as in `draw_graph`).

    Returns
    -------
    str

    Examples
    --------
    >>> from autograd_lite import Value
    >>> a = Value(2.0, label="a")
    >>> b = a * a
    >>> b.label = "b"
    >>> print(graph_text(b, show_grad=False))
    b = 4  (*)
    ├── #1 a = 2  [parameter]
    └── a  -> see #1
    """
    if max_lines is not None and (isinstance(max_lines, bool) or max_lines < 1):
        raise ValueError(f"graph_text: expected max_lines >= 1 or None, got {max_lines!r}")
    order = topological_order(root)
    params = set(parameters) if parameters is not None else None
    # Number the nodes that are used more than once, so later uses can point back to them.
    uses: dict[Node, int] = {}
    for node in order:
        for parent in node.parents:
            uses[parent] = uses.get(parent, 0) + 1
    numbers: dict[Node, int] = {}
    printed: set[Node] = set()
    lines: list[str] = []
    # (node, prefix for its own line, prefix for its children's lines, edge text)
    stack: list[tuple[Node, str, str, str]] = [(root, "", "", "")]
    while stack:
        if max_lines is not None and len(lines) >= max_lines:
            left = len(order) - len(printed)
            lines.append(f"... {left:,} more nodes not shown (max_lines={max_lines})")
            break
        node, head, indent, edge = stack.pop()
        if node in printed:
            lines.append(f"{head}{edge}{node_name(node)}  -> see #{numbers[node]}")
            continue
        printed.add(node)
        tag = ""
        if uses.get(node, 0) > 1:
            numbers[node] = len(numbers) + 1
            tag = f"#{numbers[node]} "
        lines.append(f"{head}{edge}{tag}{_describe(node, root, show_grad, params)}")
        parents = node.parents
        derivs = edge_labels(node) if edge_derivatives and parents else None
        children = []
        for slot, parent in enumerate(parents):
            last = slot == len(parents) - 1
            text = f"[∂ {derivs[slot]}] " if derivs else ""
            children.append(
                (
                    parent,
                    indent + ("└── " if last else "├── "),
                    indent + ("    " if last else "│   "),
                    text,
                )
            )
        stack.extend(reversed(children))  # first input printed first
    return "\n".join(lines)


def _describe(node: Node, root: Node, show_grad: bool, params: set[Node] | None) -> str:
    name = node_name(node) if node.label or not node.parents else f"({node.op or 'op'})"
    value = array_summary(node.data) if is_tensor(node) else fmt(node.data)
    text = f"{name} = {value}" if not is_tensor(node) else f"{name}  {value}"
    if show_grad:
        text += f"  {grad_text(node)}"
    if not node.parents:
        text += f"  [{role(node, root, params)}]"
    elif node.label:  # an unlabelled result is already called by its op
        text += f"  ({node.op})"
    return text
