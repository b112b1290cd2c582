"""`quizmaster bench fresh-clone`: from `git clone` to the first question of `make run`, the wait
of a newcomer who types the README's two commands (target: 60 s with uv's cache warm).

The clone installs its own `.venv` from `uv.lock` (`make venv`) and starts the console bot on a
new database and an empty cache, as a first start does; once the question shows, `/quit` is
piped in. The payload splits the wait into the clone, the install (until `make` starts the bot)
and the bot's own start, and counts the packages uv had to fetch or build (1 with its cache warm:
the checkout's own editable build).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

from bot.config import Settings
from bot.core.texts import template
from content.catalogue import LANGS
from tools.bench.checkout import ROOT
from tools.bench.clone_run import CloneRun, run_in_fresh_clone
from tools.bench.table import Outcome, report

TARGET_S = 60.0
QUESTION_TITLES = tuple(
    template(lang, key).split("{day}")[0]
    for key in ("question_title", "extra_question_title")
    for lang in LANGS
)
"""The first question's title as the console shows it: the question of the day, or on a day the
schedule skips (a weekend, by default) an extra question."""
BOT_STARTED = "quizmaster run --platform console"
"""The line `make run` echoes as it starts the bot: the install is done."""
PREPARED = re.compile(r"^Prepared (\d+) packages? in ")


def payload_of(run: CloneRun, command: list[str]) -> dict[str, Any]:
    """The figures of one run; a run that never showed a question has no total."""
    question = next((line for line in run.lines if line.text.startswith(QUESTION_TITLES)), None)
    started = run.first(BOT_STARTED)
    prepared = [int(m[1]) for line in run.lines if (m := PREPARED.match(line.text.strip()))]
    total = None if question is None else round(question.at_s, 1)
    return {
        "bench": "fresh-clone",
        "command": " ".join(command),
        "clone_s": round(run.clone_s, 1),
        "install_s": None if started is None else round(started.at_s - run.clone_s, 1),
        "bot_start_s": (
            None if question is None or started is None else round(question.at_s - started.at_s, 1)
        ),
        "question_s": total,
        "packages_prepared": sum(prepared) if prepared else None,
        "exit_code": run.returncode,
        "target_s": TARGET_S,
        "target_met": total is not None and total <= TARGET_S,
    }


def _answer(line: str) -> str | None:
    return "/quit\n" if line.startswith(QUESTION_TITLES) else None


def main(argv: list[str], settings: Settings) -> int:
    parser = argparse.ArgumentParser(
        prog="quizmaster bench fresh-clone",
        description="Clone this checkout's HEAD into a temporary folder and time `make run` there "
        "up to its first question (the install included).",
    )
    parser.add_argument("--repo", type=Path, default=ROOT, help="the repository to clone")
    parser.add_argument(
        "--command", default="make run", help="what runs in the clone (default: make run)"
    )
    parser.add_argument("--json", action="store_true", help="print the payload as one JSON line")
    parser.add_argument("--out", type=Path, help="also write the payload to this file")
    args = parser.parse_args(argv)
    command = args.command.split()
    run = run_in_fresh_clone(args.repo, command, answer=_answer, echo=True)
    payload = payload_of(run, command)
    if args.out is not None:
        args.out.write_text(json.dumps(payload, indent=1) + "\n", encoding="utf-8")
    shown = [key for key in payload if key.endswith("_s") or key == "packages_prepared"]
    outcome = Outcome(
        title=f"fresh clone to the first question of `{payload['command']}`",
        headers=("step", "value"),
        rows=[(key, payload[key]) for key in shown],
        payload=payload,
    )
    report(outcome, as_json=args.json)
    if payload["question_s"] is None:
        print("quizmaster bench fresh-clone: no question was shown", file=sys.stderr)
        return 1
    return 0
