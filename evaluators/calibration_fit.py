"""Fitting a calibration for the loaded model from graded data: the one fit behind
`quizmaster eval fit`, the bot's first start with a model that has none, and the docker build.

Each head is fitted on the rows of its profile and cross-validated by question; the agreement goes
into the calibration's `fitted_on`, where `quizmaster doctor` reads it."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from content.loader import load_bank
from content.schema import Prompt
from evaluators.calibration import Calibration, Head
from evaluators.embedder import EmbeddingModel
from evaluators.fit_progress import FitProgress
from evaluators.harness import (
    Metrics,
    Row,
    Sample,
    collect,
    cross_validate,
    fit,
    fit_off_topic_rule,
    predict,
    read_rows,
    resolve_prompts,
)
from evaluators.model_identity import identify
from evaluators.service import EmbeddingGrader

logger = logging.getLogger("quizmaster.evaluators")

DEV_SET_PATH = Path(__file__).resolve().parent / "data" / "graded_dev.jsonl"
"""Human-graded answers to the packaged bank's prompts; shipped in the package so an installed
bot or a docker image can fit a calibration for its own model."""


def as_team_prompt(prompt: Prompt) -> Prompt:
    """A bank prompt as a team bank might hold it: the question and its model answers, no key
    concepts or misconceptions; the reference-only head learns from these."""
    return prompt.model_copy(update={"concepts": (), "misconceptions": ()})


@dataclass(frozen=True)
class FitResult:
    """The fitted calibration and each head's cross-validated agreement, by data set name."""

    calibration: Calibration
    cv: dict[str, Metrics]


async def fit_calibration(
    embedder: EmbeddingModel,
    *,
    cache_dir: Path,
    dev: Path = DEV_SET_PATH,
    external: Path | None = None,
) -> FitResult:
    """The `concepts` head from `dev` (bank questions); the `reference_only` head from the same
    rows asked as a team would ask them (question and model answers only, see `as_team_prompt`),
    plus `external` rows that bring their own reference (Mohler) when given. The whole bank is
    encoded first, as at run time, so an answer can be compared with the other questions."""
    identity = identify(embedder)
    dev_rows = read_rows(dev)
    external_rows = read_rows(external) if external is not None else []
    bank = load_bank()
    progress = FitProgress(
        2 * len(dev_rows) + len(external_rows), label=f"fitting calibration for {embedder.name}"
    )
    # signals() never reads the calibration: an empty one fills the grader's slot, so a fit never
    # depends on the committed file (which a change of the off-topic rule makes stale).
    grader = EmbeddingGrader(embedder, cache_dir=cache_dir, calibration=Calibration(heads={}))

    async def measure(rows: list[Row], prompts: list[Prompt]) -> list[Sample]:
        return await collect(grader, rows, prompts, on_done=progress.advance)

    try:
        bank_prompts = resolve_prompts(dev_rows, bank)
        team_prompts = [as_team_prompt(p) for p in bank_prompts]
        # Token vectors first: the bank's texts they share are then not encoded twice.
        await grader.prepare_tokens(team_prompts)
        await grader.prepare(bank)
        # Each answer asked both ways side by side lands twice in one batch, encoded once.
        both = await measure(
            [row for row in dev_rows for _ in range(2)],
            [p for pair in zip(bank_prompts, team_prompts, strict=True) for p in pair],
        )
        dev_samples, team_samples = both[0::2], both[1::2]
        external_samples = (
            await measure(external_rows, resolve_prompts(external_rows, None))
            if external_rows
            else []
        )
    finally:
        progress.finish()
        await grader.aclose()

    heads: dict[str, Head] = {
        "concepts": fit(dev_samples),
        "reference_only": fit([*team_samples, *external_samples]),
    }
    off_topic = fit_off_topic_rule(
        dev_samples, [predict(heads["concepts"], sample) for sample in dev_samples]
    )
    cv = {
        "dev": cross_validate(dev_samples)[0],
        "reference_only": cross_validate([*team_samples, *external_samples])[0],
    }
    if external_samples:
        cv["external"] = cross_validate(external_samples)[0]
    report = {name: metrics.as_dict() for name, metrics in cv.items()}
    external_name = external.name if external is not None else None
    calibration = Calibration(
        heads=heads,
        fitted_on={
            "model": identity.model,
            "dev": dev.name,
            "external": external_name,
            "cv_by_question": report,
        },
        identity=identity,
        off_topic=off_topic,
    )
    return FitResult(calibration=calibration, cv=cv)
