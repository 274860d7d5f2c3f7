"""The ``autograd-lite`` command line: ``autograd-lite draw EXAMPLE -o FILE``.

Each command is a subparser that sets ``func``, so a new command (``train``) is one more
``add_*_command(subparsers)`` function registered in `build_parser`.
"""

from __future__ import annotations

import argparse
import pathlib
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from autograd_lite import Value
from autograd_lite.paths import explain_gradient
from autograd_lite.paths_draw import draw_paths
from autograd_lite.replay import backward_steps
from autograd_lite.scalar_ops import linear
from autograd_lite.viz import DEFAULT_MAX_NODES, draw_graph, render
from autograd_lite.viz_text import graph_text
from nn.scalar_layers import MLP

__all__ = ["EXAMPLES", "Example", "build_parser", "main"]

FORMATS = ("svg", "png", "pdf", "dot", "text")
_SUFFIXES = {
    ".svg": "svg",
    ".png": "png",
    ".pdf": "pdf",
    ".dot": "dot",
    ".gv": "dot",
    ".txt": "text",
}


@dataclass
class Example:
    """A small graph to draw: its output (after ``backward()``), its parameters, the weight
    whose chain-rule paths ``--paths`` shows, and the model when there is one."""

    title: str
    root: Value
    parameters: list[Value]
    weight: Value
    module: Any = None


def neuron() -> Example:
    """micrograd's perceptron: ``o = tanh(x1 w1 + x2 w2 + b)``."""
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")  # makes n = 0.8814, so o = tanh(n) = 0.7071
    x1w1 = _named(x1 * w1, "x1*w1")
    x2w2 = _named(x2 * w2, "x2*w2")
    s = _named(x1w1 + x2w2, "x1*w1 + x2*w2")
    n = _named(s + b, "n")
    o = _named(n.tanh(), "o")
    o.backward()
    return Example("a neuron: o = tanh(x1*w1 + x2*w2 + b)", o, [w1, w2, b], w1)


def chain(layers: int = 3) -> Example:
    """One neuron per layer, ``z = w a + b``, ``a = sigmoid(z)``, ``C = (a - y)**2``: the
    tutorial's chain, where ``dC/dw1`` is one path and so one product of local derivatives."""
    a = Value(1.0, label="a0")
    weights = [0.8, -1.3, 1.7, 0.6, -0.9]
    biases = [-0.2, 0.4, 0.1, 0.3, -0.5]
    params = []
    for i in range(1, layers + 1):
        w = Value(weights[(i - 1) % 5], label=f"w{i}")
        b = Value(biases[(i - 1) % 5], label=f"b{i}")
        params += [w, b]
        z = _named(linear([w], [a], b), f"z{i}")
        a = _named(z.sigmoid(), f"a{i}")
    y = Value(1.0, label="y")
    cost = _named((_named(a - y, f"a{layers} - y")) ** 2, "C")
    cost.backward()
    return Example(
        f"a chain of {layers} one-neuron layers: C = (a{layers} - y)^2", cost, params, params[0]
    )


def mlp() -> Example:
    """A small `nn.MLP` (2 -> 3 -> 3 -> 1, tanh) with a mean squared error on two examples."""
    model = MLP(2, [3, 3, 1], activation="tanh", rng=0)
    data = [([1.0, -0.5], 1.0), ([-0.3, 0.8], -1.0)]
    errors = []
    for k, (x, target) in enumerate(data):
        inputs = [Value(v, label=f"x{k}[{j}]") for j, v in enumerate(x)]
        errors.append((model(inputs) - target) ** 2)
    loss = _named(sum(errors[1:], errors[0]) * (1.0 / len(data)), "loss")
    model.zero_grad()
    loss.backward()
    weight = dict(model.named_parameters())["layers.0.neurons.0.w.0"]
    return Example(
        "an MLP 2 -> 3 -> 3 -> 1 and its mean squared error on 2 examples",
        loss,
        model.parameters(),
        weight,
        model,
    )


EXAMPLES: dict[str, Callable[[], Example]] = {"neuron": neuron, "chain": chain, "mlp": mlp}


def _named(node: Value, label: str) -> Value:
    node.label = label
    return node


# ------------------------------------------------------------------------------ commands


def build_parser() -> argparse.ArgumentParser:
    """The ``autograd-lite`` parser, one subparser per command."""
    parser = argparse.ArgumentParser(
        prog="autograd-lite", description="Reverse-mode autodiff you can read, see and trust."
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    add_draw_command(commands)
    from nn.cli_train import add_train_command  # imports the optimizers and data sets

    add_train_command(commands)
    return parser


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


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (0 on success)."""
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
