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

from content.loader import load_bank
from evaluators import create_grader
from tests.conftest import BUNDLED_MODEL

pytestmark = pytest.mark.slow

TWINS = Path(__file__).resolve().parents[2] / "evaluators" / "data" / "team_notes" / "twins.jsonl"


def test_an_english_answer_scores_within_five_points_of_its_korean_twin_on_average(
    tmp_path: Path,
) -> None:
    rows = [json.loads(line) for line in TWINS.read_text(encoding="utf-8").splitlines()]
    bank = load_bank()
    prompts = [bank.find_by_text(row["question"]) for row in rows]

    async def run() -> list[int]:
        grader = create_grader(model_name=BUNDLED_MODEL, device="cpu", cache_dir=tmp_path)
        try:
            await grader.prepare(bank)
            grades = await asyncio.gather(
                *(
                    grader.grade(prompt, row["answer"])
                    for prompt, row in zip(prompts, rows, strict=True)
                    if prompt is not None
                )
            )
            return [grade.score for grade in grades]
        finally:
            await grader.aclose()

    assert None not in prompts
    scores: dict[int, dict[str, int]] = {}
    for row, score in zip(rows, asyncio.run(run()), strict=True):
        scores.setdefault(row["twin"], {})[row["lang"]] = score
    gaps = [pair["en"] - pair["ko"] for pair in scores.values()]
    assert len(gaps) == 30
    assert abs(statistics.mean(gaps)) <= 5, f"English minus Korean: {statistics.mean(gaps):+.1f}"
    assert statistics.mean(score for pair in scores.values() for score in pair.values()) >= 70
