"""Training beside a busy process: the share of the quiet throughput that is left.

One process spinning on a core (``while True: pass``) stands for whatever else the machine
runs. autograd-lite trains the MNIST MLP (Adam, batch 32, the default kernels) alternately
without and with that process, under two BLAS thread settings: the `nn.blas` policy (one
thread for these small products, what `nn.fit` uses) and BLAS's own default (a thread per
core), which waits on the busy core at every product. A pure-Python loop measured the same way
says what the machine allows: on a quiet 2-core machine it keeps its whole core (1.0x);
on a machine already shared with other work, the spinner takes its share from everyone.
"""

from __future__ import annotations

import functools
import os
import statistics
import subprocess
import sys
import time

import numpy as np
from threadpoolctl import threadpool_limits

from benchmarks.mnist import ours
from benchmarks.numpy_mlp import init_params

SIZES = {
    "full": {"repeats": 7, "steps": 300, "batch": 32},
    "smoke": {"repeats": 1, "steps": 3, "batch": 32},
}


def _busy() -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", "while True: pass"])


def _seconds(step, batches: list, steps: int) -> float:
    start = time.perf_counter()
    for k in range(steps):
        step(*batches[k % len(batches)])
    return time.perf_counter() - start


def _count(n: int) -> float:
    start, total = time.perf_counter(), 0
    for i in range(n):
        total += i
    return time.perf_counter() - start


def _interleaved(run, repeats: int) -> tuple[float, float]:
    """Median seconds of `run` quiet and beside a busy process, alternating."""
    quiet, busy = [], []
    for _ in range(repeats):
        quiet.append(run())
        spinner = _busy()
        try:
            time.sleep(0.2)  # let it reach its core
            busy.append(run())
        finally:
            spinner.kill()
            spinner.wait()
    return statistics.median(quiet), statistics.median(busy)


def bench_under_load(size: str) -> str:
    cfg = SIZES[size]
    rng = np.random.default_rng(0)
    batch = cfg["batch"]
    X = rng.random((batch * 64, 784), dtype=np.float32)
    y = rng.integers(0, 10, batch * 64)
    batches = [(X[i : i + batch], y[i : i + batch]) for i in range(0, len(X), batch)]
    lines = [
        f"## training beside a busy process (MNIST MLP, batch {batch}, {cfg['steps']} steps "
        f"per run, median of {cfg['repeats']} interleaved runs)",
        f"{'BLAS threads':<28}  {'quiet':>10}  {'busy':>10}  {'busy / quiet throughput':>24}",
    ]
    settings = {"1 (nn.blas policy)": 1, f"{os.cpu_count()} (BLAS default)": os.cpu_count()}
    q, b = _interleaved(lambda: _count(cfg["steps"] * 2000), cfg["repeats"])
    lines.append(f"{'pure Python (the limit)':<28}  {'':>10}  {'':>10}  {q / b:23.2f}x")
    for name, threads in settings.items():
        _, step = ours(init_params(np.random.default_rng(0)))
        with threadpool_limits(limits=threads, user_api="blas"):
            _seconds(step, batches, cfg["steps"])  # warm up: kernels compiled, caches filled
            run = functools.partial(_seconds, step, batches, cfg["steps"])
            q, b = _interleaved(run, cfg["repeats"])
        per_step = 1e6 / cfg["steps"]
        lines.append(f"{name:<28}  {q * per_step:10.1f}  {b * per_step:10.1f}  {q / b:23.2f}x")
    lines.append("(times in us per step)")
    if hasattr(os, "getloadavg"):
        lines.append("load average after: " + " ".join(f"{x:.2f}" for x in os.getloadavg()))
    return "\n".join(lines)


BENCHMARKS = {"under-load": bench_under_load}
