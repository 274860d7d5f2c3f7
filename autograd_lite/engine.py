"""The graph machinery shared by both engines: the node protocol, one iterative
topological sort, one reverse-mode walk, and the modes (`no_grad`, `detect_anomaly`), which
are per thread.

A node (a `Value` or a `Tensor`) has

- ``data``      its value (a float, or a NumPy array);
- ``grad``      the gradient of the last output it was differentiated into;
- ``_parents``  a tuple of the nodes it was computed from (a tuple, never a set: ``a * a``
                is two edges, and each edge carries its own gradient);
- ``_vjp``      ``(g, *_saved) -> tuple of parent gradients`` (``None`` for a leaf); it
                *returns* gradients, and only this module adds them up;
- ``_saved``    what the op saved for its VJP (its answer, its inputs' data), a tuple: the
                VJP is a shared function plus data, not a closure per node, so a node costs
                a few small objects and the garbage collector has little to traverse;
- ``_op``       a short label for pictures and error messages;
- ``_how``      the call that made it, ``prim`` or ``(prim, constants, kwargs)`` (``None`` for
                a leaf): what `higher_order` needs to run the op's VJP on nodes, so that a
                gradient can itself be differentiated (``create_graph=True``).

Everything the engines do differently (scalar floats vs arrays that broadcast, keeping every
gradient vs only the leaves') is a class attribute the walk reads once, so one walk serves both.
"""

from __future__ import annotations

import contextlib
import gc
import math
import os
import threading
import traceback
import weakref
from collections.abc import Callable, Iterator
from typing import Any, NamedTuple

from autograd_lite.broadcasting import accumulate, fit_to, new_walk

__all__ = [
    "Node",
    "Step",
    "backward",
    "detect_anomaly",
    "enable_grad",
    "is_anomaly_enabled",
    "is_grad_enabled",
    "no_grad",
    "node_hook",
    "topological_order",
    "walk",
]


class Node:
    """Base class of `Value` and `Tensor`: the attributes the walk relies on.

    Nodes use identity for ``==`` and ``hash`` (never overloaded), so they can key the sets and
    dicts of the walk.
    """

    __slots__ = (
        "__weakref__",
        "_how",
        "_op",
        "_parents",
        "_saved",
        "_vjp",
        "data",
        "grad",
        "label",
    )

    # Class-level switches the walk reads; the engines override them.
    _broadcasts = False  # True: a parent's gradient may arrive in a broadcast shape (Tensor).
    _keeps_all_grads = True  # True: every node keeps `.grad` (Value); else leaves + retained.

    data: Any
    grad: Any
    _parents: tuple[Node, ...]
    _vjp: Callable[..., tuple[Any, ...]] | None
    _saved: tuple[Any, ...]
    _op: str
    _how: Any
    label: str | None

    # -- the public, read-only protocol: pictures, checks and `nn` read nodes through it ------

    @property
    def parents(self) -> tuple[Node, ...]:
        """The nodes this one was computed from, one per edge (``a * a`` has ``(a, a)``)."""
        return self._parents

    @property
    def op(self) -> str:
        """The op that made this node (``"*"``, ``"tanh"``, a primitive's name); ``""`` for a
        leaf."""
        return self._op

    @property
    def is_leaf(self) -> bool:
        """True for nodes created by the user (or under `no_grad`), False for op results."""
        return self._vjp is None

    def vjp(self, grad: Any) -> tuple[Any, ...]:
        """What this node sends each parent when its own gradient is `grad`: the op's VJP,
        one entry per parent (``None`` where no gradient is needed), in the node's output
        shape (the engine sums broadcast copies when it adds them into a parent).

        ``node.vjp(1.0)`` of a `Value` gives the local derivatives, the edge labels of the
        pictures. A RuntimeError for a leaf, or after ``backward()`` released the graph.
        """
        if self._vjp is None:
            raise RuntimeError(f"vjp: {self!r} is a leaf; it sends nothing to any parent")
        return self._vjp(grad, *self._saved)


# ------------------------------------------------------------------------ per-thread modes


class _Modes(threading.local):
    """The modes of the running thread, as PyTorch's: a `no_grad()` in one thread never
    turns recording off in another. The class attributes are each new thread's defaults."""

    grad_enabled = True
    anomaly_enabled = False
    # Called with every node an op creates (``_result``): the one hook in node construction,
    # for anomaly mode and for tracing (the op-by-op gradient check). Empty: nothing runs.
    node_hooks: tuple[Callable[[Node], None], ...] = ()


#: Read by every op (``engine.modes.grad_enabled``); set only through the context managers.
modes = _Modes()
# Where each node was created, recorded only while `detect_anomaly()` is active.
_creation_sites: weakref.WeakKeyDictionary[Node, str] = weakref.WeakKeyDictionary()
_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep


def is_grad_enabled() -> bool:
    """True unless inside `no_grad()` (in this thread): ops record a graph only when true."""
    return modes.grad_enabled


def is_anomaly_enabled() -> bool:
    """True inside `detect_anomaly()` (in this thread)."""
    return modes.anomaly_enabled


@contextlib.contextmanager
def _grad_mode(enabled: bool) -> Iterator[None]:
    previous, modes.grad_enabled = modes.grad_enabled, enabled
    try:
        yield
    finally:
        modes.grad_enabled = previous


def no_grad() -> contextlib.AbstractContextManager[None]:
    """Context manager: ops inside it record no graph (their results are leaves).

    Use it for inference and for optimizer updates. Also usable as a decorator.

    Examples
    --------
    >>> from autograd_lite import Value, no_grad
    >>> x = Value(2.0)
    >>> with no_grad():
    ...     y = x * 3
    >>> y.is_leaf
    True
    """
    return _grad_mode(False)


def enable_grad() -> contextlib.AbstractContextManager[None]:
    """Context manager that turns graph recording back on inside a `no_grad()` block."""
    return _grad_mode(True)


@contextlib.contextmanager
def node_hook(hook: Callable[[Node], None]) -> Iterator[None]:
    """Context manager: call ``hook(node)`` for every node an op creates in this thread,
    after the node is complete (data, parents, VJP). Hooks nest; the innermost runs last."""
    previous = modes.node_hooks
    modes.node_hooks = (*previous, hook)
    try:
        yield
    finally:
        modes.node_hooks = previous


@contextlib.contextmanager
def detect_anomaly() -> Iterator[None]:
    """Context manager: raise at the first op whose forward or backward is not finite.

    Inside it, every new node remembers where it was created, and a NaN or infinity in a
    forward result or in a gradient raises `FloatingPointError` naming the op, its input
    shapes and the line of user code that created it. It slows every op; use it to debug.
    """
    previous, modes.anomaly_enabled = modes.anomaly_enabled, True
    try:
        with node_hook(check_forward):
            yield
    finally:
        modes.anomaly_enabled = previous


def record_creation(node: Node) -> None:
    """Remember the user-code line that created `node` (called by the engines in anomaly mode)."""
    frames = traceback.extract_stack()[:-1]
    user = [f for f in frames if not f.filename.startswith(_PACKAGE_DIR)]
    frame = user[-1] if user else frames[-1]
    _creation_sites[node] = f'File "{frame.filename}", line {frame.lineno}: {frame.line}'


def describe(node: Node) -> str:
    """A short description of a node for error messages: its op, inputs and creation site."""
    shapes = ", ".join(_shape_text(p.data) for p in node._parents)
    site = _creation_sites.get(node, "creation site unknown (create it inside detect_anomaly())")
    op = node._op or "leaf"
    return f"op '{op}' with inputs ({shapes}), created at {site}"


def _shape_text(data: Any) -> str:
    shape = getattr(data, "shape", None)
    return "scalar" if shape is None else f"shape {tuple(shape)}"


def _is_finite(value: Any) -> bool:
    if isinstance(value, float):
        return math.isfinite(value)
    import numpy as np  # only tensors reach here with arrays

    return bool(np.all(np.isfinite(value)))


def check_forward(node: Node) -> None:
    """In anomaly mode: record where `node` was made and fail if its value is not finite."""
    record_creation(node)
    if not _is_finite(node.data):
        raise FloatingPointError(
            f"detect_anomaly: the forward of {describe(node)} produced a non-finite value"
        )


# ------------------------------------------------------------------------------- the sort


def topological_order(root: Node) -> list[Node]:
    """Every node `root` depends on, each after all of its parents, `root` last.

    An explicit stack instead of recursion, so graphs of millions of nodes work; each node
    and each edge is visited once, so the time is linear in the size of the graph.
    """
    order: list[Node] = []
    visited = {root}
    stack = [(root, iter(root._parents))]
    while stack:
        node, parents = stack[-1]
        for parent in parents:
            if parent not in visited:
                visited.add(parent)
                if parent._parents:
                    stack.append((parent, iter(parent._parents)))
                    break
                order.append(parent)  # a leaf follows nothing: no need to stack it
        else:  # every parent is done: the node can follow them
            stack.pop()
            order.append(node)
    return order


# ------------------------------------------------------------------------------- the walk


def _released_vjp(_grad: Any, *_saved: Any) -> tuple[Any, ...]:
    raise RuntimeError(
        "Trying to backward through the graph a second time: its saved values were freed "
        "by the first backward(). Call backward(retain_graph=True) the first time if you "
        "need to differentiate through the same graph again."
    )


def backward(
    root: Node, seed: Any, *, retain_graph: bool = True, create_graph: bool = False
) -> None:
    """Reverse mode: propagate ``d root / d root = seed`` to every node `root` depends on.

    Each node's VJP turns its gradient into one gradient per parent, and the walk adds them
    into the parents' ``.grad`` (a node reached by two edges gets both contributions):

    - leaves *accumulate* into ``.grad`` across calls, until ``zero_grad()``;
    - intermediate nodes start each walk from nothing, so calling backward twice gives the
      same intermediate gradients; they keep it if their class keeps every gradient
      (`Value`) or the node asked for it (`Tensor.retain_grad()`), and drop it otherwise.

    With ``retain_graph=False`` each op's saved values are released once used, so memory
    stays flat over many training steps; a second walk through them is a clear error.

    With ``create_graph=True`` the VJPs run on nodes (`higher_order.differentiate`), so every
    gradient is
    a node with a graph of its own, to differentiate again; otherwise they run on the raw
    numbers and build nothing.
    """
    if create_graph:  # (imported here: the recording walk is built on this module)
        from autograd_lite.higher_order import backward_on_nodes

        backward_on_nodes(root, seed)
        return
    # The walk creates no reference cycles, but its allocations (the sort's stack, the
    # gradients) would trigger the cyclic GC, which then traverses every node of a large
    # graph again and again: paused for the walk, resumed after (a no-op if it was off).
    paused = gc.isenabled()
    if paused:
        gc.disable()
    try:
        _backward(root, seed, retain_graph)
    finally:
        if paused:
            gc.enable()


def _backward(root: Node, seed: Any, retain_graph: bool) -> None:
    order = topological_order(root)
    for node in order:
        if node._vjp is not None:
            node.grad = None
    arrays = root._broadcasts  # tensors: gradients are fitted to shape, dtype and owner
    handed_out = None  # tensors: the ids of the arrays stored into nodes during this walk
    if arrays:
        handed_out = new_walk()
        if root._vjp is None:
            accumulate(root, seed, handed_out)
        else:  # the seed fits (Tensor.backward made it) and this walk holds it to the end
            root.grad = seed
            handed_out.add(id(seed))
    else:
        old = root.grad
        root.grad = seed if old is None else old + seed
    try:
        _walk(order, arrays, handed_out, modes.anomaly_enabled, retain_graph)
    except BaseException:
        if not arrays:  # a walk cut short (detect_anomaly) must not leave a Value.grad None
            for node in order:
                if node.grad is None:
                    node.grad = 0.0
        raise


def _walk(
    order: list[Node],
    arrays: bool,
    handed_out: set[int] | None,
    anomaly: bool,
    retain_graph: bool,
) -> None:
    """The reverse pass proper: each node's VJP, its parents' gradients added in."""
    for node in reversed(order):
        grad = node.grad
        if grad is None:  # no gradient reached it: nothing to send (a Value's grad is 0.0)
            if not arrays:
                node.grad = 0.0
            continue
        vjp = node._vjp
        if vjp is None:  # a leaf
            continue
        parent_grads = vjp(grad, *node._saved)
        if anomaly:
            _check_backward(node, parent_grads)
        for parent, parent_grad in zip(node._parents, parent_grads):
            if parent_grad is None or not parent.requires_grad:
                continue  # nobody needs this gradient
            if arrays:
                accumulate(parent, parent_grad, handed_out)
            else:  # floats: this line runs once per edge of a scalar graph, keep it lean
                old = parent.grad
                parent.grad = parent_grad if old is None else old + parent_grad
        if not node._keeps_all_grads:
            node.grad = None
        if not retain_graph:
            node._vjp = _released_vjp
            node._saved = ()


# -------------------------------------------------------------------- the walk, step by step


class Step(NamedTuple):
    """One step of reverse mode: a node whose gradient is complete, and what it sends on."""

    node: Node
    grad: Any  # d root / d node: every contribution has arrived
    sent: tuple[Any, ...]  # one per parent: fitted to the parent's shape, or None (not needed)


def walk(root: Node, seed: Any = None) -> Iterator[Step]:
    """Reverse mode from `root` as an iterator, computed on the side: nothing is written into
    any ``.grad`` and the graph is not released.

    Steps come in reverse topological order, so each node's gradient is complete (every
    contribution has arrived) when its step is yielded; a node that no gradient reaches is
    skipped. `seed` is ``d root / d root`` (1, or ones in the root's shape). Replays,
    gradient-flow pictures, chain-rule paths and gradient checks consume this iterator;
    `backward` is the same walk, lean for training, writing ``.grad`` as it goes.
    """
    order = topological_order(root)
    arrays = root._broadcasts
    if seed is None:
        seed = _unit(root) if arrays else 1.0
    grads: dict[Node, Any] = {root: seed}
    for node in reversed(order):
        g = grads.pop(node, None)
        if g is None:
            continue
        if node._vjp is None:
            yield Step(node, g, ())
            continue
        sent = []
        for parent, pg in zip(node._parents, node._vjp(g, *node._saved)):
            if pg is None or not parent.requires_grad:
                sent.append(None)
                continue
            if arrays:
                pg = fit_to(pg, parent.data)
            sent.append(pg)
            old = grads.get(parent)
            grads[parent] = pg if old is None else old + pg
        yield Step(node, g, tuple(sent))


def _unit(root: Node) -> Any:
    import numpy as np  # only tensors reach here

    return np.ones(root.data.shape, dtype=root.data.dtype)


def _check_backward(node: Node, parent_grads: tuple[Any, ...]) -> None:
    for i, g in enumerate(parent_grads):
        if g is not None and not _is_finite(g):
            raise FloatingPointError(
                f"detect_anomaly: the backward of {describe(node)} produced a non-finite "
                f"gradient for its input {i}"
            )
