"""A fresh clone of this checkout and one command run in it, each line of its output timed: what a
newcomer (or CI) gets from `git clone` and `make`, measured from the moment the clone starts.

The clone is of the checkout's committed HEAD (uncommitted changes are not in it), in a temporary
folder removed afterwards. The command runs without this process's virtual environment or
`PYTHONPATH`, so it installs and imports only what the clone itself makes.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class TimedLine:
    """A line the command printed, with the seconds since the clone started."""

    at_s: float
    text: str


@dataclass(frozen=True)
class CloneRun:
    """The clone's own seconds, the command's exit code and its lines (stdout and stderr as one)."""

    clone_s: float
    returncode: int
    lines: tuple[TimedLine, ...]

    def first(self, marker: str) -> TimedLine | None:
        """The first line holding `marker`, or None."""
        return next((line for line in self.lines if marker in line.text), None)


def clean_env() -> dict[str, str]:
    """This process's environment without what points at its own virtual environment or code."""
    env = {k: v for k, v in os.environ.items() if k not in {"VIRTUAL_ENV", "PYTHONPATH"}}
    own_bin = str(Path(sys.prefix) / "bin")
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep) if p != own_bin)
    return env


def _kill_group(child: subprocess.Popen[str]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(child.pid, signal.SIGKILL)


def run_in_fresh_clone(
    repo: Path,
    command: list[str],
    *,
    answer: Callable[[str], str | None] | None = None,
    echo: bool = False,
    timeout_s: float = 3600.0,
) -> CloneRun:
    """Clone `repo` into a new folder and run `command` there, killed after `timeout_s`. `answer`
    is given each line as it comes; what it returns is written to the command's input, which is
    closed after the first answer (a piped console reads to the end of its input, then exits);
    without `answer` the input is empty. With `echo` the lines are also shown on stderr."""
    with tempfile.TemporaryDirectory(prefix="quizmaster-clone-") as folder:
        clone = Path(folder) / "quizmaster"
        started = time.monotonic()
        subprocess.run(["git", "clone", "-q", str(repo), str(clone)], check=True)
        clone_s = time.monotonic() - started
        child = subprocess.Popen(
            command,
            cwd=clone,
            env=clean_env(),
            stdin=subprocess.DEVNULL if answer is None else subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            bufsize=1,
            start_new_session=True,  # make's children (the bot, pytest's workers) go with it
        )
        assert child.stdout is not None
        lines = []
        watchdog = threading.Timer(timeout_s, _kill_group, [child])
        watchdog.start()
        try:
            for raw in child.stdout:
                text = raw.rstrip("\n")
                lines.append(TimedLine(time.monotonic() - started, text))
                if echo:
                    print(text, file=sys.stderr, flush=True)
                if answer is not None and child.stdin is not None and not child.stdin.closed:
                    reply = answer(text)
                    if reply is not None:
                        child.stdin.write(reply)
                        child.stdin.close()
            returncode = child.wait()
        finally:
            watchdog.cancel()
            if child.poll() is None:
                _kill_group(child)
                child.wait()
        return CloneRun(clone_s, returncode, tuple(lines))
