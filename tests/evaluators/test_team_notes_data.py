"""The held-out team-notes data (evaluators/data/team_notes): both notes files import cleanly with
every prompt ready, and every graded answer and English twin names a real prompt."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from content.importers.notes import import_notes
from content.loader import load_bank
from content.schema import Prompt

DATA = Path(__file__).resolve().parents[2] / "evaluators" / "data" / "team_notes"
NOTES = ("numbered.md", "headings.md")
CLASSES = {"sibling", "cross_lang", "misconception", "terse"}
HANGUL = re.compile(r"[\uac00-\ud7a3]")


def _rows(name: str) -> list[dict[str, Any]]:
    lines = (DATA / name).read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


@pytest.fixture(scope="module")
def team_prompts() -> dict[str, Prompt]:
    """Every imported team prompt by its question text (the importer keeps one wording)."""
    prompts: dict[str, Prompt] = {}
    for name in NOTES:
        for prompt in import_notes(DATA / name).bank_file.prompts:
            assert prompt.text.ko == prompt.text.en, prompt.id
            prompts[prompt.text.ko] = prompt
    return prompts


def test_both_notes_files_import_with_every_prompt_ready() -> None:
    for name, mains, followups in (("numbered.md", 8, 8), ("headings.md", 10, 0)):
        prompts = import_notes(DATA / name).bank_file.prompts
        assert [p.id for p in prompts if p.status != "ready"] == [], name
        assert all(p.references for p in prompts), name
        assert sum(p.parent is None for p in prompts) == mains, name
        assert sum(p.parent is not None for p in prompts) == followups, name


def test_graded_rows_answer_team_prompts_with_scores_in_range(
    team_prompts: dict[str, Prompt],
) -> None:
    rows = _rows("graded.jsonl")
    assert len(rows) >= 120
    for number, row in enumerate(rows, start=1):
        required = {"question", "answer", "score", "score_max", "lang"}
        assert required <= set(row) <= required | {"class"}, number
        assert row["question"] in team_prompts, (number, row["question"])
        assert row["score_max"] == 100, number
        assert type(row["score"]) is int and 0 <= row["score"] <= 100, number
        assert row.get("class", "sibling") in CLASSES, number
        assert row["lang"] == ("ko" if HANGUL.search(row["answer"]) else "en"), number
    assert {row["question"] for row in rows} == set(team_prompts)


def test_graded_rows_hold_siblings_and_both_languages() -> None:
    rows = _rows("graded.jsonl")
    classes = Counter(row.get("class") for row in rows)
    assert classes["sibling"] >= 15, classes
    assert all(row["score"] <= 20 for row in rows if row.get("class") == "sibling")
    languages = Counter(row["lang"] for row in rows)
    assert languages["ko"] >= 30 and languages["en"] >= 30, languages
    cross = [row for row in rows if row.get("class") == "cross_lang"]
    assert all(bool(HANGUL.search(row["question"])) != (row["lang"] == "ko") for row in cross)


def test_twins_pair_a_seed_prompt_answer_with_its_english_translation() -> None:
    """Graded rows, as `quizmaster eval` reads them: each pair a Korean answer and its English
    translation, with one grade."""
    bank = load_bank()
    rows = _rows("twins.jsonl")
    assert len(rows) == 60
    pairs: dict[int, dict[str, dict[str, Any]]] = {}
    for number, row in enumerate(rows, start=1):
        assert set(row) == {"question", "answer", "score", "score_max", "lang", "twin"}, number
        assert row["lang"] in ("ko", "en") and bool(HANGUL.search(row["answer"])) == (
            row["lang"] == "ko"
        ), number
        assert type(row["score"]) is int and 0 <= row["score"] <= row["score_max"], number
        pairs.setdefault(row["twin"], {})[row["lang"]] = row
    assert len(pairs) == 30
    questions = set()
    for twin, pair in pairs.items():
        assert set(pair) == {"ko", "en"}, twin
        assert pair["ko"]["question"] == pair["en"]["question"], twin
        assert pair["ko"]["score"] == pair["en"]["score"], twin
        prompt = bank.find_by_text(pair["ko"]["question"])
        assert prompt is not None and prompt.kind == "graded", (twin, pair["ko"]["question"])
        questions.add(prompt.id)
    assert len(questions) == 30
