"""The team's own human grades: every resolved appeal is an answer an admin scored, kept as a
row `quizmaster eval fit --team` refits the calibration on (its question in the bank's wording,
so the evaluators find the prompt as they do for the dev set)."""

from __future__ import annotations

from pathlib import Path

from bot.storage.repository import Repository
from content.bank import Bank
from evaluators.fitting.rows import Row

TEAM_CLASS = "team"


async def team_rows(db: Path | str, bank: Bank) -> list[Row]:
    """One row per resolved appeal whose question is still in the bank, scored 0-100."""
    repo = await Repository.open(db)
    try:
        appeals = await repo.appeals.resolved_appeals()
    finally:
        await repo.close()
    return [
        Row(
            question=bank.get(appeal.answer.prompt_id).text.ko,
            answer=appeal.answer.text,
            score=float(appeal.final_score),
            score_max=100.0,
            answer_class=TEAM_CLASS,
        )
        for appeal in appeals
        if appeal.final_score is not None and appeal.answer.prompt_id in bank
    ]
