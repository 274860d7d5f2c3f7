"""``.safetensors`` files from `Module.save`: PyTorch's names and layouts, no pickle, clear
errors for damaged or foreign files (and nothing half-loaded), and PyTorch opens them."""

from __future__ import annotations

import json
import re
import struct
import sys

import numpy as np
import pytest
from safetensors.numpy import load_file

import nn


def make_model(seed: int) -> nn.Sequential:
    return nn.Sequential(
        nn.Flatten(),
        nn.Linear(6, 5, rng=seed),
        nn.LeakyReLU(0.1),
        nn.Dropout(0.2),
        nn.Linear(5, 3, bias=False, rng=seed + 1),
        nn.LogSoftmax(),
    )


def safetensors_bytes(header: dict, data: bytes) -> bytes:
    """A file by hand: an 8-byte little-endian header length, a JSON header, the data."""
    text = json.dumps(header).encode()
    return struct.pack("<Q", len(text)) + text + data


def test_the_file_holds_pytorch_names_layouts_and_dtypes(tmp_path):
    model = make_model(0)
    model.save(tmp_path / "m.safetensors")
    state = load_file(tmp_path / "m.safetensors")
    assert sorted(state) == ["1.bias", "1.weight", "4.weight"]
    assert state["1.weight"].shape == (5, 6)  # (out, in), as torch.nn.Linear.weight
    assert state["4.weight"].shape == (3, 5)
    assert all(a.dtype == np.float32 for a in state.values())
    for name, value in model.state_dict().items():
        np.testing.assert_array_equal(state[name], value)


def test_the_header_says_pytorch_format(tmp_path):
    make_model(0).save(tmp_path / "m.safetensors")
    raw = (tmp_path / "m.safetensors").read_bytes()
    (length,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8 : 8 + length])
    metadata = header["__metadata__"]
    assert set(metadata) == {"format", "__architecture__"} and metadata["format"] == "pt"
    assert json.loads(metadata["__architecture__"])["model"]["type"] == "Sequential"
    assert header["1.weight"]["dtype"] == "F32" and header["1.weight"]["shape"] == [5, 6]


def test_float64_and_value_parameters_round_trip(tmp_path):
    wide = nn.Sequential(nn.Linear(2, 3, rng=0, dtype=np.float64))
    wide.save(tmp_path / "wide.safetensors")
    assert load_file(tmp_path / "wide.safetensors")["0.weight"].dtype == np.float64
    other = nn.Sequential(nn.Linear(2, 3, rng=1, dtype=np.float64))
    other.load(tmp_path / "wide.safetensors")
    np.testing.assert_array_equal(other[0].weight.data, wide[0].weight.data)

    mlp, target = nn.MLP(2, [3, 1], rng=0), nn.MLP(2, [3, 1], rng=1)
    mlp.save(tmp_path / "mlp.safetensors")  # Values are 0-d float64 tensors
    target.load(tmp_path / "mlp.safetensors")
    assert [p.data for p in target.parameters()] == [p.data for p in mlp.parameters()]


def test_float16_files_are_cast_to_the_parameter_dtype(tmp_path):
    from safetensors.numpy import save_file

    model = make_model(0)
    half = {k: v.astype(np.float16) for k, v in make_model(3).state_dict().items()}
    save_file(half, tmp_path / "half.safetensors")
    model.load(tmp_path / "half.safetensors")
    assert model[1].weight.dtype == np.float32
    np.testing.assert_array_equal(model[1].weight.data, half["1.weight"].astype(np.float32))


def test_loading_writes_into_the_existing_arrays(tmp_path):
    make_model(0).save(tmp_path / "m.safetensors")
    model = make_model(1)
    weight = model[1].weight.data
    model.load(tmp_path / "m.safetensors")
    assert model[1].weight.data is weight and weight.flags.writeable


def corrupt_files(tmp_path):
    """(name, bytes, words the error must contain) for each kind of bad file."""
    make_model(0).save(tmp_path / "good.safetensors")
    good = (tmp_path / "good.safetensors").read_bytes()
    make_model(0).save(tmp_path / "good.npz")
    bf16 = safetensors_bytes(
        {"1.weight": {"dtype": "BF16", "shape": [2], "data_offsets": [0, 4]}}, bytes(4)
    )
    bad_offsets = safetensors_bytes(
        {"1.weight": {"dtype": "F32", "shape": [5, 6], "data_offsets": [0, 8]}}, bytes(8)
    )
    return [
        ("truncated", good[:-7], "not a readable .safetensors file"),
        ("header only", good[:100], "not a readable .safetensors file"),
        ("empty", b"", "not a readable .safetensors file"),
        ("text", b"weights: 1 2 3\n", "not a readable .safetensors file"),
        ("npz renamed", (tmp_path / "good.npz").read_bytes(), "perhaps an .npz file renamed"),
        ("bfloat16", bf16, "expected a dtype NumPy can read, got 'BF16'"),
        ("bad offsets", bad_offsets, "not a readable .safetensors file"),
    ]


def test_damaged_or_foreign_files_name_the_file_and_load_nothing(tmp_path):
    model = make_model(1)
    before = model.state_dict()
    for kind, data, words in corrupt_files(tmp_path):
        path = tmp_path / f"{kind}.safetensors"
        path.write_bytes(data)
        with pytest.raises(ValueError, match=re.escape(f"load: {path} ")) as info:
            model.load(path)
        assert words in str(info.value), kind
        for name, value in model.state_dict().items():
            np.testing.assert_array_equal(value, before[name])


def test_wrong_shapes_name_the_file_and_load_nothing(tmp_path):
    path = tmp_path / "wrong.safetensors"
    state = make_model(0).state_dict()
    state["1.weight"] = state["1.weight"].T.copy()  # (in, out): a layout mix-up
    from safetensors.numpy import save_file

    save_file(state, path)
    model = make_model(1)
    before = model.state_dict()
    with pytest.raises(ValueError) as info:
        model.load(path)
    assert f"load: the file {path} does not fit this Sequential" in str(info.value)
    assert "1.weight: expected shape (5, 6), got shape (6, 5)" in str(info.value)
    for name, value in model.state_dict().items():
        np.testing.assert_array_equal(value, before[name])


def test_without_safetensors_the_error_says_what_to_install(tmp_path, monkeypatch):
    make_model(0).save(tmp_path / "m.safetensors")
    monkeypatch.setitem(sys.modules, "safetensors", None)  # makes the import fail
    monkeypatch.setitem(sys.modules, "safetensors.numpy", None)
    for call in (make_model(0).save, make_model(0).load):
        with pytest.raises(ImportError, match=r"pip install safetensors"):
            call(tmp_path / "m.safetensors")
    make_model(0).save(tmp_path / "m.npz")  # .npz needs nothing more


@pytest.mark.torch
def test_pytorch_opens_the_file(tmp_path):
    torch = pytest.importorskip("torch")
    from safetensors.torch import load_file as torch_load_file

    model = make_model(0).eval()
    model.save(tmp_path / "m.safetensors")
    state = torch_load_file(tmp_path / "m.safetensors")
    reference = torch.nn.Sequential(
        torch.nn.Flatten(),
        torch.nn.Linear(6, 5),
        torch.nn.LeakyReLU(0.1),
        torch.nn.Dropout(0.2),
        torch.nn.Linear(5, 3, bias=False),
        torch.nn.LogSoftmax(dim=-1),
    ).eval()
    reference.load_state_dict(state)  # strict: the same names, shapes and dtypes
    x = np.random.default_rng(0).normal(size=(4, 2, 3)).astype(np.float32)
    with torch.no_grad():
        expected = reference(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(model(x).data, expected, rtol=1e-5, atol=1e-5)

    # and back: a state PyTorch saved loads here
    from safetensors.torch import save_file as torch_save_file

    torch_save_file(reference.state_dict(), tmp_path / "back.safetensors")
    other = make_model(7)
    other.load(tmp_path / "back.safetensors")
    np.testing.assert_allclose(other.eval()(x).data, expected, rtol=1e-5, atol=1e-5)
