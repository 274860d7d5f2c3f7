"""The command line's checks: values, output files, --version, --help, a closed pipe."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

import autograd_lite
import nn.cli.train
from nn.cli import main, version

ROOT = Path(__file__).resolve().parents[2]


def usage_error(argv, capsys):
    """Run `argv`, expecting argparse's usage error: status 2, one error line, no traceback."""
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == 2
    err = capsys.readouterr().err
    errors = [line for line in err.splitlines() if ": error: " in line]
    assert len(errors) == 1 and "Traceback" not in err, err
    return errors[0]


@pytest.fixture
def no_training(monkeypatch):
    """Every check runs before the work: fail loudly if data is loaded or a model trained."""

    def refuse(*args, **kwargs):
        raise AssertionError("the command started working before checking its options")

    monkeypatch.setattr(nn.cli.train, "load_task", refuse)
    monkeypatch.setattr(nn.cli.train, "fit", refuse)


BAD_VALUES = [
    (["train", "--seed", "-1"], "argument --seed: expected an integer >= 0, got '-1'"),
    (["train", "--hidden", "0"], "argument --hidden: expected an integer >= 1, got '0'"),
    (["train", "--hidden", "8", "--hidden", "-2"], "--hidden: expected an integer >= 1"),
    (["train", "--lr", "nan"], "argument --lr: expected a finite number > 0, got 'nan'"),
    (["train", "--lr", "inf"], "argument --lr: expected a finite number > 0, got 'inf'"),
    (["train", "--lr", "0"], "argument --lr: expected a finite number > 0, got '0'"),
    (["train", "--lr=-1e-3"], "argument --lr: expected a finite number > 0, got '-1e-3'"),
    (["train", "--lr", "fast"], "argument --lr: expected a finite number > 0, got 'fast'"),
    (["train", "--epochs", "-3"], "argument --epochs: expected an integer >= 1, got '-3'"),
    (["train", "--epochs", "0"], "argument --epochs: expected an integer >= 1, got '0'"),
    (["train", "--epochs", "1.5"], "argument --epochs: expected an integer >= 1, got '1.5'"),
    (["train", "--batch-size", "0"], "argument --batch-size: expected an integer >= 1, got '0'"),
    (["draw", "neuron", "--max-nodes", "0"], "--max-nodes: expected an integer >= 1, got '0'"),
    (["draw", "neuron", "--step", "-1"], "argument --step: expected an integer >= 0, got '-1'"),
    (["draw", "neuron", "--step", "10"], r"argument --step: expected K in 0..9, got 10"),
]


@pytest.mark.parametrize(("argv", "message"), BAD_VALUES, ids=[" ".join(a) for a, _ in BAD_VALUES])
def test_nonsense_values_are_one_usage_line(argv, message, capsys, no_training):
    line = usage_error(argv, capsys)
    assert line.startswith(f"autograd-lite {argv[0]}: error: ") and message in line


def test_output_files_are_checked_before_training(tmp_path, capsys, no_training):
    cases = [
        (["--plot", "/nonexistent/p.png"], "--plot: expected a file in an existing folder, got "
         "'/nonexistent/p.png' (no folder /nonexistent)"),
        (["--save", str(tmp_path / "no" / "m.npz")], "--save: expected a file in an existing"),
        (["--save", str(tmp_path / "m.pt")], "--save: expected a file name ending in one of .npz, "
         ".safetensors, got"),
        (["--save", str(tmp_path)], "--save: expected a file name ending in one of .npz, "),
        (["--plot", str(tmp_path / "c.xyz")], "--plot: expected a file name ending in one of "),
        (["--plot", str(tmp_path / "c.png"), "--save", "/nonexistent/m.npz"], "--save: "),
    ]  # fmt: skip
    (tmp_path / "folder.npz").mkdir()
    cases.append((["--save", str(tmp_path / "folder.npz")], "--save: expected a file name, got "))
    for args, message in cases:
        assert message in usage_error(["train", "--dataset", "moons", *args], capsys)
    assert sorted(os.listdir(tmp_path)) == ["folder.npz"]  # the checks leave nothing behind


@pytest.fixture
def unwritable_folder(tmp_path):
    """A folder no file can be created in: mode 0o500, or (root ignores modes) /sys."""
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        for candidate in (folder, Path("/sys")):
            try:
                fd, probe = tempfile.mkstemp(dir=candidate)
            except OSError:
                yield candidate
                return
            os.close(fd)
            os.remove(probe)
        pytest.skip("found no folder this user cannot write in")
    finally:
        folder.chmod(0o700)


def test_an_unwritable_output_is_refused_before_training(unwritable_folder, capsys, no_training):
    target = unwritable_folder / "curves.png"
    line = usage_error(["train", "--plot", str(target)], capsys)
    assert f"--plot: expected a file it can write, got '{target}' (cannot write in" in line


def test_an_existing_output_is_checked_without_changing_it(tmp_path, capsys, no_training):
    existing = tmp_path / "m.npz"
    existing.write_bytes(b"old weights")
    with pytest.raises(AssertionError, match="started working"):  # the checks passed
        main(["train", "--dataset", "moons", "--save", str(existing)])
    assert existing.read_bytes() == b"old weights"


def test_version(capsys, monkeypatch):
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0
    assert capsys.readouterr().out == f"autograd-lite {version()}\n"
    from importlib import metadata

    def not_installed(name):
        raise metadata.PackageNotFoundError(name)

    monkeypatch.setattr(metadata, "version", not_installed)
    assert version() == autograd_lite.__version__


def test_help_shows_the_defaults(capsys):
    for argv, shown in [
        (["train", "--help"], ["(default: 0.001)", "(default: adam)", "(default: 32)",
                               "(default: 5)", "(default: mnist)", "default: one layer of 128"]),
        (["draw", "--help"], ["(default: 250)", "(default: LR)"]),
    ]:  # fmt: skip
        with pytest.raises(SystemExit):
            main(argv)
        out = " ".join(capsys.readouterr().out.split())  # argparse wraps lines
        assert all(text in out for text in shown), out
        assert "(default: None)" not in out and "(default: False)" not in out


def run_cli(*argv, **kwargs):
    return subprocess.run(
        [sys.executable, "-m", "nn.cli", *argv], cwd=ROOT, capture_output=True, text=True, **kwargs
    )


def test_exit_status_and_one_line_from_a_real_process(tmp_path):
    run = run_cli("train", "--plot", str(tmp_path / "no" / "p.png"), "--epochs", "1")
    assert run.returncode == 2 and run.stdout == ""
    assert run.stderr.splitlines()[-1].startswith("autograd-lite train: error: argument --plot")
    assert "Traceback" not in run.stderr


@pytest.mark.parametrize("fmt", ["text", "dot"])
def test_a_closed_pipe_is_quiet(fmt):
    """``autograd-lite draw ... | head``: the reader is gone before anything is written."""
    process = subprocess.Popen(
        [sys.executable, "-m", "nn.cli", "draw", "mlp", "--format", fmt],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    process.stdout.close()  # closed before the child has even imported numpy
    err = process.stderr.read().decode()
    process.stderr.close()
    assert process.wait(timeout=60) == 1
    assert err == ""
