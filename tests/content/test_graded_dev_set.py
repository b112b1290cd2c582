"""The graded development set the grader is calibrated on: shape, coverage, and bank matches."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from content.loader import load_bank
from evaluators.fitting.dev_set import DEV_SET_PATH

DATA = Path(__file__).resolve().parents[1] / "data"
HANGUL = re.compile(r"[\uac00-\ud7a3]")


@pytest.fixture(scope="module")
def rows() -> list[dict[str, Any]]:
    lines = DEV_SET_PATH.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


def test_rows_have_the_documented_fields_and_scores_in_range(rows: list[dict[str, Any]]) -> None:
    assert len(rows) >= 200
    for number, row in enumerate(rows, start=1):
        required = {"question", "answer", "score", "score_max"}
        assert required <= set(row) <= required | {"class", "twin"}, number
        assert isinstance(row["question"], str), number
        assert isinstance(row["answer"], str), number
        assert row["score_max"] == 5, number
        assert type(row["score"]) is int, number
        assert 0 <= row["score"] <= row["score_max"], number


def test_every_question_is_a_graded_bank_prompt_worded_as_in_the_seeds(
    rows: list[dict[str, Any]],
) -> None:
    bank = load_bank()
    seeds = set((DATA / "seed_prompts.txt").read_text(encoding="utf-8").splitlines())
    prompts: set[str] = set()
    for row in rows:
        assert row["question"] in seeds, row["question"]
        prompt = bank.find_by_text(row["question"])
        assert prompt is not None, row["question"]
        assert prompt.kind == "graded", prompt.id
        prompts.add(prompt.id)
    assert len(prompts) >= 40


def test_answers_cover_the_score_range_and_both_languages(rows: list[dict[str, Any]]) -> None:
    scores = Counter(row["score"] for row in rows)
    assert all(scores[level] >= len(rows) // 10 for level in range(6)), scores
    korean = sum(1 for row in rows if HANGUL.search(row["answer"]))
    assert 0.4 <= korean / len(rows) <= 0.8
    assert sum(1 for row in rows if not row["answer"].strip()) >= 3
    assert any(row["answer"] == row["question"] for row in rows)
