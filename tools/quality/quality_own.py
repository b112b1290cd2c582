"""The project's own sets in the quality table, all graded live with the calibration in use: the
dev set's lockbox (no fit reads it; the committed calibration was fitted on the tuning part),
the held-out files (`evaluators/data/heldout/`, measured, never fitted on) and the team notes'
graded answers (read by no fit), each through the bank a team would have."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from content.loader import load_bank
from evaluators.fitting.correlation import pearson, spearman
from evaluators.fitting.dev_set import DEV_SET_PATH
from evaluators.fitting.rows import read_rows
from evaluators.grade import Flag
from tools.quality.evaluation import evaluate
from tools.quality.heldout import (
    APART,
    HELDOUT_DIR,
    NON_ANSWER_CEILING,
    WRONG_CLAIM_CEILING,
    HeldOutSet,
    graded_sets,
    held_out_path,
    read_sets,
    twin_pairs,
)
from tools.quality.quality_run import QualityRun
from tools.quality.quality_stats import Indices, Statistic
from tools.quality.quality_table import Figure, measured
from tools.quality.report import RowResult
from tools.quality.team_banks import TEAM_NOTES, notes_bank

HELD_OUT: tuple[HeldOutSet, ...] = (
    "natural",
    "paraphrases",
    "non_answers",
    "wrong_claims",
    "negations",
)
RIGHT_FROM = 80
"""A notes answer people scored at least this is a right one: REVERSED on it is a false flag."""
NOTES_GRADED = TEAM_NOTES / "graded.jsonl"
YEAR_FILES = "year_*.jsonl"
"""The subject banks' held-out answers (`evaluators/data/heldout/README.md`), one file a
subject: written and graded by hand before any grader saw them, never fitted on."""
YEAR_CLASSES = ("right", "partial", "wrong", "misconceived")
MISCONCEIVED_CEILING = 40


class _Scores:
    """The grades of some rows (0-100) beside people's scores on the same scale, and the
    figures read from them."""

    def __init__(self, results: Sequence[RowResult]) -> None:
        self.grades = np.array([r.grade.score for r in results], dtype=np.float64)
        self.people = np.array([100 * r.row.score / r.row.score_max for r in results])
        self.questions = [r.row.question for r in results]

    def spearman(self, rows: Indices) -> float:
        return spearman(self.grades[rows], self.people[rows])

    def pearson(self, rows: Indices) -> float:
        return pearson(self.grades[rows], self.people[rows])

    def bias(self, rows: Indices) -> float:
        return float(np.mean(self.grades[rows] - self.people[rows]))

    def mean(self, rows: Indices) -> float:
        return float(np.mean(self.grades[rows]))

    def at_most(self, ceiling: int) -> Statistic:
        return lambda rows: float(np.mean(self.grades[rows] <= ceiling))


def flagged(results: Sequence[RowResult], flag: Flag) -> Statistic:
    """The share of the rows the grader flagged `flag` (issue 69: REVERSED on right answers,
    MISCONCEPTION on right and misconceived ones)."""
    marked = np.array([flag in r.grade.flags for r in results], dtype=np.float64)
    return lambda rows: float(np.mean(marked[rows]))


@dataclass(frozen=True)
class Want:
    """One figure of a part: its key's last word, its name, how it is computed."""

    slug: str
    name: str
    statistic: Statistic
    gated: bool = False
    points: bool = False


def _figures(
    data_set: str, part: tuple[str, str], scores: _Scores, wanted: Sequence[Want]
) -> list[Figure]:
    """Each wanted figure of one part (`part`: its slug and its words), keyed
    `data_set/part slug/figure slug`, resampled by question."""
    return [
        measured(
            key=f"{data_set}/{part[0]}/{want.slug}",
            data_set=data_set,
            part=part[1],
            name=want.name,
            statistic=want.statistic,
            questions=scores.questions,
            gated=want.gated,
            points=want.points,
        )
        for want in wanted
    ]


def _agreement(scores: _Scores) -> list[Want]:
    return [
        Want("spearman", "Spearman, grade vs score", scores.spearman, gated=True),
        Want("pearson", "Pearson, grade vs score", scores.pearson, gated=True),
    ]


def _capped(part: tuple[str, str], results: Sequence[RowResult], ceiling: int) -> list[Figure]:
    """Answers that should score low: their mean grade and the share at or under `ceiling`."""
    scores = _Scores(results)
    return _figures(
        "heldout",
        part,
        scores,
        [
            Want("mean", "mean grade", scores.mean, points=True),
            Want(f"at_most_{ceiling}", f"share graded {ceiling} or less", scores.at_most(ceiling)),
        ],
    )


async def lockbox(run: QualityRun) -> list[Figure]:
    evaluation = await evaluate(run.grader(), read_rows(DEV_SET_PATH), load_bank(), cv=False)
    scores = _Scores(evaluation.boxed)
    part = ("dev", "lockbox of the dev set, committed calibration")
    return _figures("lockbox", part, scores, _agreement(scores))


async def held_out(run: QualityRun) -> list[Figure]:
    graded = await graded_sets(run.grader, read_sets(HELD_OUT, HELDOUT_DIR))
    natural = _Scores(graded["natural"])
    figures = _figures(
        "heldout",
        ("natural", "natural answers"),
        natural,
        [
            Want("spearman", "Spearman, grade vs score", natural.spearman, gated=True),
            Want("bias", "mean signed error (grade − score)", natural.bias, points=True),
        ],
    )
    for lang in ("en", "ko"):
        scores = _Scores([r for r in graded["natural"] if (r.row.lang or r.lang) == lang])
        figures += _figures(
            "heldout",
            (f"natural_{lang}", f"natural answers in {lang}"),
            scores,
            [Want("spearman", "Spearman, grade vs score", scores.spearman)],
        )
    paraphrases = graded["paraphrases"]
    stated = np.array([len(r.row.stated) for r in paraphrases], dtype=np.float64)
    credited = np.array(
        [len(set(r.row.stated) & set(r.grade.covered)) for r in paraphrases], dtype=np.float64
    )
    scores = _Scores(paraphrases)
    figures += _figures(
        "heldout",
        ("paraphrases", "paraphrases"),
        scores,
        [
            Want(
                "credited",
                "share of stated concepts credited",
                lambda rows: float(credited[rows].sum() / max(1.0, stated[rows].sum())),
            ),
            Want("mean", "mean grade", scores.mean, points=True),
        ],
    )
    figures += _capped(("non_answers", "non-answers"), graded["non_answers"], NON_ANSWER_CEILING)
    figures += _capped(
        ("wrong_claims", "wrong claims"), graded["wrong_claims"], WRONG_CLAIM_CEILING
    )
    negations = _Scores(graded["negations"])
    figures += _figures(
        "heldout",
        ("negations", "right answers written with negation"),
        negations,
        [
            Want("mean", "mean grade", negations.mean, points=True),
            Want(
                "reversed",
                "share read as reversed",
                flagged(graded["negations"], Flag.REVERSED),
            ),
        ],
    )
    return figures


@dataclass(frozen=True)
class Pairs:
    """The twin pairs that have both answers: each one's question, and the grade of its right
    answer and of its reversed twin."""

    questions: list[str]
    right: NDArray[np.float64]
    reversed: NDArray[np.float64]
    flagged: NDArray[np.bool_]
    """Whether each reversed twin was flagged REVERSED (said the opposite of the model answer)."""


def paired(results: Sequence[RowResult], pairs: Sequence[int]) -> Pairs:
    """`results` (class `right` or `reversed`) matched by their pair numbers."""
    right: dict[int, float] = {}
    reversed_: dict[int, float] = {}
    flagged: dict[int, bool] = {}
    question: dict[int, str] = {}
    for result, pair in zip(results, pairs, strict=True):
        if result.row.answer_class == "right":
            right[pair] = result.grade.score
        else:
            reversed_[pair] = result.grade.score
            flagged[pair] = Flag.REVERSED in result.grade.flags
        question[pair] = result.row.question
    both = sorted(set(right) & set(reversed_))
    return Pairs(
        [question[p] for p in both],
        np.array([right[p] for p in both], dtype=np.float64),
        np.array([reversed_[p] for p in both], dtype=np.float64),
        np.array([flagged[p] for p in both], dtype=np.bool_),
    )


def twin_figures(twins: Pairs) -> list[Figure]:
    """The right answers' mean, the reversed ones', the share of pairs told apart and the share
    of reversed twins flagged REVERSED, each resampled by question."""
    high, low, flagged = twins.right, twins.reversed, twins.flagged
    return [
        measured(
            key=f"twins/{key}",
            data_set="twins",
            part="twin claims, right and reversed",
            name=name,
            statistic=statistic,
            questions=twins.questions,
            points=points,
        )
        for key, name, statistic, points in (
            ("right_mean", "mean grade, right answers", lambda r: float(high[r].mean()), True),
            ("reversed_mean", "mean grade, reversed", lambda r: float(low[r].mean()), True),
            (
                "apart",
                f"share of pairs {APART}+ points apart",
                lambda r: float(np.mean(high[r] - low[r] >= APART)),
                False,
            ),
            (
                "flagged",
                "share of reversed twins flagged REVERSED",
                lambda r: float(np.mean(flagged[r])),
                False,
            ),
        )
    ]


async def twins(run: QualityRun) -> list[Figure]:
    graded = await graded_sets(run.grader, read_sets(["twins"], HELDOUT_DIR))
    pairs = twin_pairs(held_out_path("twins", HELDOUT_DIR))
    return twin_figures(paired(graded["twins"], pairs))


async def notes(run: QualityRun) -> list[Figure]:
    evaluation = await evaluate(run.grader(), read_rows(NOTES_GRADED), notes_bank(), cv=False)
    scores = _Scores(evaluation.results)
    part = ("graded", "notes graded set through the imported notes")
    right = [r for r in evaluation.results if 100 * r.row.score / r.row.score_max >= RIGHT_FROM]
    return [
        *_figures("notes", part, scores, _agreement(scores)),
        *_figures(
            "notes",
            ("right", f"notes answers scored {RIGHT_FROM} or more"),
            _Scores(right),
            [
                Want("reversed", "share read as reversed", flagged(right, Flag.REVERSED)),
                Want(
                    "misconception",
                    "share flagged as stating a misconception",
                    flagged(right, Flag.MISCONCEPTION),
                ),
            ],
        ),
    ]


async def year(run: QualityRun) -> list[Figure]:
    """The subject banks' held-out answers through the default bank: agreement with the
    writers' grades, the mean grade of each class, and how many misconceived answers grade
    `MISCONCEIVED_CEILING` or less (what `content check` asks of the bank's own
    misconceptions, here in the members' words)."""
    rows = [row for path in sorted(HELDOUT_DIR.glob(YEAR_FILES)) for row in read_rows(path)]
    evaluation = await evaluate(run.grader(), rows, load_bank(), cv=False)
    scores = _Scores(evaluation.results)
    part = ("subjects", "the subject banks' held-out answers")
    figures = _figures(
        "year",
        part,
        scores,
        [
            *_agreement(scores),
            Want("bias", "mean signed error (grade − score)", scores.bias, points=True),
        ],
    )
    for answer_class in YEAR_CLASSES:
        results = [r for r in evaluation.results if r.row.answer_class == answer_class]
        of_class = _Scores(results)
        wanted = [Want("mean", "mean grade", of_class.mean, points=True)]
        if answer_class in ("right", "misconceived"):
            wanted.append(
                Want(
                    "misconception",
                    "share flagged as stating a misconception",
                    flagged(results, Flag.MISCONCEPTION),
                )
            )
        if answer_class == "misconceived":
            wanted.append(
                Want(
                    f"at_most_{MISCONCEIVED_CEILING}",
                    f"share graded {MISCONCEIVED_CEILING} or less",
                    of_class.at_most(MISCONCEIVED_CEILING),
                )
            )
        figures += _figures("year", (answer_class, f"{answer_class} answers"), of_class, wanted)
    return figures
