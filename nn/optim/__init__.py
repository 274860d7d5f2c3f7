"""Optimizers and learning-rate schedules for `Value` and `Tensor` parameters.

PyTorch's structure and update rules: ``opt = nn.optim.Adam(model.parameters(), lr=1e-3)``,
then ``opt.zero_grad(); loss.backward(); opt.step()`` each batch, and
``nn.optim.lr_scheduler.StepLR(opt, step_size=10)`` stepped each epoch.

Tensor parameters are updated in place. By default a group whose parameters are all
floating Tensors of one dtype is *flat*: its parameters are moved once into one contiguous
buffer (each ``p.data`` becomes a view of it) and a step is about ten whole-buffer ufuncs,
as fast as hand-written NumPy. So hold on to the Tensor, not to its ``.data`` array from
before the optimizer was made (e.g. an earlier ``p.detach()``); a ``.data`` rebound later is
moved back into the buffer at the next step. Pass ``flat=False`` to keep every ``p.data``
where it is. A group's `Value` parameters are gathered into one float64 array for each step
and scattered back, so every optimizer's arithmetic is written once, for arrays.
"""

from __future__ import annotations

from nn.optim import lr_scheduler
from nn.optim.adam import Adam
from nn.optim.optimizer import Optimizer
from nn.optim.rmsprop import RMSprop
from nn.optim.sgd import SGD

__all__ = ["SGD", "Adam", "Optimizer", "RMSprop", "lr_scheduler"]
