"""Flat buffers: one contiguous array for a parameter group, and scratch space for updates.

An optimizer step is a handful of elementwise ufuncs. Done per parameter, each ufunc is a
Python call, a NumPy dispatch and a loop over a small array; done once over one buffer that
holds every parameter of the group, it is the same arithmetic (elementwise IEEE operations
give the same bits whatever the array's layout) at a fraction of the overhead. So a
`FlatGroup` moves ("re-homes") its parameters into one buffer: each ``p.data`` becomes a
view ``buffer[a:b].reshape(shape)``, and the optimizer's state arrays for those parameters
are views into flat state buffers laid out the same way.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence

import numpy as np

from autograd_lite import Tensor

__all__ = ["FlatGroup", "Scratch", "flat_problem"]


def flat_problem(params: Sequence[object]) -> str | None:
    """Why `params` cannot share one flat buffer, or None when they can.

    They can when every one is a `Tensor` of one floating dtype.
    """
    if not all(isinstance(p, Tensor) for p in params):
        kinds = sorted({type(p).__name__ for p in params})
        return f"parameters of types {', '.join(kinds)}"
    dtypes = sorted({str(p.data.dtype) for p in params})
    if len(dtypes) > 1 or params[0].data.dtype.kind != "f":
        return f"Tensors of dtypes {', '.join(dtypes)}"
    return None


class FlatGroup:
    """The parameters of one group re-homed into one buffer, with flat state and gradients.

    Parameters
    ----------
    params : list of Tensor
        Floating tensors of one dtype (see `flat_problem`). Their values are copied into the
        buffer and each ``p.data`` is rebound to its view of it.
    """

    def __init__(self, params: list[Tensor]) -> None:
        self.params = params
        self.dtype = params[0].data.dtype
        self.shapes = [p.data.shape for p in params]
        bounds = np.cumsum([0] + [math.prod(s) for s in self.shapes]).tolist()
        self.slices = [slice(a, b) for a, b in itertools.pairwise(bounds)]
        self.size = bounds[-1]
        self.data = np.empty(self.size, self.dtype)
        self.views = self._views_of(self.data)
        for i in range(len(params)):
            self._rehome(i)
        # The gradients are gathered here every step. Each parameter also offers its view as
        # its `_grad_buffer`, so ops that can (`linear`) write the gradient there directly
        # and the gather skips it. The price: with a flat optimizer, a parameter's `.grad`
        # array is reused from step to step (copy it to keep it).
        self.grad = np.zeros(self.size, self.dtype)
        self.grad_views = self._views_of(self.grad)
        for p, view in zip(params, self.grad_views):
            p._grad_buffer = view
        self.states: dict[str, np.ndarray] = {}
        self.state_views: dict[str, list[np.ndarray]] = {}
        self._work: np.ndarray | None = None
        self._tmp: np.ndarray | None = None

    def _views_of(self, buffer: np.ndarray) -> list[np.ndarray]:
        return [buffer[s].reshape(shape) for s, shape in zip(self.slices, self.shapes)]

    def _rehome(self, i: int) -> None:
        p, view = self.params[i], self.views[i]
        data = p.data
        if data.shape != view.shape or data.dtype != self.dtype:
            raise ValueError(
                f"optimizer: expected parameter {i} of a flat group to keep shape "
                f"{view.shape} and dtype {self.dtype}, got shape {data.shape} and dtype "
                f"{data.dtype} (its .data was replaced); build a new optimizer for it"
            )
        view[...] = data
        p.data = view

    def rehome(self) -> None:
        """Move back into the buffer any parameter whose ``.data`` was rebound since.

        An identity test per parameter: a view of the buffer that is not *our* view (a
        transpose, say) is re-homed too.
        """
        for i, (p, view) in enumerate(zip(self.params, self.views)):
            if p.data is not view:
                self._rehome(i)

    def gather(self) -> np.ndarray | None:
        """Every parameter's gradient copied into the flat gradient buffer.

        None when some parameter has no gradient: it must not move this step, which one
        whole-buffer update cannot express, so the caller updates parameter by parameter.
        """
        for p, view in zip(self.params, self.grad_views):
            g = p.grad
            if g is None:
                return None
            if g is view:  # written in place by the backward pass
                continue
            if g.shape != view.shape:  # a () gradient would broadcast silently
                raise ValueError(
                    f"optimizer: expected a gradient of shape {view.shape}, got shape {g.shape}"
                )
            np.copyto(view, g)
        return self.grad

    def new_state(self, name: str) -> np.ndarray:
        """The zeroed flat state buffer `name` (allocated on first use)."""
        buffer = self.states.get(name)
        if buffer is None:
            buffer = self.states[name] = np.zeros(self.size, self.dtype)
            self.state_views[name] = self._views_of(buffer)
        else:
            buffer.fill(0)
        return buffer

    def state_view(self, name: str, i: int) -> np.ndarray:
        """Parameter i's view of the flat state buffer `name`, zeroed."""
        if name not in self.states:
            self.new_state(name)
        view = self.state_views[name][i]
        view.fill(0)
        return view

    def scratch(self, work: bool) -> tuple[np.ndarray | None, np.ndarray]:
        """Two flat scratch buffers: `work` (only when asked) for an altered gradient, `tmp`."""
        if self._tmp is None:
            self._tmp = np.empty(self.size, self.dtype)
        if work and self._work is None:
            self._work = np.empty(self.size, self.dtype)
        return self._work, self._tmp

    def describe(self) -> str:
        return f"one {self.dtype} buffer of {self.size} values"


class Scratch:
    """Scratch arrays for per-parameter updates, shared by all parameters of an optimizer.

    One 1-D buffer per (role, dtype), as large as the largest parameter seen, and a cached
    view of it per shape: an update allocates nothing after its first step.
    """

    def __init__(self) -> None:
        self._buffers: dict[tuple[str, np.dtype], np.ndarray] = {}
        self._views: dict[tuple[str, np.dtype, tuple[int, ...]], np.ndarray] = {}

    def get(self, role: str, dtype: np.dtype, shape: tuple[int, ...]) -> np.ndarray:
        key = (role, dtype, shape)
        view = self._views.get(key)
        if view is None:
            n = math.prod(shape)
            buffer = self._buffers.get((role, dtype))
            if buffer is None or buffer.size < n:
                buffer = self._buffers[(role, dtype)] = np.empty(n, dtype)
                # views of the old, smaller buffer would keep it alive: forget them
                self._views = {k: v for k, v in self._views.items() if k[:2] != (role, dtype)}
            view = self._views[key] = buffer[:n].reshape(shape)
        return view
