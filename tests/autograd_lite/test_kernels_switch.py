"""Choosing the kernels: from Python, from the environment, or numba when installed."""

from __future__ import annotations

import pytest

from autograd_lite import kernels
from autograd_lite.kernels import switch


@pytest.fixture(autouse=True)
def _read_the_environment_again():
    """The environment is read once; each test sets its own, read afresh, then forgotten."""
    kernels.set_backend(None)
    yield
    kernels.set_backend(None)


def test_python_choice_wins_and_is_restored(monkeypatch):
    monkeypatch.setenv(kernels.ENV_VAR, "numpy")
    kernels.set_backend(None)
    assert kernels.backend() == "numpy"
    if kernels.numba_installed():
        with kernels.use_backend("numba"):
            assert kernels.backend() == "numba"
    assert kernels.backend() == "numpy"


def test_default_is_numba_when_it_is_installed(monkeypatch):
    monkeypatch.delenv(kernels.ENV_VAR, raising=False)
    kernels.set_backend(None)
    assert kernels.backend() == ("numba" if kernels.numba_installed() else "numpy")


def test_a_wrong_name_is_a_clear_error(monkeypatch):
    with pytest.raises(
        ValueError, match=r"set_backend: expected one of \('numpy', 'numba'\), got 'c'"
    ):
        kernels.set_backend("c")
    monkeypatch.setenv(kernels.ENV_VAR, "fortran")
    kernels.set_backend(None)
    with pytest.raises(ValueError, match=r"\$AUTOGRAD_LITE_KERNELS: expected one of"):
        kernels.backend()


def test_asking_for_missing_numba_says_how_to_get_it(monkeypatch):
    monkeypatch.setattr(switch, "_found", False)
    with pytest.raises(RuntimeError, match=r"pip install 'autograd-lite\[fast\]'"):
        kernels.set_backend("numba")
    monkeypatch.delenv(kernels.ENV_VAR, raising=False)
    kernels.set_backend(None)
    assert kernels.backend() == "numpy"


def test_the_environment_is_read_once_until_asked_again(monkeypatch):
    monkeypatch.setenv(kernels.ENV_VAR, "numpy")
    kernels.set_backend(None)
    assert kernels.backend() == "numpy"
    monkeypatch.setenv(kernels.ENV_VAR, "fortran")
    assert kernels.backend() == "numpy"  # not read again per call
    with pytest.raises(ValueError, match="fortran"):
        kernels.set_backend(None)
        kernels.backend()


def test_compilations_are_reported():
    pytest.importorskip("numba")
    import numpy as np

    from autograd_lite.kernels.optim import sgd_update

    p = np.ones(3)
    kw = {"momentum": 0.0, "dampening": 0.0, "nesterov": False, "weight_decay": 0.0}
    with kernels.use_backend("numba"):
        sgd_update(
            p, p + 1, None, lr=0.5, maximize=False, first=True, work=None, tmp=p.copy(), **kw
        )
    names = {c.name for c in kernels.compile_report()}
    assert "_sgd_loop" in names
    assert all(c.seconds >= 0 for c in kernels.compile_report())


def _doubled(a):  # at module level: numba caches only functions it can find again
    for i in range(a.size):
        a[i] *= 2


def test_each_compiled_version_is_reported_once():
    pytest.importorskip("numba")
    import numpy as np

    from autograd_lite.kernels.jit import jit

    loop = jit(_doubled)
    before = len(kernels.compile_report())
    a = np.ones(3)
    loop(a)
    loop(a)  # the version made by the first call: nothing new to report
    assert [c.name for c in kernels.compile_report()[before:]] == ["_doubled"]
    loop(np.ones(2, np.float32))  # a new signature: compiled (or loaded) and reported
    added = kernels.compile_report()[before:]
    assert len(added) == 2 and "float32" in added[1].signature and "float64" in added[0].signature
    assert (a == 4).all()
