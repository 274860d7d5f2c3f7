"""The ``autograd-lite`` command line: ``autograd-lite draw|train|export ...``.

Each command is a module with an ``add_*_command(subparsers)`` function that registers a
subparser setting ``func``, so a new command is one more module registered in `build_parser`.
Values and output files are checked in `nn.cli.args` before any work starts.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from nn.cli.args import HelpFormatter
from nn.cli.draw import add_draw_command
from nn.cli.examples import EXAMPLES, Example
from nn.cli.export import add_export_command
from nn.cli.train import add_train_command

__all__ = ["EXAMPLES", "Example", "build_parser", "main", "version"]


def version() -> str:
    """The installed package's version, else (running from a source tree) the module's."""
    from importlib import metadata

    try:
        return metadata.version("autograd-lite")
    except metadata.PackageNotFoundError:
        from autograd_lite import __version__

        return __version__


def build_parser() -> argparse.ArgumentParser:
    """The ``autograd-lite`` parser, one subparser per command."""
    parser = argparse.ArgumentParser(
        prog="autograd-lite",
        description="Reverse-mode autodiff you can read, see and trust.",
        formatter_class=HelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {version()}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    add_draw_command(commands)
    add_train_command(commands)
    add_export_command(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (0 on success, 2 for bad usage)."""
    args = build_parser().parse_args(argv)
    try:
        status = args.func(args)
        # Flushed here, inside the try: a reader that went away (`... | head`) shows up as
        # BrokenPipeError now rather than as a traceback during interpreter shutdown.
        sys.stdout.flush()
    except BrokenPipeError:
        _discard_stdout()
        return 1  # what Python itself exits with on EPIPE
    return status


def _discard_stdout() -> None:
    """Point stdout at devnull, so the flush at exit does not raise again (the recipe in
    the Python docs, "Note on SIGPIPE")."""
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):
        return  # not a real file (a test's capture): nothing is flushed to a pipe at exit
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, fd)
