"""MNIST: training and inference throughput of a 784-128-10 MLP, and memory over many steps.

Every candidate trains the same network (ReLU, mean softmax cross-entropy, Adam 1e-3,
float32) from the same initial weights on the same batches, in the same process:

- the optimised NumPy floor (`benchmarks.numpy_mlp`), the reference of every ratio;
- the ceiling: the step's five matrix products and a one-pass Adam alone (with the
  compiled kernels when numba is installed), what no step on the same BLAS can beat;
- autograd-lite: ``nn.Sequential`` + ``nn.optim.Adam`` + ``nn.functional.cross_entropy``,
  with the compiled kernels (numba, when installed) and with the NumPy kernels, each step
  written out eagerly and as an ``nn.TrainStep`` (captured once, then replayed);
- the same math in plain NumPy (what the floor's optimisations are worth);
- PyTorch eager, and with ``Adam(fused=True)``, when it is installed;
- JAX, the whole step compiled with ``jax.jit``, when it is installed.

Every candidate runs with the BLAS threads that `nn.fit` would choose for this model
(`nn.blas`: one thread for these small products), PyTorch with as many threads.
"""

from __future__ import annotations

import contextlib
import os
import tracemalloc
from collections.abc import Callable
from typing import Any

import numpy as np
from threadpoolctl import threadpool_limits

import nn
from autograd_lite import Tensor, kernels, no_grad
from benchmarks.numpy_mlp import (
    NaiveNumpyMLP,
    OptimisedNumpyMLP,
    ProductsAndAdam,
    init_params,
)
from benchmarks.timing import compare, format_table
from nn import functional as F
from nn.blas import choose_threads
from nn.optim import Adam

SIZES = {
    "full": {"repeats": 11, "steps": 200, "memory_steps": 10_000, "batches": (32, 128)},
    "smoke": {"repeats": 2, "steps": 3, "memory_steps": 30, "batches": (32,)},
}


def _data(size: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """MNIST (from $AUTOGRAD_LITE_DATA or the cache); random data of its shape at smoke size,
    so the smoke test needs no download."""
    if size == "smoke" and not os.environ.get("AUTOGRAD_LITE_DATA"):
        rng = np.random.default_rng(0)
        X = rng.random((512, 784), dtype=np.float32)
        return X, rng.integers(0, 10, 512), X[:256], rng.integers(0, 10, 256)
    from nn.data import load_mnist

    return load_mnist()


def ours(
    params: list[np.ndarray], captured: bool = False
) -> tuple[nn.Module, Callable[[np.ndarray, np.ndarray], float]]:
    """The model and its training step: written out eagerly, or `captured` (nn.TrainStep)."""
    model = nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 10))
    model.load_state_dict({k: p for k, p in zip(model.state_dict(), params)})
    optimizer = Adam(model.parameters(), lr=1e-3)
    if captured:
        return model, nn.TrainStep(model, optimizer, F.cross_entropy)

    def step(x: np.ndarray, y: np.ndarray) -> float:
        loss = F.cross_entropy(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        return loss.item()

    return model, step


def pytorch(params: list[np.ndarray], fused: bool) -> Callable[[np.ndarray, np.ndarray], float]:
    import torch

    model = torch.nn.Sequential(
        torch.nn.Linear(784, 128), torch.nn.ReLU(), torch.nn.Linear(128, 10)
    )
    with torch.no_grad():
        for p, value in zip(model.parameters(), params):
            p.copy_(torch.from_numpy(value))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, fused=fused or None)
    loss_fn = torch.nn.CrossEntropyLoss()

    def step(x: np.ndarray, y: np.ndarray) -> float:
        loss = loss_fn(model(torch.from_numpy(x)), torch.from_numpy(y))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        return loss.item()

    return step


def _on_backend(name: str, step: Callable[[np.ndarray, np.ndarray], float]) -> Callable:
    """`step` run with the kernels `name` (the choice is switched per call: candidates
    interleave)."""

    def run(x: np.ndarray, y: np.ndarray) -> float:
        with kernels.use_backend(name):
            return step(x, y)

    return run


def _candidates(batch: int, threads: int) -> dict[str, Callable[[np.ndarray, np.ndarray], float]]:
    params = init_params(np.random.default_rng(0))
    candidates = {"NumPy, optimised (floor)": OptimisedNumpyMLP(params, batch).step}
    backends = (["numba"] if kernels.numba_installed() else []) + ["numpy"]
    candidates["ceiling: the products and Adam alone"] = _on_backend(
        backends[0], ProductsAndAdam(params, batch).step
    )
    for backend in backends:
        label = "numba" if backend == "numba" else "NumPy"
        for captured, how in ((False, "eager"), (True, "TrainStep")):
            candidates[f"autograd-lite {how}, {label} kernels"] = _on_backend(
                backend, ours(params, captured)[1]
            )
    candidates["NumPy, naive"] = NaiveNumpyMLP(params).step
    with contextlib.suppress(ImportError):
        import torch

        torch.set_num_threads(threads)
        candidates["PyTorch eager"] = pytorch(params, fused=False)
        candidates["PyTorch, fused Adam"] = pytorch(params, fused=True)
    with contextlib.suppress(ImportError):
        from benchmarks.jax_mlp import jax_step

        candidates["JAX jit"] = jax_step(params)
    return candidates


def blas_threads(batch: int) -> int:
    """The BLAS threads `nn.fit` would use for the MNIST MLP at `batch` (`nn.blas`)."""
    model = nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 10))
    return choose_threads(model, batch) or os.cpu_count() or 1


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "?"


def _loop(
    step: Callable[[np.ndarray, np.ndarray], float], batches: list, steps: int
) -> Callable[[], None]:
    """`steps` training steps on consecutive batches, going on where the last call stopped."""
    position = [0]

    def loop() -> None:
        for _ in range(steps):
            step(*batches[position[0] % len(batches)])
            position[0] += 1

    return loop


def bench_training(size: str) -> str:
    X, y, _, _ = _data(size)
    order = np.random.default_rng(1).permutation(len(X))
    X, y = np.ascontiguousarray(X[order]), y[order].astype(np.int64)
    steps = SIZES[size]["steps"]
    tables = []
    for batch in SIZES[size]["batches"]:
        usable = (len(X) // batch) * batch
        batches = [(X[i : i + batch], y[i : i + batch]) for i in range(0, usable, batch)]

        threads, before = blas_threads(batch), _load()
        candidates = {
            name: _loop(step, batches, steps) for name, step in _candidates(batch, threads).items()
        }
        with threadpool_limits(limits=threads, user_api="blas"):
            timings = compare(candidates, repeats=SIZES[size]["repeats"], work=steps * batch)
        title = f"MNIST 784-128-10 training, Adam, batch {batch}: time per sample"
        table = format_table(title, timings, "sample", reference="NumPy, optimised (floor)")
        rates = ", ".join(f"{t.name} {1 / t.median / 1e3:.1f}k" for t in timings)
        tables.append(
            f"{table}\nsamples per second (median): {rates}\nBLAS threads {threads} "
            f"(the nn.blas policy); load average before {before}, after {_load()}"
        )
    return "\n\n".join(tables)


def bench_inference(size: str) -> str:
    _, _, X_test, _ = _data(size)
    params = init_params(np.random.default_rng(0))
    model = ours(params)[0].eval()
    W1, b1, W2, b2 = params

    def numpy_forward() -> None:
        (np.maximum(X_test @ W1.T + b1, 0) @ W2.T + b2).argmax(axis=1)

    def ours_forward() -> None:
        with no_grad():
            model(Tensor(X_test)).data.argmax(axis=1)

    timings = compare(
        {"NumPy": numpy_forward, "autograd-lite": ours_forward},
        repeats=SIZES[size]["repeats"],
        work=len(X_test),
    )
    title = f"inference on {len(X_test):,} test images (one batch, argmax)"
    return format_table(title, timings, "image", reference="NumPy")


def bench_memory(size: str) -> str:
    """Traced memory (NumPy reports its buffers to tracemalloc) over many training steps,
    eager and replayed (`nn.TrainStep`, what `nn.fit` runs): flat means no graph, gradient
    or state survives a step."""
    X, y, _, _ = _data(size)
    y = y.astype(np.int64)
    lines = ["## memory over training steps (batch 32; tracemalloc, NumPy buffers included)"]
    for captured, how in ((False, "eager"), (True, "TrainStep")):
        _, step = ours(init_params(np.random.default_rng(0)), captured)
        lines += [f"{how}:", *_traced(step, X, y, SIZES[size]["memory_steps"])]
    return "\n".join(lines)


def _traced(step: Callable[[np.ndarray, np.ndarray], float], X, y, total: int) -> list[str]:
    """The traced memory after some of `total` steps, and its growth."""
    checkpoints = sorted({1, total // 10, total // 2, total} - {0})
    batch, samples = 32, {}
    step(X[:batch], y[:batch])  # untraced: loading the compiled kernels is not growth
    tracemalloc.start()
    try:
        for k in range(1, total + 1):
            i = (k * batch) % (len(X) - batch)
            step(X[i : i + batch], y[i : i + batch])
            if k in checkpoints:
                samples[k] = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    lines = [
        f"after step {k:>6,}: current {c / 1e6:7.3f} MB, peak {p / 1e6:7.3f} MB"
        for k, (c, p) in samples.items()
    ]
    first, last = samples[checkpoints[0]][0], samples[checkpoints[-1]][0]
    lines.append(
        f"growth from step {checkpoints[0]} to {checkpoints[-1]:,}: {(last - first) / 1e3:+.1f} kB"
    )
    return lines


BENCHMARKS: dict[str, Any] = {
    "mnist-train": bench_training,
    "mnist-inference": bench_inference,
    "memory": bench_memory,
}
