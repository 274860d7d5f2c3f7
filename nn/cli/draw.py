"""``autograd-lite draw EXAMPLE -o FILE``: pictures (or text) of the example graphs;
``--html FILE``: the replay (forward, then backward; or with ``--paths`` the chain-rule paths
one by one) as one standalone page that plays in any browser, offline."""

from __future__ import annotations

import argparse
import pathlib
import subprocess
from typing import Any

from autograd_lite import (
    backward_steps,
    draw_graph,
    draw_paths,
    explain_gradient,
    graph_text,
    path_steps,
    render,
)
from autograd_lite.draw import DEFAULT_MAX_NODES
from nn.cli.args import HelpFormatter, checked, expect, fail, integer, output_file
from nn.cli.examples import EXAMPLES, Example

__all__ = ["FORMATS", "add_draw_command", "output_format", "run_draw"]

# Each output format and the file suffixes it is written under; a file's suffix names its
# format, so `-o out.jpg` writes JPEG bytes, never SVG ones.
FORMATS = {
    "svg": (".svg",),
    "png": (".png",),
    "pdf": (".pdf",),
    "jpg": (".jpg", ".jpeg"),
    "jpeg": (".jpeg", ".jpg"),
    "gif": (".gif",),
    "dot": (".dot", ".gv"),
    "text": (".txt",),
}
SUFFIXES = {suffix: fmt for fmt, suffixes in reversed(FORMATS.items()) for suffix in suffixes}
TO_STDOUT = ("text", "dot")


def add_draw_command(commands: Any) -> None:
    """Register ``draw``: pictures of the built-in example graphs."""
    draw = commands.add_parser(
        "draw",
        help="draw an example computation graph",
        description="Draw a built-in example graph (after backward, so gradients show).",
        formatter_class=HelpFormatter,
    )
    draw.add_argument("example", choices=sorted(EXAMPLES), help="which graph to draw")
    draw.add_argument(
        "-o",
        "--output",
        type=output_file(),
        help="file to write, its format named by its suffix (default: standard output, for "
        "text and dot)",
    )
    draw.add_argument(
        "--html",
        type=output_file(lambda: (".html", ".htm")),
        metavar="FILE",
        help="write a player of every step to FILE (.html): the forward pass, then the "
        "backward pass (with --paths: the chain-rule paths one by one); it opens offline in "
        "any browser",
    )
    draw.add_argument(
        "--format",
        choices=list(FORMATS),
        help="output format; must agree with the suffix of -o (default: from the suffix of -o; "
        "text without -o)",
    )
    what = draw.add_mutually_exclusive_group()
    what.add_argument(
        "--paths",
        action="store_true",
        help="highlight the chain-rule paths from one weight to the output",
    )
    what.add_argument(
        "--step",
        type=integer(0),
        metavar="K",
        help="draw step K of the backward pass (0 is the output)",
    )
    draw.add_argument(
        "--edge-derivatives", action="store_true", help="label every edge with its local derivative"
    )
    draw.add_argument(
        "--rankdir", choices=("LR", "TB"), default="LR", help="inputs on the left or on top"
    )
    draw.add_argument(
        "--max-nodes",
        type=integer(1),
        default=DEFAULT_MAX_NODES,
        help="draw at most this many nodes",
    )
    draw.set_defaults(func=run_draw, command_parser=draw)


def run_draw(args: argparse.Namespace) -> int:
    """Check the options, build the example, draw it, write it; the exit status."""
    parser = args.command_parser
    if args.html:
        given = {"-o": args.output, "--format": args.format, "--step": args.step}
        also = [name for name, value in given.items() if value is not None]
        expect_alone = ("--html without -o, --format or --step", f"--html with {', '.join(also)}")
        checked(parser, "--html", expect, not also, *expect_alone)
        return _player(EXAMPLES[args.example](), args)
    fmt = checked(parser, "-o/--output", output_format, args.format, args.output)
    ex = EXAMPLES[args.example]()
    replay = None
    if args.step is not None:
        replay = backward_steps(ex.root)
        last = len(replay) - 1
        checked(parser, "--step", expect, args.step <= last, f"K in 0..{last}", args.step)
    if fmt == "text":
        return _emit(_text(ex, args, replay), args.output)
    picture = _picture(ex, args, replay)
    if not args.output:
        return _emit(picture.source, None)
    try:
        path = render(picture, args.output, fmt)
    except (RuntimeError, OSError, subprocess.CalledProcessError) as error:
        # RuntimeError: no Graphviz (its message says how to install it); CalledProcessError:
        # a format this Graphviz cannot produce; OSError: the disk.
        return fail("draw", f"cannot write {args.output}: {error}")
    print(f"wrote {path}")
    return 0


def output_format(fmt: str | None, output: str | None) -> str:
    """The format to write: `fmt` or the one `output`'s suffix names, which must agree."""
    if output is None:
        fmt = fmt or "text"
        expect(fmt in TO_STDOUT, f"-o FILE for {fmt} output", "none")
        return fmt
    suffix = pathlib.Path(output).suffix.lower()
    if fmt is None:
        known = ", ".join(sorted(SUFFIXES))
        expect(suffix in SUFFIXES, f"a file name ending in one of {known}", repr(output))
        return SUFFIXES[suffix]
    # A name without a suffix (`-o graph --format png`) is written as it is.
    agrees = suffix in FORMATS[fmt] or not suffix
    wanted = " or ".join(FORMATS[fmt])
    expect(agrees, f"a file name ending in {wanted} for --format {fmt}", repr(output))
    return fmt


def _player(ex: Example, args: argparse.Namespace) -> int:
    """Write the HTML player of the example's replay (or of its paths with --paths)."""
    options = dict(rankdir=args.rankdir, max_nodes=args.max_nodes, module=ex.module)
    if args.paths:
        playable = path_steps(ex.weight, ex.root)
    else:
        playable = backward_steps(ex.root)
        options["parameters"] = ex.parameters
    try:
        path = playable.to_html(args.html, **options)
    except (RuntimeError, OSError, subprocess.CalledProcessError) as error:
        return fail("draw", f"cannot write {args.html}: {error}")
    if args.paths:
        print(f"wrote {path} ({len(playable.paths)} chain-rule paths, then their sum)")
    else:
        steps = f"{len(playable.forward)} forward, then {len(playable)} backward steps"
        print(f"wrote {path} ({steps})")
    return 0


def _emit(text: str, output: str | None) -> int:
    """Print `text`, or write it to the file `output`."""
    if output is None:
        print(text)
        return 0
    try:
        pathlib.Path(output).write_text(text + "\n", encoding="utf-8")
    except OSError as error:
        return fail("draw", f"cannot write {output}: {error}")
    print(f"wrote {output}")
    return 0


def _picture(ex: Example, args: argparse.Namespace, replay: Any) -> Any:
    options = dict(rankdir=args.rankdir, max_nodes=args.max_nodes, module=ex.module)
    if args.paths:
        return draw_paths(ex.weight, ex.root, parameters=ex.parameters, title=ex.title, **options)
    if replay is not None:
        return replay.draw(args.step, parameters=ex.parameters, **options)
    return draw_graph(
        ex.root,
        parameters=ex.parameters,
        title=ex.title,
        edge_derivatives=args.edge_derivatives,
        **options,
    )


def _text(ex: Example, args: argparse.Namespace, replay: Any) -> str:
    if args.paths:
        return str(explain_gradient(ex.weight, ex.root))
    if replay is not None:
        return "\n".join(str(step) for step in replay[: args.step + 1])
    return graph_text(ex.root, edge_derivatives=args.edge_derivatives, parameters=ex.parameters)
