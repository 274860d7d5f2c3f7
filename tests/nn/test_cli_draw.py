"""``autograd-lite draw``: every example in every format, paths, replay steps, errors."""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import pytest

from nn.cli import EXAMPLES, build_parser, main

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("example", sorted(EXAMPLES))
def test_each_example_renders_to_svg(example, tmp_path, capsys):
    out = tmp_path / f"{example}.svg"
    assert main(["draw", example, "-o", str(out)]) == 0
    assert "<svg" in out.read_text(encoding="utf-8")
    assert f"wrote {out}" in capsys.readouterr().out


def test_png_paths_and_step_pictures(tmp_path):
    png = tmp_path / "chain.png"
    assert main(["draw", "chain", "--paths", "-o", str(png)]) == 0
    assert png.read_bytes()[:4] == b"\x89PNG"
    dot = tmp_path / "mlp.dot"
    assert main(["draw", "mlp", "--paths", "-o", str(dot)]) == 0
    assert "chain-rule paths from w0 to loss" in dot.read_text(encoding="utf-8")
    step = tmp_path / "step.svg"
    assert main(["draw", "neuron", "--step", "2", "--format", "svg", "-o", str(step)]) == 0
    assert "backward, step 2 (of steps 0 to 9)" in step.read_text(encoding="utf-8")


def test_text_goes_to_stdout_without_o(capsys):
    assert main(["draw", "neuron", "--edge-derivatives"]) == 0
    text = capsys.readouterr().out
    assert text.startswith("o = 0.7071  grad 1  (tanh)") and "[∂ 0.5] n" in text
    assert main(["draw", "chain", "--paths", "--format", "text"]) == 0
    table = capsys.readouterr().out
    assert "w1 -> z1 -> a1 -> z2 -> a2 -> z3 -> a3 -> a3 - y -> C" in table
    assert main(["draw", "neuron", "--step", "1", "--format", "text"]) == 0
    assert capsys.readouterr().out.splitlines()[-1].startswith("step 1: n got 0.5 from o")
    assert main(["draw", "mlp", "--format", "dot"]) == 0
    assert capsys.readouterr().out.startswith('digraph "graph"')


def test_chain_gradient_is_the_tutorials_product():
    ex = EXAMPLES["chain"]()
    (w1, b1, w2, b2, w3, b3) = ex.parameters
    a, zs = 1.0, []
    for w, b in ((w1, b1), (w2, b2), (w3, b3)):
        zs.append(w.data * a + b.data)
        a = 1.0 / (1.0 + math.exp(-zs[-1]))
    s = [1.0 / (1.0 + math.exp(-z)) for z in zs]
    ds = [x * (1.0 - x) for x in s]
    # dC/dw1 = a0 σ'(z1) w2 σ'(z2) w3 σ'(z3) 2(a3 - y)
    expected = 1.0 * ds[0] * w2.data * ds[1] * w3.data * ds[2] * 2.0 * (s[2] - 1.0)
    assert w1.grad == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize(
    ("name", "fmt", "magic"),
    [
        ("c.jpg", None, b"\xff\xd8\xff"),
        ("c.JPEG", None, b"\xff\xd8\xff"),
        ("c.jpeg", "jpg", b"\xff\xd8\xff"),
        ("c.gif", None, b"GIF8"),
        ("c.pdf", "pdf", b"%PDF"),
        ("c.gv", None, b"digraph"),
        ("c.txt", None, b"C = "),
        ("picture", "png", b"\x89PNG"),  # no suffix: --format decides
    ],
)
def test_the_suffix_names_the_format_written(name, fmt, magic, tmp_path):
    out = tmp_path / name
    assert main(["draw", "chain", "-o", str(out), *(["--format", fmt] if fmt else [])]) == 0
    assert out.read_bytes().startswith(magic)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["-o", "c.jpg", "--format", "png"],
            "expected a file name ending in .png for --format png",
        ),
        (["-o", "c.svg", "--format", "text"], "ending in .txt for --format text, got"),
        (["-o", "c.xyz"], "expected a file name ending in one of .dot, .gif, .gv, .jpeg, .jpg,"),
        (["-o", "c.svgz"], "ending in one of"),
        (["--format", "png"], "argument -o/--output: expected -o FILE for png output, got none"),
        (["--html", "c.svg"], "argument --html: expected a file name ending in one of .htm, .html"),
        (["--html", "c.html", "--step", "2"], "expected --html without -o, --format or --step"),
        (["--html", "c.html", "-o", "c.svg"], "got --html with -o"),
    ],
)
def test_a_suffix_that_cannot_be_written_is_a_usage_error(args, message, tmp_path, capsys):
    args = [str(tmp_path / a) if a.startswith("c.") else a for a in args]
    with pytest.raises(SystemExit) as info:
        main(["draw", "chain", *args])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert "autograd-lite draw: error: " in err and message in err
    assert list(tmp_path.iterdir()) == []  # nothing written


def test_html_writes_the_player_of_the_replay_or_of_the_paths(tmp_path, capsys):
    page = tmp_path / "replay.html"
    assert main(["draw", "neuron", "--html", str(page)]) == 0
    assert capsys.readouterr().out == f"wrote {page} (6 forward, then 10 backward steps)\n"
    assert page.read_text(encoding="utf-8").count("<figure ") == 16
    assert main(["draw", "mlp", "--paths", "--html", str(page), "--rankdir", "TB"]) == 0
    assert "(6 chain-rule paths, then their sum)" in capsys.readouterr().out
    text = page.read_text(encoding="utf-8")
    assert text.count("<figure ") == 7 and 'data-caption="chain rule, path 6 of 6: w0 -&gt;' in text


def test_errors(tmp_path, capsys, monkeypatch):
    with pytest.raises(SystemExit) as info:
        main(["draw", "nope"])
    assert info.value.code == 2 and "invalid choice: 'nope'" in capsys.readouterr().err
    monkeypatch.setenv("PATH", str(tmp_path))  # no `dot` anywhere
    assert main(["draw", "neuron", "-o", str(tmp_path / "n.svg")]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "apt-get install graphviz" in err
    assert main(["draw", "neuron", "--html", str(tmp_path / "n.html")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("autograd-lite draw: cannot write") and "apt-get install graphviz" in err


def test_subcommands_are_extensible_and_module_runs():
    parser = build_parser()
    (commands,) = [a for a in parser._actions if a.dest == "command"]
    assert "draw" in commands.choices
    run = subprocess.run(
        [sys.executable, "-m", "nn.cli", "draw", "neuron", "--format", "text"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert run.stdout.startswith("o = 0.7071")
