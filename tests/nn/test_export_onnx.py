"""`nn.export_onnx`: a valid opset-17 graph with a dynamic batch dimension, that ONNX
Runtime runs to the same outputs as the model at any batch size; clear errors."""

from __future__ import annotations

import re

import numpy as np
import onnx
import onnxruntime as ort
import pytest

import nn
from nn.export import ONNX_OPSET


def every_layer(dtype=np.float32) -> nn.Sequential:
    return nn.Sequential(
        nn.Flatten(),
        nn.Linear(12, 16, rng=0, dtype=dtype),
        nn.LeakyReLU(0.2),
        nn.Dropout(0.25),
        nn.Sequential(nn.Linear(16, 8, bias=False, rng=1, dtype=dtype), nn.Tanh()),
        nn.Linear(8, 8, rng=2, dtype=dtype),
        nn.Sigmoid(),
        nn.Linear(8, 8, rng=3, dtype=dtype),
        nn.Sigmoid(beta=1.7),
        nn.Linear(8, 6, rng=4, dtype=dtype),
        nn.ReLU(),
        nn.Softmax(axis=1),
        nn.LogSoftmax(axis=-1),
    )


def images(n: int, shape=(3, 4), dtype=np.float32) -> np.ndarray:
    return np.random.default_rng(n).normal(size=(n, *shape)).astype(dtype)


def run(path, x: np.ndarray) -> np.ndarray:
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1  # small graphs; the test machine's cores are shared
    session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    (output,) = session.run(None, {"input": x})
    return output


def assert_runs_like(model: nn.Module, path, xs: list[np.ndarray], atol: float = 1e-5) -> None:
    for x in xs:
        expected = model(x).data
        got = run(path, x)
        assert got.shape == expected.shape and got.dtype == expected.dtype
        np.testing.assert_allclose(got, expected, rtol=1e-5, atol=atol)


def dims(value_info) -> list:
    return [d.dim_param or d.dim_value or None for d in value_info.type.tensor_type.shape.dim]


def test_onnx_runtime_gives_the_same_outputs_at_two_batch_sizes(tmp_path):
    model = every_layer()
    path = tmp_path / "model.onnx"
    nn.export_onnx(model, path, images(2))
    assert model.training  # the export does not switch the model to eval mode
    assert_runs_like(model.eval(), path, [images(5), images(17)])
    assert list(tmp_path.iterdir()) == [path]  # no partial file left


def test_the_graph(tmp_path):
    nn.export_onnx(every_layer(), tmp_path / "model.onnx", images(2))
    proto = onnx.load(tmp_path / "model.onnx")
    onnx.checker.check_model(proto, full_check=True)
    assert ONNX_OPSET == 17
    assert [(o.domain, o.version) for o in proto.opset_import] == [("", 17)]
    assert proto.ir_version == 8 and proto.producer_name == "autograd-lite"
    ops = [n.op_type for n in proto.graph.node]
    assert ops == [
        "Flatten",
        "Gemm",
        "LeakyRelu",  # no Dropout
        "Gemm",
        "Tanh",
        "Gemm",
        "Sigmoid",
        "Gemm",
        "Mul",
        "Sigmoid",
        "Gemm",
        "Relu",
        "Softmax",
        "LogSoftmax",
    ]
    weights = {w.name: tuple(w.dims) for w in proto.graph.initializer}
    assert weights == {
        "1.weight": (16, 12),  # state_dict names, PyTorch's (out, in) layout
        "1.bias": (16,),
        "4.0.weight": (8, 16),
        "5.weight": (8, 8),
        "5.bias": (8,),
        "7.weight": (8, 8),
        "7.bias": (8,),
        "8.beta": (),
        "9.weight": (6, 8),
        "9.bias": (6,),
    }
    (graph_input,) = proto.graph.input
    (graph_output,) = proto.graph.output
    assert (graph_input.name, dims(graph_input)) == ("input", ["batch", 3, 4])
    assert (graph_output.name, dims(graph_output)) == ("output", ["batch", 6])
    attributes = {n.name: {a.name: onnx.helper.get_attribute_value(a) for a in n.attribute}
                  for n in proto.graph.node}  # fmt: skip
    assert attributes["1.Gemm"] == {"transB": 1}
    assert attributes["2.LeakyRelu"]["alpha"] == pytest.approx(0.2)
    assert attributes["11.Softmax"] == {"axis": 1}
    assert attributes["0.Flatten"] == {"axis": 1}
    assert "LeakyReLU(negative_slope=0.2)" in proto.graph.doc_string  # the model's repr


def test_float64_models_export_as_double(tmp_path):
    model = every_layer(np.float64).eval()
    nn.export_onnx(model, tmp_path / "wide.onnx", images(3, dtype=np.float64))
    assert_runs_like(model, tmp_path / "wide.onnx", [images(4, dtype=np.float64)], atol=1e-9)


def test_linear_on_more_than_two_axes_uses_matmul(tmp_path):
    model = nn.Sequential(
        nn.Linear(4, 5, rng=0), nn.Tanh(), nn.Linear(5, 2, bias=False, rng=1), nn.Flatten()
    )
    nn.export_onnx(model, tmp_path / "m.onnx", images(2))
    ops = [n.op_type for n in onnx.load(tmp_path / "m.onnx").graph.node]
    assert ops == ["Transpose", "MatMul", "Add", "Tanh", "Transpose", "MatMul", "Flatten"]
    assert_runs_like(model, tmp_path / "m.onnx", [images(1), images(6)])


@pytest.mark.parametrize(
    ("start", "end", "output_dims"),
    [
        (1, -1, ["batch", 60]),
        (2, 3, ["batch", 3, 20]),
        (1, 2, ["batch", 12, 5]),
        (-3, -2, ["batch", 12, 5]),
        (0, 1, [None, 4, 5]),  # the batch merged with the next axis: its size is unnamed
        (0, -1, [None]),
        (0, 0, ["batch", 3, 4, 5]),
    ],
)
def test_flatten_keeps_the_batch_dynamic(tmp_path, start, end, output_dims):
    model = nn.Sequential(nn.Flatten(start, end), nn.ReLU())
    nn.export_onnx(model, tmp_path / "m.onnx", images(2, (3, 4, 5)))
    proto = onnx.load(tmp_path / "m.onnx")
    assert dims(proto.graph.output[0]) == output_dims
    assert_runs_like(model, tmp_path / "m.onnx", [images(1, (3, 4, 5)), images(7, (3, 4, 5))])


def test_a_single_layer_and_a_dropout_only_model(tmp_path):
    layer = nn.Linear(4, 3, rng=0)
    nn.export_onnx(layer, tmp_path / "linear.onnx", images(2, (4,)))
    assert_runs_like(layer, tmp_path / "linear.onnx", [images(3, (4,))])
    nn.export_onnx(nn.Sequential(nn.Dropout(0.5)), tmp_path / "id.onnx", images(2, (4,)))
    assert [n.op_type for n in onnx.load(tmp_path / "id.onnx").graph.node] == ["Identity"]
    np.testing.assert_array_equal(run(tmp_path / "id.onnx", images(3, (4,))), images(3, (4,)))


def test_the_example_input_may_be_a_tensor_or_integers(tmp_path):
    from autograd_lite import Tensor

    model = nn.Sequential(nn.Flatten(), nn.Linear(12, 2, rng=0))
    pixels = np.arange(24, dtype=np.uint8).reshape(2, 3, 4)
    nn.export_onnx(model, tmp_path / "a.onnx", pixels)
    nn.export_onnx(model, tmp_path / "b.onnx", Tensor(images(2)))
    for name in ("a.onnx", "b.onnx"):
        proto = onnx.load(tmp_path / name)
        assert proto.graph.input[0].type.tensor_type.elem_type == onnx.TensorProto.FLOAT
    assert_runs_like(model, tmp_path / "a.onnx", [pixels.astype(np.float32)])


class Square(nn.Module):
    def forward(self, x):
        return x * x


def test_unsupported_layers_are_named_with_their_position(tmp_path):
    model = nn.Sequential(nn.Linear(2, 3), nn.Sequential(nn.ReLU(), Square()))
    with pytest.raises(TypeError, match=r"export_onnx: .* got Square at '1\.1' in the model"):
        nn.export_onnx(model, tmp_path / "m.onnx", images(2, (2,)))
    with pytest.raises(TypeError, match="got MLP as the model itself"):
        nn.export_onnx(nn.MLP(2, [3, 1]), tmp_path / "m.onnx", images(2, (2,)))
    assert list(tmp_path.iterdir()) == []


def test_bad_example_inputs_are_clear_errors(tmp_path):
    model = nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 2))
    with pytest.raises(ValueError, match=r"with a batch axis first, .* got shape \(4,\)"):
        nn.export_onnx(model, tmp_path / "m.onnx", np.ones(4, dtype=np.float32))
    with pytest.raises(
        ValueError, match=r"an example input that Linear at '0' in the model can take, got one of"
    ):
        nn.export_onnx(model, tmp_path / "m.onnx", images(2, (5,)))
    with pytest.raises(ValueError, match="expected a numeric example input, got dtype <U1"):
        nn.export_onnx(model, tmp_path / "m.onnx", np.array([["a"] * 4]))
    mixed = nn.Sequential(nn.Linear(4, 3), nn.Linear(3, 2, dtype=np.float64))
    with pytest.raises(
        ValueError, match="expected Linear layers of one dtype, got float32, float64"
    ):
        nn.export_onnx(mixed, tmp_path / "m.onnx", images(2, (4,)))
    assert list(tmp_path.iterdir()) == []


def test_a_missing_folder_is_named(tmp_path):
    folder = tmp_path / "exports"
    with pytest.raises(FileNotFoundError, match=re.escape(f"got a missing folder: {folder}")):
        nn.export_onnx(every_layer(), folder / "m.onnx", images(2))
