"""Datasets: MNIST, the tutorials' synthetic data sets, and a mini-batch loader."""

from __future__ import annotations

from nn.data.idx import parse_idx, read_idx
from nn.data.loader import DataLoader
from nn.data.mnist import MNIST_MIRRORS, load_mnist, mnist_search_dirs
from nn.data.split import standardize, train_test_split
from nn.data.synthetic import (
    CREDIT_RISK_FEATURES,
    credit_risk,
    noisy_quadratic,
    one_feature_binary,
    two_moons,
)

__all__ = [
    "CREDIT_RISK_FEATURES",
    "MNIST_MIRRORS",
    "DataLoader",
    "credit_risk",
    "load_mnist",
    "mnist_search_dirs",
    "noisy_quadratic",
    "one_feature_binary",
    "parse_idx",
    "read_idx",
    "standardize",
    "train_test_split",
    "two_moons",
]
