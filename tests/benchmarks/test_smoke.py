"""Every benchmark runs at a tiny size, so none can rot. No test here asserts a time."""

from __future__ import annotations

import pytest

from benchmarks.__main__ import BENCHMARKS, main


@pytest.mark.parametrize("name", list(BENCHMARKS))
def test_benchmark_runs_and_prints_a_table(name, capsys):
    main(["--smoke", name])
    out = capsys.readouterr().out
    assert out.startswith("# Python")
    title, _, body = out.partition("## ")[2].partition("\n")
    assert title and any(ch.isdigit() for ch in body)  # a table of numbers under a title


def test_unknown_benchmark_names_are_rejected(capsys):
    with pytest.raises(SystemExit):
        main(["no-such-benchmark"])
    assert "unknown benchmark" in capsys.readouterr().err
