"""The teaching protocol as the quality table replays it on a data set with people's grades: the
5 answers a question `eval teach --ask 5` picks (representatives) graded by the team, every other
answer graded with them as evidence (`teach_replay.replay`, the figure `eval --taught` gives),
and the grader alone on the same answers beside it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from content.loader import load_bank
from evaluators.fitting.rows import Row
from evaluators.harness.quality_run import QualityRun
from evaluators.harness.quality_stats import Indices
from evaluators.harness.teach_replay import grade_alone, replay
from evaluators.taught import DEFAULT_KERNEL

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
    run: QualityRun, rows: Sequence[Row], questions: Sequence[str], *, cv: bool
) -> Taught | None:
    """The protocol on `rows` (as a team bank; `questions`: each row's question key); with `cv`
    each question graded by a calibration fitted without it (for rows the committed calibration
    was fitted on). None when no question has more than `PICKS` different answers."""
    distinct: dict[str, set[str]] = {}
    for row, question in zip(rows, questions, strict=True):
        distinct.setdefault(question, set()).add(row.answer.strip())
    if max((len(a) for a in distinct.values()), default=0) <= PICKS:
        return None
    grader = run.grader()
    kernel = grader.calibration.team_kernel or DEFAULT_KERNEL
    graded = await grade_alone(grader, list(rows), load_bank(), as_bank=True, cv=cv)
    replayed = replay(graded, PICKS, kernel)
    left = np.array(replayed.untaught, dtype=np.intp)
    return Taught(left, replayed.predicted[left], graded.alone[left])
