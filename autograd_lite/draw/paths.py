"""`draw_paths`: the chain-rule paths from `w` to `L` highlighted on the graph.

With a few paths each gets its own colour (an edge shared by several paths is drawn as
parallel strands of their colours) and the caption lists every path's local derivatives
and product, their sum and ``w.grad``. With many, the edges are drawn thicker the more
paths run through them, and the caption gives the factored view (first edge, then the
rest summed).
"""

from __future__ import annotations

import html
import math
import textwrap
from collections.abc import Iterable
from typing import Any

from autograd_lite.draw.graph import DEFAULT_MAX_NODES, Extras, Picture, draw_graph
from autograd_lite.draw.labels import table
from autograd_lite.engine import Node, topological_order
from autograd_lite.explain.explanation import mismatch_note
from autograd_lite.explain.labels import fmt, node_name, unique_names
from autograd_lite.explain.path_steps import PathReplay
from autograd_lite.explain.paths import (
    ChainPath,
    chain_rule_paths,
    factored_paths,
    local_derivatives,
)
from autograd_lite.explain.subgraph import nodes_between, path_counts

__all__ = ["PATH_COLOURS", "draw_path_step", "draw_paths"]

# Strong, distinguishable colours (ColorBrewer Set1 without yellow, which is unreadable).
PATH_COLOURS = ["#e41a1c", "#377eb8", "#4daf4a", "#984ea3", "#ff7f00", "#a65628", "#f781bf"]
MANY_COLOUR = "#e41a1c"
_CONTEXT_LIMIT = 60  # up to this many nodes, the whole graph is shown around the paths


def draw_paths(
    w: Node,
    L: Node,
    *,
    root: Node | None = None,
    context: bool | None = None,
    max_paths: int = len(PATH_COLOURS),
    rankdir: str = "LR",
    max_nodes: int | None = DEFAULT_MAX_NODES,
    module: Any = None,
    parameters: Iterable[Node] | None = None,
    title: str | None = None,
) -> Picture:
    """Draw the graph with the chain-rule paths from `w` to `L` highlighted.

    Each path edge is labelled with its local derivative; the caption shows each path's
    product and their sum next to ``w.grad`` (run ``L.backward()`` first).

    Parameters
    ----------
    w, L : Value
        The input (a parameter) and the output (the loss).
    root : Value, optional
        The graph to draw around the paths (default `L`).
    context : bool, optional
        Draw the whole graph (True) or only the nodes on the paths (False). By default the
        whole graph when it has at most 60 nodes.
    max_paths : int
        Up to this many paths, one colour each; beyond it, one colour and edge widths.
    rankdir, max_nodes, module, parameters, title
        As for `draw_graph`.

    Returns
    -------
    Picture
        A `graphviz.Digraph`.
    """
    root = L if root is None else root
    if context is None:
        context = len(topological_order(root)) <= _CONTEXT_LIMIT
    between = nodes_between(w, L)
    into, out = path_counts(between)
    n = into.get(L, 0)
    extras = Extras(keep={w, L}, names=unique_names(between))
    if n and n <= max_paths:
        _colour_each_path(w, L, extras)
    elif n:
        _weigh_edges(between, into, out, extras)
    options = dict(
        rankdir=rankdir, max_nodes=max_nodes, module=module, parameters=parameters, title=title
    )
    if context:
        return draw_graph(root, extras=extras, **options)
    return draw_graph(root, focus=(w, L), extras=extras, **options)


def _colour_each_path(w: Node, L: Node, extras: Extras) -> None:
    paths = chain_rule_paths(w, L)
    rows = _colour_paths(paths, extras)
    for node in (w, L):
        extras.node_attrs[node] = {"penwidth": "2"}
    total = math.fsum(p.product for p in paths)
    head = f"{len(paths)} chain-rule path{'s' if len(paths) != 1 else ''}"
    extras.legend += [
        f"<b>{head} from {html.escape(node_name(w))} to {html.escape(node_name(L))}</b> "
        "(edge labels: local derivatives; a path's product is its share of the gradient)",
        table([_HEADER, *rows, *_total_rows("sum of path products", total, w)]),
        *_mismatch(total, w, L),
    ]


def draw_path_step(replay: PathReplay, k: int, **options: Any) -> Picture:
    """Draw step `k` of `path_steps(w, L)`: the paths added so far in their colours (the
    newest drawn thickest), a caption with their products and the running sum, and at the
    last step the sum next to ``dL/dw``. `options` go to `draw_graph`."""
    k = replay.step_index(k)
    step, w, L = replay[k], replay.w, replay.L
    paths = replay.paths[: k + 1]
    extras = Extras(keep={w, L}, names=step.names)
    rows = _colour_paths(paths, extras, newest=step.path)
    for node in (w, L):
        extras.node_attrs[node] = {"penwidth": "2"}
    label = "sum of all the path products" if step.path is None else "running sum"
    totals = [
        f'<tr><td></td><td align="left"><b>{label}</b></td><td></td>'
        f'<td align="right"><b>{fmt(step.running)}</b></td></tr>'
    ]
    if step.path is None:  # the sum is complete: it is the gradient
        totals.append(
            f'<tr><td></td><td align="left">d{html.escape(node_name(L))}/'
            f"d{html.escape(node_name(w))} by backward ({html.escape(node_name(w))}.grad)</td>"
            f'<td></td><td align="right">{fmt(step.gradient)}</td></tr>'
        )
    extras.legend += [
        f"<b>{html.escape(step.caption)}</b>",
        html.escape(step.arithmetic),
        table([_HEADER, *rows, *totals]),
    ]
    root = options.pop("root", L)
    if options.pop("context", len(topological_order(root)) <= _CONTEXT_LIMIT):
        return draw_graph(root, extras=extras, **options)
    return draw_graph(root, focus=(w, L), extras=extras, **options)


_HEADER = (
    '<tr><td></td><td align="left">path</td><td align="left">local derivatives</td>'
    '<td align="right">product</td></tr>'
)


def _colour_paths(
    paths: list[ChainPath], extras: Extras, newest: ChainPath | None = None
) -> list[str]:
    """Colour each path's edges (its own colour, `newest` thicker); its caption rows."""
    names = extras.names
    edge_colours: dict[tuple[Node, int], list[str]] = {}
    node_colours: dict[Node, list[str]] = {}
    derivs: dict[tuple[Node, int], float] = {}
    rows = []
    for k, path in enumerate(paths):
        colour = PATH_COLOURS[k % len(PATH_COLOURS)]
        for child, slot, d in zip(path.nodes[1:], path.slots, path.derivatives):
            edge_colours.setdefault((child, slot), []).append(colour)
            node_colours.setdefault(child, []).append(colour)
            derivs[(child, slot)] = d
        rows.append(
            f'<tr><td bgcolor="{colour}"> </td>'
            f'<td align="left">{html.escape(path.text(names))}</td>'
            f'<td align="left">{html.escape(path.derivative_text())}</td><td align="right">'
            f"{fmt(path.product)}</td></tr>"
        )
    for edge, colours in edge_colours.items():
        extras.edge_attrs[edge] = _strands(colours) | {
            "label": fmt(derivs[edge]),
            "fontcolor": colours[0],
        }
    for child, colours in node_colours.items():
        extras.result_edge_attrs[child] = _strands(colours)
        extras.op_attrs[child] = {"penwidth": "2", "color": colours[0]}
        extras.node_attrs[child] = {"penwidth": "2"}
    if newest is not None:  # the path just added stands out
        for child, slot in zip(newest.nodes[1:], newest.slots):
            extras.edge_attrs[(child, slot)]["penwidth"] = "3.5"
            extras.result_edge_attrs[child]["penwidth"] = "3.5"
    return rows


def _weigh_edges(
    between: list[Node], into: dict[Node, int], out: dict[Node, int], extras: Extras
) -> None:
    """Edges wider the more paths use them (``into[parent] * out[child]`` of them)."""
    w, L = between[0], between[-1]
    n = into[L]
    scale = math.log(n + 1)
    for child in between:
        if not child.parents:
            continue
        local = local_derivatives(child)
        for slot, parent in enumerate(child.parents):
            if parent in into:  # on a path from w to L
                through = into[parent] * out[child]
                width = 1.0 + 4.0 * math.log(through + 1) / scale
                extras.edge_attrs[(child, slot)] = {
                    "color": MANY_COLOUR,
                    "penwidth": f"{width:.2g}",
                    "label": fmt(local[slot]),
                    "fontcolor": MANY_COLOUR,
                }
        extras.result_edge_attrs[child] = {"color": MANY_COLOUR, "penwidth": "2"}
        extras.op_attrs[child] = {"penwidth": "2", "color": MANY_COLOUR}
    _factored_legend(w, L, n, extras)


def _factored_legend(w: Node, L: Node, n: int, extras: Extras) -> None:
    """The caption of a picture with too many paths to list: the first edges, each with the
    rest of its paths summed."""
    hops = factored_paths(w, L)
    total = math.fsum(h.product for h in hops)
    rows = [
        '<tr><td></td><td align="left">first edge, then the rest</td>'
        f'<td align="left">local × d{html.escape(node_name(L))}/d(next)</td>'
        '<td align="right">product</td></tr>'
    ]
    for h in hops[:12]:
        rest = f"{h.n_paths:,} path{'s' if h.n_paths != 1 else ''}"
        rows.append(
            f'<tr><td bgcolor="{MANY_COLOUR}"> </td><td align="left">{html.escape(node_name(w))}'
            f" -&gt; {html.escape(extras.names.get(h.child) or node_name(h.child))}, then "
            f'{rest}</td><td align="left">{fmt(h.derivative)} × {fmt(h.rest)}</td>'
            f'<td align="right">{fmt(h.product)}</td></tr>'
        )
    if len(hops) > 12:
        rows.append(f'<tr><td></td><td colspan="3">... {len(hops) - 12} more first edges</td></tr>')
    extras.legend += [
        f"<b>{n:,} chain-rule paths from {html.escape(node_name(w))} to "
        f"{html.escape(node_name(L))}</b>: too many to list one by one. Edges are wider the "
        "more paths use them; labels are local derivatives.",
        table([*rows, *_total_rows("sum over first edges", total, w)]),
        *_mismatch(total, w, L),
    ]


def _strands(colours: list[str]) -> dict[str, str]:
    """One strand per path: Graphviz draws ``"a:b"`` as parallel lines of both colours."""
    return {"color": ":".join(colours), "penwidth": "2" if len(colours) == 1 else "1.5"}


def _total_rows(label: str, total: float, w: Node) -> list[str]:
    name = html.escape(node_name(w))
    return [
        f'<tr><td></td><td align="left"><b>{label}</b></td><td></td>'
        f'<td align="right"><b>{fmt(total)}</b></td></tr>',
        f'<tr><td></td><td align="left">{name}.grad (from backward)</td><td></td>'
        f'<td align="right">{fmt(w.grad)}</td></tr>',
    ]


def _mismatch(total: float, w: Node, L: Node) -> list[str]:
    if math.isclose(w.grad, total, rel_tol=1e-6, abs_tol=1e-9):
        return []
    lines = textwrap.wrap(mismatch_note(node_name(w), node_name(L)), 90)
    text = '<br align="left"/>'.join(html.escape(line) for line in lines)
    return [f'<font color="#b2182b">{text}<br align="left"/></font>']
