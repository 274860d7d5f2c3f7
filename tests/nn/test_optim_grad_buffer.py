"""The flat optimizers' gradient buffer: `linear` writes weight gradients straight into it,
the result equals the ordinary path bit for bit, and shared weights still add up."""

from __future__ import annotations

import numpy as np

import nn
from autograd_lite import Tensor, tensor_ops
from nn import functional as F
from nn.optim import SGD, Adam


def _model(seed: int) -> nn.Sequential:
    rng = np.random.default_rng(seed)
    return nn.Sequential(nn.Linear(6, 5, rng=rng), nn.ReLU(), nn.Linear(5, 3, rng=rng))


def _train(flat: bool, steps: int = 5) -> list[np.ndarray]:
    model = _model(0)
    optimizer = Adam(model.parameters(), lr=0.01, flat=flat)
    rng = np.random.default_rng(1)
    for _ in range(steps):
        x, y = rng.standard_normal((4, 6)).astype(np.float32), rng.integers(0, 3, 4)
        loss = F.cross_entropy(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return [p.data.copy() for p in model.parameters()]


def test_weight_gradients_are_written_into_the_flat_buffer():
    model = _model(0)
    optimizer = SGD(model.parameters(), lr=0.1, flat=True)
    x, y = np.ones((4, 6), np.float32), np.array([0, 1, 2, 0])
    F.cross_entropy(model(x), y).backward()
    for p in model.parameters():
        assert p.grad is p.grad_buffer  # no copy, no new array
        assert np.shares_memory(p.grad, optimizer._flat_of(optimizer.param_groups[0]).grad)


def test_the_buffer_path_equals_the_per_parameter_path():
    for a, b in zip(_train(flat=True), _train(flat=False)):
        np.testing.assert_array_equal(a, b)


def test_a_weight_used_twice_gets_both_contributions_in_its_buffer():
    w = Tensor(np.ones((2, 3)), requires_grad=True)
    SGD([w], lr=0.1, flat=True)
    x = Tensor(np.arange(3.0).reshape(1, 3))
    (tensor_ops.linear(x, w).sum() + tensor_ops.linear(x * 2, w).sum()).backward()
    np.testing.assert_array_equal(w.grad, np.tile([0.0, 3.0, 6.0], (2, 1)))
