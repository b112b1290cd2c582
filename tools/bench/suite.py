"""`quizmaster bench suite`: `make test` in a fresh clone, as CI runs it (`.ci/run`), timed from
the clone to pytest's last line (target: 12 minutes on 2 cores).

The payload splits the wait into what comes before pytest starts (the install; the lint runs
beside pytest) and the suite itself, and carries pytest's counts, so a faster run that ran fewer
tests shows as such. It takes as long as the suite: `--out FILE` keeps the payload for `bench all
--rerender ... --add suite=FILE=COMMAND` (docs/performance.md).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from pathlib import Path
from typing import Any

from bot.config import Settings
from tools.bench.checkout import ROOT
from tools.bench.clone_run import CloneRun, run_in_fresh_clone
from tools.bench.table import Outcome, report

TARGET_S = 12 * 60.0
PYTEST_STARTED = "-m pytest"
SUMMARY = re.compile(r"^=+ (?P<counts>.*\d+ (?:passed|failed).*) in (?P<s>[\d.]+)s\b")
COUNT = re.compile(r"(\d+) (passed|failed|skipped|errors?|deselected|xfailed|xpassed)\b")


def payload_of(run: CloneRun, command: list[str]) -> dict[str, Any]:
    """The figures of one run; a run whose pytest printed no summary has no suite figures."""
    started = run.first(PYTEST_STARTED)
    summary = next((m for line in run.lines if (m := SUMMARY.match(line.text))), None)
    counts = {} if summary is None else {k: int(n) for n, k in COUNT.findall(summary["counts"])}
    end = run.lines[-1].at_s if run.lines else run.clone_s
    return {
        "bench": "suite",
        "command": " ".join(command),
        "cores": os.cpu_count(),
        "clone_s": round(run.clone_s, 1),
        "before_pytest_s": None if started is None else round(started.at_s - run.clone_s, 1),
        "pytest_s": None if summary is None else float(summary["s"]),
        "total_s": round(end, 1),
        "passed": counts.get("passed", 0),
        "failed": counts.get("failed", 0) + counts.get("error", 0) + counts.get("errors", 0),
        "skipped": counts.get("skipped", 0),
        "exit_code": run.returncode,
        "target_s": TARGET_S,
        "target_met": run.returncode == 0 and summary is not None and end <= TARGET_S,
    }


def main(argv: list[str], settings: Settings) -> int:
    parser = argparse.ArgumentParser(
        prog="quizmaster bench suite",
        description="Clone this checkout's HEAD into a temporary folder and time `make test` "
        "there, the install and lint included (as CI runs it).",
    )
    parser.add_argument("--repo", type=Path, default=ROOT, help="the repository to clone")
    parser.add_argument(
        "--command", default="make test", help="what runs in the clone (default: make test)"
    )
    parser.add_argument("--json", action="store_true", help="print the payload as one JSON line")
    parser.add_argument("--out", type=Path, help="also write the payload to this file")
    args = parser.parse_args(argv)
    command = args.command.split()
    run = run_in_fresh_clone(args.repo, command, echo=True)
    payload = payload_of(run, command)
    if args.out is not None:
        args.out.write_text(json.dumps(payload, indent=1) + "\n", encoding="utf-8")
    shown = ("clone_s", "before_pytest_s", "pytest_s", "total_s", "passed", "failed", "skipped")
    outcome = Outcome(
        title=f"`{payload['command']}` in a fresh clone on {payload['cores']} cores",
        headers=("step", "value"),
        rows=[(key, payload[key]) for key in shown],
        payload=payload,
    )
    report(outcome, as_json=args.json)
    if run.returncode != 0 or payload["pytest_s"] is None:
        print(f"quizmaster bench suite: `{payload['command']}` failed", file=sys.stderr)
        return 1
    return 0
