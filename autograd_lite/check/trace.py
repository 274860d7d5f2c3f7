"""Recording and replaying the ops of a function, one op at a time, for `local`.

The engines keep each node's data, parents and VJP, but not a way to re-run its forward.
Instead of wrapping every op (a call layer in every op of every program), this module re-runs
the *whole function*, and perturbs one parent of one op at the moment that op runs:

- every op, in both engines and in user code, makes its node through the engine, which calls
  the hooks of `engine.node_hook` (per thread, empty outside a check: nothing changes, and
  nothing costs anything, in ordinary runs); `ops.find_op` reads from the stack which op
  made the node: its entry (a primitive's call) and its own function;
- a deterministic function creates its nodes in the same order every time it runs, so the
  k-th node of a re-run is the k-th node of the first run, made by the same op;
- to probe node k, the re-run perturbs one of its parents when that op is entered (the first
  call of its entry's code, with nodes among its arguments, after node k - 1 exists; a
  profile hook watches for it only in that gap) and restores it when node k is created. The
  op's forward alone sees the moved value: user code that reads ``.data`` before calling
  the op does not, exactly as ``backward()`` treats such reads as constants. An op that
  creates nodes of its own before its result (a composite op in user code) is already
  running then, so the parent is moved right after node k - 1 instead;
- every node's output is then reset to its first-run value, so the rest of the re-run sees
  the unperturbed graph (nodes made inside a composite op too: the finite difference is
  one edge's partial derivative), and one re-run probes every op of the graph at once.

The limits follow from that: `f` must be deterministic (a re-run that builds another graph
raises `GraphChangedError`), and a composite op must read its parents' data after creating
its inner nodes (every op of this library makes one node; `local` skips, with a note, a
composite op whose output depends on inner nodes that are not its parents).
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from types import FrameType
from typing import Any

import numpy as np

from autograd_lite import engine
from autograd_lite.check.ops import OpCall, find_op, passes_nodes
from autograd_lite.engine import Node

__all__ = ["GraphChangedError", "Record", "Replayer", "record_run", "tracing"]


class GraphChangedError(RuntimeError):
    """A re-run of `f` built a different graph (random or data-dependent control flow)."""


@contextlib.contextmanager
def tracing(callback: Callable[[Node, OpCall], None]) -> Iterator[None]:
    """Inside this block, ``callback(node, op)`` runs for every node an op creates in this
    thread; `op` says which op made it (`ops.find_op`)."""

    def hook(node: Node) -> None:
        callback(node, find_op(sys._getframe(1)))  # the frame that runs the hooks

    with engine.node_hook(hook):
        yield


# ------------------------------------------------------------------------- the first run


@dataclass
class Record:
    """One node created during the first run of `f`."""

    index: int
    node: Node
    data: Any  # a copy of the output, to reset re-runs to
    function: str  # the op's own function: a primitive's, or the one that made the node
    site: str  # the first line of user code on the stack: where the op was called
    # Per parent slot: ("input", i) for the i-th argument of f, ("node", j) for the j-th
    # recorded node, None for anything else (a constant).
    sources: tuple[tuple[str, int] | None, ...] = ()
    code: Any = None  # the code of the op's entry, watched for on re-runs
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

    def callback(node: Node, op: OpCall) -> None:
        k = len(records)
        stack = _stack(op.entry, sentinel)
        for running in [fr for fr in active if fr not in stack]:
            del active[running]  # it returned
        for running in stack:
            active.setdefault(running, k)
        sources = []
        for p in node.parents:
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
                op.function,
                op.site,
                tuple(sources),
                op.entry.f_code,
                active[op.entry],
            )
        )

    with tracing(callback):
        out = f(*args)
    return out, records


def _stack(frame: FrameType, sentinel: FrameType) -> list[FrameType]:
    stack = []
    while frame is not None and frame is not sentinel:
        stack.append(frame)
        frame = frame.f_back
    return stack


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
            if (
                event == "call"
                and watching
                and frame.f_code is watching[1]
                and passes_nodes(frame)  # a primitive on plain numbers is not the op
            ):
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

        def callback(node: Node) -> None:  # which op made it is known from the first run
            k = len(nodes)
            record = self.records[k] if k < len(self.records) else None
            if record is None or not self._same(record, node, resolve):
                was = f"'{record.node.op}'" if record else "no node"
                raise GraphChangedError(
                    f"expected f to build the same graph every time it runs, got a different "
                    f"node #{k} on a re-run ('{node.op}' where the first run made {was}): "
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
            with engine.node_hook(callback):
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
        if node.op != old.op or len(node.parents) != len(old.parents):
            return False
        return all(
            source is None or node.parents[slot] is resolve(source)
            for slot, source in enumerate(record.sources)
        )
