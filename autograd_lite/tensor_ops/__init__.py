"""The tensor ops, one module per family, each op a `primitive` with its VJP right below it.

- `elementwise`: `scalar_ops`' ops, with the same names in the same order, on arrays;
- `linalg`: ``linear`` (the fused neuron of `scalar_ops`, for a batch) and ``matmul``;
- `reduce`: sums, means, extremes, the softmax family;
- `select`: where, maximum, minimum, clip;
- `shape`: reshape, transpose, indexing, joining;
- `losses`: the fused, numerically stable losses (cross-entropy, BCE with logits);
- `dense`: ``linear_relu``, a linear layer and its ReLU as one node.

Every op is registered in `OPS`, the one registry of the tensor engine: the scalar engine's
ops first, in its order, then the tensor-only ones. Registering an op makes it a method
(``x.sum()``) or an operator (``a @ b``) of `Tensor`, a name of this package (``tensor_ops.X``
and ``from autograd_lite.tensor_ops import X``) and a row the op-table tests require.

VJPs return gradients in the *output's* shape; the engine sums them back over broadcast axes
(`broadcasting.unbroadcast`), so no VJP deals with broadcasting. An op whose inputs may not
all need a gradient has one rule per input, run only for the inputs that need one (no
gradient for a data batch or for labels).
"""

from __future__ import annotations

from autograd_lite.primitive import Registry

OPS = Registry()

# Importing a family registers its ops: in this order (the scalar engine's ops come first).
from autograd_lite.tensor_ops import (  # noqa: E402, F401, I001  (they register into OPS)
    elementwise,
    linalg,
    reduce,
    select,
    shape,
    losses,
    dense,
)
from autograd_lite.tensor_ops.elementwise import stable_sigmoid  # noqa: E402, F401

__all__ = OPS.names()
# Every op as a name of this package, as the families define them.
globals().update((name, OPS[name]) for name in __all__)
