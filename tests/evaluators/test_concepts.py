"""Concept matching survives Korean inflection, spacing, English forms and small typos."""

from __future__ import annotations

import pytest

from content.schema import Concept
from evaluators.reading.concepts import (
    UNREAD_AFFINITY,
    AnswerText,
    concept_affinity,
    concept_matches,
    concept_present,
    form_matches,
    nameable,
)

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


ENCODER = Concept(id="encoder", ko="encoder", en="encoder")
DECODER = Concept(id="decoder", ko="decoder", en="decoder")


@pytest.mark.parametrize(
    ("answer", "named"),
    [
        (
            "Teacher forcing feeds the ground-truth token into the decoder during training",
            {"decoder"},
        ),
        ("BERT is an encodr model, GPT a decoder", {"encoder", "decoder"}),
        ("an encoder and a decoder", {"encoder", "decoder"}),
    ],
)
def test_a_word_spelled_as_another_concept_is_no_typo_of_this_one(
    answer: str, named: set[str]
) -> None:
    """ "decoder" is one letter pair from "encoder": read as a typo, an answer about the decoder
    was credited with the encoder too, shown as covered by "ecoder d"."""
    matches = concept_matches((ENCODER, DECODER), AnswerText.of(answer))
    assert {m.concept for m in matches} == named
    assert all(m.how != "spelling" or "decoder" not in m.passage for m in matches)


def test_short_latin_forms_need_a_whole_word() -> None:
    assert concept_present(LR, AnswerText.of("lr를 줄이면 안정적"))
    assert not form_matches("lr", AnswerText.of("leaky relu 써요 lrelu"))


def test_a_short_latin_form_matches_its_plural() -> None:
    """An English answer says "watch for NaNs" where a Korean one says "NaN이 생기는지"."""
    assert form_matches("NaN", AnswerText.of("Check shapes and watch for NaNs."))
    assert form_matches("GAN", AnswerText.of("GANs train a generator against a critic"))
    assert not form_matches("NaN", AnswerText.of("the nanny state"))


PENALTY = Concept(id="weight-penalty", ko="가중치 규제", en="weight penalty", synonyms=("L2",))
UNIT = Concept(
    id="unit-gradient", ko="양수 구간 기울기 1", en="gradient of 1", synonyms=("미분이 1",)
)


@pytest.mark.parametrize(
    ("concept", "answer"),
    [
        (PENALTY, "층을 2개로 줄입니다"),
        (PENALTY, "we train for 2 epochs"),
        (UNIT, "<script>alert(1)</script>"),
        (UNIT, "1"),
    ],
)
def test_a_digit_is_no_concept(concept: Concept, answer: str) -> None:
    """Kiwi reads "L2" as the number 2 and "미분이 1" as 1: matched by those lemmas, any answer
    holding the digit would name the concept."""
    assert not concept_present(concept, AnswerText.of(answer))


@pytest.mark.parametrize(
    ("concept", "answer"),
    [(PENALTY, "L2 규제를 씁니다"), (UNIT, "ReLU는 양수에서 미분이 1이라 잘 전달됩니다")],
)
def test_a_form_with_a_number_still_matches_as_written(concept: Concept, answer: str) -> None:
    assert concept_present(concept, AnswerText.of(answer))


def test_unrelated_answer_matches_nothing() -> None:
    assert not concept_present(VANISHING, AnswerText.of("ReLU는 계산이 빠릅니다"))


LINEAR_COLLAPSE = Concept(
    id="linear-collapse",
    ko="선형 층의 합성은 하나의 선형 변환",
    en="stacked linear layers collapse into one linear map",
    synonyms=("하나의 선형", "선형 변환의 합성", "single linear"),
)


def test_an_answer_near_a_concept_it_does_not_name_comes_closer_than_an_unrelated_one() -> None:
    """A Korean paraphrase that names no surface form still comes near the concept in meaning,
    which the English embedding model cannot tell."""
    paraphrase = AnswerText.of(
        "선형 함수를 여러 번 합성해도 선형 함수이기 때문에 비선형이 필요합니다"
    )
    unrelated = AnswerText.of("데이터를 많이 모으면 과적합이 줄어듭니다")
    assert not concept_present(LINEAR_COLLAPSE, paraphrase)
    near, far = (concept_affinity(LINEAR_COLLAPSE, a) for a in (paraphrase, unrelated))
    assert 0.0 <= far < near < 1.0
    assert near - far > 0.2, (near, far)


def test_an_answer_without_korean_takes_the_mean_affinity() -> None:
    """The concept's Korean forms are read against the answer's Korean morphemes only; an English
    answer, which Kiwi cannot read, neither gains nor loses against its Korean twin."""
    english = AnswerText.of("Linear maps compose linearly.")
    assert concept_affinity(LINEAR_COLLAPSE, english) == UNREAD_AFFINITY


def test_an_english_answer_can_name_only_concepts_with_a_wording_outside_hangul() -> None:
    residual = Concept(id="janchae", ko="잔차", en="잔차")
    gradient = Concept(id="vanishing", ko="기울기 소실", en="vanishing gradient")
    mixed = Concept(
        id="gt-input", ko="ground truth 입력", en="ground truth 입력", synonyms=("ground truth",)
    )
    concepts = (residual, gradient, mixed)
    assert nameable(concepts, "ko") == concepts
    assert nameable(concepts, "en") == (gradient, mixed)
