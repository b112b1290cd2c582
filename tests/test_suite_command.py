"""`make test` as CI runs it (`.ci/run`): the files listed longest first go out first (xdist
keeps the collection order only with `--no-loadscope-reorder`), and the run ends with its
slowest set-ups and tests."""

from __future__ import annotations

import shlex
import subprocess
from pathlib import Path

from tests.conftest import LONGEST_FILES_FIRST

REPO_ROOT = Path(__file__).resolve().parents[1]


def _pytest_command(target: str) -> list[str]:
    """The pytest command line `make TARGET` runs (`make -n` prints it, running nothing)."""
    printed = subprocess.run(
        ["make", "-n", "--no-print-directory", target],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    [line] = [line for line in printed.splitlines() if " -m pytest " in line]
    return shlex.split(line)


def test_ci_runs_make_test() -> None:
    ci = (REPO_ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert ci[-1] == "make test"


def test_make_test_hands_out_the_longest_files_first_and_prints_the_slowest() -> None:
    for target in ("test", "test-heavy"):
        command = _pytest_command(target)
        assert command[command.index("--dist") + 1] == "loadfile"
        assert "--no-loadscope-reorder" in command, target
        assert any(arg.startswith("--durations=") for arg in command), target
    assert all((REPO_ROOT / path).is_file() for path in LONGEST_FILES_FIRST)
