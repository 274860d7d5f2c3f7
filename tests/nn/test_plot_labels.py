"""Every figure `nn.plot` returns can be read on its own: each visible axis is labelled, a panel
with more than one curve has a legend or a title, and each image of a grid has a caption."""

from __future__ import annotations

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")  # headless, whatever the environment asks for

from nn import plot
from nn.train import History

_IMAGES = np.random.default_rng(0).random((5, 784))
_MOONS = np.array([[0.0, 0.0], [1.0, 1.0], [0.0, 1.0], [1.0, 0.0]])

# One or more calls per helper of nn.plot; a helper added to __all__ without a case here fails.
FIGURES = {
    "plot_history": [
        lambda: plot.plot_history(History(loss=[1.0, 0.5], accuracy=[None, None])),
        lambda: plot.plot_history(
            History(
                loss=[1.0, 0.5], accuracy=[0.6, 0.8], val_loss=[1.1, 0.6], val_accuracy=[0.5, 0.7]
            ),
            title="t",
            validation_label="test",
        ),
    ],
    "show_images": [
        lambda: plot.show_images(_IMAGES, labels=[1, 2, 3, 4, 5], columns=3),
        lambda: plot.show_images(_IMAGES[:2], labels=[1, 2], predictions=[1, 7], title="digits"),
    ],
    "plot_decision_boundary": [
        lambda: plot.plot_decision_boundary(
            lambda P: P[:, 0] - 0.5, _MOONS, [0, 1, 0, 1], resolution=10
        ),
        lambda: plot.plot_decision_boundary(
            lambda P: np.column_stack([P[:, 0], P[:, 1], 1 - P[:, 0]]),
            _MOONS,
            [0, 1, 2, 1],
            resolution=10,
            title="three classes",
            xlabel="age",
            ylabel="income",
        ),
    ],
}


def test_every_helper_has_a_case():
    assert set(FIGURES) == set(plot.__all__)


@pytest.mark.parametrize(
    "make",
    [make for makes in FIGURES.values() for make in makes],
    ids=[f"{name}-{k}" for name, makes in FIGURES.items() for k in range(len(makes))],
)
def test_figure_is_labelled(make):
    fig = make()
    assert fig.axes
    for ax in fig.axes:
        if not ax.axison:  # an image of a grid: no axes to label, a caption instead
            assert not ax.images or ax.get_title(), "an image without a caption"
            continue
        assert ax.get_xlabel().strip() and ax.get_ylabel().strip(), "an axis without a label"
        curves = len(ax.lines) + len([c for c in ax.collections if c.get_label()[:1] != "_"])
        if curves > 1:
            assert ax.get_legend() is not None or ax.get_title(), "several curves, no legend"
    fig.canvas.draw()  # it renders (Agg)


def test_decision_boundary_legend_names_the_classes():
    fig = plot.plot_decision_boundary(lambda P: P[:, 0] - 0.5, _MOONS, [0, 1, 0, 1], resolution=10)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["class 0", "class 1"]
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("feature x1", "feature x2")
