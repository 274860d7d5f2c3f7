"""``autograd-lite draw EXAMPLE -o FILE``: pictures (or text) of the example graphs."""

from __future__ import annotations

import argparse
import pathlib
import sys
from typing import Any

from autograd_lite.paths import explain_gradient
from autograd_lite.paths_draw import draw_paths
from autograd_lite.replay import backward_steps
from autograd_lite.viz import DEFAULT_MAX_NODES, draw_graph, render
from autograd_lite.viz_text import graph_text
from nn.cli.examples import EXAMPLES, Example

__all__ = ["add_draw_command", "run_draw"]

FORMATS = ("svg", "png", "pdf", "dot", "text")
_SUFFIXES = {
    ".svg": "svg",
    ".png": "png",
    ".pdf": "pdf",
    ".dot": "dot",
    ".gv": "dot",
    ".txt": "text",
}


def add_draw_command(commands: Any) -> None:
    """Register ``draw``: pictures of the built-in example graphs."""
    draw = commands.add_parser(
        "draw",
        help="draw an example computation graph",
        description="Draw a built-in example graph (after backward, so gradients show).",
    )
    draw.add_argument("example", choices=sorted(EXAMPLES), help="which graph to draw")
    draw.add_argument(
        "-o", "--output", help="file to write (default: standard output, for text and dot)"
    )
    draw.add_argument(
        "--format",
        choices=FORMATS,
        help="output format (default: from the file's suffix, else svg; text without -o)",
    )
    what = draw.add_mutually_exclusive_group()
    what.add_argument(
        "--paths",
        action="store_true",
        help="highlight the chain-rule paths from one weight to the output",
    )
    what.add_argument(
        "--step", type=int, metavar="K", help="draw step K of the backward pass (0 is the output)"
    )
    draw.add_argument(
        "--edge-derivatives", action="store_true", help="label every edge with its local derivative"
    )
    draw.add_argument(
        "--rankdir",
        choices=("LR", "TB"),
        default="LR",
        help="inputs on the left (LR, default) or on top (TB)",
    )
    draw.add_argument(
        "--max-nodes",
        type=int,
        default=DEFAULT_MAX_NODES,
        help=f"draw at most this many nodes (default {DEFAULT_MAX_NODES})",
    )
    draw.set_defaults(func=run_draw)


def run_draw(args: argparse.Namespace) -> int:
    """Build the example, draw it in the requested format, write it; 0 on success."""
    fmt = args.format or _format_from(args.output)
    if fmt not in ("text", "dot") and not args.output:
        print(f"autograd-lite draw: expected -o FILE for {fmt} output, got none", file=sys.stderr)
        return 2
    ex = EXAMPLES[args.example]()
    if fmt == "text":
        output = _text(ex, args)
    else:
        picture = _picture(ex, args)
        if fmt == "dot" and not args.output:
            output = picture.source
        else:
            try:
                path = render(picture, args.output, fmt)
            except RuntimeError as error:
                print(f"autograd-lite draw: {error}", file=sys.stderr)
                return 1
            print(f"wrote {path}")
            return 0
    if args.output:
        pathlib.Path(args.output).write_text(output + "\n", encoding="utf-8")
        print(f"wrote {args.output}")
    else:
        print(output)
    return 0


def _format_from(output: str | None) -> str:
    if not output:
        return "text"
    return _SUFFIXES.get(pathlib.Path(output).suffix.lower(), "svg")


def _picture(ex: Example, args: argparse.Namespace) -> Any:
    options = dict(rankdir=args.rankdir, max_nodes=args.max_nodes, module=ex.module)
    if args.paths:
        return draw_paths(ex.weight, ex.root, parameters=ex.parameters, title=ex.title, **options)
    if args.step is not None:
        replay = backward_steps(ex.root)
        _check_step(args.step, len(replay))
        return replay.draw(args.step, parameters=ex.parameters, **options)
    return draw_graph(
        ex.root,
        parameters=ex.parameters,
        title=ex.title,
        edge_derivatives=args.edge_derivatives,
        **options,
    )


def _text(ex: Example, args: argparse.Namespace) -> str:
    if args.paths:
        return str(explain_gradient(ex.weight, ex.root))
    if args.step is not None:
        replay = backward_steps(ex.root)
        _check_step(args.step, len(replay))
        return "\n".join(str(step) for step in replay[: args.step + 1])
    return graph_text(ex.root, edge_derivatives=args.edge_derivatives, parameters=ex.parameters)


def _check_step(k: int, n: int) -> None:
    if not 0 <= k < n:
        raise SystemExit(f"autograd-lite draw: expected --step between 0 and {n - 1}, got {k}")
