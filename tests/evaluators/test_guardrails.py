"""Each guardrail fires with its deliberate score and message, and leaves real answers alone."""

from __future__ import annotations

import pytest

from content.schema import Prompt
from evaluators import EmbeddingGrader, Flag, Verdict
from evaluators.guardrails import MAX_ANSWER_CHARS, ONE_WORD_CAP, is_dont_know, is_noise
from tests.evaluators.conftest import GOOD_KO


@pytest.mark.parametrize("answer", ["", "   \n "])
async def test_empty(grader: EmbeddingGrader, relu: Prompt, answer: str) -> None:
    grade = await grader.grade(relu, answer)
    assert (grade.score, grade.verdict, grade.flags) == (0, Verdict.NO_ANSWER, (Flag.EMPTY,))
    assert "빈 답" in grade.feedback


@pytest.mark.parametrize(
    "answer",
    ["모르겠어요", "잘 모르겠습니다", "I don't know", "idk", "음... 잘 모르겠어요 ㅠㅠ", "pass"],
)
async def test_dont_know_scores_at_most_20(
    grader: EmbeddingGrader, relu: Prompt, answer: str
) -> None:
    grade = await grader.grade(relu, answer, lang="en")
    assert grade.score <= 20
    assert Flag.DONT_KNOW in grade.flags
    assert "model answer" in grade.feedback


def test_a_longer_shrug_without_any_key_concept_still_counts(relu: Prompt) -> None:
    shrug = "솔직히 잘 모르겠어요. 아직 그 부분은 공부를 안 해서요 ㅠㅠ"
    assert is_dont_know(shrug, relu.concepts)
    assert not is_dont_know(
        "잘 모르겠지만 기울기 소실 때문이라고 들었어요 정말로 그런가요", relu.concepts
    )


def test_a_real_attempt_that_starts_with_a_shrug_is_graded() -> None:
    assert not is_dont_know(
        "잘 모르겠지만 Sigmoid는 포화되어서 기울기 소실이 생기고 ReLU는 기울기가 1이라서요"
    )
    assert not is_dont_know("The forward pass computes the loss")


async def test_one_word_is_capped(grader: EmbeddingGrader, relu: Prompt) -> None:
    grade = await grader.grade(relu, "기울기소실")
    assert Flag.ONE_WORD in grade.flags
    assert grade.score <= ONE_WORD_CAP
    assert grade.covered == ("vanishing-gradient",)


async def test_copy_of_question(grader: EmbeddingGrader, relu: Prompt) -> None:
    grade = await grader.grade(relu, "요즘 sigmoid보다 ReLU를 많이 쓰는데, 그 이유는??")
    assert grade.flags == (Flag.COPY_OF_QUESTION,)
    assert grade.score == 0


async def test_copy_of_reference_after_reveal(grader: EmbeddingGrader, relu: Prompt) -> None:
    copied = relu.references[0].text
    revealed = await grader.grade(relu, copied, revealed=True)
    assert Flag.COPY_OF_REFERENCE in revealed.flags
    assert revealed.score == 0
    before = await grader.grade(relu, copied, revealed=False)
    assert Flag.COPY_OF_REFERENCE not in before.flags
    assert before.score >= 80


async def test_over_length_is_truncated_with_a_note(grader: EmbeddingGrader, relu: Prompt) -> None:
    grade = await grader.grade(relu, GOOD_KO + " 그리고" * 2000, lang="en")
    assert Flag.TRUNCATED in grade.flags
    assert str(MAX_ANSWER_CHARS) in grade.feedback
    assert grade.covered  # the truncated text was still graded


@pytest.mark.parametrize(
    "answer",
    [
        "ㅋㅋㅋㅋㅋㅋㅋ",
        "asdfasdf qwerqwer",
        "😀😂🤣😀😂🤣😀😂",
        "x7$#k!q@9#&*%",
        "ㅁㄴㅇㄹㅁㄴㅇㄹ",
        "!!!!!!!!",
    ],
)
async def test_noise(grader: EmbeddingGrader, relu: Prompt, answer: str) -> None:
    grade = await grader.grade(relu, answer)
    assert grade.flags == (Flag.NOISE,)
    assert grade.score == 0


@pytest.mark.parametrize(
    "answer",
    ["O(n)", "n-1", "σ(x) = 1/(1+e^-x) 라서 기울기가 최대 0.25예요", "ReLU = max(0, x) 👍", "GPT"],
)
def test_terse_but_real_answers_are_not_noise(answer: str) -> None:
    assert not is_noise(answer)


async def test_lone_surrogate_is_graded_not_raised(grader: EmbeddingGrader, relu: Prompt) -> None:
    grade = await grader.grade(relu, "ReLU \udc00 does not saturate for positive inputs", lang="en")
    assert 0 <= grade.score <= 100


# Each stem of `_DONT_KNOW_KO` on its own: no other stem is inside these answers, so a stem
# dropped from the list lets its answer through to the model.
@pytest.mark.parametrize(
    "answer",
    [
        "솔직히 모르겠어요",  # 모르겠
        "그건 몰라요",  # 몰라
        "모름",  # 모름
        "저는 모릅니다",  # 모릅니다
        "기억이 안 나요",  # 기억이안나
        "아 기억 안나",  # 기억안나
        "생각이 안 나네요",  # 생각이안나
    ],
)
async def test_each_korean_dont_know_scores_0_and_says_so(
    grader: EmbeddingGrader, relu: Prompt, answer: str
) -> None:
    grade = await grader.grade(relu, answer, lang="en")
    assert (grade.score, grade.verdict, grade.flags) == (0, Verdict.NO_ANSWER, (Flag.DONT_KNOW,))
    assert "model answer" in grade.feedback


async def test_an_honest_answer_after_the_reveal_is_graded_as_before_it(
    grader: EmbeddingGrader, relu: Prompt
) -> None:
    before = await grader.grade(relu, GOOD_KO)
    after = await grader.grade(relu, GOOD_KO, revealed=True)
    assert Flag.COPY_OF_REFERENCE not in after.flags
    assert (after.score, after.verdict, after.flags) == (before.score, before.verdict, before.flags)
    assert after.score >= 80


def _paste(prompt: Prompt, share: float) -> str:
    reference = prompt.references[0].text
    return reference[: round(len(reference) * share)]


async def test_most_of_the_reference_pasted_after_the_reveal_is_a_copy(
    grader: EmbeddingGrader, relu: Prompt
) -> None:
    # Two thirds of the reference: too short for the whole-text ratio, caught as a partial paste.
    pasted = _paste(relu, 0.66)
    grade = await grader.grade(relu, pasted, revealed=True)
    assert (grade.score, grade.flags) == (0, (Flag.COPY_OF_REFERENCE,))
    assert Flag.COPY_OF_REFERENCE not in (await grader.grade(relu, pasted)).flags


async def test_half_the_reference_or_a_quote_in_a_longer_answer_is_graded(
    grader: EmbeddingGrader, relu: Prompt
) -> None:
    half = _paste(relu, 0.5)
    quoted = (
        relu.references[0].text + " 제 생각에는 이 설명이 가장 정확하다고 봅니다. 실제로 실험해 "
        "보니 ReLU를 쓴 네트워크가 훨씬 빨리 수렴했고 학습도 안정적이었어요."
    )
    for answer in (half, quoted):
        grade = await grader.grade(relu, answer, revealed=True)
        assert Flag.COPY_OF_REFERENCE not in grade.flags, answer
        assert grade.score > 0, answer
