"""The dev items for the answer classes the grader gets wrong (formula or code, English answers to
Korean prompts, confident misconceptions, terse Korean, off-topic): shape, twins and grades."""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from typing import Any

import pytest

from content.loader import load_bank
from evaluators.fitting.dev_set import DEV_SET_PATH
from tests.content.test_graded_dev_set import HANGUL

CLASSES = {"formula", "cross_lang", "misconception", "terse_ko", "off_topic"}
MINIMUM_ROWS = {
    "formula": 15,
    "cross_lang": 20,
    "misconception": 15,
    "terse_ko": 10,
    "off_topic": 10,
}
SCORE_RANGE = {
    "cross_lang": range(2, 6),
    "misconception": range(0, 2),
    "terse_ko": range(2, 6),
    "off_topic": range(0, 1),
}
FORMULA_MARK = re.compile(r"[=←∇Σ√σ·²]|\w\(|\*\*|@")
TERSE_MAX_CHARS = 40


def dev_rows() -> list[dict[str, Any]]:
    lines = DEV_SET_PATH.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


@pytest.fixture(scope="module")
def rows() -> list[dict[str, Any]]:
    """The rows written for an answer class (the rest of the dev set carries no class)."""
    return [row for row in dev_rows() if "class" in row]


def by_class(rows: list[dict[str, Any]], name: str) -> list[dict[str, Any]]:
    return [row for row in rows if row["class"] == name]


def test_rows_have_the_documented_fields_and_classes(rows: list[dict[str, Any]]) -> None:
    for number, row in enumerate(rows, start=1):
        fields = {"question", "answer", "score", "score_max", "class"}
        if row.get("class") == "cross_lang":
            fields.add("twin")
            assert type(row["twin"]) is int, number
        assert set(row) == fields, number
        assert row["class"] in CLASSES, number
        assert isinstance(row["answer"], str) and row["answer"].strip(), number
        assert row["score_max"] == 5, number
        assert type(row["score"]) is int, number
        assert 0 <= row["score"] <= 5, number
    counts = Counter(row["class"] for row in rows)
    assert all(counts[name] >= least for name, least in MINIMUM_ROWS.items()), counts
    assert 90 <= len(rows) <= 120


def test_the_class_rows_spread_over_many_prompts(rows: list[dict[str, Any]]) -> None:
    """Every row of the dev set is checked against the bank and the seeds in
    test_graded_dev_set; the class rows must also cover many prompts, not a few."""
    bank = load_bank()
    prompts = {prompt.id for row in rows if (prompt := bank.find_by_text(row["question"]))}
    assert len(prompts) >= 25


def test_answers_are_new_and_distinct(rows: list[dict[str, Any]]) -> None:
    seen = {row["answer"] for row in dev_rows() if "class" not in row}
    answers = [row["answer"] for row in rows]
    assert len(set(answers)) == len(answers)
    assert not seen.intersection(answers)
    assert all(row["answer"] != row["question"] for row in rows)


def test_twins_are_a_korean_and_an_english_answer_to_one_prompt_with_one_grade(
    rows: list[dict[str, Any]],
) -> None:
    twins: defaultdict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in by_class(rows, "cross_lang"):
        twins[row["twin"]].append(row)
    assert len(twins) >= 10
    for number, pair in twins.items():
        assert len(pair) == 2, number
        korean = [row for row in pair if HANGUL.search(row["answer"])]
        assert len(korean) == 1, number
        assert pair[0]["question"] == pair[1]["question"], number
        assert pair[0]["score"] == pair[1]["score"], number


def test_scores_lie_in_each_class_range(rows: list[dict[str, Any]]) -> None:
    for name, allowed in SCORE_RANGE.items():
        scores = Counter(row["score"] for row in by_class(rows, name))
        assert set(scores) <= set(allowed), (name, scores)
    cross = Counter(row["score"] for row in by_class(rows, "cross_lang"))
    assert sum(cross[level] for level in (3, 4, 5)) >= 0.75 * sum(cross.values()), cross
    formula = [row["score"] for row in by_class(rows, "formula")]
    assert sum(score >= 4 for score in formula) >= 5, formula
    assert sum(score <= 1 for score in formula) >= 3, formula


def test_each_class_looks_like_its_name(rows: list[dict[str, Any]]) -> None:
    for row in by_class(rows, "formula"):
        assert FORMULA_MARK.search(row["answer"]), row["answer"]
    for row in by_class(rows, "terse_ko"):
        assert HANGUL.search(row["answer"]), row["answer"]
        assert len(row["answer"]) <= TERSE_MAX_CHARS, row["answer"]
    for name in ("formula", "misconception", "off_topic"):
        korean = sum(1 for row in by_class(rows, name) if HANGUL.search(row["answer"]))
        assert 0 < korean < len(by_class(rows, name)), name


def test_off_topic_answers_spread_over_prompts(rows: list[dict[str, Any]]) -> None:
    questions = Counter(row["question"] for row in by_class(rows, "off_topic"))
    assert len(questions) >= 10, questions
