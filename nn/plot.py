"""Plot helpers (the optional ``plot`` extra: ``pip install autograd-lite[plot]``).

Each function returns a matplotlib ``Figure`` built without pyplot's global state, so it
works in scripts, on headless machines and in notebooks (where a returned Figure displays);
pass ``path=`` to also save it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from nn.train import History

__all__ = ["plot_decision_boundary", "plot_history", "show_images"]


def _figure(width: float, height: float) -> Any:
    try:
        # pyplot picks the backend; in Jupyter that is the inline backend, whose import
        # teaches IPython to display a returned Figure as an image (without it a fresh
        # kernel shows only the Figure's repr). We never use pyplot's global figures.
        import matplotlib.pyplot  # noqa: F401
        from matplotlib.figure import Figure
    except ImportError as error:  # pragma: no cover - depends on the environment
        raise ImportError("nn.plot needs matplotlib: pip install 'autograd-lite[plot]'") from error
    return Figure(figsize=(width, height), layout="constrained")


def _save(fig: Any, path: str | None) -> Any:
    if path is not None:
        fig.savefig(path, dpi=120)
    return fig


def plot_history(
    history: History,
    path: str | None = None,
    title: str | None = None,
    validation_label: str = "validation",
) -> Any:
    """Loss (and accuracy, when there is one) per epoch, training and validation (name the
    held-out data with `validation_label`, e.g. ``"test"``)."""
    from matplotlib.ticker import MaxNLocator

    has_accuracy = bool(history.accuracy) and history.accuracy[0] is not None
    fig = _figure(10 if has_accuracy else 5.5, 3.6)
    axes = fig.subplots(1, 2 if has_accuracy else 1, squeeze=False)[0]
    epochs = np.arange(1, history.epochs + 1)
    panels = [("loss", history.loss, history.val_loss)]
    if has_accuracy:
        panels.append(("accuracy", history.accuracy, history.val_accuracy))
    for ax, (name, train, val) in zip(axes, panels):
        ax.plot(epochs, train, "o-", label=f"training {name}")
        if val and val[0] is not None:
            ax.plot(epochs, val, "s--", label=f"{validation_label} {name}")
        ax.set_xlabel("epoch")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # epochs are whole numbers
        ax.set_ylabel("accuracy (fraction correct)" if name == "accuracy" else name)
        ax.grid(alpha=0.3)
        ax.legend()
    if title:
        fig.suptitle(title)
    return _save(fig, path)


def show_images(
    images: np.ndarray,
    labels: Sequence[int] | None = None,
    predictions: Sequence[int] | None = None,
    columns: int = 8,
    path: str | None = None,
    title: str | None = None,
) -> Any:
    """A grid of images (e.g. MNIST digits, flat rows of 784 or 28x28) with their labels and
    predicted labels; a wrong prediction's title is red.

    The images are drawn without axes (pixel coordinates say nothing); each one is captioned
    by its label and prediction, and `title` captions the whole grid."""
    images = np.asarray(images)
    if images.ndim == 2:
        side = math.isqrt(images.shape[1])
        if side * side != images.shape[1]:
            raise ValueError(f"show_images: expected square images, got rows of {images.shape[1]}")
        images = images.reshape(-1, side, side)
    if images.ndim != 3 or len(images) == 0:
        raise ValueError(f"show_images: expected (n, h, w) or (n, h*w) images, got {images.shape}")
    n = len(images)
    columns = min(columns, n)
    rows = -(-n // columns)
    fig = _figure(1.3 * columns, 1.5 * rows)
    axes = fig.subplots(rows, columns, squeeze=False)
    for k, ax in enumerate(axes.flat):
        ax.axis("off")
        if k >= n:
            continue
        ax.imshow(images[k], cmap="gray_r")
        parts = []
        if labels is not None:
            parts.append(f"label {labels[k]}")
        if predictions is not None:
            parts.append(f"pred {predictions[k]}")
        wrong = labels is not None and predictions is not None and labels[k] != predictions[k]
        ax.set_title("\n".join(parts), fontsize=8, color="red" if wrong else "black")
    if title:
        fig.suptitle(title)
    return _save(fig, path)


def plot_decision_boundary(
    predict: Callable[[np.ndarray], np.ndarray],
    X: np.ndarray,
    y: np.ndarray,
    resolution: int = 200,
    path: str | None = None,
    title: str | None = None,
    xlabel: str = "feature x1",
    ylabel: str = "feature x2",
) -> Any:
    """The regions a classifier assigns to each class over 2-D data, with the points.

    `predict` maps an (n, 2) array to n scores (a positive score is class 1) or to (n, C)
    class scores (the argmax is the class). The points are coloured by their label `y`, with
    a legend of the classes; `xlabel` and `ylabel` name the two features.
    """
    X = np.asarray(X, dtype=float)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"plot_decision_boundary: expected 2-D points (n, 2), got {X.shape}")
    pad = 0.5
    xs = np.linspace(X[:, 0].min() - pad, X[:, 0].max() + pad, resolution)
    ys = np.linspace(X[:, 1].min() - pad, X[:, 1].max() + pad, resolution)
    gx, gy = np.meshgrid(xs, ys)
    scores = np.asarray(predict(np.column_stack([gx.ravel(), gy.ravel()])))
    classes = (
        scores.argmax(axis=1) if scores.ndim == 2 and scores.shape[1] > 1 else scores.ravel() > 0
    ).astype(int)
    fig = _figure(5, 4.2)  # first: it says how to install matplotlib when it is missing
    from matplotlib import colormaps
    from matplotlib.colors import Normalize

    y = np.asarray(y)
    labels = np.unique(y)
    # One colour scale for the regions and the points: class k has the same colour in both.
    low = min(labels.min(), classes.min())
    high = max(labels.max(), classes.max())
    norm = Normalize(float(low), float(high) if high > low else float(low) + 1.0)
    ax = fig.subplots()
    regions = classes.reshape(gx.shape).astype(float)
    ax.contourf(gx, gy, regions, levels=20, cmap="coolwarm", norm=norm, alpha=0.35)
    for label in labels:  # one scatter per class, for the legend
        at = y == label
        color = colormaps["coolwarm"](norm(label))
        ax.scatter(X[at, 0], X[at, 1], color=color, edgecolors="k", s=18, label=f"class {label}")
    ax.legend(fontsize=8, framealpha=0.8)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    return _save(fig, path)
