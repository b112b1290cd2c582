"""`make test` as CI runs it (`.ci/run`): the files listed longest first go out first (xdist
keeps the collection order only with `--no-loadscope-reorder`), and the run ends with its
slowest set-ups and tests."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path

from compute.device import cpu_cores
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


TORCH_THREADS_HERE_AND_IN_A_CHILD = (
    "import subprocess, sys; import tests.conftest, torch; print(torch.get_num_threads()); "
    "subprocess.run([sys.executable, '-c', 'import torch; print(torch.get_num_threads())'])"
)


def test_a_worker_and_the_processes_it_starts_take_their_share_of_the_cores() -> None:
    """A worker of `-n 2` (xdist tells it the count) runs torch on half the cores, and so do the
    bots it starts as processes: two workers at torch's default spun four threads on two cores."""
    env = {key: value for key, value in os.environ.items() if key != "OMP_NUM_THREADS"}
    printed = subprocess.run(
        [sys.executable, "-c", TORCH_THREADS_HERE_AND_IN_A_CHILD],
        cwd=REPO_ROOT,
        env=env | {"PYTEST_XDIST_WORKER_COUNT": "2"},
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert printed == [str(max(1, cpu_cores() // 2))] * 2


BURN = "import time\nend = time.process_time() + 0.6\nwhile time.process_time() < end:\n    pass\n"
TIMED_FILES = {
    "test_burns.py": f"def test_burns() -> None:\n    {BURN.replace(chr(10), chr(10) + '    ')}\n",
    "test_sleeps.py": "import time\n\n\ndef test_sleeps() -> None:\n    time.sleep(0.6)\n",
    "test_starts_a_process.py": (
        "import subprocess, sys\n\n\ndef test_starts_a_process() -> None:\n"
        f"    subprocess.run([sys.executable, '-c', {BURN!r}], check=True)\n"
    ),
}


def test_the_run_ends_with_the_cpu_seconds_of_each_file(tmp_path: Path) -> None:
    """Wall time counts waiting; the summary counts work, the test process's and the
    processes' it waited for, summed over xdist's workers."""
    for name, source in TIMED_FILES.items():
        (tmp_path / name).write_text(source, encoding="utf-8")
    printed = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "tests.cpu_time", "-n", "2", "-q"],
        cwd=tmp_path,
        env=os.environ | {"PYTHONPATH": str(REPO_ROOT)},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    summary = printed.split("CPU seconds by test file")[1].splitlines()[1:]
    seconds = {line.split()[1]: float(line.split()[0].rstrip("s")) for line in summary if line}
    assert seconds["test_burns.py"] >= 0.5, printed
    assert seconds["test_starts_a_process.py"] >= 0.5, printed
    assert seconds["test_sleeps.py"] < 0.3, printed
