"""`jit`: a plain Python loop, compiled by numba the first time it runs, cached on disk, with
its compile cost recorded.

numba is imported on first use only, so ``import autograd_lite`` stays fast and works
without it. The options matter for speed:

- ``error_model="numpy"``: division by zero gives inf/nan as in NumPy; numba's default
  (``"python"``) checks every division so that it can raise, which stops vectorisation;
- ``fastmath``: lets LLVM reassociate and fuse multiply-adds, so results may differ from
  the NumPy reference in the last bits (the tests compare to float32 tolerance); loops
  that must see NaN or inf pass ``fastmath=False``;
- ``cache=True``: the machine code is written next to this package (``__pycache__``), or
  where ``NUMBA_CACHE_DIR`` says; when neither that folder nor a home directory is
  writable, into a folder of the system's temporary directory.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from autograd_lite.kernels import switch

__all__ = ["Compilation", "CompiledLoop", "compile_report", "jit"]


@dataclass(frozen=True)
class Compilation:
    """One kernel compiled (or loaded from the disk cache) for one signature."""

    name: str
    signature: str
    seconds: float
    from_cache: bool


_report: list[Compilation] = []


def compile_report() -> list[Compilation]:
    """Every compilation so far in this process, in order (empty with NumPy kernels)."""
    return list(_report)


def _cache_dir_fallback() -> None:
    """Point numba at a writable cache when it would find none (read-only install, no HOME)."""
    if os.environ.get("NUMBA_CACHE_DIR"):
        return
    here = os.path.dirname(os.path.abspath(__file__))
    if os.access(here, os.W_OK) or os.path.isdir(os.path.expanduser("~")):
        return
    os.environ["NUMBA_CACHE_DIR"] = os.path.join(tempfile.gettempdir(), "autograd-lite-numba")


def _numba() -> Any:
    _cache_dir_fallback()
    try:
        import numba
    except Exception as error:  # installed but broken (e.g. built for another NumPy)
        switch.mark_broken(f"{type(error).__name__}: {error}")
        raise RuntimeError(f"numba failed to import: {error}") from error
    return numba


def jit(loop: Callable[..., Any] | None = None, *, fastmath: bool = True) -> Any:
    """Decorator, ``@jit`` or ``@jit(fastmath=False)``: `loop` as a `CompiledLoop`."""
    if loop is None:
        return lambda fn: CompiledLoop(fn, fastmath)
    return CompiledLoop(loop, fastmath)


class CompiledLoop:
    """A Python loop compiled with numba on its first call (per argument types)."""

    def __init__(self, loop: Callable[..., Any], fastmath: bool) -> None:
        self.loop, self.fastmath = loop, fastmath
        self.__name__, self.__doc__ = loop.__name__, loop.__doc__
        self._dispatcher: Any = None

    def __call__(self, *args: Any) -> Any:
        # The dispatcher itself (one Python call: this runs several times per step); a
        # call that compiles or loads a version goes through `_compile_and_record`.
        return (self._dispatcher or self._compile_lazily())(*args)

    def _compile_lazily(self) -> Any:
        numba = _numba()
        dispatcher = numba.njit(
            cache=True, error_model="numpy", fastmath=self.fastmath, nogil=True
        )(self.loop)
        compile_for_args = dispatcher._compile_for_args

        def _compile_and_record(*args: Any, **kwargs: Any) -> Any:
            """numba's own hook for a call no compiled version matches: timed."""
            start = time.perf_counter()
            result = compile_for_args(*args, **kwargs)
            self._record(dispatcher, time.perf_counter() - start)
            return result

        # numba looks this hook up on the dispatcher object at every miss.
        dispatcher._compile_for_args = _compile_and_record
        self._dispatcher = dispatcher
        return dispatcher

    def _record(self, dispatcher: Any, seconds: float) -> None:
        hits = sum(dispatcher.stats.cache_hits.values())
        loaded = hits > sum(c.from_cache for c in _report if c.name == self.__name__)
        signature = str(dispatcher.signatures[-1])
        _report.append(Compilation(self.__name__, signature, seconds, loaded))
