"""The example graphs ``autograd-lite draw`` knows: a neuron, a chain, a small MLP."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import nn
from autograd_lite import Value
from autograd_lite.scalar_ops import linear

__all__ = ["EXAMPLES", "Example"]


@dataclass
class Example:
    """A small graph to draw: its output (after ``backward()``), its parameters, the weight
    whose chain-rule paths ``--paths`` shows, and the model when there is one."""

    title: str
    root: Value
    parameters: list[Value]
    weight: Value
    module: Any = None


def neuron() -> Example:
    """micrograd's perceptron: ``o = tanh(x1 w1 + x2 w2 + b)``."""
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")  # makes n = 0.8814, so o = tanh(n) = 0.7071
    x1w1 = _named(x1 * w1, "x1*w1")
    x2w2 = _named(x2 * w2, "x2*w2")
    s = _named(x1w1 + x2w2, "x1*w1 + x2*w2")
    n = _named(s + b, "n")
    o = _named(n.tanh(), "o")
    o.backward()
    return Example("a neuron: o = tanh(x1*w1 + x2*w2 + b)", o, [w1, w2, b], w1)


def chain(layers: int = 3) -> Example:
    """One neuron per layer, ``z = w a + b``, ``a = sigmoid(z)``, ``C = (a - y)**2``: the
    chain of Lopez Davila's *Neural Networks: The Backpropagation Algorithm*, where ``dC/dw1``
    is one path and so one product of local derivatives."""
    a = Value(1.0, label="a0")
    weights = [0.8, -1.3, 1.7, 0.6, -0.9]
    biases = [-0.2, 0.4, 0.1, 0.3, -0.5]
    params = []
    for i in range(1, layers + 1):
        w = Value(weights[(i - 1) % 5], label=f"w{i}")
        b = Value(biases[(i - 1) % 5], label=f"b{i}")
        params += [w, b]
        z = _named(linear([w], [a], b), f"z{i}")
        a = _named(z.sigmoid(), f"a{i}")
    y = Value(1.0, label="y")
    cost = _named((_named(a - y, f"a{layers} - y")) ** 2, "C")
    cost.backward()
    return Example(
        f"a chain of {layers} one-neuron layers: C = (a{layers} - y)^2", cost, params, params[0]
    )


def mlp() -> Example:
    """A small `nn.MLP` (2 -> 3 -> 3 -> 1, tanh) with a mean squared error on two examples."""
    model = nn.MLP(2, [3, 3, 1], activation="tanh", rng=0)
    data = [([1.0, -0.5], 1.0), ([-0.3, 0.8], -1.0)]
    errors = []
    for k, (x, target) in enumerate(data):
        inputs = [Value(v, label=f"x{k}[{j}]") for j, v in enumerate(x)]
        errors.append((model(inputs) - target) ** 2)
    loss = _named(sum(errors[1:], errors[0]) * (1.0 / len(data)), "loss")
    model.zero_grad()
    loss.backward()
    weight = dict(model.named_parameters())["layers.0.neurons.0.w.0"]
    return Example(
        "an MLP 2 -> 3 -> 3 -> 1 and its mean squared error on 2 examples",
        loss,
        model.parameters(),
        weight,
        model,
    )


EXAMPLES: dict[str, Callable[[], Example]] = {"neuron": neuron, "chain": chain, "mlp": mlp}


def _named(node: Value, label: str) -> Value:
    node.label = label
    return node
