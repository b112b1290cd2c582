"""`bench first-start`: the console bot's start as a new user sees it, in one run: seconds from the
spawn to the first line on screen, to the first line saying what the start is doing (a progress
line), and to the first question, for

- a first start (empty cache folder, new database), its output read through pipes, as
  `make run | tee`, `docker compose logs` or a service manager read it;
- the same on a pseudo-terminal, as `make run` in a terminal;
- a later start on the cache the first one left (warm);
- a later start after one team question joined the bank (a bank file in `QUIZMASTER_BANK_DIR`)
  on a copy of that cache.

Targets (issue 61): the first question within 15 s of a first start, a progress line within 5 s
on a pipe, and a start after adding one question within 10 s of the warm start. A terminal shows
the encoding bar only when something is encoded, so its progress line may not come at all.
"""

from __future__ import annotations

import argparse
import os
import pty
import re
import select
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bot.config import Settings
from bot.core.texts import template
from tools.bench.startup import child_env
from tools.bench.table import Cell, Outcome, report

TIMEOUT_S = 600.0
FIRST_QUESTION_S = 15.0
PROGRESS_S = 5.0
ADDED_OVER_WARM_S = 10.0
TEAM_BANK = """\
bank: bench-team
version: 1
prompts:
- id: bench-team-001
  text:
    ko: 과적합이란 무엇이고 어떻게 줄일 수 있나?
    en: What is overfitting, and how can it be reduced?
  topics: [bench-team]
  references:
  - lang: ko
    text: >-
      과적합은 모델이 훈련 데이터의 잡음까지 외워서 새 데이터에서 성능이 떨어지는
      현상이다. 데이터를 늘리거나 정규화, 드롭아웃, 조기 종료로 줄인다.
  concepts:
  - {id: dropout, ko: 드롭아웃, en: dropout}
"""
"""One team question: what a team adds on the web page or in a bank file after the first start."""
_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
_TITLES = tuple(template(lang, "question_title").split("{")[0] for lang in ("ko", "en"))
_PROGRESS = ("quizmaster: loading ", "quizmaster: reference embeddings", "quizmaster: embedding")


@dataclass(frozen=True)
class Start:
    """Seconds from the spawn to the first line shown, to the first progress line (None: none
    came before the question), and to the question."""

    first_s: float
    progress_s: float | None
    question_s: float


def _is_progress(line: str) -> bool:
    """A line saying what the start is doing (`evaluators.progress`, `bot.app`'s steps, the
    bar), not one saying where the log or the web page is."""
    return line.startswith(_PROGRESS) or "embedding the question bank" in line


def _watch(fds: list[int], started: float) -> Start:
    """Read `fds` until a question title is shown; when each kind of line first came."""
    first = progress = None
    pending = {fd: "" for fd in fds}
    while time.perf_counter() - started < TIMEOUT_S:
        ready, _, _ = select.select(list(pending), [], [], 1.0)
        for fd in ready:
            try:
                chunk = os.read(fd, 65536)
            except OSError:  # a pseudo-terminal whose child is gone reads as EIO
                chunk = b""
            if not chunk:
                raise RuntimeError("the bot exited before its question")
            now = time.perf_counter() - started
            first = now if first is None else first
            text = pending[fd] + _ANSI.sub("", chunk.decode("utf-8", "replace"))
            *lines, pending[fd] = text.replace("\r", "\n").split("\n")
            for line in [*lines, pending[fd]]:
                if progress is None and _is_progress(line):
                    progress = now
                if line.startswith(_TITLES):
                    return Start(first_s=first, progress_s=progress, question_s=now)
    raise RuntimeError(f"no question within {TIMEOUT_S:g} s")


def _start(env: dict[str, str], workdir: Path, *, terminal: bool) -> Start:
    """One `quizmaster run --platform console` on a new database in `workdir`, stopped once its
    question is shown."""
    db = tempfile.mkdtemp(prefix="db-", dir=workdir)
    command = [
        sys.executable,
        "-m",
        "bot.cli",
        "run",
        "--platform",
        "console",
        "--db",
        f"{db}/q.db",
    ]
    started = time.perf_counter()
    if terminal:
        leader, follower = pty.openpty()
        proc = subprocess.Popen(
            command, stdin=follower, stdout=follower, stderr=follower, cwd=db, env=env
        )
        os.close(follower)
        fds = [leader]
    else:
        proc = subprocess.Popen(
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=db,
            env=env,
        )
        assert proc.stdout is not None and proc.stderr is not None
        fds = [proc.stdout.fileno(), proc.stderr.fileno()]
    try:
        return _watch(fds, started)
    finally:
        proc.terminate()
        proc.wait(timeout=TIMEOUT_S)
        if terminal:
            os.close(leader)


def measure(settings: Settings, workdir: Path) -> Outcome:
    cache = workdir / "cache"
    env = child_env(settings, cache)
    pipe = _start(env, workdir, terminal=False)
    terminal = _start(
        {**child_env(settings, workdir / "cache-pty"), "TERM": "xterm"}, workdir, terminal=True
    )
    warm = _start(env, workdir, terminal=False)
    team = workdir / "team"
    team.mkdir()
    (team / "team.yaml").write_text(TEAM_BANK, encoding="utf-8")
    shutil.copytree(cache, workdir / "cache-added")
    added_env = {**child_env(settings, workdir / "cache-added"), "QUIZMASTER_BANK_DIR": str(team)}
    added = _start(added_env, workdir, terminal=False)
    over = added.question_s - warm.question_s
    rows: list[list[Cell]] = [
        ["first start, pipe: first line, s", pipe.first_s, None, None],
        [
            "first start, pipe: first progress line, s",
            pipe.progress_s,
            f"<= {PROGRESS_S:g}",
            (pipe.progress_s or TIMEOUT_S) <= PROGRESS_S,
        ],
        [
            "first start, pipe: question, s",
            pipe.question_s,
            f"<= {FIRST_QUESTION_S:g}",
            pipe.question_s <= FIRST_QUESTION_S,
        ],
        ["first start, terminal: first line, s", terminal.first_s, None, None],
        ["first start, terminal: first progress line, s", terminal.progress_s, None, None],
        [
            "first start, terminal: question, s",
            terminal.question_s,
            f"<= {FIRST_QUESTION_S:g}",
            terminal.question_s <= FIRST_QUESTION_S,
        ],
        ["warm start: question, s", warm.question_s, None, None],
        ["one team question added: question, s", added.question_s, None, None],
        ["added - warm, s", over, f"<= {ADDED_OVER_WARM_S:g}", over <= ADDED_OVER_WARM_S],
    ]
    payload: dict[str, object] = {
        "bench": "first-start",
        "model": env["QUIZMASTER_EMBEDDING_MODEL"],
        "pipe": vars(pipe),
        "terminal": vars(terminal),
        "warm_question_s": warm.question_s,
        "added_question_s": added.question_s,
        "added_over_warm_s": over,
    }
    return Outcome(
        title="first start: the console bot's first question and what it says before it",
        headers=["metric", "value", "target", "met"],
        rows=rows,
        payload=payload,
        notes=[f"model {payload['model']}; one process at a time, each on a new database"],
    )


def main(argv: list[str], settings: Settings) -> int:
    parser = argparse.ArgumentParser(
        prog="quizmaster bench first-start",
        description="The console bot's first, warm and one-question-added starts, on a pipe "
        "and a terminal.",
    )
    parser.add_argument("--json", action="store_true", help="end with one JSON line")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="quizmaster-bench-") as tmp:
        outcome = measure(settings, Path(tmp))
    report(outcome, as_json=args.json)
    return 0
