"""Broadcasting and gradients: the one place where a gradient is fitted to its node.

NumPy broadcasting copies a value along new or length-1 axes; in reverse mode every copy
sends a gradient back, so the gradient of a broadcast input is the *sum* over those axes.
VJPs return gradients in the output's (broadcast) shape, and the engine calls `unbroadcast`
here when it adds them into a tensor, never inside an individual VJP.
"""

from __future__ import annotations

import threading
import weakref
from typing import Any

import numpy as np

__all__ = ["accumulate", "broadcast_axes", "fit_to", "new_walk", "unbroadcast"]


def unbroadcast(grad: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Sum `grad` over the axes that broadcasting added or stretched, so it has `shape`.

    >>> unbroadcast(np.ones((4, 2, 3)), (2, 1)).tolist()
    [[12.0], [12.0]]
    """
    if grad.shape == shape:
        return grad
    axes = broadcast_axes(grad.shape, shape)
    summed = grad.sum(axis=axes) if axes else grad
    return np.asarray(summed).reshape(shape)  # a sum down to () is a NumPy scalar, not an array


def broadcast_axes(grad_shape: tuple[int, ...], shape: tuple[int, ...]) -> tuple[int, ...]:
    """The axes of `grad_shape` that broadcasting `shape` to it added or stretched."""
    extra = len(grad_shape) - len(shape)
    stretched = tuple(
        extra + i for i, n in enumerate(shape) if n == 1 and grad_shape[extra + i] != 1
    )
    return tuple(range(extra)) + stretched


def fit_to(grad: Any, data: np.ndarray) -> np.ndarray:
    """`grad` as an array of `data`'s shape (summed over broadcast axes) and dtype."""
    if type(grad) is not np.ndarray:  # NumPy scalars from 0-d arithmetic
        grad = np.asarray(grad)
    if grad.shape != data.shape:
        grad = unbroadcast(grad, data.shape)
    if grad.dtype != data.dtype:
        grad = grad.astype(data.dtype)
    return grad


def new_walk() -> set[int]:
    """The ids handed out by a new walk (none yet); the last walk's intermediates are
    forgotten."""
    _this_walk.intermediates = {}
    return set()


def accumulate(node: Any, grad: Any, handed_out: set[int]) -> None:
    """Add `grad` (in the broadcast shape of the op that produced it) into ``node.grad``.

    The gradient is reduced to the node's shape and cast to its dtype. A leaf's gradient
    must be an array of its own (optimizers and gradient clipping may edit it in place), so
    a view, a read-only array, or an array already handed to another node in this walk
    (``add`` returns the same ``g`` for both of its inputs) is copied first; any other
    array is used as is, which spares a copy of every weight gradient on every step.
    """
    old = node.grad
    if old is None and grad is node._grad_buffer and grad is not None:
        handed_out.add(id(grad))  # a leaf's first gradient, written into its own buffer
        node.grad = grad
        return
    leaf_adds = old is not None and node._vjp is None and type(grad) is np.ndarray
    if leaf_adds and grad.shape == old.shape:  # to its own gradient (NumPy casts the dtype)
        old += grad
        return
    data = node.data
    if type(grad) is not np.ndarray or grad.shape != data.shape or grad.dtype != data.dtype:
        grad = fit_to(grad, data)  # (tested inline first: most gradients fit already)
    if node._vjp is not None:  # an intermediate: never edited in place by the engine...
        if old is not None:
            grad = old + grad
            if type(grad) is not np.ndarray:  # 0-d arithmetic gives a NumPy scalar
                grad = np.asarray(grad)
        elif node._keeps_all_grads and not grad.flags.writeable:
            grad = grad.copy()  # a retained gradient is the user's to edit
        handed_out.add(id(grad))  # ...but a leaf given the same array would edit it
        _this_walk.intermediates[id(grad)] = weakref.ref(grad)
        node.grad = grad
    elif old is None:
        # A VJP that wrote into the leaf's own gradient buffer handed over an array the leaf
        # owns already; anything else that might be shared is copied.
        shared = (
            grad.base is not None
            or not grad.flags.writeable
            or (id(grad) in handed_out and _still_handed(grad))
        )
        if shared and grad is not node._grad_buffer:
            grad = grad.copy()
        handed_out.add(id(grad))  # a leaf holds its gradient (and so its id) all walk long
        node.grad = grad
    else:
        old += grad  # the leaf owns `old`


# The intermediates' gradients of this thread's current walk, by id. An id alone is not
# enough for them: once its VJP has run, an intermediate's gradient is freed and CPython may
# give the next new array the same address, hence the same id; a fresh weight gradient would
# then be taken for a shared one, and copied. Weak references: the walk still frees them.
_this_walk = threading.local()


def _still_handed(grad: np.ndarray) -> bool:
    """Whether this very array, whose id was handed out earlier in the walk, was handed out
    (and not another array, since freed, that had its id)."""
    intermediates = getattr(_this_walk, "intermediates", {})
    ref = intermediates.get(id(grad))
    if ref is None or ref() is grad:  # a leaf's, or a live intermediate's (or a walk inside
        return True  # this walk forgot it: assume it is shared)
    del intermediates[id(grad)]  # a freed array's id, now this new array's (and the leaf's)
    return False
