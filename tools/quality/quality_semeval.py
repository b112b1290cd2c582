"""SemEval-2013 Task 7 in the quality table: real students' answers to science questions (Beetle
and SciEntsBank, the `train` and `test-unseen-answers` splits), each corpus's questions loaded as
one team bank beside the seed bank, one reference answer each, as `eval --as-bank` (and `content
import csv`) loads them, and every answer graded through it with the committed calibration:
nothing is fitted on these answers.

Per corpus and split: AUC of the grade against the teachers' 2-way label, macro-F1 at the verdict
boundary (correct = grade >= 50, and where 65 would put it), the mean grade of the answers
labelled correct, contradictory and incorrect, the share of the answers labelled correct and
contradictory that the grader reads as saying the opposite of the reference (REVERSED: the first
should stay near 0, the second rise), and the model's bare cosine of answer and reference as the
baseline a grader should beat. The train answers grouped as the web page groups them
(`quality_semeval_groups`). Then the same answers as a team that grades them meets them, with
the teachers' labels as team evidence (`quality_semeval_taught`)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from content.loader import load_bank
from evaluators.grade import Flag
from tools.quality.quality_run import QualityRun
from tools.quality.quality_semeval_answers import FILE, Answer, Part, read_semeval
from tools.quality.quality_semeval_groups import group_figures
from tools.quality.quality_semeval_taught import taught
from tools.quality.quality_stats import auc
from tools.quality.quality_table import Figure


async def semeval(run: QualityRun) -> list[Figure]:
    answers = read_semeval(run.data / FILE)
    figures: list[Figure] = []
    for corpus in sorted({a.corpus for a in answers}):
        mine = [a for a in answers if a.corpus == corpus]
        results = await run.graded([a.row for a in mine], load_bank(), as_bank=True)
        grades = np.array([r.grade.score for r in results], dtype=np.float64)
        reversed_ = np.array([Flag.REVERSED in r.grade.flags for r in results])
        cosines = run.cosines([a.row.answer for a in mine], [a.row.reference or "" for a in mine])
        for split in sorted({a.split for a in mine}):
            rows = np.array([i for i, a in enumerate(mine) if a.split == split], dtype=np.intp)
            figures += split_figures(
                [mine[i] for i in rows],
                grades[rows],
                cosines[rows],
                corpus=corpus,
                split=split,
                reversed_=reversed_[rows],
            )
        figures += group_figures(run, mine, results, corpus)
        figures += await taught(run, mine, corpus)
    return figures


def split_figures(
    answers: Sequence[Answer],
    grades: np.ndarray,
    cosines: np.ndarray,
    *,
    corpus: str,
    split: str,
    reversed_: np.ndarray,
) -> list[Figure]:
    """The figures of one corpus and split graded alone; `reversed_` marks the answers the
    grader flagged REVERSED."""
    part = Part.of(answers, corpus, split)
    correct = part.correct
    flagged = reversed_.astype(np.float64)
    return [
        *part.ranking(grades),
        *part.means(grades),
        *(
            part.by_label("reversed", "share read as reversed", flagged, which)
            for which in ("correct", "contradictory")
        ),
        part.figure(
            "cosine_auc",
            "AUC, bare cosine of answer and reference (baseline)",
            lambda rows: auc(cosines[rows], correct[rows]),
        ),
    ]
