"""The BLAS thread policy of training: one thread for small products, overridable."""

from __future__ import annotations

import numpy as np
import pytest
from threadpoolctl import threadpool_info

import nn
from nn import blas
from nn.train import fit


def _blas_threads() -> list[int]:
    """The threads of NumPy's own BLAS (other packages may load theirs later)."""
    return [
        lib["num_threads"]
        for lib in threadpool_info()
        if lib["user_api"] == "blas" and "numpy" in lib["filepath"]
    ]


def test_auto_chooses_one_thread_for_small_products_and_leaves_large_ones_alone():
    mlp = nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 10))
    assert blas.choose_threads(mlp, 32) == 1
    assert blas.choose_threads(mlp, 512) == 1  # 51M multiply-adds: still small
    big = nn.Sequential(nn.Linear(4096, 4096))
    assert blas.choose_threads(big, 1024) is None


@pytest.mark.parametrize(
    ("text", "expected"), [("auto", "auto"), (" KEEP ", "keep"), ("3", 3), (2, 2)]
)
def test_settings_are_checked(text, expected):
    assert blas.check_setting(text) == expected


@pytest.mark.parametrize("bad", ["0", "-1", "many", 0, True, 1.5])
def test_bad_settings_name_what_is_expected(bad):
    with pytest.raises(ValueError, match="expected a positive number of threads, 'auto' or 'keep'"):
        blas.check_setting(bad)


def test_limit_threads_applies_inside_and_restores_after():
    if not _blas_threads():
        pytest.skip("NumPy's BLAS is not visible to threadpoolctl")
    before = _blas_threads()
    model = nn.Sequential(nn.Linear(3, 2))
    with blas.limit_threads("auto", model, 8) as threads:
        assert threads == 1 and set(_blas_threads()) == {1}
    assert _blas_threads() == before
    with blas.limit_threads("keep", model, 8) as threads:
        assert threads is None and _blas_threads() == before


def test_the_environment_variable_is_read_when_nothing_is_passed(monkeypatch):
    monkeypatch.setenv(blas.ENV_VAR, "keep")
    with blas.limit_threads(None, nn.Sequential(nn.Linear(3, 2)), 8) as threads:
        assert threads is None
    monkeypatch.setenv(blas.ENV_VAR, "lots")
    with pytest.raises(ValueError, match=r"got 'lots' \(from \$AUTOGRAD_LITE_BLAS_THREADS\)"):
        blas.limit_threads(None, nn.Sequential(nn.Linear(3, 2)), 8).__enter__()


def test_fit_trains_under_the_limit():
    rng = np.random.default_rng(0)
    X, y = rng.random((64, 3), dtype=np.float32), rng.integers(0, 2, 64)
    model = nn.Sequential(nn.Linear(3, 2))
    seen = []
    opt = nn.optim.SGD(model.parameters(), lr=0.1)
    fit(model, (X, y), opt, epochs=1, progress=False, blas_threads=1,
        on_epoch_end=lambda *_: seen.append(_blas_threads()))  # fmt: skip
    if _blas_threads():
        assert set(seen[0]) == {1}
