"""SemEval-2013 Task 7's answers as the quality table reads them (`semeval2013_dev.jsonl`: real
students' answers to science questions, Beetle and SciEntsBank, the `train` and
`test-unseen-answers` splits, each labelled by teachers), and a part of the table: the figures
any grades of a set of those answers give, each with its interval over questions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from evaluators.fitting.rows import Row, answer_field, read_jsonl, score_fields, text_field
from tools.quality.quality_stats import Indices, Statistic, auc, macro_f1
from tools.quality.quality_table import Figure, measured

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
    score, score_max = score_fields(data)
    return Answer(
        row=Row(
            question=text_field(data, "question"),
            answer=answer_field(data),
            score=score,
            score_max=score_max,
            reference=text_field(data, "reference"),
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


@dataclass(frozen=True)
class Part:
    """Answers of one corpus and split (or a share of them) as one part of the table: its key,
    the label people read, and the figures any grades of those answers give, each with its
    interval over questions."""

    answers: Sequence[Answer]
    key: str
    label: str

    @classmethod
    def of(
        cls, answers: Sequence[Answer], corpus: str, split: str, how: tuple[str, str] | None = None
    ) -> Part:
        """`how`: the way the answers were graded when not alone (team evidence), as a key and
        as people read it."""
        slug, said = how or ("", "")
        return cls(
            answers,
            key="/".join(p for p in ("semeval", corpus, split, slug) if p),
            label=", ".join(p for p in (CORPORA.get(corpus, corpus), split, said) if p),
        )

    @property
    def correct(self) -> np.ndarray:
        return np.array([a.correct for a in self.answers])

    @property
    def questions(self) -> list[str]:
        return [a.qid for a in self.answers]

    def figure(self, slug: str, name: str, statistic: Statistic, *, gated: bool = False) -> Figure:
        return measured(
            key=f"{self.key}/{slug}",
            data_set="semeval",
            part=self.label,
            name=name,
            statistic=statistic,
            questions=self.questions,
            gated=gated,
        )

    def ranking(self, grades: np.ndarray, *, slug: str = "", gated: bool = True) -> list[Figure]:
        """AUC against the 2-way label and macro-F1 at the verdict boundary and at 65; `slug`
        prefixes the keys of grades other than the part's own (the grader alone)."""
        correct = self.correct
        prefix = f"{slug}_" if slug else ""
        whose = " (the grader alone, the same answers)" if slug else ""
        return [
            self.figure(
                f"{prefix}auc",
                f"AUC, grade vs 2-way label{whose}",
                lambda rows: auc(grades[rows], correct[rows]),
                gated=gated,
            ),
            self.figure(
                f"{prefix}f1_{VERDICT}",
                f"macro-F1, correct = grade ≥ {VERDICT}{whose}",
                lambda rows: macro_f1(grades[rows] >= VERDICT, correct[rows]),
                gated=gated,
            ),
            self.figure(
                f"{prefix}f1_{STRICTER}",
                f"macro-F1, correct = grade ≥ {STRICTER}{whose}",
                lambda rows: macro_f1(grades[rows] >= STRICTER, correct[rows]),
            ),
        ]

    def by_label(
        self, slug: str, name: str, values: np.ndarray, which: str, *, points: bool = False
    ) -> Figure:
        """The mean of `values` over the answers labelled `which` (`points`: grades, in points
        of 100, not a share)."""
        label = np.array([a.label_3way for a in self.answers])

        def statistic(rows: Indices) -> float:
            picked = values[rows][label[rows] == which]
            return float(picked.mean()) if len(picked) else float("nan")

        return measured(
            key=f"{self.key}/{slug}_{which}",
            data_set="semeval",
            part=self.label,
            name=f"{name}, labelled {which}",
            statistic=statistic,
            questions=self.questions,
            points=points,
            n=int(np.sum(label == which)),
        )

    def means(self, grades: np.ndarray) -> list[Figure]:
        """The mean grade of the answers of each 3-way label."""
        return [self.by_label("mean", "mean grade", grades, w, points=True) for w in LABELS_3WAY]
