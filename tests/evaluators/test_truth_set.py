"""The truth set's shape (`evaluators/data/truth/`): every row is a valid `TruthRow` answering a
question of the bank it names, with concepts that question has; each question's answers sit in
the half its hash puts them; and the statements a grade makes are checked against the labels."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from content.bank import Bank
from evaluators.feedback import Told
from evaluators.grade import Flag, Verdict
from evaluators.reading.concepts import ConceptMatch
from evaluators.rules import BY_FLAG
from evaluators.scoring import Explanation
from tools.quality.truth_set import (
    HALVES,
    TruthRow,
    locked,
    prompt_of,
    read_half,
    statements,
    truth_bank,
)


@pytest.fixture(scope="module")
def bank() -> Bank:
    return truth_bank()


@pytest.fixture(scope="module")
def rows() -> dict[str, list[TruthRow]]:
    return {half: read_half(half) for half in HALVES}


def test_every_row_answers_a_question_of_its_bank_with_its_concepts(
    bank: Bank, rows: dict[str, list[TruthRow]]
) -> None:
    for half in rows.values():
        for row in half:
            prompt = prompt_of(row, bank)
            notes = Path(row.bank).stem.replace("_", "-")
            assert row.bank == "default" or prompt.id.startswith(f"{notes}-")
            if row.kind == "non_answer":
                assert row.states == () and row.non_answer is not None
            if row.kind == "swap":
                assert row.swap is not None


def test_the_set_is_large_enough_and_split_by_question(rows: dict[str, list[TruthRow]]) -> None:
    every = [row for half in rows.values() for row in half]
    assert len(every) >= 200
    assert len({row.question for row in every}) >= 50
    assert {row.lang for row in every} == {"ko", "en"}
    assert set(Counter(row.kind for row in every)) == {
        "complete",
        "half",
        "misconception",
        "swap",
        "typos",
        "non_answer",
    }
    for half, half_rows in rows.items():
        assert all(locked(row.question) == (half == "locked") for row in half_rows)
    assert not {r.question for r in rows["open"]} & {r.question for r in rows["locked"]}
    pairs = Counter(row.pair for row in every if row.pair is not None)
    assert pairs and set(pairs.values()) == {2}


def test_statements_are_checked_against_the_labels(rows: dict[str, list[TruthRow]]) -> None:
    row = next(r for r in rows["open"] if r.kind == "complete" and len(r.states) >= 2)
    stated, *_ = row.states
    match = ConceptMatch(stated, stated, "wording", ((0, 1),), row.answer[:1])
    told = Told(covered=(match,), missed=(row.states[1], "never-a-concept"), misconception="x")
    misconception = BY_FLAG[Flag.MISCONCEPTION].fired(words={"misconception": "x", "stated": "y"})
    explanation = Explanation(
        score=90, verdict=Verdict.CORRECT, raw=90, fired=(misconception,), told=told
    )
    said = {(s.kind, s.said): s.true for s in statements(row, explanation)}
    assert said[("covered", stated)] is True
    assert said[("missed", row.states[1])] is False
    assert said[("missed", "never-a-concept")] is True
    assert said[("misconception", "x")] is False
