"""`python -m bot.cli ...` as its own process, for tests of what the real command prints and
exits with (settings errors, refusals, secrets that must not appear)."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path


def run_quizmaster(
    args: Sequence[str],
    *,
    env: Mapping[str, str],
    cwd: Path,
    stdin: str | None = None,
    timeout: float = 120,
) -> subprocess.CompletedProcess[str]:
    """Run `quizmaster ARGS` with exactly `env` (and `stdin` piped in), capturing text output;
    never raises on a non-zero exit."""
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        input=stdin,
        env=dict(env),
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


async def start_quizmaster(
    args: Sequence[str], *, env: Mapping[str, str], cwd: Path
) -> asyncio.subprocess.Process:
    """`quizmaster ARGS` as a child of the test's event loop (stdin, stdout, stderr piped), for
    tests that talk to it, signal it, or keep a loopback fake serving while it runs."""
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.cli",
        *args,
        env=dict(env),
        cwd=cwd,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
