"""Checks of the command line's values and output files, made before any work is done.

Every check goes through `expect`, so every usage error reads the same way,
``autograd-lite train: error: argument --lr: expected a finite number > 0, got 'nan'``,
and exits with status 2: per-value checks as argparse ``type=`` functions, checks that
involve two options through `checked`. Failures while working (MNIST that cannot be read,
a missing Graphviz) are one line on stderr too, from `fail`, with status 1.
"""

from __future__ import annotations

import argparse
import importlib.util
import math
import os
import sys
import tempfile
from collections.abc import Callable, Collection
from pathlib import Path
from typing import Any, TypeVar

__all__ = [
    "PACKAGES",
    "HelpFormatter",
    "checked",
    "expect",
    "fail",
    "input_file",
    "integer",
    "one_line",
    "output_file",
    "plot_suffixes",
    "positive_real",
    "shape",
]

T = TypeVar("T")


class HelpFormatter(argparse.ArgumentDefaultsHelpFormatter):
    """``--help`` with "(default: ...)" after every option that has a default value (not
    after None or False: those read better as words in the help text itself)."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        if action.default is None or action.default is False:
            return action.help
        return super()._get_help_string(action)


def expect(ok: bool, expected: str, got: object) -> None:
    """The one check: unless `ok`, a usage error ``expected <expected>, got <got>``."""
    if not ok:
        raise argparse.ArgumentTypeError(f"expected {expected}, got {got}")


def checked(parser: argparse.ArgumentParser, option: str, check: Callable[..., T], *args: Any) -> T:
    """``check(*args)``, with a failed `expect` reported as argparse reports a bad value
    of `option` (usage, one line, exit status 2): for checks that involve two options."""
    try:
        return check(*args)
    except argparse.ArgumentTypeError as error:
        parser.error(f"argument {option}: {error}")


def fail(command: str, message: str) -> int:
    """Report a failure (not a usage error) as one line on stderr; the exit status 1."""
    print(f"autograd-lite {command}: {one_line(message)}", file=sys.stderr)
    return 1


def one_line(message: object) -> str:
    """`message` on one line: its lines joined (after a colon by a space, else by "; ")."""
    text = ""
    for line in str(message).splitlines():
        line = line.strip()
        if line:
            text += ("" if not text else " " if text.endswith(":") else "; ") + line
    return text


# ---------------------------------------------------------------------------- values


def integer(low: int) -> Callable[[str], int]:
    """A ``type=`` for integers >= `low`."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = low - 1
        expect(value >= low, f"an integer >= {low}", repr(text))
        return value

    return parse


def positive_real(text: str) -> float:
    """A ``type=`` for finite numbers > 0 (a learning rate: not 0, nan or inf)."""
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    expect(math.isfinite(value) and value > 0, "a finite number > 0", repr(text))
    return value


def shape(text: str) -> tuple[int, ...]:
    """A ``type=`` for a shape: positive integers separated by commas (``28,28``)."""
    try:
        dims = tuple(int(part) for part in text.split(","))
    except ValueError:
        dims = ()
    expect(bool(dims) and min(dims) >= 1, "positive integers separated by commas", repr(text))
    return dims


# ------------------------------------------------------------------------------- files

# The optional package that reading or writing each kind of file needs (all in the export
# extra), checked with the file's name so that a missing one fails before any work.
PACKAGES = {".safetensors": "safetensors", ".onnx": "onnx"}


def output_file(suffixes: Callable[[], Collection[str]] | None = None) -> Callable[[str], str]:
    """A ``type=`` for a file to write: in an existing folder, writable, (when `suffixes` is
    given, a function so it runs only for the option used) with one of them, and with the
    package its format needs (`PACKAGES`) installed.

    Checked when the command line is read, so a bad path fails before the work, not after.
    """

    def parse(text: str) -> str:
        path = Path(text)
        if suffixes is not None:
            _suffix(path, suffixes(), text)
        folder = path.parent
        expect(folder.is_dir(), "a file in an existing folder", f"{text!r} (no folder {folder})")
        expect(not path.is_dir(), "a file name", f"the folder {text!r}")
        problem = _unwritable(path)
        expect(problem is None, "a file it can write", f"{text!r} ({problem})")
        _package(path)
        return text

    return parse


def input_file(suffixes: Callable[[], Collection[str]]) -> Callable[[str], str]:
    """A ``type=`` for a file to read: one of `suffixes`, an existing file, and the package
    its format needs (`PACKAGES`) installed."""

    def parse(text: str) -> str:
        path = Path(text)
        _suffix(path, suffixes(), text)
        expect(path.exists(), "an existing file", f"{text!r} (no such file)")
        expect(path.is_file(), "a file", f"the folder {text!r}")
        _package(path)
        return text

    return parse


def _suffix(path: Path, suffixes: Collection[str], text: str) -> None:
    known = sorted(suffixes)
    ending = known[0] if len(known) == 1 else f"one of {', '.join(known)}"
    expect(path.suffix.lower() in known, f"a file name ending in {ending}", repr(text))


def _package(path: Path) -> None:
    """The package that `path`'s format needs must be installed (found, not imported: onnx
    takes a while to import, and is imported when it is used)."""
    suffix = path.suffix.lower()
    package = PACKAGES.get(suffix)
    if package is not None:
        installed = importlib.util.find_spec(package) is not None
        needed = f"pip install {package}, or pip install 'autograd-lite[export]'"
        expect(installed, f"the {package} package for {suffix} files ({needed})", "none")


def _unwritable(path: Path) -> str | None:
    """Why `path` cannot be written, or None: tried for real, since permission bits do not
    tell (root ignores them; a read-only file system does not show in them)."""
    try:
        if path.exists():
            with open(path, "ab"):  # append mode: the file's content is left as it is
                pass
        else:
            fd, probe = tempfile.mkstemp(dir=path.parent, prefix=".autograd-lite-probe-")
            os.close(fd)
            os.remove(probe)
    except OSError as error:
        return f"cannot write in {str(path.parent)!r}: {error.strerror}"
    return None


def plot_suffixes() -> set[str]:
    """The suffixes matplotlib can save a figure as (``.png``, ``.pdf``, ``.svg``, ...)."""
    try:
        from matplotlib.backend_bases import FigureCanvasBase
    except ImportError:
        expect(False, "matplotlib for plots (pip install 'autograd-lite[plot]')", "none")
    return {f".{name}" for name in FigureCanvasBase.get_supported_filetypes()}
