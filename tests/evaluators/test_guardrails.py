"""Each screen fires with its deliberate score and message, and leaves real answers alone."""

from __future__ import annotations

import pytest
from rapidfuzz import fuzz

from content.schema import Localized, Prompt, Reference
from evaluators import EmbeddingGrader, Flag, Verdict
from evaluators.grade import MAX_ANSWER_CHARS
from evaluators.reading.morphology import compact
from evaluators.rules.copy_of_reference import REFERENCE_COPY_RATIO
from evaluators.rules.dont_know import is_dont_know
from evaluators.rules.noise import is_noise
from evaluators.rules.term_alone import ONE_WORD_CAP, TERM_ALONE_CAP
from evaluators.scoring import Screening, screen
from tests.evaluators.conftest import GOOD_EN, GOOD_KO, RELU


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
    assert "/quiz hint" in grade.feedback
    assert "model answer" not in grade.feedback, "the member cannot see a model answer yet"


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


async def test_one_word_is_capped_and_credited_nothing(
    grader: EmbeddingGrader, relu: Prompt
) -> None:
    grade = await grader.grade(relu, "기울기소실")
    assert Flag.ONE_WORD in grade.flags
    assert grade.score <= TERM_ALONE_CAP
    assert grade.covered == ()
    assert relu.text.ko in grade.feedback


@pytest.mark.parametrize("term", ["vanishing gradient", "Vanishing gradient.", "기울기 소실"])
async def test_a_key_concept_named_alone_is_a_term_not_an_answer(
    grader: EmbeddingGrader, relu: Prompt, term: str
) -> None:
    grade = await grader.grade(relu, term, lang="en")
    assert Flag.ONE_WORD in grade.flags
    assert grade.score <= TERM_ALONE_CAP
    assert grade.covered == ()
    assert relu.text.en in grade.feedback


@pytest.mark.parametrize(
    "answer",
    ["ReLU avoids the vanishing gradient", "vanishing gradient and sparsity"],
    ids=["said-of-something", "two-concepts"],
)
async def test_a_concept_inside_a_claim_or_beside_another_is_not_alone(
    grader: EmbeddingGrader, relu: Prompt, answer: str
) -> None:
    grade = await grader.grade(relu, answer, lang="en")
    assert Flag.ONE_WORD not in grade.flags
    assert "vanishing-gradient" in grade.covered


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
    assert "model answer" not in grade.feedback
    shown = await grader.grade(relu, answer, lang="en", revealed=True)
    assert "model answer" in shown.feedback, "once revealed, the member is sent to read it"


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


# The screening itself, decision by decision: what `screen` returns is what the grader obeys.

Seen = tuple[str, tuple[Flag, ...], bool, int | None]


def seen(text: str, *flags: Flag, final: bool = False, cap: int | None = None) -> Seen:
    """A screening as its text, the flags of the rules that fired, whether they decided the
    grade, and the lowest cap they set."""
    return text, flags, final, cap


def _seen(screening: Screening) -> Seen:
    return screening.text, screening.flags, screening.final, screening.cap


PUSH = Prompt(
    id="t-push",
    text=Localized(ko="스택에 넣는 연산은?", en="What adds an item to a stack?"),
    topics=("data-structures",),
    references=(Reference(lang="en", text="push"),),
)
POP = PUSH.model_copy(update={"references": (Reference(lang="en", text="pop"),)})


@pytest.mark.parametrize(
    ("answer", "revealed", "screening"),
    [
        ("  \n ", False, seen("", Flag.EMPTY, final=True)),
        ("ㅋㅋㅋㅋ", False, seen("ㅋㅋㅋㅋ", Flag.NOISE, final=True)),
        ("  모르겠어요 ", False, seen("모르겠어요", Flag.DONT_KNOW, final=True)),
        (
            RELU.text.ko,
            False,
            seen(RELU.text.ko, Flag.COPY_OF_QUESTION, final=True),
        ),
        (
            RELU.references[1].text,
            True,
            seen(RELU.references[1].text, Flag.COPY_OF_REFERENCE, final=True),
        ),
        (
            "기울기소실",
            False,
            seen("기울기소실", Flag.ONE_WORD, cap=TERM_ALONE_CAP),
        ),
        (f" {GOOD_EN} ", True, seen(GOOD_EN)),
    ],
    ids=["empty", "noise", "dont-know", "question", "reference", "one-word", "answer"],
)
def test_each_screen_decides_with_its_score_or_cap(
    answer: str, revealed: bool, screening: Seen
) -> None:
    assert _seen(screen(RELU, answer, revealed=revealed)) == screening


def test_one_word_to_a_prompt_without_key_concepts_keeps_the_one_word_cap() -> None:
    """A team's prompt has no key concepts to tell a term from a terse answer ("push")."""
    team = RELU.model_copy(update={"concepts": ()})
    assert ONE_WORD_CAP > TERM_ALONE_CAP
    assert _seen(screen(team, "saturation", revealed=False)) == seen(
        "saturation", Flag.ONE_WORD, cap=ONE_WORD_CAP
    )
    assert _seen(screen(team, "vanishing gradient", revealed=False)) == seen("vanishing gradient")


def test_only_text_past_the_limit_is_cut_and_the_cut_is_noted() -> None:
    at_limit = ("ReLU keeps gradients alive. " * 200)[:MAX_ANSWER_CHARS]
    assert _seen(screen(RELU, at_limit, revealed=False)) == seen(at_limit)
    over = screen(RELU, at_limit + " and more", revealed=False)
    assert _seen(over) == seen(at_limit, Flag.TRUNCATED)
    assert over.fired[0].words == {"limit": str(MAX_ANSWER_CHARS)}
    noise = "!" * (MAX_ANSWER_CHARS + 1)
    assert _seen(screen(RELU, noise, revealed=False)) == seen(
        "!" * MAX_ANSWER_CHARS, Flag.TRUNCATED, Flag.NOISE, final=True
    )


def test_a_question_restated_with_an_answer_word_added_is_graded() -> None:
    restated = RELU.text.ko + " 포화"
    assert _seen(screen(RELU, restated, revealed=False)) == seen(restated)


def test_a_four_letter_model_answer_pasted_after_the_reveal_is_a_copy() -> None:
    assert _seen(screen(PUSH, "push", revealed=True)) == seen(
        "push", Flag.COPY_OF_REFERENCE, final=True
    )
    assert _seen(screen(PUSH, "push", revealed=False)) == seen("push")
    # Three letters are too few to tell a paste from knowing the answer.
    assert _seen(screen(POP, "pop", revealed=True)) == seen("pop")


def test_one_word_is_not_capped_where_the_model_answer_is_one_word_too() -> None:
    assert _seen(screen(PUSH, "enqueue", revealed=False)) == seen("enqueue")


@pytest.mark.parametrize(
    ("answer", "noise"),
    [
        ("aaa", False),  # one letter three times: a word
        ("aaaa", True),  # four times: a repeated character
        ("abab", True),  # two letters, repeated
        ("abcabc", False),  # three letters: could be a word
        ("bcd!", False),  # a quarter symbols
        ("bcd!!", True),  # two fifths symbols, no real word
        ("ㅋbcd", False),  # a quarter jamo
        ("ㅋㅋbcd", True),  # two fifths jamo, no real word
        ("bcd fg", False),  # no real word, but five letters: an abbreviation, maybe
        ("bcd fgh", True),  # six letters, no real word
        ("a b c d e f g h i j", False),  # three real words in ten
        ("relu bcd fgh jkl", True),  # one in four
    ],
)
def test_noise_turns_at_its_thresholds(answer: str, noise: bool) -> None:
    assert is_noise(answer) is noise


@pytest.mark.parametrize(
    ("answer", "without_concepts", "with_concepts"),
    [
        ("I dont know this one either", True, True),  # six words: a shrug
        ("I dont know this one at all", False, True),  # seven: a shrug only naming no concept
        (
            "I dont know what the answer to this question is, sorry about that my friend",
            False,
            True,
        ),  # fifteen
        (
            "I dont know what the answer to this question is, sorry about that my dear friend",
            False,
            False,
        ),  # sixteen: an attempt
        ("i dont know but i think it is about the gradient of one", False, False),
    ],
)
def test_a_shrug_turns_at_six_words_or_at_fifteen_naming_no_concept(
    answer: str, without_concepts: bool, with_concepts: bool
) -> None:
    assert is_dont_know(answer) is without_concepts
    assert is_dont_know(answer, RELU.concepts) is with_concepts


def test_an_answer_as_like_the_revealed_model_answer_as_the_threshold_is_a_copy() -> None:
    decayed = PUSH.model_copy(
        update={"references": (Reference(lang="en", text="learning rates decayed"),)}
    )
    answer = "learning rates decaqqq"  # 17 of 20 letters in common
    assert fuzz.ratio(compact(answer), "learningratesdecayed") == REFERENCE_COPY_RATIO
    assert _seen(screen(decayed, answer, revealed=True)) == seen(
        answer, Flag.COPY_OF_REFERENCE, final=True
    )


def test_a_paste_of_most_of_the_model_answer_is_told_from_a_quote_or_a_half() -> None:
    reference = RELU.references[0].text
    most, half = _paste(RELU, 0.66), _paste(RELU, 0.5)
    assert screen(RELU, most, revealed=True).flags == (Flag.COPY_OF_REFERENCE,)
    assert screen(RELU, half, revealed=True).flags == ()
    quoted = (
        reference + " 제 생각에는 이 설명이 가장 정확하다고 봅니다. 실제로 실험해 보니 ReLU를 "
        "쓴 네트워크가 훨씬 빨리 수렴했고 학습도 안정적이었어요."
    )
    assert screen(RELU, quoted, revealed=True).flags == ()


def test_a_paste_as_near_the_model_answer_as_the_partial_threshold_is_a_copy() -> None:
    slowly = PUSH.model_copy(
        update={"references": (Reference(lang="en", text="weights decay slowly overall"),)}
    )
    answer = "weights decay slowlx ov"  # 19 of its 20 letters in the reference's first 20
    assert fuzz.partial_ratio(compact(answer), "weightsdecayslowlyoverall") == 95
    assert fuzz.ratio(compact(answer), "weightsdecayslowlyoverall") < REFERENCE_COPY_RATIO
    assert screen(slowly, answer, revealed=True).flags == (Flag.COPY_OF_REFERENCE,)


def test_a_model_answer_without_letters_does_not_end_the_search_for_a_copy() -> None:
    arrows = PUSH.model_copy(
        update={"references": (Reference(lang="ko", text="→"), *PUSH.references)}
    )
    assert screen(arrows, "push", revealed=True).flags == (Flag.COPY_OF_REFERENCE,)


@pytest.mark.parametrize("answer", ["I don’t know", "i don’t know, sorry"])
def test_a_shrug_typed_with_a_curly_apostrophe_is_a_shrug(answer: str) -> None:
    assert is_dont_know(answer)


def test_jamo_typed_on_a_korean_keyboard_count_as_jamo() -> None:
    # ㄱ (U+3131) reaches the check as its conjoining form U+1100, the range's first letter.
    assert is_noise("ㄱㄱbcd")
    assert not is_noise("ㄱbcd")


def test_a_longer_shrug_is_screened_out_against_the_prompts_own_concepts() -> None:
    shrug = "I dont know this one at all"
    assert _seen(screen(RELU, shrug, revealed=False)) == seen(shrug, Flag.DONT_KNOW, final=True)
