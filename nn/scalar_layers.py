"""The scalar layers' former home, kept while tests/autograd_lite still imports MLP from it;
they live in `nn.layers.scalar` (and are ``nn.Neuron``, ``nn.Layer``, ``nn.MLP``)."""

from __future__ import annotations

from nn.layers.scalar import MLP, Layer, Neuron

__all__ = ["MLP", "Layer", "Neuron"]
