"""Pictures of computation graphs: any `Value` or `Tensor` graph as a `graphviz.Digraph`.

Data nodes are records ``label | data | grad`` (shape, dtype and a min/mean/max summary for
tensors); each op is an ellipse between its inputs and its result, with one edge per use,
so ``a * a`` shows two arrows. Colours say what a node is: a parameter, an input or
constant, the output, or an intermediate result.

Building the DOT source never needs Graphviz; rendering needs its ``dot`` program, and
`render` says how to install it when it is missing. Big graphs stay readable: a node limit
(the nodes nearest the output stay, each cut-off part becomes one "… N more nodes" node joined
to the node that uses it), ``focus=(w, L)`` (only the nodes on paths from `w` to `L`), and
``module=model`` (the parameters of each sub-module in one cluster or node).

Pictures only read the graph: no ``.grad`` or ``data`` is changed.
"""

from __future__ import annotations

import html
import pathlib
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import graphviz

from autograd_lite.draw.labels import (
    OP_COLOUR,
    ROLE_COLOURS,
    caption,
    legend_sections,
    module_groups,
    record_escape,
)
from autograd_lite.engine import Node, topological_order
from autograd_lite.explain.labels import (
    array_summary,
    edge_labels,
    fmt,
    grad_text,
    group_grad_text,
    is_tensor,
    node_name,
    role,
)
from autograd_lite.explain.subgraph import nodes_between

__all__ = [
    "DEFAULT_MAX_NODES",
    "INSTALL_HINT",
    "Picture",
    "draw_graph",
    "render",
]

DEFAULT_MAX_NODES = 250  # more boxes than this is a texture, not a picture
_ELISION = dict(shape="note", style="filled,dashed", fillcolor="#f7f7f7", fontcolor="#555555")
_ELIDED = "… N more nodes: {n:,} nodes beyond max_nodes={cap}, each part joined to its user"

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


# ---------------------------------------------------------------------------- the builder


@dataclass
class Extras:
    """Styling that the paths, replay and flow pictures lay over a plain picture."""

    node_attrs: dict[Node, dict[str, str]] = field(default_factory=dict)
    # Attributes of every drawn node by a function (a fill by state or size); node_attrs win.
    node_style: Callable[[Node], dict[str, str]] | None = None
    op_attrs: dict[Node, dict[str, str]] = field(default_factory=dict)
    # (child, slot) -> attributes of the edge from child.parents[slot] into child's op.
    edge_attrs: dict[tuple[Node, int], dict[str, str]] = field(default_factory=dict)
    # child -> attributes of the edge from child's op ellipse to its record.
    result_edge_attrs: dict[Node, dict[str, str]] = field(default_factory=dict)
    grad_text: Callable[[Node], str] | None = None
    data_text: Callable[[Node], str] | None = None  # the data field (the forward frames)
    # A module summary node's grad field and attributes, from its members (default: .grad).
    group_grad_text: Callable[[list[Node]], str] | None = None
    group_attrs: Callable[[list[Node]], dict[str, str]] | None = None
    legend: list[str] = field(default_factory=list)  # caption sections (HTML-like tables)
    names: dict[Node, str] = field(default_factory=dict)  # names for unlabelled nodes
    # Never collapsed into a module node nor cut by max_nodes (nor is their path to the root).
    keep: set[Node] = field(default_factory=set)
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
        Draw at most this many data nodes, the nearest to `root` (breadth first, so they stay
        connected); each part cut off becomes one "… N more nodes" node with an edge to the
        node that uses it. None draws everything.
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
    names, groups = module_groups(module, module_depth) if module is not None else ({}, {})
    params = set(parameters) if parameters is not None else (set(names) if module else None)

    # Who is drawn: module members may fold into their group's node, the cap folds the rest.
    folded: dict[Node, str] = {}
    keep = extras.keep | ({focus[0]} if focus is not None else set())
    if module is not None and collapse == "summary":
        for node in order:
            if node in groups and node not in keep and node is not top:
                folded[node] = groups[node]
    kept, owner = _cap(top, pos, folded, max_nodes, keep) if order else (set(), {})
    # A module node is drawn when a kept node uses one of its parameters; its members are
    # then drawn (counted) there, whatever uses them. Every other cut-off node is elided.
    shown = {folded[p] for n in kept for p in n.parents if p in folded}
    elided = {n: k for n, k in owner.items() if folded.get(n) not in shown}
    counts = Counter(elided.values())

    g = Picture(name="graph", graph_attr={"rankdir": rankdir, "nodesep": "0.2", "ranksep": "0.3"})
    g.attr("graph", fontname="Helvetica", fontsize="11")
    g.attr("node", fontname="Helvetica", fontsize="11", margin="0.06,0.03")
    g.attr("edge", fontname="Helvetica", fontsize="9", arrowsize="0.6", color="#555555")
    # Record fields stacked across the arrows in both layouts: a box is as wide as its widest
    # field, not the sum of them, and an MLP's picture stays a few screens wide at most.
    braces = rankdir in ("TB", "BT")
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
        if extras.data_text:
            fields[-1] = record_escape(extras.data_text(node))
        if show_grad:
            fields.append(record_escape(show(node)))
        label = " | ".join(fields)
        attrs = {"shape": "record", "style": "filled", "fillcolor": ROLE_COLOURS[kind]}
        attrs.update(extras.node_style(node) if extras.node_style else {})
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
    groups_drawn = dict.fromkeys(folded[n] for n in order if folded.get(n) in shown)
    group_ids = {group: f"m{k}" for k, group in enumerate(groups_drawn)}
    for group, gid in group_ids.items():
        members = [n for n in order if folded.get(n) == group]
        label = f"{record_escape(group)} | {len(members)} parameters"
        if show_grad:
            label += f" | {record_escape((extras.group_grad_text or group_grad_text)(members))}"
        roles_seen.add("parameter")
        attrs = {"fillcolor": ROLE_COLOURS["parameter"]}
        attrs.update(extras.group_attrs(members) if extras.group_attrs else {})
        label = "{ " + label + " }" if braces else label
        g.node(gid, label=label, shape="record", style="filled,rounded", **attrs)

    for node in order:
        if node not in kept:
            continue
        if node not in in_cluster:
            record(g, node)
        if counts[node]:  # the part cut off behind this node
            more = f"… {counts[node]:,} more node{'s' * (counts[node] > 1)}"
            g.node(ids[node] + "_more", label=more, **_ELISION)
        if not node.parents:
            continue
        op_id = ids[node] + "_op"
        g.node(
            op_id,
            label=graphviz.escape(node.op or "op"),
            shape="ellipse",
            style="filled",
            fillcolor=OP_COLOUR,
            **extras.op_attrs.get(node, {}),
        )
        g.edge(op_id, ids[node], **extras.result_edge_attrs.get(node, {}))
        labels = edge_labels(node) if edge_derivatives else None
        proxies: dict[str, None] = {}  # folded parents: one edge per proxy node, in order
        for slot, parent in enumerate(node.parents):
            if parent in kept:
                attrs = {"label": labels[slot]} if labels else {}
                attrs.update(extras.edge_attrs.get((node, slot), {}))
                g.edge(ids[parent], op_id, **attrs)
            elif folded.get(parent) in shown:
                proxies[group_ids[folded[parent]]] = None
            elif parent in elided:  # possibly the part behind another kept node that uses it
                proxies[ids[elided[parent]] + "_more"] = None
        for proxy in proxies:
            style = {"style": "dashed", "color": "#999999"} if proxy.endswith("_more") else {}
            g.edge(proxy, op_id, **style)
    if focus is not None and not order:
        g.node("none", label=f"{node_name(focus[0])} does not reach {node_name(top)}", shape="note")
    # One caption under the picture: the title, then the key (a graph has one label).
    sections = [f"<b>{html.escape(title)}</b>"] if title else []
    if legend:
        if extras.role_key:
            sections += legend_sections(roles_seen, edge_derivatives, is_tensor(top))
        sections += extras.legend
        if elided:  # plain text: nothing to escape
            sections.append(_ELIDED.format(n=len(elided), cap=max_nodes))
    if sections:
        g.attr(label=caption(sections), labelloc="b", labeljust="l")
    return g


def _check_node(node: Any, what: str) -> None:
    if not isinstance(node, Node):
        raise TypeError(
            f"draw_graph: expected a Value or Tensor for {what}, got {type(node).__name__}"
        )


def _cap(
    top: Node, pos: dict[Node, int], folded: dict[Node, str], cap: int | None, keep: set[Node]
) -> tuple[set[Node], dict[Node, Node]]:
    """The kept nodes, and for each other node the kept node whose elision stands for it.

    Breadth first from `top` over parents: the first `cap` drawable (not folded) nodes stay,
    plus the `keep` nodes and their breadth-first path to `top`, so the kept nodes are
    connected. Every other node belongs to the kept node through which the search first
    reached it: each cut-off part then hangs off one kept node, and the parts partition it.
    """
    via: dict[Node, Node | None] = {top: None}
    found = [top]
    for node in found:  # grows while we walk it: a breadth-first queue
        for parent in node.parents:
            if parent in pos and parent not in via:
                via[parent] = node
                found.append(parent)
    drawable = [n for n in found if n not in folded]
    if cap is None or len(drawable) <= cap:
        return set(drawable), {}
    kept = set(drawable[:cap])
    for node in keep:
        while node in via and node not in kept:
            kept.add(node)
            node = via[node]
    owner: dict[Node, Node] = {}
    for node in found[1:]:  # a node's finder comes before it, so its owner is known
        if node not in kept:
            finder = via[node]
            owner[node] = finder if finder in kept else owner[finder]
    return kept, owner


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
