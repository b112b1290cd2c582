"""What `quizmaster eval` shows beyond one number: each row's grade beside the person's, and
agreement per answer language or per answer class, so a team sees where the grader disagrees."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from evaluators.grade import Grade, Verdict
from evaluators.harness import Metrics, Row, Sample, metrics
from evaluators.service import verdict_for
from evaluators.signals import answer_language

GroupBy = Literal["lang", "class"]
UNLABELLED = "unlabelled"


@dataclass(frozen=True)
class RowResult:
    """One graded row: the predicted fraction of marks, the verdict and the concepts matched."""

    row: Row
    predicted: float
    verdict: Verdict
    covered: tuple[str, ...]
    missed: tuple[str, ...]

    @property
    def lang(self) -> str:
        return answer_language(self.row.answer)

    def as_json(self) -> dict[str, Any]:
        """Human and predicted score on the row's own scale, plus the 0-100 grade the bot gives."""
        return {
            "question": self.row.question,
            "answer": self.row.answer,
            "lang": self.lang,
            "class": self.row.answer_class,
            "score": self.row.score,
            "score_max": self.row.score_max,
            "predicted": round(self.predicted * self.row.score_max, 4),
            "grade": round(100 * self.predicted),
            "verdict": self.verdict.value,
            "covered": list(self.covered),
            "missed": list(self.missed),
        }


def from_grades(rows: Sequence[Row], grades: Sequence[Grade]) -> list[RowResult]:
    return [
        RowResult(row, grade.score / 100, grade.verdict, grade.covered, grade.missed)
        for row, grade in zip(rows, grades, strict=True)
    ]


def from_cross_validation(samples: Sequence[Sample], predicted: Sequence[float]) -> list[RowResult]:
    """Each row as the head fitted without its question grades it; guardrail rows keep the
    verdict the service gives them."""
    return [
        RowResult(
            sample.row,
            fraction,
            verdict_for(round(100 * fraction))
            if sample.features is not None
            else Verdict.NO_ANSWER,
            sample.covered,
            sample.missed,
        )
        for sample, fraction in zip(samples, predicted, strict=True)
    ]


def group_of(result: RowResult, by: GroupBy) -> str:
    if by == "lang":
        return result.lang
    return result.row.answer_class or UNLABELLED


def by_group(results: Sequence[RowResult], by: GroupBy) -> dict[str, Metrics]:
    """Agreement within each group, largest group first."""
    groups: dict[str, list[RowResult]] = {}
    for result in results:
        groups.setdefault(group_of(result, by), []).append(result)
    ordered = sorted(groups.items(), key=lambda item: (-len(item[1]), item[0]))
    return {
        name: metrics([r.predicted for r in members], [r.row for r in members])
        for name, members in ordered
    }
