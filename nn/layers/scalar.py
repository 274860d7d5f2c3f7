"""The scalar path: a perceptron, a layer and a multi-layer network built from `Value`s.

Slow (one graph node per neuron per example) but every number can be looked at, drawn and
explained. `nn.Linear` and `nn.Sequential` are the same ideas on tensors.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from autograd_lite import Value
from autograd_lite.scalar_ops import linear
from nn.layers.activations import Activation, activation_name, get_activation
from nn.module import Module
from nn.validation import Rng, generator, positive_int

__all__ = ["MLP", "Layer", "Neuron"]


class Neuron(Module):
    """The perceptron: ``activation(w . x + b)``.

    Parameters
    ----------
    nin : int
        Number of inputs.
    activation : str, callable or None
        ``"relu"`` (default), ``"tanh"``, ``"sigmoid"``, ..., or None for a linear unit.
    rng : np.random.Generator, int or None
        Weights and bias are drawn from U(-1/sqrt(nin), 1/sqrt(nin)) (PyTorch's default for a
        linear layer, so the scalar and tensor paths start alike).
    """

    def __init__(self, nin: int, activation: str | Activation | None = "relu", rng: Rng = None):
        nin = positive_int("Neuron", "nin", nin)
        rng = generator("Neuron", rng)
        bound = 1.0 / math.sqrt(nin)
        self.w = [Value(v, label=f"w{i}") for i, v in enumerate(rng.uniform(-bound, bound, nin))]
        self.b = Value(rng.uniform(-bound, bound), label="b")
        self.activation = get_activation(activation)

    def forward(self, x: Sequence[Value | float]) -> Value:
        if len(x) != len(self.w):
            raise ValueError(f"Neuron: expected {len(self.w)} inputs, got {len(x)}")
        return self.activation(linear(self.w, x, self.b))

    def extra_repr(self) -> str:
        return f"{len(self.w)} inputs, {activation_name(self.activation)}"


class Layer(Module):
    """``nout`` neurons reading the same inputs; returns a list of ``nout`` Values."""

    def __init__(
        self, nin: int, nout: int, activation: str | Activation | None = "relu", rng: Rng = None
    ):
        nout = positive_int("Layer", "nout", nout)
        rng = generator("Layer", rng)
        self.neurons = [Neuron(nin, activation, rng) for _ in range(nout)]

    def forward(self, x: Sequence[Value | float]) -> list[Value]:
        return [neuron(x) for neuron in self.neurons]

    def extra_repr(self) -> str:
        first = self.neurons[0]
        return f"{len(first.w)} -> {len(self.neurons)}, {activation_name(first.activation)}"

    def __repr__(self) -> str:  # one line: listing every neuron would bury the shape
        return f"Layer({self.extra_repr()})"


class MLP(Module):
    """A multi-layer perceptron of `Value`s: ``MLP(2, [16, 16, 1])``.

    Hidden layers use `activation`; the output layer uses `output_activation` (linear by
    default, so the network can output any real number; pass ``"sigmoid"`` for a
    probability). Calling it on one example returns a Value when the last layer has one
    neuron, else a list of Values.
    """

    def __init__(
        self,
        nin: int,
        nouts: Sequence[int],
        activation: str | Activation | None = "relu",
        output_activation: str | Activation | None = None,
        rng: Rng = None,
    ):
        if not isinstance(nouts, (list, tuple)):
            raise TypeError(f"MLP: expected a non-empty list of layer sizes, got {nouts!r}")
        if not nouts:
            raise ValueError(f"MLP: expected a non-empty list of layer sizes, got {nouts!r}")
        rng = generator("MLP", rng)
        sizes = [nin, *nouts]
        last = len(nouts) - 1
        self.layers = [
            Layer(sizes[i], sizes[i + 1], output_activation if i == last else activation, rng)
            for i in range(len(nouts))
        ]

    def forward(self, x: Sequence[Value | float]) -> Value | list[Value]:
        for layer in self.layers:
            x = layer(x)
        return x[0] if len(x) == 1 else x

    def extra_repr(self) -> str:
        sizes = [len(self.layers[0].neurons[0].w)] + [len(layer.neurons) for layer in self.layers]
        return " -> ".join(map(str, sizes))
