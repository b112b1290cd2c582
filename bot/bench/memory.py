"""`bench memory`: peak resident memory of a real console bot with the model loaded.

The bot runs as its own process, exactly as `quizmaster run` starts it, grades one answer from
stdin and exits; `wait4` then gives that one child's peak RSS, which is what a host must provide.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bot.bench.table import Outcome, report
from bot.config import Settings

RSS_TARGET_MB = 900.0
TIMEOUT_S = 300.0
ANSWER = "ReLU keeps gradients alive where sigmoid saturates, so deep networks train faster."
_GRADED = re.compile(r"\b\d{1,3}/100\b")
_LOADED = re.compile(r"embedding model (.+) loaded on (\w+)")


def _wait_with_usage(proc: subprocess.Popen[bytes], timeout: float) -> tuple[int, int]:
    """(exit status, peak RSS in KiB) of this child only; killed after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid == proc.pid:
            proc.returncode = os.waitstatus_to_exitcode(status)
            return proc.returncode, usage.ru_maxrss
        if time.monotonic() > deadline:
            proc.kill()
        time.sleep(0.05)


def measure(settings: Settings, workdir: Path) -> Outcome:
    env = {
        **os.environ,
        "QUIZMASTER_DEMOS": "false",
        "QUIZMASTER_EMBEDDING_MODEL": settings.embedding_model,
        "QUIZMASTER_EMBEDDING_DEVICE": settings.embedding_device,
        "QUIZMASTER_CACHE_DIR": str(settings.cache_dir.resolve()),
        "QUIZMASTER_LOG_LEVEL": "INFO",
    }
    script = workdir / "stdin.txt"
    script.write_text(f"{ANSWER}\n", encoding="utf-8")
    out, err = workdir / "stdout.txt", workdir / "stderr.txt"
    command = [sys.executable, "-m", "bot.cli", "run", "--platform", "console"]
    command += ["--db", str(workdir / "q.db")]
    with script.open("rb") as stdin, out.open("wb") as stdout, err.open("wb") as stderr:
        proc = subprocess.Popen(
            command, stdin=stdin, stdout=stdout, stderr=stderr, cwd=workdir, env=env
        )
        code, peak_kib = _wait_with_usage(proc, TIMEOUT_S)
    stdout_text = out.read_text(encoding="utf-8", errors="replace")
    stderr_text = err.read_text(encoding="utf-8", errors="replace")
    loaded = _LOADED.search(stderr_text)
    graded = _GRADED.search(stdout_text) is not None
    peak_mb = peak_kib / 1024
    met = peak_mb < RSS_TARGET_MB
    payload = {
        "bench": "memory",
        "peak_rss_mb": round(peak_mb, 1),
        "target": f"< {RSS_TARGET_MB:g} MB",
        "target_met": met,
        "exit_code": code,
        "answer_graded": graded,
        "model": loaded.group(1) if loaded else None,
        "device": loaded.group(2) if loaded else None,
    }
    notes = [f"model {payload['model']} on {payload['device']}; demos off"]
    if code != 0 or not graded:
        notes.append(f"the bot did not grade the answer (exit {code}); stderr tail:")
        notes.extend(stderr_text.strip().splitlines()[-5:])
    return Outcome(
        title="memory: console bot, model loaded, one answer",
        headers=["metric", "value", "target", "met"],
        rows=[
            ["peak RSS MB", peak_mb, f"< {RSS_TARGET_MB:g}", met],
            ["answer graded", graded, True, graded],
        ],
        payload=payload,
        notes=notes,
    )


def main(argv: list[str], settings: Settings) -> int:
    parser = argparse.ArgumentParser(
        prog="quizmaster bench memory",
        description="Peak RSS of `quizmaster run --platform console` grading one answer.",
    )
    parser.add_argument("--json", action="store_true", help="end with one JSON line")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="quizmaster-bench-") as tmp:
        outcome = measure(settings, Path(tmp))
    report(outcome, as_json=args.json)
    return 0 if outcome.payload["answer_graded"] else 1
