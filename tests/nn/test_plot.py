"""nn.plot draws real figures (matplotlib, headless) and saves them."""

from __future__ import annotations

import numpy as np
import pytest

from nn.plot import plot_decision_boundary, plot_history, show_images
from nn.train import History


def test_plot_history_saves_two_panels(tmp_path):
    h = History(loss=[1.0, 0.5], accuracy=[0.6, 0.8], val_loss=[1.1, 0.6], val_accuracy=[0.5, 0.7])
    fig = plot_history(h, path=tmp_path / "curves.png", title="t")
    assert len(fig.axes) == 2 and (tmp_path / "curves.png").stat().st_size > 1000
    assert len(fig.axes[0].lines) == 2
    assert [t.get_text() for t in fig.axes[0].get_legend().get_texts()][1] == "validation loss"
    assert all(float(x).is_integer() for x in fig.axes[0].get_xticks())
    fig = plot_history(h, validation_label="test")
    assert fig.axes[1].get_legend().get_texts()[1].get_text() == "test accuracy"


def test_plot_history_without_accuracy_has_one_panel():
    assert len(plot_history(History(loss=[1.0, 0.5], accuracy=[None, None])).axes) == 1


def test_show_images_marks_wrong_predictions(tmp_path):
    images = np.random.default_rng(0).random((3, 784))
    fig = show_images(images, labels=[1, 2, 3], predictions=[1, 5, 3], path=tmp_path / "g.png")
    titles = [ax.title for ax in fig.axes if ax.get_title()]
    assert [t.get_color() for t in titles] == ["black", "red", "black"]
    with pytest.raises(ValueError, match="square images"):
        show_images(np.zeros((2, 10)))


def test_decision_boundary(tmp_path):
    X = np.array([[0.0, 0.0], [1.0, 1.0], [0.0, 1.0]])
    fig = plot_decision_boundary(lambda P: P[:, 0] - 0.5, X, [0, 1, 0], resolution=20,
                                 path=tmp_path / "b.png")  # fmt: skip
    assert fig.axes and (tmp_path / "b.png").exists()
    with pytest.raises(ValueError, match="expected 2-D points"):
        plot_decision_boundary(lambda P: P[:, 0], np.zeros((3, 3)), [0, 1, 0])
