"""Forward hooks: functions a `Module` calls with what it computed, after every forward.

``handle = module.register_forward_hook(hook)`` makes ``module(x)`` call
``hook(module, args, output)`` once ``forward`` has returned, as PyTorch's hooks do; a hook
that returns something other than None replaces the output. ``handle.remove()`` (or leaving
a ``with handle:`` block) takes the hook off again. `nn.watch` records a model's ReLU
outputs with them, for the gradient-health report.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from types import TracebackType
from typing import Any

__all__ = ["ForwardHook", "RemovableHandle", "run_forward_hooks"]

# hook(module, args, output) -> None, or an output that replaces it
ForwardHook = Callable[[Any, tuple[Any, ...], Any], Any]

_ids = itertools.count()


class RemovableHandle:
    """What `Module.register_forward_hook` returns: ``remove()`` takes the hook off (once or
    many times; it is idempotent). Usable as a context manager."""

    def __init__(self, hooks: dict[int, ForwardHook], hook: ForwardHook) -> None:
        self.id = next(_ids)
        self._hooks = hooks
        hooks[self.id] = hook

    def remove(self) -> None:
        self._hooks.pop(self.id, None)

    def __enter__(self) -> RemovableHandle:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.remove()


def run_forward_hooks(
    hooks: dict[int, ForwardHook], module: Any, args: tuple[Any, ...], output: Any
) -> Any:
    """Call each hook in the order registered; a result that is not None replaces `output`."""
    for hook in list(hooks.values()):  # a list: a hook may remove itself
        result = hook(module, args, output)
        if result is not None:
            output = result
    return output
