"""Neural networks on autograd-lite: modules, layers and MLPs for `Value`s and `Tensor`s."""

from __future__ import annotations

from nn.module import Module
from nn.scalar_layers import MLP, Layer, Neuron

__all__ = ["MLP", "Layer", "Module", "Neuron"]
