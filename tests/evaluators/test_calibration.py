"""The committed calibration loads, is monotone where it should be, and refits by question."""

from __future__ import annotations

import random
from dataclasses import replace
from pathlib import Path

import pytest

from content.schema import Prompt
from evaluators.calibration import Calibration
from evaluators.features import HEAD_INPUTS
from evaluators.features.measurement import Measurement
from evaluators.fitting.cross_validation import cross_validate, fit, predict
from evaluators.fitting.off_topic import fit_off_topic_rule
from evaluators.fitting.rows import Row, external_prompt
from evaluators.fitting.samples import Sample
from evaluators.rules.off_topic import OffTopicRule
from evaluators.scoring import Screening
from tests.evaluators.conftest import RELU
from tests.evaluators.measured import measured

PASSED = Screening(text="a")


def _answer(quality: float) -> Measurement:
    """An answer whose every measure grows with its `quality` (0-1)."""
    return measured(
        ref_sim=0.3 + 0.5 * quality,
        coverage=quality,
        lex_recall=0.8 * quality,
        lex_precision=0.5 + 0.3 * quality,
        words=round(5 + 20 * quality),
        ref_words=25,
    )


def test_committed_calibration_loads_with_its_three_heads() -> None:
    calibration = Calibration.load()
    assert set(calibration.heads) == {"concepts", "reference_only", "other_language"}
    for name, head in calibration.heads.items():
        assert head.features == HEAD_INPUTS[name]  # type: ignore[index]


def test_more_coverage_scores_higher() -> None:
    calibration = Calibration.load()
    low, high = _answer(0.1).features, _answer(0.9).features
    assert calibration.predict("concepts", high) > calibration.predict("concepts", low) + 0.3


def test_round_trip(tmp_path: Path) -> None:
    calibration = Calibration.load()
    path = tmp_path / "calibration.json"
    calibration.save(path)
    assert Calibration.load(path) == calibration


def test_each_head_has_its_own_off_topic_rule_and_a_missing_one_never_fires(
    tmp_path: Path,
) -> None:
    committed = Calibration.load()
    strict, loose = OffTopicRule(gap=0.3, min_sim=0.8), OffTopicRule(gap=0.1, min_sim=0.4)
    calibration = replace(committed, off_topic={"concepts": loose, "reference_only": strict})
    path = tmp_path / "calibration.json"
    calibration.save(path)
    loaded = Calibration.load(path)
    assert loaded.rule("concepts") == loose
    assert loaded.rule("reference_only") == strict
    assert replace(committed, off_topic={}).rule("reference_only") == OffTopicRule()


def test_refit_by_question_recovers_a_clean_signal() -> None:
    rng = random.Random(0)
    samples = []
    for q in range(8):
        prompt: Prompt = RELU.model_copy(update={"id": f"q{q}"})
        for _ in range(12):
            quality = rng.random()
            score = round(5 * quality)
            row = Row(question=f"q{q}", answer="a", score=score, score_max=5)
            samples.append(Sample(row, prompt, prompt.id, PASSED, _answer(quality)))
    result, predicted = cross_validate(samples)
    assert result.n == len(samples)
    assert result.spearman > 0.9
    head = fit(samples)
    assert predict(head, samples[0]) == pytest.approx(predicted[0], abs=0.3)


def _elsewhere(off_margin: float, other_sim: float, score: int) -> Sample:
    """A dev answer that names none of its prompt's concepts and sits `off_margin` closer to
    another question's model answer, at `other_sim`."""
    answer = measured(ref_sim=other_sim - off_margin, other_sim=other_sim)
    assert answer.features["off_margin"] == pytest.approx(off_margin)
    row = Row(question="q", answer="a", score=score, score_max=5)
    return Sample(row, RELU, RELU.id, PASSED, answer)


def test_off_topic_rules_that_help_equally_take_the_lower_similarity_floor() -> None:
    """Capping the answer to another question helps; capping the right answer (a smaller gap,
    similarity 0.58) hurts. A rule may leave the right answer out by its gap or by its
    similarity floor; both help equally, and the lower floor is taken."""
    background = [_elsewhere(0.02 * i, 0.30 + 0.02 * i, 0) for i in range(10)]
    other_question = _elsewhere(0.40, 0.60, 0)
    right_answer = _elsewhere(0.30, 0.58, 3)
    samples = [*background, _elsewhere(0.35, 0.59, 0), other_question, right_answer]
    predicted = [0.1] * 11 + [0.5, 0.6]
    rule = fit_off_topic_rule(samples, predicted, [None] * len(samples))
    assert rule.applies(other_question.features or {}, covered=0, reviewed=True)
    assert not rule.applies(right_answer.features or {}, covered=0, reviewed=True)
    assert rule.min_sim is not None and rule.min_sim < 0.58


def test_the_off_topic_fit_leaves_out_answers_near_a_model_answer_right_here() -> None:
    """A prompt without key concepts: where the other question's model answer is graded right
    here (80), an answer near it is no evidence for the rule. With the right answer's other
    question of that kind, the fit takes a rule that reaches it, and the rule then leaves it
    alone only through that grade; blind to the grade, no rule helps."""
    team = external_prompt("Why was bulb A on?", "Bulb A was in a closed path with the battery.")

    def elsewhere(off_margin: float, other_sim: float, score: int) -> Sample:
        """As `_elsewhere`, holding a third of the other model answer's words, none of its own."""
        answer = measured(ref_sim=other_sim - off_margin, other_sim=other_sim, other_lex_recall=0.3)
        row = Row(question=team.text.en, answer="a", score=score, score_max=5)
        return Sample(row, team, team.id, PASSED, answer)

    background = [elsewhere(0.02 * i, 0.30 + 0.02 * i, 0) for i in range(10)]
    other_question = elsewhere(0.40, 0.60, 0)
    right_answer = elsewhere(0.45, 0.62, 5)
    samples = [*background, other_question, right_answer]
    predicted = [0.1] * 10 + [0.5, 0.9]
    blind = fit_off_topic_rule(samples, predicted, [None] * len(samples))
    assert blind.gap is None
    rule = fit_off_topic_rule(samples, predicted, [None] * 11 + [80])
    assert rule.applies(other_question.features or {}, covered=None, reviewed=True)
    assert rule.applies(right_answer.features or {}, covered=None, reviewed=True)
    assert not rule.applies(
        right_answer.features or {}, covered=None, reviewed=True, other_answer_grade=80
    )
