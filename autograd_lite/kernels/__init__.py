"""Fused kernels for the hot paths of training, each beside its NumPy reference.

Where a training step spends its time outside the matrix products (the optimizer's update,
a layer's bias and activation, softmax cross-entropy), NumPy makes one pass over memory
per ufunc. A kernel here does the same math in one pass, as a plain loop compiled by numba
(the ``fast`` extra: ``pip install 'autograd-lite[fast]'``). Each kernel is a function with
two bodies: the NumPy reference, readable and always available, and the compiled loop.
The ops call the function; which body runs is an implementation detail:

- `optim`: the SGD, Adam and RMSprop updates, denormals flushed;
- `dense`: a linear layer's bias and activation, forward and backward;
- `softmax`: softmax cross-entropy, forward and backward.

The compiled loops run when numba imports, unless ``AUTOGRAD_LITE_KERNELS=numpy`` or
``set_backend("numpy")`` says otherwise (`switch`). They compile on first use, which takes
a few seconds once per machine: numba caches the machine code on disk, and
`compile_report` lists what compiled in this process and what came from the cache
(`warm_up` compiles them all at once, e.g. before timing).

Examples
--------
>>> from autograd_lite import kernels
>>> kernels.backend() in ("numba", "numpy")
True
>>> with kernels.use_backend("numpy"):
...     kernels.backend()
'numpy'
"""

from __future__ import annotations

from autograd_lite.kernels.jit import Compilation, compile_report
from autograd_lite.kernels.switch import (
    ENV_VAR,
    backend,
    numba_installed,
    set_backend,
    use_backend,
)
from autograd_lite.kernels.warm import warm_up

__all__ = [
    "ENV_VAR",
    "Compilation",
    "backend",
    "compile_report",
    "numba_installed",
    "set_backend",
    "use_backend",
    "warm_up",
]
