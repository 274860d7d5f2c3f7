"""The project works from a fresh clone with nothing beside it."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# Spelled in pieces so that this file does not match itself.
OUTSIDE = ".." + "/shared"


def _tracked_files() -> list[Path]:
    try:
        out = subprocess.run(
            ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git clone: the tracked files are unknown")
    return [ROOT / name for name in out.decode().split("\0") if name]


def test_no_file_refers_to_a_folder_beside_the_clone():
    offenders = []
    for path in _tracked_files():
        if path.suffix == ".gz" or not path.is_file():
            continue
        text = path.read_text(errors="replace")
        if OUTSIDE in text or "shared" + "/data" in text:
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


def test_ci_runs_the_readme_test_command_and_nothing_else():
    ci = (ROOT / ".ci" / "run").read_text()
    assert "make test" in (ROOT / "README.md").read_text()
    commands = [
        line.strip()
        for line in ci.splitlines()
        if line.strip() and not line.lstrip().startswith(("#", "set ", "cd "))
    ]
    assert commands == ["make test"]
