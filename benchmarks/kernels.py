"""The compiled kernels against their NumPy references, one by one, on the MNIST MLP's
sizes (batch 32); and what compiling them costs, cold and from numba's disk cache."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from collections.abc import Callable

import numpy as np

from autograd_lite import kernels
from autograd_lite.kernels.dense import bias_relu, relu_bias_grads
from autograd_lite.kernels.optim import adam_update
from autograd_lite.kernels.softmax import softmax_cross_entropy, softmax_cross_entropy_grad
from benchmarks.timing import compare, format_table

SIZES = {"full": {"repeats": 15, "calls": 200}, "smoke": {"repeats": 2, "calls": 2}}
PARAMS = 784 * 128 + 128 + 128 * 10 + 10  # the MLP's parameters: one flat buffer


def _work(batch: int = 32) -> dict[str, Callable[[], object]]:
    rng = np.random.default_rng(0)
    p, g = rng.standard_normal(PARAMS, np.float32), rng.standard_normal(PARAMS, np.float32)
    m, v, tmp = np.zeros_like(p), np.zeros_like(p), np.empty_like(p)
    h = rng.standard_normal((batch, 128), np.float32)
    b, gh = rng.standard_normal(128, np.float32), rng.standard_normal((batch, 128), np.float32)
    z, y = rng.standard_normal((batch, 10), np.float32), rng.integers(0, 10, batch)
    adam = {"beta1": 0.9, "beta2": 0.999, "step_size": 1e-3, "eps": 1e-8}
    return {
        f"Adam on {PARAMS:,} parameters": lambda: adam_update(
            p, g, m, v, None, weight_decay=0.0, maximize=False, work=None, tmp=tmp, **adam
        ),
        f"bias + ReLU, ({batch}, 128)": lambda: bias_relu(h.copy(), b),
        f"ReLU mask + bias gradient, ({batch}, 128)": lambda: relu_bias_grads(gh, h, b),
        f"softmax cross-entropy + gradient, ({batch}, 10)": lambda: softmax_cross_entropy_grad(
            softmax_cross_entropy(z, y)[0], y, 1.0 / batch
        ),
    }


def _on(backend: str, fn: Callable[[], object], calls: int) -> Callable[[], None]:
    def run() -> None:
        with kernels.use_backend(backend):
            for _ in range(calls):
                fn()

    return run


def bench_kernels(size: str) -> str:
    if not kernels.numba_installed():
        return "## compiled kernels\n(numba not installed: pip install -e '.[fast]')"
    kernels.warm_up()
    calls, tables = SIZES[size]["calls"], []
    for name, fn in _work().items():
        candidates = {"NumPy": _on("numpy", fn, calls), "numba": _on("numba", fn, calls)}
        timings = compare(candidates, repeats=SIZES[size]["repeats"], work=calls)
        tables.append(format_table(name, timings, "call", reference="NumPy"))
    return "\n\n".join(tables)


_COMPILE = (
    "import time; t = time.perf_counter(); from autograd_lite import kernels; "
    "r = kernels.warm_up(); "
    "print(f'{time.perf_counter() - t:.2f} {sum(c.seconds for c in r):.2f} "
    "{sum(c.from_cache for c in r)} {len(r)}')"
)


def bench_compile(size: str) -> str:
    """Every kernel compiled in a fresh process with an empty cache, then loaded from it."""
    if not kernels.numba_installed():
        return "## kernel compilation\n(numba not installed: pip install -e '.[fast]')"
    lines = [
        "## kernel compilation: a fresh process, an empty numba cache, then the cache",
        f"{'':<22}  {'process':>8}  {'kernels':>8}  {'from cache':>10}",
    ]
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "NUMBA_CACHE_DIR": cache}
        for label in ("cold (compiled)", "warm (disk cache)"):
            out = subprocess.run(
                [sys.executable, "-c", _COMPILE],
                env=env,
                capture_output=True,
                text=True,
                check=True,
            ).stdout.split()
            total, compiled, cached, count = out
            lines.append(f"{label:<22}  {total:>7}s  {compiled:>7}s  {cached:>4} of {count}")
    lines.append("(process: import + warm_up; kernels: the compile or load time of the 12 kernels)")
    return "\n".join(lines)


BENCHMARKS = {"kernels": bench_kernels, "kernels-compile": bench_compile}
