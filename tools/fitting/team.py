"""A team's own calibration: the shipped dev set plus the grades a team's admins gave when they
resolved appeals (`quizmaster eval fit --team`).

Each resolved appeal is a human grade of an answer the grader had scored. Refitting the
concepts head on the dev set and those rows teaches the grader the team's standard, but a
handful of appeals can also pull it off course, so the new calibration is measured before it is
used: cross-validated by question against the calibration in use, on the team's rows and on the
dev set, and applied only when it is no worse on either.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Protocol

from content.bank import Bank
from evaluators.calibration import Calibration
from evaluators.fitting.cross_validation import cross_validate, fit_with_rule, predict
from evaluators.fitting.dev_set import DEV_SET_PATH, split
from evaluators.fitting.metrics import Metrics, metrics
from evaluators.fitting.rows import Row, read_rows, resolve_prompts
from evaluators.fitting.samples import FeatureSource, Sample, collect


class CalibratedSource(FeatureSource, Protocol):
    """A feature source with the calibration in use (the live grader)."""

    @property
    def calibration(self) -> Calibration: ...

    async def prepare(self, bank: Bank) -> bool: ...

    async def aclose(self) -> None: ...


DEV_TOLERANCE = 0.01
"""How much the dev set's cross-validated Spearman may drop for the team's gain: less than its
run-to-run spread between folds."""


@dataclass(frozen=True)
class TeamFit:
    """The calibration in use and the refitted one, each measured on the team's rows and on the
    dev set; `applied` says whether the refit is no worse on both."""

    team_before: Metrics
    team_after: Metrics
    dev_before: Metrics
    dev_after: Metrics
    calibration: Calibration

    @property
    def applied(self) -> bool:
        return (
            self.team_after.rmse <= self.team_before.rmse
            and self.dev_after.spearman >= self.dev_before.spearman - DEV_TOLERANCE
        )


def _in_use(calibration: Calibration, sample: Sample) -> float:
    """The score the calibration in use gives a row it has never seen."""
    return predict(calibration.heads[sample.profile], sample, calibration.rule(sample.profile))


async def fit_team_calibration(
    grader: CalibratedSource, team: Sequence[Row], bank: Bank, *, dev: Path = DEV_SET_PATH
) -> TeamFit:
    """Refit `grader`'s calibration on `dev`'s tuning part plus the team's graded rows (questions
    of `bank`). Only the concepts head learns from them: a team row whose prompt names no
    concepts is measured by the reference-only head as it is."""
    current = await asyncio.to_thread(lambda: grader.calibration)
    all_dev_rows = read_rows(dev)
    dev_prompts = resolve_prompts(all_dev_rows, bank)
    dev_rows, _ = split(all_dev_rows, dev_prompts)
    await grader.prepare(bank)
    try:
        dev_samples = await collect(grader, dev_rows, split(dev_prompts, dev_prompts)[0])
        team_samples = await collect(grader, list(team), resolve_prompts(team, bank))
    finally:
        await grader.aclose()
    learning = [s for s in team_samples if s.profile == "concepts"]
    dev_before, _ = cross_validate(dev_samples)
    _, predicted = cross_validate([*dev_samples, *learning])
    out_of_fold = dict(zip(map(id, [*dev_samples, *learning]), predicted, strict=True))
    dev_after = metrics(predicted[: len(dev_samples)], dev_rows)
    team_rows = [s.row for s in team_samples]
    team_before = metrics([_in_use(current, s) for s in team_samples], team_rows)
    team_after = metrics(
        [out_of_fold.get(id(s), _in_use(current, s)) for s in team_samples], team_rows
    )
    head, rule = fit_with_rule([*dev_samples, *learning])
    refit = replace(
        current,
        heads={**current.heads, "concepts": head},
        off_topic={**current.off_topic, "concepts": rule},
        fitted_on={
            **current.fitted_on,
            "dev": dev.name,
            "team_rows": len(learning),
            "cv_by_question": {
                **dict(current.fitted_on.get("cv_by_question") or {}),
                "dev": dev_after.as_dict(),
                "team": team_after.as_dict(),
            },
        },
    )
    return TeamFit(team_before, team_after, dev_before, dev_after, refit)
