"""Pictures of computation graphs: any `Value` or `Tensor` graph as a `graphviz.Digraph`.

Data nodes are records ``label | data | grad`` (shape, dtype and a min/mean/max summary for
tensors); each op is an ellipse between its inputs and its result, with one edge per use,
so ``a * a`` shows two arrows. Colours say what a node is: a parameter, an input or
constant, the output, or an intermediate result.

Building the DOT source never needs Graphviz; rendering needs its ``dot`` program, and
`render` says how to install it when it is missing. Big graphs stay readable: a node limit
(the rest becomes one "... N more nodes" node), ``focus=(w, L)`` (only the nodes on paths from
`w` to `L`), and ``module=model`` (the parameters of each sub-module in one cluster or node).

Pictures only read the graph: no ``.grad`` or ``data`` is changed.
"""

from __future__ import annotations

import html
import math
import pathlib
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import graphviz

from autograd_lite.engine import Node, topological_order
from autograd_lite.viz_labels import (
    OP_COLOUR,
    ROLE_COLOURS,
    array_summary,
    caption,
    edge_labels,
    fmt,
    grad_norm,
    grad_text,
    is_tensor,
    legend_sections,
    node_name,
    record_escape,
    role,
)

__all__ = [
    "DEFAULT_MAX_NODES",
    "INSTALL_HINT",
    "Picture",
    "draw_graph",
    "nodes_between",
    "render",
]

DEFAULT_MAX_NODES = 250  # more boxes than this is a texture, not a picture

INSTALL_HINT = (
    "Rendering a graph needs Graphviz's `dot` program, which was not found on PATH. "
    "Install Graphviz (the system package, not only the Python one): "
    "`sudo apt-get install graphviz` (Debian/Ubuntu), `brew install graphviz` (macOS), "
    "`conda install -c conda-forge graphviz`, or https://graphviz.org/download/ (Windows: "
    "then add its bin folder to PATH). The DOT source (`graph.source`) works without it."
)


class Picture(graphviz.Digraph):
    """A `graphviz.Digraph` that shows the install hint in Jupyter instead of a traceback
    when Graphviz's ``dot`` is missing (everything else is graphviz's own)."""

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None, **kwargs: Any) -> dict:
        try:
            return super()._repr_mimebundle_(include, exclude, **kwargs)
        except graphviz.ExecutableNotFound:
            return {"text/plain": f"{INSTALL_HINT}\n\n{self.source}"}


def nodes_between(w: Node, out: Node) -> list[Node]:
    """The nodes on some path from `w` to `out` (both included), in topological order;
    empty if `w` does not reach `out`."""
    order = topological_order(out)
    on_path: set[Node] = set()
    for node in order:  # parents come first, so one pass finds every descendant of w
        if node is w or any(p in on_path for p in node._parents):
            on_path.add(node)
    if out not in on_path:
        return []
    return [n for n in order if n in on_path]


# ---------------------------------------------------------------------------- the builder


@dataclass
class Extras:
    """Styling that `paths` and `replay` lay over a plain picture (package-internal)."""

    node_attrs: dict[Node, dict[str, str]] = field(default_factory=dict)
    op_attrs: dict[Node, dict[str, str]] = field(default_factory=dict)
    # (child, slot) -> attributes of the edge from child._parents[slot] into child's op.
    edge_attrs: dict[tuple[Node, int], dict[str, str]] = field(default_factory=dict)
    # child -> attributes of the edge from child's op ellipse to its record.
    result_edge_attrs: dict[Node, dict[str, str]] = field(default_factory=dict)
    grad_text: Callable[[Node], str] | None = None
    legend: list[str] = field(default_factory=list)  # caption sections (HTML-like tables)
    names: dict[Node, str] = field(default_factory=dict)  # names for unlabelled nodes
    keep: set[Node] = field(default_factory=set)  # never collapsed into a module node
    role_key: bool = True  # False when the extras recolour the nodes (the replay)


def draw_graph(
    root: Node,
    *,
    rankdir: str = "LR",
    show_grad: bool = True,
    edge_derivatives: bool = False,
    max_nodes: int | None = DEFAULT_MAX_NODES,
    focus: tuple[Node, Node] | None = None,
    module: Any = None,
    collapse: str = "summary",
    module_depth: int | None = None,
    parameters: Iterable[Node] | None = None,
    legend: bool = True,
    title: str | None = None,
    extras: Extras | None = None,
) -> Picture:
    """Draw the graph that `root` was computed from.

    Parameters
    ----------
    root : Value or Tensor
        The output; every node it depends on is drawn (up to `max_nodes`).
    rankdir : {"LR", "TB", "RL", "BT"}
        Direction of the arrows: inputs on the left ("LR", micrograd's) or on top ("TB").
    show_grad : bool
        Show each node's ``.grad`` (the norm for tensors).
    edge_derivatives : bool
        Label each input edge with its local derivative d(result)/d(input) at the current
        values (Value graphs); tensor edges are labelled with the shape of the gradient
        that flows back along them.
    max_nodes : int or None
        Draw at most this many data nodes, the nearest to `root`; the rest become one
        "... N more nodes" node. None draws everything.
    focus : (w, L), optional
        Draw only the nodes on paths from `w` to `L` (the ones ``dL/dw`` flows through).
    module : nn.Module, optional
        Group the parameters of each sub-module (named by ``module.named_parameters()``).
    collapse : {"summary", "cluster"}
        With `module`: one summary node per sub-module (parameter count and gradient
        norm), or a box around its parameter nodes.
    module_depth : int, optional
        With `module`: group by the sub-modules at this depth (1: the model's children);
        by default by the module that owns each parameter.
    parameters : iterable of nodes, optional
        Which leaves to colour as parameters. By default: Values with a label, and
        tensors with ``requires_grad``; with `module`, the module's parameters.
    legend : bool
        Add a colour key (and notes) under the picture.
    title : str, optional
        A title above the picture.
    extras : Extras, optional
        Styling laid over the picture (highlighted paths, replay states): what
        `draw_paths` and `BackwardReplay.draw` use.

    Returns
    -------
    Picture
        A `graphviz.Digraph`: ``.source`` is the DOT text, it renders inline in Jupyter,
        and `render` writes it to a file.

    Examples
    --------
    >>> from autograd_lite import Value
    >>> a = Value(2.0, label="a")
    >>> g = draw_graph(a * a)
    >>> g.source.count("n0 -> n1_op")  # one edge per use
    2
    """
    _check_node(root, "root")
    if rankdir not in ("LR", "TB", "RL", "BT"):
        raise ValueError(f"draw_graph: expected rankdir 'LR', 'TB', 'RL' or 'BT', got {rankdir!r}")
    if collapse not in ("summary", "cluster"):
        raise ValueError(f"draw_graph: expected collapse 'summary' or 'cluster', got {collapse!r}")
    if max_nodes is not None and (
        isinstance(max_nodes, bool) or not isinstance(max_nodes, int) or max_nodes < 1
    ):
        raise ValueError(f"draw_graph: expected max_nodes >= 1 or None, got {max_nodes!r}")
    extras = extras or Extras()
    top = root
    if focus is not None:
        w, top = focus
        _check_node(w, "focus[0]")
        _check_node(top, "focus[1]")
        order = nodes_between(w, top)
    else:
        order = topological_order(root)
    pos = {node: i for i, node in enumerate(order)}
    names, groups = _module_groups(module, module_depth) if module is not None else ({}, {})
    params = set(parameters) if parameters is not None else (set(names) if module else None)

    # Who is drawn: module members may fold into their group's node, the cap folds the rest.
    folded: dict[Node, str] = {}
    keep = extras.keep | ({focus[0]} if focus is not None else set())
    if module is not None and collapse == "summary":
        for node in order:
            if node in groups and node not in keep and node is not top:
                folded[node] = groups[node]
    kept = _nearest(top, pos, folded, max_nodes) if order else set()
    hidden = len(order) - len(kept) - len(folded)

    g = Picture(name="graph", graph_attr={"rankdir": rankdir, "nodesep": "0.2", "ranksep": "0.3"})
    g.attr("graph", fontname="Helvetica", fontsize="11")
    g.attr("node", fontname="Helvetica", fontsize="11", margin="0.06,0.03")
    g.attr("edge", fontname="Helvetica", fontsize="9", arrowsize="0.6", color="#555555")
    braces = rankdir in ("LR", "RL")  # records read across the arrows in both layouts
    roles_seen: set[str] = set()
    ids = {node: f"n{i}" for node, i in pos.items()}
    show = extras.grad_text or grad_text

    def record(target: graphviz.Digraph, node: Node) -> None:
        kind = role(node, top, params)
        roles_seen.add(kind)
        fields = []
        dotted = names.get(node, "")
        if dotted and collapse == "summary":  # kept outside the summary nodes: say where it is
            name = dotted
        else:
            name = node.label or extras.names.get(node) or dotted.rsplit(".", 1)[-1]
        if name:
            fields.append(record_escape(name))
        if is_tensor(node):
            fields.append(record_escape(array_summary(node.data)).replace(" min", "\\nmin", 1))
        else:
            fields.append(f"data {fmt(node.data)}")
        if show_grad:
            fields.append(record_escape(show(node)))
        label = " | ".join(fields)
        attrs = {"shape": "record", "style": "filled", "fillcolor": ROLE_COLOURS[kind]}
        attrs.update(extras.node_attrs.get(node, {}))
        target.node(ids[node], label="{ " + label + " }" if braces else label, **attrs)

    # Parameters of a module in clusters, then everything else, each in topological order.
    clusters: dict[str, list[Node]] = {}
    if module is not None and collapse == "cluster":
        for node in order:
            if node in kept and node in groups and node is not top:
                clusters.setdefault(groups[node], []).append(node)
    in_cluster = {n for members in clusters.values() for n in members}
    for k, (group, members) in enumerate(clusters.items()):
        with g.subgraph(name=f"cluster_{k}") as c:
            c.attr(
                label=html.escape(group),
                style="rounded,dashed",
                color="#888888",
                fontname="Helvetica",
                fontsize="10",
            )
            for node in members:
                record(c, node)
    group_ids = {group: f"m{k}" for k, group in enumerate(dict.fromkeys(folded.values()))}
    for group, gid in group_ids.items():
        members = [n for n in order if folded.get(n) == group]
        norms = [grad_norm(n.grad) for n in members]
        norm = math.sqrt(sum(x * x for x in norms if x is not None))
        label = f"{record_escape(group)} | {len(members)} parameters"
        if show_grad:
            label += f" | grad ‖·‖ {fmt(norm)}"
        roles_seen.add("parameter")
        g.node(
            gid,
            label="{ " + label + " }" if braces else label,
            shape="record",
            style="filled,rounded",
            fillcolor=ROLE_COLOURS["parameter"],
        )
    if hidden:
        g.node(
            "more",
            label=f"... {hidden:,} more nodes\\n(max_nodes={max_nodes})",
            shape="note",
            style="filled,dashed",
            fillcolor="#f7f7f7",
            fontcolor="#555555",
        )

    for node in order:
        if node not in kept:
            continue
        if node not in in_cluster:
            record(g, node)
        if not node._parents:
            continue
        op_id = ids[node] + "_op"
        g.node(
            op_id,
            label=graphviz.escape(node._op or "op"),
            shape="ellipse",
            style="filled",
            fillcolor=OP_COLOUR,
            **extras.op_attrs.get(node, {}),
        )
        g.edge(op_id, ids[node], **extras.result_edge_attrs.get(node, {}))
        labels = edge_labels(node) if edge_derivatives else None
        proxies: dict[str, None] = {}  # folded parents: one edge per proxy node, in order
        for slot, parent in enumerate(node._parents):
            if parent in kept:
                attrs = {"label": labels[slot]} if labels else {}
                attrs.update(extras.edge_attrs.get((node, slot), {}))
                g.edge(ids[parent], op_id, **attrs)
            elif parent in folded:
                proxies[group_ids[folded[parent]]] = None
            elif parent in pos:
                proxies["more"] = None
        for proxy in proxies:
            style = {"style": "dashed", "color": "#999999"} if proxy == "more" else {}
            g.edge(proxy, op_id, **style)
    if focus is not None and not order:
        g.node("none", label=f"{node_name(focus[0])} does not reach {node_name(top)}", shape="note")
    # One caption under the picture: the title, then the key (a graph has one label).
    sections = [f"<b>{html.escape(title)}</b>"] if title else []
    if legend:
        if extras.role_key:
            sections += legend_sections(roles_seen, edge_derivatives, is_tensor(top))
        sections += extras.legend
    if sections:
        g.attr(label=caption(sections), labelloc="b", labeljust="l")
    return g


def _check_node(node: Any, what: str) -> None:
    if not isinstance(node, Node):
        raise TypeError(
            f"draw_graph: expected a Value or Tensor for {what}, got {type(node).__name__}"
        )


def _nearest(top: Node, pos: dict[Node, int], folded: dict[Node, str], cap: int | None) -> set:
    """The (at most `cap`) drawable nodes nearest to `top`, breadth first over parents."""
    drawable = len(pos) - len(folded)
    if cap is None or drawable <= cap:
        return {n for n in pos if n not in folded}
    kept = {top}
    queue = deque([top])
    while queue and len(kept) < cap:
        for parent in queue.popleft()._parents:
            if parent in pos and parent not in kept and parent not in folded:
                kept.add(parent)
                queue.append(parent)
                if len(kept) == cap:
                    break
    return kept


def _module_groups(module: Any, depth: int | None) -> tuple[dict[Node, str], dict[Node, str]]:
    """(parameter -> dotted name, parameter -> name of the sub-module it is grouped under)."""
    if not hasattr(module, "named_parameters") or not hasattr(module, "named_modules"):
        raise TypeError(
            f"draw_graph: expected an nn.Module for module, got {type(module).__name__}"
        )
    kinds = {name: type(m).__name__ for name, m in module.named_modules()}
    names: dict[Node, str] = {}
    groups: dict[Node, str] = {}
    for name, p in module.named_parameters():
        owners = sorted((m for m in kinds if m == "" or name.startswith(m + ".")), key=len)
        owner = owners[depth] if depth is not None and depth < len(owners) else owners[-1]
        names[p] = name
        groups[p] = f"{owner} ({kinds[owner]})" if owner else kinds[owner]
    return names, groups


# ----------------------------------------------------------------------------- rendering


def render(graph: graphviz.Digraph, path: str | pathlib.Path, format: str | None = None) -> str:
    """Write `graph` to `path` as an image (svg, png, pdf, ...) or as DOT text (dot, gv).

    The format defaults to the file's suffix. Unlike ``graph.render()``, it writes exactly
    one file and, when Graphviz's ``dot`` is missing, raises a `RuntimeError` that says how
    to install it.

    Returns
    -------
    str
        The path written.
    """
    path = pathlib.Path(path)
    fmt_ = (format or path.suffix.lstrip(".") or "svg").lower()
    if fmt_ not in graphviz.FORMATS:
        raise ValueError(
            f"render: expected a Graphviz format such as svg, png, pdf or dot, got {fmt_!r}"
        )
    if fmt_ in ("dot", "gv"):
        path.write_text(graph.source, encoding="utf-8")
        return str(path)
    try:
        data = graph.pipe(format=fmt_)
    except graphviz.ExecutableNotFound as error:
        raise RuntimeError(INSTALL_HINT) from error
    path.write_bytes(data)
    return str(path)
