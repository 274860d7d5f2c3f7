"""Recording and replaying the ops of a function, one op at a time, for `local`.

The engines keep each node's data, parents and VJP, but not a way to re-run its forward.
Instead of wrapping every op (which would put a call layer into every op of every program,
or miss ops that users build themselves with ``Value._result``), this module re-runs the
*whole function*, and perturbs one parent of one op at the moment that op runs:

- every op, in both engines and in user code, ends in ``Value._result`` or
  ``Tensor._result``; while a check runs, these two classmethods are temporarily replaced
  by versions that also tell us each new node (`result_hook`). Nothing changes, and nothing
  costs anything, outside a check;
- a deterministic function creates its nodes in the same order every time it runs, so the
  k-th node of a re-run is the k-th node of the first run, made by the same Python function
  (the one that called ``_result``: the op);
- to probe node k, the re-run perturbs one of its parents when that op function is entered
  (the first call of its code after node k - 1 exists; a profile hook watches for it only in
  that gap) and restores it when node k is created. The op's forward alone sees the moved
  value: user code that reads ``.data`` before calling the op does not, exactly as
  ``backward()`` treats such reads as constants. An op that creates nodes of its own before
  its result (a composite op in user code) is already running then, so the parent is moved
  right after node k - 1 instead;
- every node's output is then reset to its first-run value, so the rest of the re-run sees
  the unperturbed graph (nodes made inside a composite op too: the finite difference is
  one edge's partial derivative), and one re-run probes every op of the graph at once.

The limits follow from that: `f` must be deterministic (a re-run that builds another graph
raises `GraphChangedError`), and a composite op must read its parents' data after creating
its inner nodes (every op of this library makes one node; `autograd_lite.check.local` skips, with a
note, a composite op whose output depends on inner nodes that are not its parents).

No hook in `engine.py` is needed: a global hook read by ``_result`` would cost every op of
every program a global lookup and a test, which the scalar engine's benchmarks would see.
"""

from __future__ import annotations

import contextlib
import linecache
import os
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from types import FrameType
from typing import Any

import numpy as np

from autograd_lite.engine import Node
from autograd_lite.scalar import Value
from autograd_lite.tensor import Tensor

__all__ = ["GraphChangedError", "Record", "Replayer", "result_hook"]

# autograd_lite/ (this file is in autograd_lite/check/): frames there are the library's.
_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep
# Swapping class attributes is global: one check at a time (re-entrant for nested checks).
_LOCK = threading.RLock()


class GraphChangedError(RuntimeError):
    """A re-run of `f` built a different graph (random or data-dependent control flow)."""


@contextlib.contextmanager
def result_hook(callback: Callable[[Node, FrameType], None]) -> Iterator[None]:
    """Inside this block, ``callback(node, frame)`` runs for every node an op creates;
    `frame` is the frame of the function that called ``_result`` (the op)."""
    classes = (Value, Tensor)
    with _LOCK:
        saved = [cls.__dict__["_result"] for cls in classes]
        for cls, original in zip(classes, saved):
            cls._result = _hooked(original.__func__, callback)
        try:
            yield
        finally:
            for cls, original in zip(classes, saved):
                cls._result = original


def _hooked(make: Callable[..., Any], callback: Callable[[Node, FrameType], None]) -> Any:
    owner = threading.get_ident()  # other threads' ops run as usual meanwhile

    def _result(cls: type, data: Any, parents: tuple, vjp: Any, op: str) -> Any:
        out = make(cls, data, parents, vjp, op)
        if threading.get_ident() == owner:
            callback(out, sys._getframe(1))
        return out

    return classmethod(_result)


# ------------------------------------------------------------------------- the first run


@dataclass
class Record:
    """One node created during the first run of `f`."""

    index: int
    node: Node
    data: Any  # a copy of the output, to reset re-runs to
    function: str  # the Python function that called _result: the op
    site: str  # the first line of user code on the stack: where the op was called
    # Per parent slot: ("input", i) for the i-th argument of f, ("node", j) for the j-th
    # recorded node, None for anything else (a constant).
    sources: tuple[tuple[str, int] | None, ...] = ()
    code: Any = None  # the op function's code object
    # The first node made while the op function was running: `index` itself, unless the op
    # made nodes of its own first (a composite op); those are `inner_start..index - 1`.
    inner_start: int = 0


def record_run(f: Callable[..., Any], args: list[Any]) -> tuple[Any, list[Record]]:
    """Run ``f(*args)`` once, recording every node it creates, in order."""
    records: list[Record] = []
    index: dict[Node, int] = {}
    inputs = {a: i for i, a in enumerate(args) if isinstance(a, Node)}
    sentinel = sys._getframe()
    # The frames of f running now, each with the first node made while it ran.
    active: dict[FrameType, int] = {}

    def callback(node: Node, frame: FrameType) -> None:
        k = len(records)
        stack = _stack(frame, sentinel)
        for running in [fr for fr in active if fr not in stack]:
            del active[running]  # it returned
        for running in stack:
            active.setdefault(running, k)
        sources = []
        for p in node._parents:
            if p in inputs:
                sources.append(("input", inputs[p]))
            elif p in index:
                sources.append(("node", index[p]))
            else:
                sources.append(None)
        index[node] = k
        data = node.data.copy() if isinstance(node.data, np.ndarray) else node.data
        records.append(
            Record(
                k,
                node,
                data,
                _function(frame),
                _site(frame),
                tuple(sources),
                frame.f_code,
                active[frame],
            )
        )

    with result_hook(callback):
        out = f(*args)
    return out, records


def _stack(frame: FrameType, sentinel: FrameType) -> list[FrameType]:
    stack = []
    while frame is not None and frame is not sentinel:
        stack.append(frame)
        frame = frame.f_back
    return stack


def _short(path: str) -> str:
    """A file name worth printing: ``autograd_lite/scalar_ops.py`` for the library, a path
    relative to the working directory for files below it, the bare name otherwise (a
    notebook cell's temporary file, a site-packages module): never a machine's full path."""
    library = os.path.dirname(_PACKAGE_DIR.rstrip(os.sep)) + os.sep
    if path.startswith(_PACKAGE_DIR):
        return path[len(library) :]
    cwd = os.getcwd() + os.sep
    return path[len(cwd) :] if path.startswith(cwd) else os.path.basename(path)


def _function(frame: FrameType) -> str:
    code = frame.f_code
    name = getattr(code, "co_qualname", code.co_name)
    return f"{name}() in {_short(code.co_filename)}:{code.co_firstlineno}"


def _site(frame: FrameType) -> str:
    """The first frame outside this package above the op: the user's line that called it."""
    caller = frame.f_back
    while caller is not None and caller.f_code.co_filename.startswith(_PACKAGE_DIR):
        caller = caller.f_back
    if caller is None:
        return "an unknown line"
    filename, lineno = caller.f_code.co_filename, caller.f_lineno
    line = linecache.getline(filename, lineno).strip()
    return f'File "{_short(filename)}", line {lineno}' + (f": {line}" if line else "")


# ------------------------------------------------------------------------------ re-runs


@dataclass(frozen=True, eq=False)  # identity: probes key dicts, and hold arrays
class Probe:
    """Move parent `source` of node `node` to `value` while that node's op runs."""

    node: int
    source: tuple[str, int]
    value: Any


class Replayer:
    """Re-runs `f` with probes, at most one per node per run, and collects each probed
    node's output (projected to a number by `project`)."""

    def __init__(
        self,
        f: Callable[..., Any],
        args: list[Any],
        records: list[Record],
        project: Callable[[int, Any], float],
    ) -> None:
        self.f, self.args, self.records, self.project = f, args, records, project

    def run_all(self, probes: dict[int, list[Probe]]) -> dict[Probe, float | BaseException]:
        """Every probe's projected output, or the exception the perturbed op raised."""
        pending = {k: list(ps) for k, ps in probes.items() if ps}
        results: dict[Probe, float | BaseException] = {}
        while pending:
            plan = {k: ps[0] for k, ps in pending.items()}
            values, failed_at, error = self._run(plan)
            for k, value in values.items():
                results[plan[k]] = value
            if failed_at is not None:
                if failed_at not in plan or failed_at in values:
                    # f failed outside any probed op: the re-run cannot make progress.
                    raise GraphChangedError(
                        f"expected f to run again as it did the first time, got {error!r} "
                        f"before its node #{failed_at}"
                    )
                results[plan[failed_at]] = error
            for k in list(pending):
                if plan[k] in results:
                    pending[k].pop(0)
                    if not pending[k]:
                        del pending[k]
        return results

    def _run(self, plan: dict[int, Probe]) -> tuple[dict[int, float], int | None, Any]:
        nodes: list[Node] = []
        values: dict[int, float] = {}
        armed: list[tuple[Node, Any]] = []  # (the perturbed parent, its data to restore)
        watching: list[Any] = []  # [k, code]: arm node k's probe when `code` is entered
        previous_profiler = sys.getprofile()

        def resolve(source: tuple[str, int]) -> Node:
            kind, i = source
            return self.args[i] if kind == "input" else nodes[i]

        def arm(k: int) -> None:
            parent = resolve(plan[k].source)
            armed.append((parent, parent.data))
            parent.data = plan[k].value

        def disarm() -> None:
            while armed:
                parent, data = armed.pop()
                parent.data = data

        def profiler(frame: FrameType, event: str, arg: Any) -> None:
            if event == "call" and watching and frame.f_code is watching[1]:
                k = watching[0]
                watching.clear()
                sys.setprofile(previous_profiler)
                arm(k)
            elif previous_profiler is not None:
                previous_profiler(frame, event, arg)

        def schedule(k: int) -> None:
            """Arm node k's probe now if its op is running, else when it is entered."""
            if k not in plan:
                return
            if self.records[k].inner_start < k:  # a composite op, running already
                arm(k)
            else:
                watching[:] = [k, self.records[k].code]
                sys.setprofile(profiler)

        def callback(node: Node, frame: FrameType) -> None:
            k = len(nodes)
            record = self.records[k] if k < len(self.records) else None
            if record is None or not self._same(record, node, resolve):
                was = f"'{record.node._op}'" if record else "no node"
                raise GraphChangedError(
                    f"expected f to build the same graph every time it runs, got a different "
                    f"node #{k} on a re-run ('{node._op}' where the first run made {was}): "
                    f"random or data-dependent control flow cannot be checked op by op"
                )
            nodes.append(node)
            if k in plan:
                if not armed:
                    raise GraphChangedError(
                        f"expected the op of node #{k} ({record.function}) to be called on a "
                        f"re-run, got node #{k} from elsewhere"
                    )
                values[k] = self.project(k, node.data)
                disarm()
            node.data = record.data  # the rest of the run sees the first run's values
            schedule(k + 1)

        try:
            with result_hook(callback):
                schedule(0)
                self.f(*self.args)
        except GraphChangedError:
            raise
        except Exception as error:
            return values, len(nodes), error
        finally:
            sys.setprofile(previous_profiler)
            disarm()
        return values, None, None

    @staticmethod
    def _same(record: Record, node: Node, resolve: Callable[[tuple[str, int]], Node]) -> bool:
        old = record.node
        if node._op != old._op or len(node._parents) != len(old._parents):
            return False
        return all(
            source is None or node._parents[slot] is resolve(source)
            for slot, source in enumerate(record.sources)
        )
