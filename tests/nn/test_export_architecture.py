"""The architecture saved inside model files, and `nn.load_model`, which rebuilds a model
from its file alone; `load` and `load_state_dict` skip the architecture; files from other
sources, or tampered with, are clear errors naming the file."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest
import safetensors.numpy

import nn
from nn.export._common import LAYERS
from nn.export.architecture import _ARGUMENTS as ARGUMENTS
from nn.export.architecture import FORMAT, VERSION, build, describe
from nn.module import ARCHITECTURE_KEY

SUFFIXES = [".npz", ".safetensors"]


def every_layer(dtype=np.float32) -> nn.Sequential:
    return nn.Sequential(
        nn.Flatten(1, 2),
        nn.Linear(12, 16, rng=0, dtype=dtype),
        nn.LeakyReLU(0.2),
        nn.Dropout(0.25),
        nn.Sequential(nn.Linear(16, 8, bias=False, rng=1, dtype=dtype), nn.Tanh()),
        nn.Linear(8, 8, rng=2, dtype=dtype),
        nn.Sigmoid(beta=1.7),
        nn.Linear(8, 6, rng=3, dtype=dtype),
        nn.ReLU(),
        nn.Softmax(axis=1),
        nn.LogSoftmax(axis=-1),
    )


def mnist_mlp() -> nn.Sequential:
    return nn.Sequential(nn.Linear(784, 128, rng=0), nn.ReLU(), nn.Linear(128, 10, rng=1))


def saved_json(path) -> str | None:
    """The architecture text in a file, read with the file format's own tools."""
    if path.suffix == ".npz":
        with np.load(path, allow_pickle=False) as archive:
            return str(archive[ARCHITECTURE_KEY]) if ARCHITECTURE_KEY in archive.files else None
    with safetensors.safe_open(path, framework="numpy") as file:
        return file.metadata().get(ARCHITECTURE_KEY)


def rewrite(path, spec) -> None:
    """Replace the architecture in `path` by `spec` (a dict, or raw text), weights unchanged."""
    text = spec if isinstance(spec, str) else json.dumps(spec)
    if path.suffix == ".npz":
        with np.load(path, allow_pickle=False) as archive:
            state = {name: archive[name] for name in archive.files}
        state[ARCHITECTURE_KEY] = np.array(text)
        np.savez(path, **state)
    else:
        state = safetensors.numpy.load_file(path)
        safetensors.numpy.save_file(state, path, {"format": "pt", ARCHITECTURE_KEY: text})


def test_the_layers_are_the_exporters_layers():
    assert set(ARGUMENTS) == set(LAYERS) - {"Sequential"}


def test_the_spec_of_the_mnist_mlp():
    assert describe(mnist_mlp()) == {
        "format": "autograd-lite/architecture",
        "version": 1,
        "model": {
            "type": "Sequential",
            "layers": [
                {"type": "Linear", "in_features": 784, "out_features": 128, "bias": True,
                 "dtype": "float32"},
                {"type": "ReLU"},
                {"type": "Linear", "in_features": 128, "out_features": 10, "bias": True,
                 "dtype": "float32"},
            ],
        },
    }  # fmt: skip


@pytest.mark.parametrize("suffix", SUFFIXES)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_every_layer_round_trips(tmp_path, suffix, dtype):
    model = every_layer(dtype)
    path = tmp_path / f"model{suffix}"
    model.save(path)
    assert json.loads(saved_json(path)) == describe(model)
    loaded = nn.load_model(path)
    assert repr(loaded) == repr(model) and loaded.training
    assert loaded[1].weight.dtype == dtype and loaded[4][0].bias is None
    state = loaded.state_dict()
    assert list(state) == list(model.state_dict())
    for name, value in model.state_dict().items():
        np.testing.assert_array_equal(state[name], value)
    x = np.random.default_rng(0).normal(size=(5, 3, 4)).astype(dtype)
    np.testing.assert_array_equal(loaded.eval()(x).data, model.eval()(x).data)


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_a_shared_layer_stays_shared(tmp_path, suffix):
    square = nn.Linear(4, 4, rng=0)
    model = nn.Sequential(square, nn.Tanh(), square, nn.Sequential(nn.ReLU(), square))
    assert describe(model)["model"]["layers"][2] == {"same_as": "0"}
    assert describe(model)["model"]["layers"][3]["layers"][1] == {"same_as": "0"}
    model.save(tmp_path / f"m{suffix}")
    loaded = nn.load_model(tmp_path / f"m{suffix}")
    assert loaded[0] is loaded[2] is loaded[3][1]
    x = np.ones((2, 4), np.float32)
    np.testing.assert_array_equal(loaded(x).data, model(x).data)


def test_one_layer_is_a_model_too(tmp_path):
    nn.Linear(3, 2, rng=0).save(tmp_path / "linear.npz")
    loaded = nn.load_model(tmp_path / "linear.npz")
    assert type(loaded) is nn.Linear and list(loaded.state_dict()) == ["weight", "bias"]


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_the_npz_entry_and_the_metadata_are_plain_text(tmp_path, suffix):
    path = tmp_path / f"m{suffix}"
    mnist_mlp().save(path)
    if suffix == ".npz":
        with np.load(path, allow_pickle=False) as archive:  # no pickle needed
            entry = archive[ARCHITECTURE_KEY]
        assert entry.shape == () and entry.dtype.kind == "U"
    else:
        with safetensors.safe_open(path, framework="numpy") as file:
            metadata, names = file.metadata(), sorted(file.keys())
        assert names == ["0.bias", "0.weight", "2.bias", "2.weight"]  # the tensors only
        assert all(isinstance(value, str) for value in metadata.values())
        assert sorted(safetensors.numpy.load_file(path)) == names


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_load_and_load_state_dict_skip_the_architecture(tmp_path, suffix):
    path = tmp_path / f"m{suffix}"
    mnist_mlp().save(path)
    model = nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 10))
    assert model.load(path) == ([], [])
    assert model.load(path, strict=False) == ([], [])
    if suffix == ".npz":
        with np.load(path, allow_pickle=False) as archive:
            assert model.load_state_dict(dict(archive)) == ([], [])
    np.testing.assert_array_equal(model[2].bias.data, mnist_mlp()[2].bias.data)


class Custom(nn.Module):
    def __init__(self):
        self.hidden = nn.Linear(3, 4, rng=0)
        self.out = nn.Linear(4, 2, rng=1)

    def forward(self, x):
        return self.out(self.hidden(x).relu())


class MySequential(nn.Sequential):
    """A subclass may compute something else: it is not described as a Sequential."""


@pytest.mark.parametrize("suffix", SUFFIXES)
@pytest.mark.parametrize(
    "make",
    [Custom, lambda: nn.Sequential(nn.Linear(3, 4), Custom()), lambda: MySequential(nn.ReLU())],
    ids=["custom", "custom inside", "subclass"],
)
def test_other_models_are_saved_without_it_and_load_model_says_what_to_do(tmp_path, suffix, make):
    path = tmp_path / f"custom{suffix}"
    make().save(path)
    assert saved_json(path) is None
    assert make().load(path) == ([], [])  # load works as before
    words = (
        f"load_model: {path} was saved without an architecture (from a custom Module, or a "
        f"model of layers other than Sequential, Linear, "
    )
    with pytest.raises(ValueError, match=re.escape(words)) as info:
        nn.load_model(path)
    assert str(info.value).endswith("; build the model and call model.load(path)")


def test_describe_names_the_layer_it_does_not_know():
    with pytest.raises(TypeError, match=r"describe: expected layers of the types Sequential, "):
        describe(nn.Sequential(nn.Linear(3, 4), Custom()))
    with pytest.raises(TypeError, match=r"got Custom at '1\.0' in the model$"):
        describe(nn.Sequential(nn.ReLU(), nn.Sequential(Custom())))


def good_spec() -> dict:
    return describe(nn.Sequential(nn.Linear(3, 4, rng=0), nn.ReLU(), nn.Linear(4, 2, rng=1)))


def edited(change) -> dict:
    spec = good_spec()
    change(spec)
    return spec


TAMPERED = [
    ("not json", "{'format': ", "Expecting property name"),
    ("a list", [1, 2], "expected an architecture of format 'autograd-lite/architecture', got"),
    ("other format", edited(lambda s: s.update(format="keras")), "got 'keras'"),
    ("newer", edited(lambda s: s.update(version=2)), "version 1 (autograd-lite "),
    ("extra key", edited(lambda s: s.update(weights=[])), "expected the keys format, version"),
    (
        "unknown type",
        edited(lambda s: s["model"]["layers"].__setitem__(1, {"type": "os.system"})),
        "expected a layer of the types Sequential, Linear, ReLU, Tanh, Sigmoid, LeakyReLU, "
        "Softmax, LogSoftmax, Flatten, Dropout, got 'os.system'",
    ),
    (
        "a Module's name",
        edited(lambda s: s["model"].update(type="Module")),
        "got 'Module'",
    ),
    (
        "missing argument",
        edited(lambda s: s["model"]["layers"][0].pop("bias")),
        "expected Linear at '0' in the model with the keys bias, dtype, in_features, "
        "out_features, type, got dtype, in_features, out_features, type",
    ),
    (
        "bool for int",
        edited(lambda s: s["model"]["layers"][0].update(in_features=True)),
        "expected a int for in_features of Linear at '0' in the model, got True",
    ),
    (
        "bad dtype",
        edited(lambda s: s["model"]["layers"][0].update(dtype="object")),
        "expected float16, float32 or float64 for dtype of Linear at '0' in the model, got",
    ),
    (
        "refused value",
        edited(lambda s: s["model"]["layers"][0].update(in_features=-3)),
        "Linear: expected ",  # the layer's own check refuses it (its wording is its own)
    ),
    (
        "same_as ahead",
        edited(lambda s: s["model"]["layers"].__setitem__(0, {"same_as": "2"})),
        "expected same_as to name a layer built before at '0' in the model, got '2'",
    ),
    (
        "layers not a list",
        edited(lambda s: s["model"].update(layers="ReLU")),
        "expected a list of layers as the model itself, got 'ReLU'",
    ),
]


@pytest.mark.parametrize("suffix", SUFFIXES)
@pytest.mark.parametrize(("spec", "words"), [t[1:] for t in TAMPERED], ids=[t[0] for t in TAMPERED])
def test_a_tampered_architecture_is_an_error_naming_the_file(tmp_path, suffix, spec, words):
    path = tmp_path / f"m{suffix}"
    nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2)).save(path)
    rewrite(path, spec)
    with pytest.raises(ValueError) as info:
        nn.load_model(path)
    message = str(info.value)
    assert message.startswith(f"load_model: the architecture saved in {path} cannot be built: ")
    assert words in message
    with pytest.raises(ValueError, match=r"^build: "):
        build(spec)


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_an_architecture_that_does_not_fit_the_weights_names_the_file(tmp_path, suffix):
    path = tmp_path / f"m{suffix}"
    nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2)).save(path)
    rewrite(path, describe(nn.Sequential(nn.Linear(3, 5), nn.ReLU(), nn.Linear(5, 2))))
    with pytest.raises(ValueError, match=re.escape(f"load: the file {path} does not fit")):
        nn.load_model(path)


def test_a_non_text_npz_entry_is_an_error(tmp_path):
    path = tmp_path / "m.npz"
    np.savez(path, **{ARCHITECTURE_KEY: np.arange(3)})
    with pytest.raises(ValueError, match=r"expected the __architecture__ entry of .* to be text"):
        nn.load_model(path)


def test_build_takes_the_dict_or_its_text():
    spec = good_spec()
    assert repr(build(spec)) == repr(build(json.dumps(spec)))
    assert (spec["format"], spec["version"]) == (FORMAT, VERSION)


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_missing_files_and_other_suffixes(tmp_path, suffix):
    with pytest.raises(FileNotFoundError):
        nn.load_model(tmp_path / f"nothing{suffix}")
    (tmp_path / "model.pt").write_bytes(b"torch")
    with pytest.raises(ValueError, match=r"load_model: expected a file name ending in \.npz or"):
        nn.load_model(tmp_path / "model.pt")


def test_a_damaged_file_is_loads_error(tmp_path):
    path = tmp_path / "m.safetensors"
    path.write_bytes(b"not safetensors")
    with pytest.raises(ValueError, match=re.escape(f"{path} is not a readable .safetensors")):
        nn.load_model(path)


@pytest.mark.torch
def test_pytorch_reads_a_file_with_an_architecture(tmp_path):
    torch = pytest.importorskip("torch")
    from safetensors.torch import load_file

    model = mnist_mlp()
    model.save(tmp_path / "m.safetensors")
    reference = torch.nn.Sequential(
        torch.nn.Linear(784, 128), torch.nn.ReLU(), torch.nn.Linear(128, 10)
    )
    reference.load_state_dict(load_file(tmp_path / "m.safetensors"))  # strict
    rebuilt = nn.to_torch(nn.load_model(tmp_path / "m.safetensors"))
    x = np.random.default_rng(0).random((3, 784), dtype=np.float32)
    with torch.no_grad():
        np.testing.assert_array_equal(
            rebuilt(torch.from_numpy(x)).numpy(), reference(torch.from_numpy(x)).numpy()
        )
