"""Datasets: the tutorials' synthetic data sets (and, with the MNIST issue, MNIST)."""

from __future__ import annotations

from nn.data.synthetic import two_moons

__all__ = ["two_moons"]
