"""Which op made a node, read from the stack while the engine's node hook runs.

Every op ends in the engine making its node (``_result``), which calls the hooks of
`engine.node_hook`. Above the hook, the stack holds the op's way into the engine: a
`primitive`'s call, the engine's lean method or operator for it, its ``_apply``. The
outermost of those frames is the op's *entry*: the localiser re-runs `f` and moves a parent
of the op when that code is entered again, before the op reads the parent's data. A node made
by a function that hands its result to the engine itself (an op written the old way, with
``Value._result``) has that function as its entry.

The op is named by its own function: a primitive's ``fun`` (``softsign() in my_ops.py:4``),
found among the locals of those frames, never the engine's fast paths that ran it.
"""

from __future__ import annotations

import linecache
import os
from dataclasses import dataclass
from types import FrameType
from typing import Any

from autograd_lite import engine, scalar, tensor
from autograd_lite import primitive as primitives
from autograd_lite.engine import Node

__all__ = ["OpCall", "find_op", "passes_nodes", "short_path"]

# autograd_lite/ (this file is in autograd_lite/check/): frames there are the library's.
_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep
# The files whose frames are the engine making a node: not the op, nor the user's code.
_ENGINE_FILES = frozenset(
    os.path.abspath(module.__file__) for module in (engine, primitives, scalar, tensor)
)
_ENGINE_PY = os.path.abspath(engine.__file__)


@dataclass(frozen=True)
class OpCall:
    """The op that made a node: its entry frame, and its function and call site as text."""

    entry: FrameType
    function: str  # "softsign() in my_ops.py:4"
    site: str  # 'File "train.py", line 12: y = softsign(x)'


def find_op(hook_frame: FrameType) -> OpCall:
    """The op whose node is being made; `hook_frame` is the frame that runs the hooks."""
    run: list[FrameType] = []  # the engine's frames, innermost first
    frame: FrameType | None = hook_frame
    while frame is not None and os.path.abspath(frame.f_code.co_filename) in _ENGINE_FILES:
        run.append(frame)
        frame = frame.f_back
    # Not the node's construction (``_result``, the hooks): the calls that lead to it.
    ways_in = [f for f in run if f.f_code.co_name != "_result" and not _is_engine_py(f)]
    entry = ways_in[-1] if ways_in else (frame or hook_frame)
    prim = _primitive_in([*run, entry])
    return OpCall(entry, _function(prim, entry), _site(entry))


def passes_nodes(frame: FrameType) -> bool:
    """True when a node is among the arguments of the call `frame` runs (also inside a tuple,
    list or dict argument): a primitive called on plain numbers makes no node."""
    code = frame.f_code
    count = code.co_argcount + code.co_kwonlyargcount
    count += bool(code.co_flags & 0x04) + bool(code.co_flags & 0x08)  # *args, **kwargs
    local = frame.f_locals
    for name in code.co_varnames[:count]:
        value = local.get(name)
        values = value.values() if isinstance(value, dict) else value
        if isinstance(value, Node) or (
            isinstance(value, (tuple, list, dict)) and any(isinstance(v, Node) for v in values)
        ):
            return True
    return False


def short_path(path: str) -> str:
    """A file name worth printing: ``autograd_lite/scalar_ops.py`` for the library, a path
    relative to the working directory for files below it, the bare name otherwise (a
    notebook cell's temporary file, a site-packages module): never a machine's full path."""
    library = os.path.dirname(_PACKAGE_DIR.rstrip(os.sep)) + os.sep
    if path.startswith(_PACKAGE_DIR):
        return path[len(library) :]
    cwd = os.getcwd() + os.sep
    return path[len(cwd) :] if path.startswith(cwd) else os.path.basename(path)


def _is_engine_py(frame: FrameType) -> bool:
    return os.path.abspath(frame.f_code.co_filename) == _ENGINE_PY


def _primitive_in(frames: list[FrameType]) -> Any:
    """The `Primitive` the innermost of `frames` is running (a local or a closure variable of
    the engine's frames), or None for an op that is no primitive."""
    for frame in frames:
        for value in frame.f_locals.values():
            if isinstance(value, primitives.Primitive):
                return value
    return None


def _function(prim: Any, entry: FrameType) -> str:
    code = getattr(getattr(prim, "fun", None), "__code__", None) or entry.f_code
    if prim is not None and code is entry.f_code:  # a primitive of a builtin: no source
        return f"{prim.name} (a primitive of {getattr(prim.fun, '__module__', '?')})"
    name = getattr(code, "co_qualname", code.co_name)
    return f"{name}() in {short_path(code.co_filename)}:{_def_line(code)}"


def _def_line(code: Any) -> int:
    """The line of the ``def`` itself: a decorated function's code starts at its first
    decorator (``@primitive``)."""
    line = code.co_firstlineno
    while linecache.getline(code.co_filename, line).lstrip().startswith("@"):
        line += 1
    return line


def _site(entry: FrameType) -> str:
    """The first frame outside this package above the op: the user's line that called it."""
    caller = entry.f_back
    while caller is not None and caller.f_code.co_filename.startswith(_PACKAGE_DIR):
        caller = caller.f_back
    if caller is None:
        return "an unknown line"
    filename, lineno = caller.f_code.co_filename, caller.f_lineno
    line = linecache.getline(filename, lineno).strip()
    return f'File "{short_path(filename)}", line {lineno}' + (f": {line}" if line else "")
