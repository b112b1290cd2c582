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
baseline a grader should beat."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from content.loader import load_bank
from evaluators.fitting.rows import Row, read_jsonl
from evaluators.grade import Flag
from evaluators.harness.quality_run import QualityRun
from evaluators.harness.quality_stats import Indices, Statistic, auc, macro_f1
from evaluators.harness.quality_table import Figure, measured

FILE = "semeval2013_dev.jsonl"
CORPORA = {"beetle": "Beetle", "sciEntsBank": "SciEntsBank"}
VERDICT = 50
"""The grade from which the bot's verdict says correct."""
STRICTER = 65
LABELS_3WAY = ("correct", "contradictory", "incorrect")


@dataclass(frozen=True)
class Answer:
    """One SemEval answer: the graded row (score 1 correct, 0 not) and its labels."""

    row: Row
    corpus: str
    split: str
    qid: str
    correct: bool
    label_3way: str


def _answer(data: dict[str, Any], _line: str) -> Answer:
    label_3way = str(data["label_3way"])
    if label_3way not in LABELS_3WAY or str(data["label_2way"]) not in {"correct", "incorrect"}:
        raise ValueError(f"unknown label {data['label_2way']!r} / {label_3way!r}")
    return Answer(
        row=Row(
            question=str(data["question"]),
            answer=str(data["answer"]),
            score=float(data["score"]),
            score_max=float(data["score_max"]),
            reference=str(data["reference"]),
            lang="en",
        ),
        corpus=str(data["corpus"]),
        split=str(data["split"]),
        qid=str(data["qid"]),
        correct=data["label_2way"] == "correct",
        label_3way=label_3way,
    )


def read_semeval(path: Path) -> list[Answer]:
    return read_jsonl(path, _answer)


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
    """The figures of one corpus and split, each with its interval over questions; `reversed_`
    marks the answers the grader flagged REVERSED."""
    correct = np.array([a.correct for a in answers])
    label = np.array([a.label_3way for a in answers])
    questions = [a.qid for a in answers]
    part = f"{CORPORA.get(corpus, corpus)}, {split}"
    key = f"semeval/{corpus}/{split}"

    def figure(name: str, slug: str, statistic: Statistic, *, gated: bool = False) -> Figure:
        return measured(
            key=f"{key}/{slug}",
            data_set="semeval",
            part=part,
            name=name,
            statistic=statistic,
            questions=questions,
            gated=gated,
        )

    def by_label(
        slug: str, name: str, values: np.ndarray, which: str, *, points: bool = False
    ) -> Figure:
        """The mean of `values` over the answers labelled `which` (`points`: grades, in points
        of 100, not a share)."""

        def statistic(rows: Indices) -> float:
            picked = values[rows][label[rows] == which]
            return float(picked.mean()) if len(picked) else float("nan")

        return measured(
            key=f"{key}/{slug}_{which}",
            data_set="semeval",
            part=part,
            name=f"{name}, labelled {which}",
            statistic=statistic,
            questions=questions,
            points=points,
            n=int(np.sum(label == which)),
        )

    figures = [
        figure(
            "AUC, grade vs 2-way label",
            "auc",
            lambda rows: auc(grades[rows], correct[rows]),
            gated=True,
        ),
        figure(
            f"macro-F1, correct = grade ≥ {VERDICT}",
            f"f1_{VERDICT}",
            lambda rows: macro_f1(grades[rows] >= VERDICT, correct[rows]),
            gated=True,
        ),
        figure(
            f"macro-F1, correct = grade ≥ {STRICTER}",
            f"f1_{STRICTER}",
            lambda rows: macro_f1(grades[rows] >= STRICTER, correct[rows]),
        ),
    ]
    figures += [by_label("mean", "mean grade", grades, which, points=True) for which in LABELS_3WAY]
    flagged = reversed_.astype(np.float64)
    figures += [
        by_label("reversed", "share read as reversed", flagged, which)
        for which in ("correct", "contradictory")
    ]
    figures.append(
        figure(
            "AUC, bare cosine of answer and reference (baseline)",
            "cosine_auc",
            lambda rows: auc(cosines[rows], correct[rows]),
        )
    )
    return figures
