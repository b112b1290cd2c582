"""Fitting a calibration for the loaded model from graded data: the one fit behind
`quizmaster eval fit`, the bot's first start with a model that has none, and the docker build.

Each head is fitted on the rows of its profile and cross-validated by question; the agreement goes
into the calibration's `fitted_on`, where `quizmaster doctor` reads it."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from content.loader import load_bank
from evaluators.calibration import Calibration, Head
from evaluators.embedder import Embedder
from evaluators.fit_progress import FitProgress
from evaluators.harness import (
    Metrics,
    Row,
    Sample,
    collect,
    cross_validate,
    fit,
    read_rows,
    resolve_prompts,
)
from evaluators.model_identity import identify
from evaluators.service import EmbeddingGrader

logger = logging.getLogger("quizmaster.evaluators")

DEV_SET_PATH = Path(__file__).resolve().parent / "data" / "graded_dev.jsonl"
"""Human-graded answers to the packaged bank's prompts; shipped in the package so an installed
bot or a docker image can fit a calibration for its own model."""


@dataclass(frozen=True)
class FitResult:
    """The fitted calibration and each head's cross-validated agreement, by data set name."""

    calibration: Calibration
    cv: dict[str, Metrics]


async def fit_calibration(
    embedder: Embedder,
    *,
    cache_dir: Path,
    dev: Path = DEV_SET_PATH,
    external: Path | None = None,
    keep: Calibration | None = None,
) -> FitResult:
    """The `concepts` head from `dev` (bank questions), the `reference_only` head from `external`
    rows that bring their own reference (Mohler) when given, else `keep`'s, if it has one.
    Only the prompts the rows answer are encoded, not the whole bank: a fit on a slice is quick."""
    identity = identify(embedder)
    dev_rows = read_rows(dev)
    external_rows = read_rows(external) if external is not None else []
    bank = load_bank()
    progress = FitProgress(
        len(dev_rows) + len(external_rows), label=f"fitting calibration for {embedder.name}"
    )
    # signals() never reads the calibration: the committed one only fills the grader's slot.
    grader = EmbeddingGrader(embedder, cache_dir=cache_dir, calibration=Calibration.load())

    async def measure(rows: list[Row], with_bank: bool) -> list[Sample]:
        prompts = resolve_prompts(rows, bank if with_bank else None)
        return await collect(grader, rows, prompts, on_done=progress.advance)

    try:
        dev_samples = await measure(dev_rows, with_bank=True)
        external_samples = await measure(external_rows, with_bank=False) if external_rows else []
    finally:
        progress.finish()
        await grader.aclose()

    heads: dict[str, Head] = {"concepts": fit(dev_samples)}
    cv = {"dev": cross_validate(dev_samples)[0]}
    report = {"dev": cv["dev"].as_dict()}
    external_name = external.name if external is not None else None
    if external_samples:
        heads["reference_only"] = fit(external_samples)
        cv["reference_only"] = cross_validate(external_samples)[0]
        report["reference_only"] = cv["reference_only"].as_dict()
    elif keep is not None and "reference_only" in keep.heads:
        heads["reference_only"] = keep.heads["reference_only"]
        external_name = keep.fitted_on.get("external")
        kept = keep.fitted_on.get("cv_by_question", {}).get("reference_only")
        if kept is not None:
            report["reference_only"] = kept
    calibration = Calibration(
        heads=heads,
        fitted_on={
            "model": identity.model,
            "dev": dev.name,
            "external": external_name,
            "cv_by_question": report,
        },
        identity=identity,
    )
    return FitResult(calibration=calibration, cv=cv)
