"""The teaching protocol as the quality table replays it on a data set with people's grades: the
5 answers a question `eval teach --ask 5` picks (representatives) graded by the team, every other
answer graded with them as evidence (`teach_replay.replay`, the figure `eval --taught` gives),
and the grader alone on the same answers beside it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from content.bank import Bank
from content.loader import load_bank
from evaluators.fitting.correlation import pearson
from evaluators.fitting.rows import Row
from evaluators.taught import DEFAULT_KERNEL
from tools.quality.quality_run import QualityRun
from tools.quality.quality_stats import Indices
from tools.quality.quality_table import Figure, measured
from tools.quality.teach_replay import grade_alone, replay

PICKS = 5
"""Answers a question the team grades first (`eval teach --ask 5`)."""


@dataclass(frozen=True)
class Taught:
    """The rows not graded by the team (`left`, indices into the rows given), their grades with
    the team's grades as evidence, and the grader's alone."""

    left: Indices
    with_evidence: np.ndarray
    alone: np.ndarray


async def protocol(
    run: QualityRun,
    rows: Sequence[Row],
    questions: Sequence[str],
    *,
    cv: bool,
    bank: Bank | None = None,
) -> Taught | None:
    """The protocol on `rows` (`questions`: each row's question key), asked of `bank`'s prompts,
    or, with none, each row's own reference loaded as a team bank beside the seed bank; with `cv`
    each question graded by a calibration fitted without it (for rows the committed calibration
    was fitted on). None when no question has more than `PICKS` different answers."""
    distinct: dict[str, set[str]] = {}
    for row, question in zip(rows, questions, strict=True):
        distinct.setdefault(question, set()).add(row.answer.strip())
    if max((len(a) for a in distinct.values()), default=0) <= PICKS:
        return None
    grader = run.grader()
    kernel = grader.calibration.team_kernel or DEFAULT_KERNEL
    as_bank = bank is None
    asked = load_bank() if bank is None else bank
    graded = await grade_alone(grader, list(rows), asked, as_bank=as_bank, cv=cv)
    replayed = replay(graded, PICKS, kernel)
    left = np.array(replayed.untaught, dtype=np.intp)
    return Taught(left, replayed.predicted[left], graded.alone[left])


def correlations(
    data_set: str,
    part: str,
    name: str,
    graded: Sequence[tuple[float, float, float, str]],
) -> list[Figure]:
    """Pearson of people's grade with the grade given with the team's grades as evidence (gated)
    and with the grader's alone on the same answers (shown), over `graded`: for each answer not
    graded by the team, (with evidence, alone, people's grade, question key)."""
    with_evidence, alone, people = (np.array([g[i] for g in graded]) for i in range(3))
    questions = [g[3] for g in graded]

    def figure(grades: np.ndarray, slug: str, whose: str, *, gated: bool) -> Figure:
        return measured(
            key=f"{data_set}/taught_{PICKS}/{slug}",
            data_set=data_set,
            part=part,
            name=f"{name}{whose}",
            statistic=lambda rows: pearson(grades[rows], people[rows]),
            questions=questions,
            gated=gated,
        )

    return [
        figure(with_evidence, "pearson", "", gated=True),
        figure(alone, "alone_pearson", " (the grader alone, the same answers)", gated=False),
    ]
