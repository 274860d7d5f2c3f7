"""How a node looks in a picture: colours by role, record escaping, the caption's tables and
colour key, and module groups (the text itself comes from `autograd_lite.explain.labels`)."""

from __future__ import annotations

import html
from typing import Any

from autograd_lite.engine import Node

__all__ = [
    "OP_COLOUR",
    "ROLE_COLOURS",
    "caption",
    "legend_sections",
    "module_groups",
    "record_escape",
    "table",
]

# Fill colours by role (ColorBrewer pastels: readable with black text, distinct when printed).
ROLE_COLOURS = {
    "parameter": "#fdd49e",
    "input": "#c6dbef",
    "constant": "#eeeeee",
    "output": "#b8e186",
    "intermediate": "#ffffff",
}
OP_COLOUR = "#e6e0f0"


def record_escape(text: str) -> str:
    """Escape the characters that structure a record label, so any label is shown as typed."""
    text = text.replace("\\", "\\\\")
    for ch in '{}|<>"':
        text = text.replace(ch, "\\" + ch)
    return text


def legend_sections(roles: set[str], derivatives: bool, tensors: bool) -> list[str]:
    """The colour key (only the roles drawn) and, with edge labels, what they mean."""
    cells = "".join(f'<td bgcolor="{ROLE_COLOURS[r]}">{r}</td>' for r in ROLE_COLOURS if r in roles)
    cells += f'<td bgcolor="{OP_COLOUR}">operation</td>'
    sections = [table([f"<tr>{cells}</tr>"])]
    if derivatives:
        text = (
            "edge labels: the shape of the gradient flowing back"
            if tensors
            else "edge labels: local derivative ∂(result)/∂(input) at the current values"
        )
        sections.append(html.escape(text))
    return sections


def table(rows: list[str]) -> str:
    """An HTML-like Graphviz table of `rows` (``<tr>`` strings), for a caption section."""
    return (
        '<table border="0" cellborder="1" cellspacing="0" cellpadding="3">'
        + "".join(rows)
        + "</table>"
    )


def caption(sections: list[str]) -> str:
    """The graph's label: the sections (tables or text) stacked, left-aligned."""
    rows = "".join(f'<tr><td align="left">{s}</td></tr>' for s in sections)
    return f'<<table border="0" cellborder="0" cellspacing="2">{rows}</table>>'


def module_groups(module: Any, depth: int | None) -> tuple[dict[Node, str], dict[Node, str]]:
    """(parameter -> dotted name, parameter -> name of the sub-module it is grouped under),
    for ``draw_graph(module=...)``."""
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
