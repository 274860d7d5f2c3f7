"""The tensor engine: per-op overhead, and a 2-layer MLP forward + backward against
hand-written NumPy doing the same math in the same process."""

from __future__ import annotations

import numpy as np
from threadpoolctl import threadpool_limits

from autograd_lite import Tensor, tensor_ops
from benchmarks.timing import compare, format_table

SIZES = {
    "full": {"repeats": 15, "ops": 20_000, "steps": 200},
    "smoke": {"repeats": 2, "ops": 200, "steps": 2},
}


def bench_op_overhead(size: str) -> str:
    """c = a * b; c.backward() on 1-element tensors: the cost of the engine itself."""
    n = SIZES[size]["ops"]
    a = Tensor(np.array([1.5]), requires_grad=True)
    b = Tensor(np.array([-0.5]), requires_grad=True)

    def ours() -> None:
        for _ in range(n):
            c = a * b
            c.backward()

    def numpy_only() -> None:  # the arithmetic alone: forward, and both gradients
        ad, bd, one = a.data, b.data, np.ones(1)
        for _ in range(n):
            ad * bd
            one * bd
            one * ad

    candidates = {"autograd-lite Tensor": ours, "NumPy arithmetic alone": numpy_only}
    try:
        import torch

        ta = torch.tensor([1.5], requires_grad=True)
        tb = torch.tensor([-0.5], requires_grad=True)

        def pytorch() -> None:
            for _ in range(n):
                c = ta * tb  # one element: backward() needs no explicit gradient
                c.backward()

        candidates["PyTorch"] = pytorch
    except ImportError:
        pass
    timings = compare(candidates, repeats=SIZES[size]["repeats"], work=n)
    return format_table("per-op overhead: c = a * b; c.backward() (1 element)", timings, "op")


def bench_mlp_forward_backward(size: str) -> str:
    """784-128-10 ReLU MLP, batch 128: logits, mean softmax cross-entropy, all gradients."""
    from autograd_lite.tensor_ops import cross_entropy

    rng = np.random.default_rng(0)
    x = rng.random((128, 784), dtype=np.float32)
    y = rng.integers(0, 10, 128)
    W1 = Tensor(rng.standard_normal((128, 784)).astype(np.float32) * 0.03, requires_grad=True)
    b1 = Tensor(np.zeros(128, np.float32), requires_grad=True)
    W2 = Tensor(rng.standard_normal((10, 128)).astype(np.float32) * 0.09, requires_grad=True)
    b2 = Tensor(np.zeros(10, np.float32), requires_grad=True)
    steps = SIZES[size]["steps"]

    def ours() -> None:
        for _ in range(steps):
            for p in (W1, b1, W2, b2):
                p.grad = None
            h = tensor_ops.linear(Tensor(x), W1, b1).relu()
            cross_entropy(tensor_ops.linear(h, W2, b2), y).backward()

    w1, c1, w2, c2 = W1.data, b1.data, W2.data, b2.data
    rows = np.arange(128)

    def numpy_same_math() -> None:
        for _ in range(steps):
            h = x @ w1.T + c1
            a = np.maximum(h, 0)
            z = a @ w2.T + c2
            z = z - z.max(axis=1, keepdims=True)
            e = np.exp(z)
            s = e.sum(axis=1, keepdims=True)
            _loss = np.mean(np.log(s[:, 0]) - z[rows, y])
            dz = e / s
            dz[rows, y] -= 1
            dz /= 128
            _gw2, _gc2 = dz.T @ a, dz.sum(axis=0)
            da = (dz @ w2) * (h > 0)
            _gw1, _gc1 = da.T @ x, da.sum(axis=0)

    with threadpool_limits(limits=1, user_api="blas"):  # as nn.fit would: see nn.blas
        timings = compare(
            {"NumPy, same math": numpy_same_math, "autograd-lite Tensor": ours},
            repeats=SIZES[size]["repeats"],
            work=steps,
        )
    title = "784-128-10 MLP forward + backward, batch 128, float32"
    return format_table(title, timings, "step", reference="NumPy, same math")


BENCHMARKS = {"tensor-op-overhead": bench_op_overhead, "mlp-fwd-bwd": bench_mlp_forward_backward}
