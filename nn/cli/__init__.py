"""The ``autograd-lite`` command line: ``autograd-lite draw ...``, ``autograd-lite train ...``.

Each command is a module with an ``add_*_command(subparsers)`` function that registers a
subparser setting ``func``, so a new command is one more module registered in `build_parser`.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from nn.cli.draw import add_draw_command
from nn.cli.examples import EXAMPLES, Example
from nn.cli.train import add_train_command

__all__ = ["EXAMPLES", "Example", "build_parser", "main"]


def build_parser() -> argparse.ArgumentParser:
    """The ``autograd-lite`` parser, one subparser per command."""
    parser = argparse.ArgumentParser(
        prog="autograd-lite", description="Reverse-mode autodiff you can read, see and trust."
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    add_draw_command(commands)
    add_train_command(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (0 on success)."""
    args = build_parser().parse_args(argv)
    return args.func(args)
