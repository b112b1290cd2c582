"""`quizmaster eval groups`: the answer groups' threshold for the loaded model, measured (and
with `--fit`, fitted and recorded: `tools.fitting.group_threshold`) on SemEval-2013's train
answers; then, unless `--vectors-only`, those answers graded and grouped as the web page groups
them, the same rows `make quality` adds to its SemEval part (`quality_semeval_groups`)."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

from content.loader import load_bank
from evaluators.answer_groups import same_meaning
from evaluators.embedding.identity import identify
from evaluators.fitting.rows import HarnessError
from evaluators.model_settings import ModelSettings
from tools.fitting.group_threshold import (
    SEMEVAL_FILE,
    SPLIT,
    Grouping,
    fit_same_meaning,
    grouping_at,
    semeval_questions,
)
from tools.quality.quality_cache import CachedEmbedder
from tools.quality.quality_run import DEFAULT_DATA, QualityRun
from tools.quality.quality_semeval_answers import read_semeval
from tools.quality.quality_semeval_groups import group_figures
from tools.quality.quality_table import Figure, markdown


def _line(found: Grouping, mark: str = "") -> str:
    return (
        f"  {found.threshold:.4f}: purity {found.purity:.3f} (lowest corpus "
        f"{found.lowest_purity:.3f}), grouped {found.grouped:.3f}, "
        f"{found.groups} groups, {found.mean_size:.2f} answers a group{mark}"
    )


def main(argv: list[str], settings: ModelSettings) -> int:
    parser = argparse.ArgumentParser(prog="quizmaster eval groups")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the shared data folder")
    parser.add_argument(
        "--fit", action="store_true", help="fit the threshold and record it as the model's"
    )
    parser.add_argument(
        "--vectors-only",
        action="store_true",
        help="only the grouping by vectors (no grading: no stances, grade gaps, contradictions)",
    )
    args = parser.parse_args(argv)
    if not (args.data / SEMEVAL_FILE).is_file():
        raise HarnessError(f"{args.data / SEMEVAL_FILE}: no such file")
    embedder = CachedEmbedder(settings.embedder(), settings.cache_dir)
    try:
        identity = identify(embedder)
        print(f"model: {identity.describe()}")
        if args.fit:
            fit = fit_same_meaning(embedder, args.data)
            chosen = fit.chosen
            print(f"fitted on {SEMEVAL_FILE} ({SPLIT}), by vectors alone:")
            for tried in sorted(fit.tried, key=lambda g: g.threshold):
                if abs(tried.threshold - chosen.threshold) <= 0.05:
                    print(_line(tried, "  <- chosen" if tried == chosen else ""))
            print(f"recorded {chosen.threshold:g} for {identity.key}")
        threshold = same_meaning(identity)
        print(f"threshold {threshold:g}; {SEMEVAL_FILE} ({SPLIT}) grouped by vectors alone:")
        print(_line(grouping_at(semeval_questions(embedder, args.data / SEMEVAL_FILE), threshold)))
        if not args.vectors_only:
            print(markdown(asyncio.run(_graded_groups(embedder, settings, args.data))))
    finally:
        embedder.close()
    return 0


async def _graded_groups(
    embedder: CachedEmbedder, settings: ModelSettings, data: Path
) -> list[Figure]:
    """Each corpus's train answers graded live and grouped as the page groups them."""
    run = QualityRun(embedder=embedder, cache_dir=settings.cache_dir, data=data)
    answers = [a for a in read_semeval(data / SEMEVAL_FILE) if a.split == SPLIT]
    figures: list[Figure] = []
    for corpus in sorted({a.corpus for a in answers}):
        mine = [a for a in answers if a.corpus == corpus]
        results = await run.graded([a.row for a in mine], load_bank(), as_bank=True)
        figures += group_figures(run, mine, results, corpus)
    return figures
