"""`quizmaster eval quality` (`make quality`): the quality table over real students' answers and
the project's own held-out sets, in one Markdown table and a JSON report, compared with the
committed baseline; a gated figure below its baseline's interval fails the run.

A data set whose files are absent (a fresh clone has no `../shared/data`) is skipped with one
line. `--only NAME` measures one data set, for working on the grader one at a time."""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from evaluators.embedding.identity import identify
from evaluators.fitting.rows import HarnessError
from evaluators.model_settings import ModelSettings
from tools.quality.quality_cache import CachedEmbedder
from tools.quality.quality_korean import ANSWERS as KOREAN_ANSWERS
from tools.quality.quality_korean import RUBRICS as KOREAN_RUBRICS
from tools.quality.quality_korean import korean
from tools.quality.quality_korsts import FILE as KORSTS_FILE
from tools.quality.quality_korsts import korsts
from tools.quality.quality_lodo import lodo
from tools.quality.quality_mohler import FILE as MOHLER_FILE
from tools.quality.quality_mohler import mohler
from tools.quality.quality_own import held_out, lockbox, notes, twins, year
from tools.quality.quality_run import DATA_ENV, DEFAULT_DATA, QualityRun
from tools.quality.quality_semeval import semeval
from tools.quality.quality_semeval_answers import FILE as SEMEVAL_FILE
from tools.quality.quality_table import (
    Figure,
    falls,
    markdown,
    merged,
    read_report,
    write_report,
)
from tools.quality.quality_timings import timings
from tools.quality.quality_truth import truth

ROOT = Path(__file__).resolve().parents[2]
BASELINE = ROOT / "docs" / "quality.json"


@dataclass(frozen=True)
class DataSet:
    """A data set of the table: the files it reads from the real-data folder (none: it ships
    with the project) and how its figures are measured."""

    measure: Callable[[QualityRun], Awaitable[list[Figure]]]
    files: tuple[str, ...] = ()


DATA_SETS: dict[str, DataSet] = {
    "semeval": DataSet(semeval, (SEMEVAL_FILE,)),
    "korean": DataSet(korean, (KOREAN_ANSWERS, KOREAN_RUBRICS)),
    "mohler": DataSet(mohler, (MOHLER_FILE,)),
    "korsts": DataSet(korsts, (KORSTS_FILE,)),
    "lockbox": DataSet(lockbox),
    "heldout": DataSet(held_out),
    "twins": DataSet(twins),
    "notes": DataSet(notes),
    "year": DataSet(year),
    "truth": DataSet(truth),
    "lodo": DataSet(lodo, (SEMEVAL_FILE, KOREAN_ANSWERS, KOREAN_RUBRICS, MOHLER_FILE)),
    "timings": DataSet(timings),
}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="quizmaster eval quality",
        description="The quality table: every data set, one Markdown table, a JSON report and "
        "the gate against the committed baseline.",
    )
    parser.add_argument(
        "--only",
        action="append",
        choices=list(DATA_SETS),
        default=[],
        metavar="NAME",
        help=f"measure only this data set (repeatable): {', '.join(DATA_SETS)}",
    )
    parser.add_argument(
        "--data",
        type=Path,
        default=Path(os.environ.get(DATA_ENV) or DEFAULT_DATA),
        help=f"the real-data folder (default ${DATA_ENV} or {DEFAULT_DATA})",
    )
    parser.add_argument("--out", type=Path, help="the JSON report (default: in the cache dir)")
    parser.add_argument(
        "--timings",
        type=Path,
        metavar="BENCH.txt",
        help="the output of `quizmaster bench grading --json` (`make quality` measures it)",
    )
    parser.add_argument(
        "--baseline", type=Path, default=BASELINE, help="the committed figures to hold"
    )
    parser.add_argument(
        "--save-baseline",
        action="store_true",
        help="write the figures measured into --baseline (other data sets' kept) and pass",
    )
    return parser


def _git(*args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.strip()


def _commit() -> str:
    """The checkout's commit, marked when the tree has changes not committed."""
    try:
        head = _git("rev-parse", "--short=12", "HEAD")
        dirty = _git("status", "--porcelain", "--untracked-files=no")
    except (OSError, subprocess.CalledProcessError):
        return "unknown (not a git checkout)"
    return f"{head} with uncommitted changes" if dirty else head


def _skipped(name: str, data_set: DataSet, run: QualityRun) -> str | None:
    """Why a data set cannot be measured here, in one line; None when it can."""
    missing = [file for file in data_set.files if not (run.data / file).is_file()]
    if missing:
        return f"{name}: skipped, {', '.join(missing)} not in {run.data}"
    if name == "timings" and run.timings is None:
        return (
            "timings: skipped, no --timings file (`make quality` without ONLY runs "
            "`quizmaster bench grading --json` and passes it)"
        )
    return None


async def _measure(run: QualityRun, names: Sequence[str]) -> list[Figure]:
    figures: list[Figure] = []
    for name in names:
        data_set = DATA_SETS[name]
        skipped = _skipped(name, data_set, run)
        if skipped is not None:
            print(skipped)
            continue
        start = time.perf_counter()
        found = await data_set.measure(run)
        print(f"{name}: {len(found)} figures in {time.perf_counter() - start:.0f} s")
        figures += found
    return figures


def main(argv: list[str], settings: ModelSettings) -> int:
    """Measure, print the table, write the report; exit 1 when a gated figure fell."""
    args = _parser().parse_args(argv)
    if not args.save_baseline and not args.baseline.is_file():
        raise HarnessError(
            f"--baseline {args.baseline}: no such file, so there is nothing to gate against; "
            "give the committed baseline (docs/quality.json), or add --save-baseline to write one"
        )
    names = list(dict.fromkeys(args.only)) or list(DATA_SETS)
    embedder = CachedEmbedder(settings.embedder(), settings.cache_dir)
    identity = identify(embedder)
    run = QualityRun(
        embedder=embedder, cache_dir=settings.cache_dir, data=args.data, timings=args.timings
    )
    meta: dict[str, Any] = {
        "commit": _commit(),
        "model": identity.describe(),
        "measured": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }
    start = time.perf_counter()
    try:
        figures = asyncio.run(_measure(run, names))
    finally:
        embedder.close()
    baseline = read_report(args.baseline)
    print(f"\nquality table: {meta['model']}; commit {meta['commit']}; {meta['measured']}\n")
    print(markdown(figures, baseline))
    print(
        f"\nvectors: {embedder.texts_encoded} encoded, {embedder.hits} from {embedder.path}; "
        f"{time.perf_counter() - start:.0f} s in all"
    )
    out = args.out or settings.cache_dir / "quality" / "last.json"
    write_report(out, figures, meta)
    print(f"wrote {out}")
    if args.save_baseline:
        write_report(args.baseline, merged(baseline, figures), meta)
        print(f"wrote the baseline {args.baseline}")
        return 0
    fell = falls(figures, baseline)
    if fell:
        print(f"\ngate: {len(fell)} figure(s) below the baseline's interval:")
        for fall in fell:
            print(f"  {fall.describe()}")
        return 1
    if baseline and figures:
        print("gate: no gated figure below its baseline's interval")
    return 0
