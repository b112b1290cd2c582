"""The team's own human grades: every answer an admin scored (an answer group's grade applied on
the web page, or a resolved appeal), kept as a row `quizmaster eval fit --team` refits the
calibration on (its question in the bank's wording, so the evaluators find the prompt as they
do for the dev set)."""

from __future__ import annotations

from pathlib import Path

from bot.storage.repository import Repository
from content.bank import Bank
from evaluators import Row

TEAM_CLASS = "team"


async def human_grade_rows(db: Path | str, bank: Bank) -> list[Row]:
    """One row per human-graded answer whose question is still in the bank, scored 0-100 with
    the score the person gave (its current one)."""
    repo = await Repository.open(db)
    try:
        grades = await repo.team_grades.every_human_grade()
    finally:
        await repo.close()
    return [
        Row(
            question=bank.get(grade.prompt_id).text.ko,
            answer=grade.text,
            score=float(grade.score),
            score_max=100.0,
            answer_class=TEAM_CLASS,
        )
        for grade in grades
        if grade.prompt_id in bank
    ]
