"""English answers graded as fairly as Korean ones: 30 Korean dev answers people scored 4-5/5,
each beside its faithful English translation (evaluators/data/team_notes/twins.jsonl), graded by
the real grader (bundled model, committed calibration, seed bank). The two answers of a pair say
the same thing, so on average they should score the same."""

from __future__ import annotations

import asyncio
import json
import statistics
from pathlib import Path

import pytest

from content.bank import Bank
from evaluators import EmbeddingGrader

pytestmark = pytest.mark.slow

TWINS = Path(__file__).resolve().parents[2] / "evaluators" / "data" / "team_notes" / "twins.jsonl"


async def test_an_english_answer_scores_within_five_points_of_its_korean_twin_on_average(
    grader: EmbeddingGrader, bank: Bank
) -> None:
    rows = [json.loads(line) for line in TWINS.read_text(encoding="utf-8").splitlines()]
    prompts = [bank.find_by_text(row["question"]) for row in rows]
    assert None not in prompts
    await grader.prepare(bank)
    grades = await asyncio.gather(
        *(
            grader.grade(prompt, row["answer"])
            for prompt, row in zip(prompts, rows, strict=True)
            if prompt is not None
        )
    )
    scores: dict[int, dict[str, int]] = {}
    for row, grade in zip(rows, grades, strict=True):
        scores.setdefault(row["twin"], {})[row["lang"]] = grade.score
    gaps = [pair["en"] - pair["ko"] for pair in scores.values()]
    assert len(gaps) == 30
    assert abs(statistics.mean(gaps)) <= 5, f"English minus Korean: {statistics.mean(gaps):+.1f}"
    assert statistics.mean(score for pair in scores.values() for score in pair.values()) >= 70
