"""The scalar engine: micrograd's demo training step, per-op overhead and long chains.

References, in the same process: micrograd itself (when installed: the `bench` extra), and
our `Value` running micrograd's own graph shape (a node per multiply and per add) next to
our `nn.MLP` (one fused node per neuron).
"""

from __future__ import annotations

import random
from typing import Any

import numpy as np

import nn
from autograd_lite import Value
from benchmarks.timing import compare, format_table
from nn.data import two_moons

SIZES = {
    "full": {"repeats": 15, "chains": (10_000, 100_000, 1_000_000), "ops": 100_000},
    "smoke": {"repeats": 2, "chains": (1_000,), "ops": 1_000},
}


class BinaryOpMLP:
    """micrograd's MLP, written with our Value: ``sum(w * x) + b`` as 2n binary nodes."""

    def __init__(self, nin: int, nouts: list[int], value: type = Value, seed: int = 0):
        rng = random.Random(seed)
        sizes = [nin, *nouts]
        self.layers = [
            [
                (
                    [value(rng.uniform(-1, 1)) for _ in range(sizes[i])],
                    value(0.0),
                    i < len(nouts) - 1,
                )
                for _ in range(sizes[i + 1])
            ]
            for i in range(len(nouts))
        ]

    def __call__(self, x: list[Any]) -> Any:
        for layer in self.layers:
            out = []
            for w, b, nonlinear in layer:
                act = sum((wi * xi for wi, xi in zip(w, x)), b)
                out.append(act.relu() if nonlinear else act)
            x = out
        return x[0] if len(x) == 1 else x

    def parameters(self) -> list[Any]:
        return [p for layer in self.layers for w, b, _ in layer for p in (*w, b)]

    def zero_grad(self) -> None:
        for p in self.parameters():
            p.grad = 0.0


def demo_step(model: Any, value: type, X: np.ndarray, y: np.ndarray, k: int = 0) -> float:
    """One step of micrograd's demo: SVM max-margin loss + 1e-4 L2, full batch, SGD."""
    inputs = [list(map(value, row)) for row in X.tolist()]
    scores = list(map(model, inputs))
    losses = [(1 + -yi * si).relu() for yi, si in zip(y.tolist(), scores)]
    data_loss = sum(losses) * (1.0 / len(losses))
    reg_loss = 1e-4 * sum(p * p for p in model.parameters())
    total = data_loss + reg_loss
    model.zero_grad()
    total.backward()
    lr = 1.0 - 0.9 * k / 100
    for p in model.parameters():
        p.data -= lr * p.grad
    return total.data


def bench_demo_step(size: str) -> str:
    X, labels = two_moons(100, noise=0.1, rng=1)
    y = 2 * labels - 1
    ours, binary = nn.MLP(2, [16, 16, 1], rng=0), BinaryOpMLP(2, [16, 16, 1])
    candidates = {
        "autograd-lite nn.MLP": lambda: demo_step(ours, Value, X, y),
        "autograd-lite Value, micrograd graph": lambda: demo_step(binary, Value, X, y),
    }
    try:
        from micrograd.engine import Value as MicrogradValue
        from micrograd.nn import MLP as MicrogradMLP

        random.seed(0)
        mg = MicrogradMLP(2, [16, 16, 1])
        candidates["micrograd 0.1.0"] = lambda: demo_step(mg, MicrogradValue, X, y)
        reference = "micrograd 0.1.0"
    except ImportError:
        reference = None
    timings = compare(candidates, repeats=SIZES[size]["repeats"])
    title = "micrograd's demo step: MLP(2, [16, 16, 1]), 100 two-moons points, GC on"
    note = "" if reference else "\n(micrograd not installed: pip install -e '.[bench]')"
    return format_table(title, timings, "step", reference) + note


def bench_op_overhead(size: str) -> str:
    n = SIZES[size]["ops"]

    def ours() -> None:
        a, b = Value(1.5), Value(-0.5)
        for _ in range(n):
            c = a * b
            c.backward()

    candidates = {"autograd-lite Value": ours}
    try:
        from micrograd.engine import Value as MicrogradValue

        def theirs() -> None:
            a, b = MicrogradValue(1.5), MicrogradValue(-0.5)
            for _ in range(n):
                c = a * b
                c.backward()

        candidates["micrograd 0.1.0"] = theirs
    except ImportError:
        pass
    timings = compare(candidates, repeats=SIZES[size]["repeats"], work=n)
    return format_table("per-op overhead: c = a * b; c.backward()", timings, "op", None)


class _Cell:
    """A node of the pure-Python floor: data and a tuple of parents, no autodiff."""

    __slots__ = ("data", "parents")

    def __init__(self, data: float, parents: tuple[Any, ...]) -> None:
        self.data, self.parents = data, parents


def _floor_chain(n: int) -> None:
    """What any Python program pays for a chain of n nodes kept alive: per node the objects
    our chain keeps (a node, its parents tuple and a constant node), then one walk back."""
    y = _Cell(0.5, ())
    for _ in range(n):
        c = _Cell(1.000001, ())
        y = _Cell(y.data * c.data, (y, c))
    grad = 1.0
    while y.parents:
        y, c = y.parents
        grad *= c.data


def bench_chain(size: str) -> str:
    """Build + backward of ``y = y * 1.000001`` n times, against a pure-Python floor: the
    cyclic garbage collector's full collections grow with the number of live objects, and
    the floor shows what CPython itself charges for that many."""
    timings = []
    for n in SIZES[size]["chains"]:

        def chain(n: int = n) -> None:
            x = Value(0.5)
            y = x
            for _ in range(n):
                y = y * 1.000001
            y.backward()

        candidates = {
            f"chain of {n:,} muls": chain,
            f"pure-Python floor, {n:,}": lambda n=n: _floor_chain(n),
        }
        timings += compare(candidates, repeats=3, work=n, warmup=0)
    title = "a long chain: build + backward, time per node (flat = linear time)"
    return format_table(title, timings, "node")


BENCHMARKS = {"demo-step": bench_demo_step, "op-overhead": bench_op_overhead, "chain": bench_chain}
