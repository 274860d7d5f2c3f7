"""backward() pauses the cyclic garbage collector for its walk and restores it after."""

from __future__ import annotations

import gc

import pytest

from autograd_lite import Value


def _states_during_a_vjp(root_factory):
    seen = []
    x = Value(2.0)
    y = root_factory(x)
    y._vjp, inner = (lambda g, *saved: (seen.append(gc.isenabled()), inner(g, *saved))[1]), y._vjp
    y.backward()
    return seen


def test_the_walk_runs_with_the_collector_paused_and_it_resumes_after():
    assert gc.isenabled()
    assert _states_during_a_vjp(lambda x: x * 3.0) == [False]
    assert gc.isenabled()


def test_a_collector_switched_off_by_the_user_stays_off():
    gc.disable()
    try:
        _states_during_a_vjp(lambda x: x * 3.0)
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_the_collector_resumes_when_the_walk_fails():
    def failing(g, *saved):
        raise RuntimeError("a VJP that fails")

    y = Value(2.0) * 3.0
    y._vjp = failing
    with pytest.raises(RuntimeError, match="a VJP that fails"):
        y.backward()
    assert gc.isenabled()
