"""`export_onnx`: a `Sequential` model as an ONNX graph, for ONNX Runtime, Netron and others.

The graph is written with ``onnx.helper`` node by node, one layer at a time:

=============  ===============================================================
Linear         ``Gemm`` (``transB=1``: the weight stays ``(out, in)``, under its
               ``state_dict`` name ``0.weight``); on inputs of rank other than 2,
               ``Transpose`` + ``MatMul`` + ``Add``
ReLU, Tanh     ``Relu``, ``Tanh``
Sigmoid        ``Sigmoid`` (after a ``Mul`` when ``beta != 1``)
LeakyReLU      ``LeakyRelu`` (``alpha`` = ``negative_slope``)
Softmax        ``Softmax`` / ``LogSoftmax`` (``axis``; single-axis since opset 13)
Flatten        ``Flatten(axis=1)`` for the default axes, else ``Reshape``
Dropout        nothing: the export is for inference (eval mode)
=============  ===============================================================
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from autograd_lite import Tensor, __version__, no_grad
from nn.export._common import join, layer_kind, require, where
from nn.module import Module, _write_atomically

__all__ = ["ONNX_OPSET", "export_onnx"]

# Opset 17 (ONNX 1.12, 2022): every op used here has its current form, and ONNX Runtime
# has run it since 1.12. The IR version is the one released with it, so runtimes of that
# age open the file (onnx.helper.make_model would otherwise stamp the newest IR version).
ONNX_OPSET = 17
_IR_VERSION = 8

_ELEMENTWISE = {"ReLU": "Relu", "Tanh": "Tanh"}


def export_onnx(
    model: Module,
    path: str | os.PathLike[str],
    example_input: Any,
    *,
    input_name: str = "input",
    output_name: str = "output",
    batch_name: str = "batch",
) -> None:
    """Write `model` to `path` as an ONNX model (opset `ONNX_OPSET` = 17), for inference.

    Parameters
    ----------
    model : Module
        A `Sequential` (nested ones are unrolled) of `Linear`, `ReLU`, `Tanh`, `Sigmoid`,
        `LeakyReLU`, `Softmax`, `LogSoftmax`, `Flatten` and `Dropout`, or one such layer.
        Dropout is left out (the graph computes what ``model.eval()`` does); the model's
        own mode is not changed.
    path : str or os.PathLike
        The ``.onnx`` file to write, replaced only once it is complete; its folder must
        exist.
    example_input : array_like or Tensor
        A batch of shape ``(batch, ...)``: the model is run on it once to find each
        layer's input shape. The first axis of the graph's input is dynamic (named
        `batch_name`), so any batch size runs; the other axes are fixed to the example's.
    input_name, output_name, batch_name : str
        Names of the graph's input, output and batch dimension.

    Notes
    -----
    The graph's input and weights have the model's dtype (float32 unless its Linear layers
    are float64): feed ONNX Runtime float32 arrays, where our Linear would also accept, and
    convert, integers. Weights are stored under their ``state_dict`` names (``0.weight``,
    ``0.bias``) in PyTorch's ``(out, in)`` layout, so Netron shows the same names as
    ``model.state_dict()``. The model is checked with ``onnx.checker.check_model``
    (``full_check=True``, which also runs shape inference) before it is written.

    Raises
    ------
    ImportError
        The onnx package is not installed (``pip install onnx``).
    TypeError
        A layer of another type, named with its position in the model.
    ValueError
        An example input without a batch axis, or one the model cannot run on; Linear
        layers of different dtypes.
    FileNotFoundError
        The folder of `path` does not exist.

    Examples
    --------
    >>> import numpy as np, onnxruntime, nn
    >>> model = nn.Sequential(nn.Linear(4, 8, rng=0), nn.ReLU(), nn.Linear(8, 3, rng=1))
    >>> x = np.random.default_rng(0).normal(size=(5, 4)).astype(np.float32)
    >>> nn.export_onnx(model, "model.onnx", x[:2])
    >>> session = onnxruntime.InferenceSession("model.onnx")
    >>> y = session.run(None, {"input": x})[0]  # any batch size
    >>> np.allclose(y, model(x).data, atol=1e-6)
    True
    """
    onnx = require("onnx", "export_onnx", "export")
    from onnx import helper, numpy_helper

    path = os.fspath(path)
    layers = _unroll(model, "")
    x = np.asarray(example_input.data if isinstance(example_input, Tensor) else example_input)
    if x.ndim < 2:
        raise ValueError(
            f"export_onnx: expected an example input with a batch axis first, of shape "
            f"(batch, ...), got shape {x.shape}"
        )
    if x.dtype.kind not in "biuf":
        raise ValueError(f"export_onnx: expected a numeric example input, got dtype {x.dtype}")
    dtype = _dtype(layers, x)
    elem = helper.np_dtype_to_tensor_dtype(dtype)

    nodes: list[Any] = []
    weights: list[Any] = []

    def node(op: str, inputs: list[str], name: str, **attributes: Any) -> str:
        output = f"{name}.{op}" if name else op  # a node and its output share the name
        nodes.append(helper.make_node(op, inputs, [output], name=output, **attributes))
        return output

    def constant(name: str, value: np.ndarray) -> str:
        weights.append(numpy_helper.from_array(np.asarray(value), name))
        return name

    current, value = input_name, Tensor(x.astype(dtype, copy=False))
    batch_merged = False  # True once a Flatten has merged the batch axis with others
    for name, layer in layers:
        kind = type(layer).__name__  # an exact type: `_unroll` checked each layer's type
        if kind == "Dropout":
            continue
        shape = value.shape
        try:
            with no_grad():
                value = layer(value)
        except (ValueError, TypeError) as error:
            raise ValueError(
                f"export_onnx: expected an example input that {type(layer).__name__} "
                f"{where(name)} can take, got one of shape {shape} there: {error}"
            ) from error
        if kind == "Linear":
            inputs = [current, constant(f"{name}.weight", layer.weight.data)]
            bias = None if layer.bias is None else constant(f"{name}.bias", layer.bias.data)
            if len(shape) == 2:
                current = node("Gemm", [*inputs, *([bias] if bias else [])], name, transB=1)
            else:  # Gemm takes matrices only; MatMul broadcasts like x @ weight.T
                transposed = node("Transpose", inputs[1:], name, perm=[1, 0])
                current = node("MatMul", [current, transposed], name)
                if bias:
                    current = node("Add", [current, bias], name)
        elif kind in _ELEMENTWISE:
            current = node(_ELEMENTWISE[kind], [current], name)
        elif kind == "Sigmoid":
            if layer.beta != 1.0:
                beta = constant(f"{name}.beta", np.array(layer.beta, dtype=dtype))
                current = node("Mul", [current, beta], name)
            current = node("Sigmoid", [current], name)
        elif kind == "LeakyReLU":
            current = node("LeakyRelu", [current], name, alpha=layer.negative_slope)
        elif kind in ("Softmax", "LogSoftmax"):
            current = node(kind, [current], name, axis=layer.axis)
        elif kind == "Flatten":
            start, end = layer.start_axis % len(shape), layer.end_axis % len(shape)
            if (start, end) == (1, len(shape) - 1):  # ONNX Flatten: (d0, d1 * ... * dn)
                current = node("Flatten", [current], name, axis=1)
            else:  # keep axis 0 dynamic: 0 copies it, -1 stands for it when merged
                merged = -1 if start == 0 else int(np.prod(shape[start : end + 1]))
                target = [0] * start + [merged] + list(shape[end + 1 :])
                batch_merged = batch_merged or start == 0 < end
                target_name = constant(f"{name}.shape", np.array(target, dtype=np.int64))
                current = node("Reshape", [current, target_name], name)
    if not nodes:  # only Dropout, or nothing: the identity
        current = node("Identity", [current], "")
    nodes[-1].output[0] = output_name

    output_shape = [None if batch_merged else batch_name, *value.shape[1:]]
    graph = helper.make_graph(
        nodes,
        "autograd-lite",
        [helper.make_tensor_value_info(input_name, elem, [batch_name, *x.shape[1:]])],
        [helper.make_tensor_value_info(output_name, elem, output_shape)],
        initializer=weights,
        doc_string=repr(model),
    )
    proto = helper.make_model(
        graph,
        opset_imports=[helper.make_opsetid("", ONNX_OPSET)],
        ir_version=_IR_VERSION,
        producer_name="autograd-lite",
        producer_version=__version__,
    )
    onnx.checker.check_model(proto, full_check=True)
    data = proto.SerializeToString()

    def write(partial: str) -> None:
        with open(partial, "wb") as file:
            file.write(data)

    _write_atomically(path, write, "export_onnx")


def _unroll(layer: Module, name: str) -> list[tuple[str, Module]]:
    """The layers of `layer` in order, nested Sequentials unrolled, with dotted names."""
    if layer_kind(layer, "export_onnx", name) == "Sequential":
        return [
            pair for i, child in enumerate(layer) for pair in _unroll(child, join(name, str(i)))
        ]
    return [(name, layer)]


def _dtype(layers: list[tuple[str, Module]], x: np.ndarray) -> np.dtype:
    """The graph's dtype: its Linear layers' (all the same), else the input's if a float."""
    dtypes = {
        np.dtype(layer.weight.dtype) for _, layer in layers if type(layer).__name__ == "Linear"
    }
    if len(dtypes) > 1:
        raise ValueError(
            f"export_onnx: expected Linear layers of one dtype, got "
            f"{', '.join(sorted(d.name for d in dtypes))}"
        )
    if dtypes:
        return dtypes.pop()
    return x.dtype if x.dtype.kind == "f" else np.dtype(np.float32)
