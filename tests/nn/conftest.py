"""Fixtures for the nn tests: the offline MNIST copy, found once per session."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from nn.data import load_mnist
from nn.data.mnist import DATA_ENV_VAR, MNIST_FILES

REPO_ROOT = Path(__file__).resolve().parents[2]
SHARED_MNIST = REPO_ROOT.parent / "shared" / "data" / "mnist"


def _holds_mnist(folder: Path) -> bool:
    return all(
        (folder / name).is_file() or (folder / f"{name}.gz").is_file() for name in MNIST_FILES
    )


@pytest.fixture(scope="session")
def mnist_dir() -> Path:
    """The folder of the offline MNIST copy: ``$AUTOGRAD_LITE_DATA``, else ../shared/data/mnist.

    Fails (never skips) when neither holds the four files: CI must test the real loader.
    """
    tried = []
    if os.environ.get(DATA_ENV_VAR):
        tried.append(Path(os.environ[DATA_ENV_VAR]))
    tried.append(SHARED_MNIST)
    for folder in tried:
        if _holds_mnist(folder):
            return folder.resolve()
    pytest.fail(
        f"expected the four MNIST files ({', '.join(MNIST_FILES)}, raw or .gz) in "
        + " or in ".join(str(folder) for folder in tried)
        + f", got none: set ${DATA_ENV_VAR} to the folder holding them "
        "(CI exports it as the absolute path of ../shared/data/mnist)",
        pytrace=False,
    )


@pytest.fixture(scope="session")
def mnist(mnist_dir: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``load_mnist`` of the offline copy, parsed once per session; read-only, as it is shared."""
    arrays = load_mnist(mnist_dir, download=False)
    for array in arrays:
        array.flags.writeable = False
    return arrays
