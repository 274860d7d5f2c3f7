"""``autograd-lite export``: a saved model rebuilt from its file alone and written as ONNX,
.safetensors or .npz, one line per file; every mistake one line with status 2 (before any
work) or 1 (while working), never a traceback. ``train --save`` in both formats."""

from __future__ import annotations

import errno
import os
import subprocess
import sys

import numpy as np
import onnxruntime as ort
import pytest

import nn
import nn.cli.export
from nn.cli import main
from tests.nn.test_cli_args import ROOT, usage_error
from tests.nn.test_cli_args import unwritable_folder as unwritable_folder  # a fixture


def small_model() -> nn.Sequential:
    return nn.Sequential(
        nn.Linear(4, 8, rng=0), nn.Tanh(), nn.Dropout(0.1), nn.Linear(8, 3, rng=1), nn.LogSoftmax()
    )


@pytest.fixture
def saved(tmp_path):
    """A small model, saved in both formats."""
    model = small_model()
    for suffix in (".npz", ".safetensors"):
        model.save(tmp_path / f"m{suffix}")
    return model, tmp_path


def run_onnx(path, x: np.ndarray) -> np.ndarray:
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1  # the test machine's cores are shared
    session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    return session.run(None, {"input": x})[0]


@pytest.mark.parametrize("source", ["m.npz", "m.safetensors"])
def test_export_writes_every_file_with_one_line_each(saved, source, capsys):
    model, folder = saved
    onnx, npz, st = folder / "out.onnx", folder / "out.npz", folder / "out.safetensors"
    argv = ["export", str(folder / source), "--onnx", str(onnx), "--npz", str(npz)]
    assert main([*argv, "--safetensors", str(st)]) == 0
    assert capsys.readouterr().out.splitlines() == [
        f"wrote {onnx} (ONNX opset 17, input of shape (batch, 4))",
        f"wrote {st} (weights and architecture)",
        f"wrote {npz} (weights and architecture)",
    ]
    x = np.random.default_rng(0).normal(size=(9, 4)).astype(np.float32)
    expected = model.eval()(x).data
    np.testing.assert_allclose(run_onnx(onnx, x), expected, rtol=1e-5, atol=1e-5)
    for path in (npz, st):
        loaded = nn.load_model(path)
        assert repr(loaded) == repr(model)
        np.testing.assert_array_equal(loaded.eval()(x).data, expected)


def test_a_model_that_starts_with_flatten_needs_the_input_shape(tmp_path, capsys):
    model = nn.Sequential(nn.Flatten(), nn.Linear(6, 2, rng=0))
    model.save(tmp_path / "f.npz")
    argv = ["export", str(tmp_path / "f.npz"), "--onnx", str(tmp_path / "f.onnx")]
    line = usage_error(argv, capsys)
    assert line.endswith(
        "argument --input-shape: expected --input-shape SHAPE for a model that starts with "
        "Flatten, got none"
    )
    line = usage_error([*argv, "--input-shape", "4,4"], capsys)
    assert (
        "argument --input-shape: expected the shape of one input the model takes, got 4,4 (" in line
    )
    assert not (tmp_path / "f.onnx").exists()
    assert main([*argv, "--input-shape", "2,3"]) == 0
    assert "input of shape (batch, 2, 3)" in capsys.readouterr().out
    x = np.random.default_rng(1).normal(size=(5, 2, 3)).astype(np.float32)
    np.testing.assert_allclose(run_onnx(tmp_path / "f.onnx", x), model(x).data, atol=1e-6)


def test_the_input_shape_skips_layers_that_keep_shapes():
    nested = nn.Sequential(nn.Dropout(), nn.Sequential(nn.ReLU(), nn.Linear(5, 2)))
    assert nn.cli.export.input_shape(nested) == (5,)


def usage_cases(folder):
    (folder / "dir.npz").mkdir()
    m = str(folder / "m.npz")
    onnx = str(folder / "o.onnx")
    return [
        (["export", str(folder / "no.npz"), "--onnx", onnx],
         f"argument MODEL: expected an existing file, got '{folder / 'no.npz'}' (no such file)"),
        (["export", str(folder / "dir.npz"), "--onnx", onnx],
         "argument MODEL: expected a file, got"),
        (["export", str(folder / "m.pt"), "--onnx", onnx],
         "argument MODEL: expected a file name ending in one of .npz, .safetensors, got"),
        (["export", m], "argument --onnx/--safetensors/--npz: expected at least one output file, "
         "got none"),
        (["export", m, "--onnx", str(folder / "o.txt")],
         "argument --onnx: expected a file name ending in .onnx, got"),
        (["export", m, "--npz", str(folder / "o.safetensors")],
         "argument --npz: expected a file name ending in .npz, got"),
        (["export", m, "--onnx", str(folder / "no" / "o.onnx")],
         "argument --onnx: expected a file in an existing folder, got"),
        (["export", m, "--onnx", onnx, "--input-shape", "28x28"],
         "argument --input-shape: expected positive integers separated by commas, got '28x28'"),
        (["export", m, "--onnx", onnx, "--input-shape", "4,0"],
         "argument --input-shape: expected positive integers separated by commas, got '4,0'"),
    ]  # fmt: skip


def test_mistakes_are_one_usage_line_and_nothing_is_written(saved, capsys):
    _, folder = saved
    before = sorted(os.listdir(folder))
    for argv, message in usage_cases(folder):
        line = usage_error(argv, capsys)
        assert line.startswith("autograd-lite export: error: ") and message in line, line
    assert sorted(os.listdir(folder)) == sorted([*before, "dir.npz"])


def test_an_unwritable_output_is_refused_before_loading(saved, unwritable_folder, capsys):
    _, folder = saved
    target = unwritable_folder / "m.onnx"
    line = usage_error(["export", str(folder / "m.npz"), "--onnx", str(target)], capsys)
    assert f"argument --onnx: expected a file it can write, got '{target}' (cannot write in" in line


@pytest.mark.parametrize(
    ("package", "option", "suffix"),
    [("onnx", "--onnx", ".onnx"), ("safetensors", "--safetensors", ".safetensors")],
)
def test_a_missing_package_is_a_usage_line(saved, monkeypatch, capsys, package, option, suffix):
    _, folder = saved
    monkeypatch.setitem(sys.modules, package, None)  # as if it were not installed
    line = usage_error(
        ["export", str(folder / "m.npz"), option, str(folder / f"o{suffix}")], capsys
    )
    assert line.endswith(
        f"argument {option}: expected the {package} package for {suffix} files (pip install "
        f"{package}, or pip install 'autograd-lite[export]'), got none"
    )
    if package == "safetensors":  # reading one needs it too
        line = usage_error(["export", str(folder / "m.safetensors"), "--npz", "o.npz"], capsys)
        assert "argument MODEL: expected the safetensors package for .safetensors files" in line
    assert not any(name.startswith("o.") for name in os.listdir(folder))


class Custom(nn.Module):
    def __init__(self):
        self.layer = nn.Linear(2, 2, rng=0)


def test_a_file_without_architecture_is_one_failure_line(tmp_path, capsys):
    path = tmp_path / "custom.safetensors"
    Custom().save(path)
    assert main(["export", str(path), "--onnx", str(tmp_path / "c.onnx")]) == 1
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.count("\n") == 1
    assert captured.err.startswith(
        f"autograd-lite export: load_model: {path} was saved without an architecture"
    )
    assert captured.err.endswith("; build the model and call model.load(path)\n")
    assert not (tmp_path / "c.onnx").exists()


def test_a_damaged_file_is_one_failure_line(tmp_path, capsys):
    path = tmp_path / "broken.npz"
    path.write_bytes(b"PK\x03\x04 cut short")
    assert main(["export", str(path), "--safetensors", str(tmp_path / "b.safetensors")]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"autograd-lite export: load: {path} is a damaged .npz archive")
    assert err.count("\n") == 1


def test_a_full_disk_is_one_failure_line(saved, monkeypatch, capsys):
    _, folder = saved

    def disk_full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device", str(folder / "o.onnx"))

    monkeypatch.setattr(nn, "export_onnx", disk_full)
    assert main(["export", str(folder / "m.npz"), "--onnx", str(folder / "o.onnx")]) == 1
    assert capsys.readouterr().err == (
        f"autograd-lite export: cannot write {folder / 'o.onnx'}: [Errno 28] No space left on "
        f"device: '{folder / 'o.onnx'}'\n"
    )


def test_a_real_process_exits_with_the_status_and_no_traceback(saved):
    _, folder = saved
    Custom().save(folder / "custom.npz")
    for argv, status in [
        (["export", str(folder / "m.npz"), "--onnx", str(folder / "p.onnx")], 0),
        (["export", str(folder / "missing.npz"), "--onnx", str(folder / "p.onnx")], 2),
        (["export", str(folder / "custom.npz"), "--onnx", str(folder / "q.onnx")], 1),
    ]:
        run = subprocess.run(
            [sys.executable, "-m", "nn.cli", *argv], cwd=ROOT, capture_output=True, text=True
        )
        assert run.returncode == status, run.stderr
        assert "Traceback" not in run.stderr
        assert len(run.stdout.splitlines() if status == 0 else run.stderr.splitlines()[-1:]) == 1


def test_help_lists_export_and_its_default(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    assert (
        "export    convert a saved model to ONNX, .safetensors or .npz" in capsys.readouterr().out
    )
    with pytest.raises(SystemExit):
        main(["export", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert "(default: the input size of the first Linear layer)" in out
    assert "(default: None)" not in out


@pytest.mark.parametrize("suffix", [".safetensors", ".npz"])
def test_train_saves_a_model_export_can_read(tmp_path, capsys, suffix):
    path = tmp_path / f"moons{suffix}"
    argv = ["train", "--dataset", "moons", "--hidden", "8", "--epochs", "1", "--no-progress"]
    assert main([*argv, "--save", str(path)]) == 0
    assert capsys.readouterr().out.endswith(f"saved the model to {path}\n")
    model = nn.load_model(path)
    assert repr(model) == repr(nn.cli.train.build_mlp(2, [8], 2, "relu", 0))
    assert main(["export", str(path), "--onnx", str(tmp_path / "moons.onnx")]) == 0
    x = np.random.default_rng(0).normal(size=(6, 2)).astype(np.float32)
    np.testing.assert_allclose(run_onnx(tmp_path / "moons.onnx", x), model(x).data, atol=1e-5)
