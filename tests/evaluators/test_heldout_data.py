"""The round-4 held-out data (evaluators/data/heldout): every row names a seed prompt, carries a
score in range and a known class, and every paraphrase's `stated` concepts are concepts of its
prompt whose listed wordings the answer does not use (the file's promise)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from content.loader import load_bank
from content.schema import Prompt
from tools.quality.heldout import FILES as NAMED_FILES
from tools.quality.heldout import HELD_OUT_SETS, held_out_path

DATA = Path(__file__).resolve().parents[2] / "evaluators" / "data" / "heldout"
FILES = {
    "natural.jsonl": "natural",
    "paraphrases.jsonl": "paraphrase",
    "non_answers.jsonl": "non_answer",
    "wrong_claims.jsonl": "wrong_claim",
    "negations.jsonl": "negation",
}


def _rows(name: str) -> list[dict[str, Any]]:
    lines = (DATA / name).read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


@pytest.fixture(scope="module")
def seed_prompts() -> dict[str, Prompt]:
    return {prompt.text.ko: prompt for prompt in load_bank().all() if prompt.references}


@pytest.mark.parametrize("name", sorted(FILES))
def test_rows_name_seed_prompts_with_scores_in_range(
    name: str, seed_prompts: dict[str, Prompt]
) -> None:
    rows = _rows(name)
    for number, row in enumerate(rows, start=1):
        assert row["question"] in seed_prompts, (name, number)
        assert row["class"] == FILES[name], (name, number)
        assert row["lang"] in {"en", "ko"}, (name, number)
        assert row["score_max"] == 100 and 0 <= row["score"] <= 100, (name, number)
    if name == "non_answers.jsonl":
        assert {row["score"] for row in rows} == {0}
    if name == "wrong_claims.jsonl":
        assert max(row["score"] for row in rows) <= 20


def test_the_sets_are_as_large_as_the_issue_asks() -> None:
    sizes = {name: Counter(row["lang"] for row in _rows(name)) for name in FILES}
    assert sizes["natural.jsonl"]["en"] >= 60
    assert sum(sizes["paraphrases.jsonl"].values()) >= 40
    assert min(sizes["paraphrases.jsonl"]["en"], sizes["paraphrases.jsonl"]["ko"]) >= 15
    assert sum(sizes["non_answers.jsonl"].values()) >= 40
    assert sum(sizes["wrong_claims.jsonl"].values()) >= 20
    assert min(sizes["negations.jsonl"]["en"], sizes["negations.jsonl"]["ko"]) >= 15


def test_paraphrases_state_concepts_of_their_prompt_without_its_wordings(
    seed_prompts: dict[str, Prompt],
) -> None:
    for number, row in enumerate(_rows("paraphrases.jsonl"), start=1):
        concepts = {concept.id: concept for concept in seed_prompts[row["question"]].concepts}
        assert row["stated"], number
        answer = row["answer"].casefold()
        for concept_id in row["stated"]:
            concept = concepts[concept_id]
            wordings = [concept.ko, concept.en, *concept.synonyms]
            used = [w for w in wordings if w and w.casefold() in answer]
            assert used == [], (number, concept_id, used)


def test_eval_heldout_reads_these_files_by_default() -> None:
    """`quizmaster eval heldout` without `--dir` reads the files checked here (it looked beside
    its own module, under `harness/`, once the harness moved there)."""
    for name in HELD_OUT_SETS:
        assert held_out_path(name) == DATA / NAMED_FILES.get(name, f"{name}.jsonl")
        assert held_out_path(name).is_file()
