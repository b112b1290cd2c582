"""Concept matching survives Korean inflection, spacing, English forms and small typos."""

from __future__ import annotations

import pytest

from content.schema import Concept
from evaluators.concepts import AnswerText, concept_present, form_matches

VANISHING = Concept(
    id="vanishing", ko="기울기 소실", en="vanishing gradient", synonyms=("gradient vanishing",)
)
LOSS_OF = Concept(id="loss", ko="소실", en="loss of signal")
LR = Concept(id="lr", ko="학습률", en="learning rate", synonyms=("lr",))


@pytest.mark.parametrize(
    "answer",
    [
        "기울기가 소실된다",
        "기울기 소실이 생겨요",
        "기울기소실",
        "the gradients are vanishing quickly",
    ],
)
def test_inflected_and_respaced_forms_match(answer: str) -> None:
    assert concept_present(VANISHING, AnswerText.of(answer))


@pytest.mark.parametrize("answer", ["정보가 소실된다", "신호의 소실이 문제", "소실돼요"])
def test_korean_morphology(answer: str) -> None:
    assert concept_present(LOSS_OF, AnswerText.of(answer))


def test_near_spelling_matches() -> None:
    assert concept_present(VANISHING, AnswerText.of("the vanishng gradiant problem"))


def test_short_latin_forms_need_a_whole_word() -> None:
    assert concept_present(LR, AnswerText.of("lr를 줄이면 안정적"))
    assert not form_matches("lr", AnswerText.of("leaky relu 써요 lrelu"))


def test_a_short_latin_form_matches_its_plural() -> None:
    """An English answer says "watch for NaNs" where a Korean one says "NaN이 생기는지"."""
    assert form_matches("NaN", AnswerText.of("Check shapes and watch for NaNs."))
    assert form_matches("GAN", AnswerText.of("GANs train a generator against a critic"))
    assert not form_matches("NaN", AnswerText.of("the nanny state"))


def test_unrelated_answer_matches_nothing() -> None:
    assert not concept_present(VANISHING, AnswerText.of("ReLU는 계산이 빠릅니다"))
