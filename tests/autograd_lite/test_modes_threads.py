"""Grad mode and anomaly mode are per thread, as PyTorch's: one thread's `no_grad()` never
changes what another thread records, however their entries and exits interleave."""

from __future__ import annotations

import threading
from collections.abc import Callable

import numpy as np
import pytest

from autograd_lite import Tensor, Value, detect_anomaly, enable_grad, engine, no_grad


def _in_lockstep(*steps: Callable[[threading.Barrier], None]) -> None:
    """Run each function in its own thread; they meet at the barrier they are given."""
    barrier = threading.Barrier(len(steps), timeout=10)
    errors: list[BaseException] = []

    def run(step: Callable[[threading.Barrier], None]) -> None:
        try:
            step(barrier)
        except BaseException as exc:  # report in the main thread, never lose it
            errors.append(exc)
            barrier.abort()

    threads = [threading.Thread(target=run, args=(step,)) for step in steps]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]


def test_no_grad_in_one_thread_leaves_another_recording():
    seen = {}

    def inside_no_grad(barrier: threading.Barrier) -> None:
        with no_grad():
            barrier.wait()  # 1: the other thread computes while we are inside no_grad
            barrier.wait()  # 2
            seen["inside"] = engine.is_grad_enabled()

    def recording(barrier: threading.Barrier) -> None:
        barrier.wait()  # 1
        x = Value(3.0)
        y = x * x
        y.backward()
        t = Tensor(np.ones(3), requires_grad=True)
        (t * 2.0).sum().backward()
        seen["value_grad"] = x.grad
        seen["tensor_grad"] = t.grad.tolist()
        seen["enabled"] = engine.is_grad_enabled()
        barrier.wait()  # 2

    _in_lockstep(inside_no_grad, recording)
    assert seen == {
        "inside": False,
        "value_grad": 6.0,
        "tensor_grad": [2.0, 2.0, 2.0],
        "enabled": True,
    }


def test_interleaved_entries_and_exits_restore_each_thread():
    # A enters, B enters, A exits, B exits: with one process-wide switch B's exit restored
    # A's "off" and recording stayed off for good.
    after = {}

    def first(barrier: threading.Barrier) -> None:
        with no_grad():
            barrier.wait()  # 1: both inside
        barrier.wait()  # 2: A has left, B is still inside
        after["first"] = engine.is_grad_enabled()
        barrier.wait()  # 3

    def second(barrier: threading.Barrier) -> None:
        with no_grad():
            barrier.wait()  # 1
            barrier.wait()  # 2
        barrier.wait()  # 3
        after["second"] = engine.is_grad_enabled()

    _in_lockstep(first, second)
    assert after == {"first": True, "second": True}
    assert engine.is_grad_enabled()


def test_enable_grad_and_detect_anomaly_are_per_thread_too():
    seen = {}

    def anomalous(barrier: threading.Barrier) -> None:
        with no_grad(), enable_grad(), detect_anomaly():
            barrier.wait()  # 1
            barrier.wait()  # 2
            seen["anomaly_here"] = engine.is_anomaly_enabled()

    def plain(barrier: threading.Barrier) -> None:
        barrier.wait()  # 1
        seen["anomaly_there"] = engine.is_anomaly_enabled()
        # Outside detect_anomaly an infinite forward is IEEE inf, not an error.
        seen["inf"] = (Value(1000.0).exp()).data
        barrier.wait()  # 2

    _in_lockstep(anomalous, plain)
    assert seen == {"anomaly_here": True, "anomaly_there": False, "inf": float("inf")}


def test_a_new_thread_starts_with_the_defaults_whatever_its_parent_does():
    seen = {}

    def child() -> None:
        seen["grad"] = engine.is_grad_enabled()
        seen["anomaly"] = engine.is_anomaly_enabled()

    with no_grad(), detect_anomaly():
        thread = threading.Thread(target=child)
        thread.start()
        thread.join()
    assert seen == {"grad": True, "anomaly": False}


def test_anomaly_mode_still_raises_in_its_own_thread():
    with detect_anomaly(), pytest.raises(FloatingPointError):
        Value(1000.0).exp()
