"""Fixtures for the nn tests: the MNIST copy that ships inside the package."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from nn.data import load_mnist
from nn.data.mnist import SHIPPED_DIR


@pytest.fixture(scope="session")
def mnist_dir() -> Path:
    """The folder of the shipped MNIST copy (``nn/data/shipped/mnist``): every clone has it."""
    return SHIPPED_DIR


@pytest.fixture(scope="session")
def mnist(mnist_dir: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``load_mnist`` of the shipped copy, parsed once per session; read-only, as it is shared."""
    arrays = load_mnist(mnist_dir, download=False)
    for array in arrays:
        array.flags.writeable = False
    return arrays
