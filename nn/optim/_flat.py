"""Blocks: the parameters an optimizer updates with one call of its array code.

An optimizer step is a handful of elementwise ufuncs. Done per parameter, each ufunc is a
Python call, a NumPy dispatch and a loop over a small array; done once over one buffer that
holds every parameter of a group, it is the same arithmetic (elementwise IEEE operations
give the same bits whatever the array's layout) at a fraction of the overhead. A `Block`
lays its parameters out in one flat buffer: ``data[a:b].reshape(shape)`` is parameter i, and
the gradient and every state array (momentum, moments) are flat buffers laid out the same
way, so the state of parameter i is a view of them.

- `FlatGroup`: floating Tensors of one dtype, moved ("re-homed") into the buffer: each
  ``p.data`` becomes its view, so the update writes the parameters themselves.
- `ValueBlock`: `Value`s, whose data are Python floats: gathered into a float64 buffer
  before the update and scattered back after it, so the arithmetic of every optimizer is
  written once, for arrays, and a Value follows exactly the trajectory of a float64 Tensor.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from autograd_lite import Tensor, Value

__all__ = ["Block", "FlatGroup", "Scratch", "ValueBlock", "flat_problem", "layout"]


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


def layout(params: list[Any], flat: bool) -> tuple[list[Block], list[Tensor]]:
    """The blocks of a group's parameters and the Tensors it updates one by one: with
    `flat` and only floating Tensors of one dtype, one `FlatGroup`; otherwise a `ValueBlock`
    of its Values (if any) and its Tensors one by one."""
    if flat and flat_problem(params) is None:
        return [FlatGroup(params)], []
    values = [p for p in params if isinstance(p, Value)]
    tensors = [p for p in params if not isinstance(p, Value)]
    return ([ValueBlock(values)] if values else []), tensors


class Block:
    """Parameters laid out in one flat buffer, with a flat gradient and flat state buffers.

    Parameters
    ----------
    params : list of Value or Tensor
    shapes : list of tuple
        The shape of each parameter (() for a Value).
    dtype : floating dtype
        The dtype of every buffer.
    """

    def __init__(self, params: list[Any], shapes: list[tuple[int, ...]], dtype: Any) -> None:
        self.params = params
        self.dtype = np.dtype(dtype)
        self.shapes = shapes
        bounds = np.cumsum([0] + [math.prod(s) for s in shapes]).tolist()
        self.slices = [slice(a, b) for a, b in itertools.pairwise(bounds)]
        self.size = bounds[-1]
        self.data = np.empty(self.size, self.dtype)
        self.views = self._views_of(self.data)
        self.grad = np.zeros(self.size, self.dtype)
        self.grad_views = self._views_of(self.grad)
        self.states: dict[str, np.ndarray] = {}
        self.state_views: dict[str, list[np.ndarray]] = {}
        self._work: np.ndarray | None = None
        self._tmp: np.ndarray | None = None
        # (members' state dicts, their values, merged state) after the last whole-block
        # update: see `Optimizer._block_step`.
        self.last_update: tuple[list[dict], list[tuple], dict[str, Any]] | None = None

    def gather(self) -> np.ndarray | None:
        """Prepare an update: the flat gradient, or None when one update of the whole block
        cannot express this step (the caller then updates parameter by parameter)."""
        raise NotImplementedError

    def member(self, i: int) -> tuple[np.ndarray, np.ndarray | None]:
        """Parameter i's data (updated in place) and gradient (None: it does not move), for
        an update of that parameter alone."""
        raise NotImplementedError

    def finish(self) -> None:
        """Complete an update (after `gather`, whichever way the block was updated)."""

    def _views_of(self, buffer: np.ndarray) -> list[np.ndarray]:
        return [buffer[s].reshape(shape) for s, shape in zip(self.slices, self.shapes)]

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


class FlatGroup(Block):
    """Floating Tensors of one dtype (see `flat_problem`), re-homed into the buffer.

    Their values are copied into the buffer and each ``p.data`` is rebound to its view.
    Each parameter also gets its view of the flat gradient as its `Tensor.grad_buffer`, so
    ops that can (`linear`) write the gradient there directly and `gather` skips it. The
    price: with a flat optimizer, a parameter's ``.grad`` array is reused from step to step
    (copy it to keep it).
    """

    def __init__(self, params: list[Tensor]) -> None:
        super().__init__(params, [p.data.shape for p in params], params[0].data.dtype)
        for i in range(len(params)):
            self._rehome(i)
        for p, view in zip(params, self.grad_views):
            p.grad_buffer = view

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
        # One loop re-homes and gathers: this runs at every step. A parameter after one
        # without a gradient is re-homed by its next gather (a per-parameter update moves
        # its .data, wherever that is).
        views, grad_views = self.views, self.grad_views
        for i, p in enumerate(self.params):
            if p.data is not views[i]:
                self._rehome(i)
            g = p.grad
            if g is grad_views[i]:  # written in place by the backward pass
                continue
            if g is None:
                return None
            view = grad_views[i]
            if g.shape != view.shape:  # a () gradient would broadcast silently
                raise ValueError(
                    f"optimizer: expected a gradient of shape {view.shape}, got shape {g.shape}"
                )
            np.copyto(view, g)
        return self.grad

    def member(self, i: int) -> tuple[np.ndarray, np.ndarray | None]:
        p = self.params[i]
        return p.data, p.grad


class ValueBlock(Block):
    """`Value`s as one float64 array: gathered before an update, scattered back after it.

    A Value's state (a momentum, a moment) is a 0-d view of the block's state buffers.
    """

    def __init__(self, params: list[Value]) -> None:
        super().__init__(params, [()] * len(params), np.float64)

    def gather(self) -> np.ndarray:
        """Every Value's data and gradient into the flat buffers (a Value always has a
        gradient: 0.0 when the loss does not reach it)."""
        n = self.size
        self.data[...] = np.fromiter((p.data for p in self.params), np.float64, n)
        self.grad[...] = np.fromiter((_number(p.grad) for p in self.params), np.float64, n)
        return self.grad

    def member(self, i: int) -> tuple[np.ndarray, np.ndarray | None]:
        return self.views[i], self.grad_views[i]

    def finish(self) -> None:
        """The updated values back into the Values, as Python floats."""
        for p, x in zip(self.params, self.data.tolist()):
            p.data = x

    def describe(self) -> str:
        return f"gathered into one float64 array of {self.size} values per step"


def _number(grad: Any) -> float:
    """A Value's gradient as a float (after ``backward(create_graph=True)`` it is a Value
    with a graph of its own; the update uses its value)."""
    return grad.data if isinstance(grad, Value) else grad


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
