"""How many threads BLAS (NumPy's matrix products) uses while training: one for small
products, chosen by measurement, and overridable.

On a 2-core machine, OpenBLAS's two threads buy little on the products of a small MLP
(784-128-10: at most 1.1x at batch 128 and 512 on a quiet machine, nothing at batch 32),
and when another process keeps one core busy they wait for each other and a training step
takes 3x to 15x longer; one thread is steady. Only products of about 1024x1024x1024 gained
from a second thread (1.12x quiet, 0.95x busy). So the default ("auto") is one thread
when the largest product of a step has fewer than `SMALL` multiply-adds, and BLAS's own
setting otherwise (see benchmarks/RESULTS.md for the numbers).

Choose otherwise with ``fit(..., blas_threads=N)``, ``autograd-lite train --blas-threads
N``, or the environment variable ``AUTOGRAD_LITE_BLAS_THREADS`` (a number, ``auto``, or
``keep``: leave BLAS alone). The limit applies only while `fit` runs, through
threadpoolctl.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from typing import Any

__all__ = ["ENV_VAR", "SMALL", "check_setting", "choose_threads", "limit_threads"]

ENV_VAR = "AUTOGRAD_LITE_BLAS_THREADS"
#: Multiply-adds of a matrix product below which one BLAS thread is used (512^3 = 2^27
#: was faster on one thread in every measurement; 1024^3 = 2^30 was not).
SMALL = 2**28


def choose_threads(model: Any, batch_size: int) -> int | None:
    """The "auto" policy: 1 when every product of a training step is small, else None
    (BLAS's own setting). A weight matrix of shape (out, in) costs ``batch * out * in``
    multiply-adds per product, forward and backward."""
    sizes = [p.data.size for p in model.parameters() if getattr(p.data, "ndim", 0) >= 2]
    largest = max(sizes, default=0) * batch_size
    return 1 if largest < SMALL else None


def check_setting(value: Any) -> int | str:
    """A thread setting checked: a positive int (or its digits), "auto" or "keep"."""
    if isinstance(value, str):
        text = value.strip().lower()
        if text in ("auto", "keep"):
            return text
        if text.isdigit() and int(text) > 0:
            return int(text)
    elif isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    raise ValueError(
        f"BLAS threads: expected a positive number of threads, 'auto' or 'keep', got {value!r}"
        + (f" (from ${ENV_VAR})" if value == os.environ.get(ENV_VAR) else "")
    )


@contextlib.contextmanager
def limit_threads(setting: int | str | None, model: Any, batch_size: int) -> Iterator[int | None]:
    """Context manager: BLAS limited to the threads `setting` asks for; yields that number
    (None: BLAS left alone).

    `setting`: a number, "auto" (`choose_threads`), "keep", or None: the environment
    variable ``AUTOGRAD_LITE_BLAS_THREADS``, else "auto". Without threadpoolctl installed,
    BLAS is left alone.
    """
    if setting is None:
        setting = os.environ.get(ENV_VAR) or "auto"
    setting = check_setting(setting)
    threads = choose_threads(model, batch_size) if setting == "auto" else setting
    if threads == "keep" or threads is None:
        yield None
        return
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        yield None
        return
    with threadpool_limits(limits=threads, user_api="blas"):
        yield threads
