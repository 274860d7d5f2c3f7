"""Layers at two speeds, side by side like the engine's ops: the scalar path (`Neuron`,
`Layer`, `MLP` of `Value`s) in `scalar`, the tensor path (`Linear`, `Sequential`, `Flatten`,
`Dropout`) in `tensor`, and the activation modules (`ReLU`, `Tanh`, ...) in `activations`."""

from __future__ import annotations

from nn.layers.activations import LeakyReLU, LogSoftmax, ReLU, Sigmoid, Softmax, Tanh
from nn.layers.scalar import MLP, Layer, Neuron
from nn.layers.tensor import Dropout, Flatten, Linear, Sequential

__all__ = [
    "MLP",
    "Dropout",
    "Flatten",
    "Layer",
    "LeakyReLU",
    "Linear",
    "LogSoftmax",
    "Neuron",
    "ReLU",
    "Sequential",
    "Sigmoid",
    "Softmax",
    "Tanh",
]
