"""SemEval-2013 in the quality table as a team that grades answers meets it: the teachers' labels
as the team's grades (correct 100, not 0), handed to the live grader as team evidence
(`evaluators.taught`), and the figures of the answers the team did not grade.

Two ways a team gets there, per corpus:

- **the protocol** on the `train` split: the 5 answers a question that `eval teach --ask 5`
  picks (representatives) graded, every other answer graded with them as evidence;
- **SemEval's own design** for the `test-unseen-answers` split (new answers to the questions
  of `train`): every `train` answer graded, each new answer graded with them as evidence.

Each part also gives the grader alone on the same answers: answers word for word like a graded
one are left out (their grade is known), so the set differs a little from the rows graded alone.
The kernel is the calibration's, fitted on the dev set's tuning part; nothing is fitted on
SemEval."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from content.loader import load_bank
from tools.fitting.teach import untaught
from tools.quality.evaluation import evaluate
from tools.quality.quality_protocol import PICKS, protocol
from tools.quality.quality_run import QualityRun
from tools.quality.quality_semeval_answers import Answer, Part
from tools.quality.quality_table import Figure


async def taught(run: QualityRun, answers: Sequence[Answer], corpus: str) -> list[Figure]:
    """Both parts for one corpus's answers; a part with no answer left to measure is left out."""
    train = [a for a in answers if a.split == "train"]
    unseen = [a for a in answers if a.split == "test-unseen-answers"]
    figures = await _protocol(run, train, corpus) if train else []
    if train and unseen:
        figures += await _unseen(run, train, unseen, corpus)
    return figures


def _figures(part: Part, with_evidence: np.ndarray, alone: np.ndarray) -> list[Figure]:
    return [
        *part.ranking(with_evidence),
        *part.means(with_evidence),
        *part.ranking(alone, slug="alone", gated=False),
    ]


async def _protocol(run: QualityRun, train: Sequence[Answer], corpus: str) -> list[Figure]:
    taught = await protocol(run, [a.row for a in train], [a.qid for a in train], cv=False)
    if taught is None:
        return []
    part = Part.of(
        [train[i] for i in taught.left],
        corpus,
        "train",
        (f"taught_{PICKS}", f"{PICKS} answers a question graded by the team"),
    )
    return _figures(part, taught.with_evidence, taught.alone)


async def _unseen(
    run: QualityRun, train: Sequence[Answer], unseen: Sequence[Answer], corpus: str
) -> list[Figure]:
    taught_rows = [a.row for a in train]
    kept = {id(row) for row in untaught([a.row for a in unseen], taught_rows)}
    left = [a for a in unseen if id(a.row) in kept]
    if not left:
        return []
    bank = load_bank()
    with_evidence = await evaluate(
        run.grader(), [a.row for a in left], bank, cv=False, as_bank=True, taught=taught_rows
    )
    alone = await run.graded([a.row for a in left], bank, as_bank=True)
    part = Part.of(
        left,
        corpus,
        "test-unseen-answers",
        ("taught_train", "the train answers graded by the team"),
    )
    return _figures(
        part,
        np.array([r.grade.score for r in with_evidence.results], dtype=np.float64),
        np.array([r.grade.score for r in alone], dtype=np.float64),
    )
