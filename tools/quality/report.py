"""What `quizmaster eval` shows beyond one number: each row's grade beside the person's, with the
flags and feedback the bot would give, and agreement per answer language or per answer class, so
a team sees where the grader disagrees."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from evaluators.fitting.metrics import Metrics, metrics
from evaluators.fitting.rows import Row
from evaluators.grade import Grade
from evaluators.reading.language import answer_language

GroupBy = Literal["lang", "class"]
UNLABELLED = "unlabelled"


@dataclass(frozen=True)
class RowResult:
    """One graded row: the grade it got, and whether it is in the dev set's lockbox."""

    row: Row
    grade: Grade
    lockbox: bool = False

    @property
    def predicted(self) -> float:
        return self.grade.score / 100

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
            "lockbox": self.lockbox,
            "score": self.row.score,
            "score_max": self.row.score_max,
            "predicted": round(self.predicted * self.row.score_max, 4),
            "grade": self.grade.score,
            "verdict": self.grade.verdict.value,
            "covered": list(self.grade.covered),
            "missed": list(self.grade.missed),
            "flags": [flag.value for flag in self.grade.flags],
            "feedback": self.grade.feedback,
        }


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
