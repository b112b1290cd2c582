"""Feedback agrees with the score (`feedback.told_of`): a concept is listed as covered only with
the passage of the answer that names it, an incorrect or off-topic answer is credited with none,
a concept is told missed only when nothing in the answer names it (otherwise it is unsure), a
misconception is told only where the answer states it, praise only from `mostly_correct` up, and
the suggested addition never names a concept listed as covered."""

from __future__ import annotations

import pytest

from content.bank import Bank
from content.schema import Prompt
from evaluators import EmbeddingGrader
from evaluators.feedback import Told, compose, told_of
from evaluators.grade import Flag, Verdict
from evaluators.reading.concepts import AnswerText, ConceptMatch, concept_matches, concept_present
from evaluators.rules import BY_FLAG, Fired
from evaluators.rules.misconception import MISCONCEPTION_CAP
from tests.evaluators.conftest import GOOD_EN, GOOD_KO, MISCONCEPTION_KO, RELU

ALL = tuple(c.id for c in RELU.concepts)


def _fired(flags: tuple[Flag, ...]) -> tuple[Fired, ...]:
    """Each flag's rule fired; the misconception rule stating the prompt's first
    misconception."""
    words = {"misconception": RELU.misconceptions[0].text, "stated": "yes"}
    return tuple(BY_FLAG[f].fired(words=words if f is Flag.MISCONCEPTION else None) for f in flags)


def _told(
    answer: str,
    *,
    score: int = 90,
    verdict: Verdict = Verdict.CORRECT,
    flags: tuple[Flag, ...] = (),
) -> Told:
    matches = concept_matches(RELU.concepts, AnswerText.of(answer))
    return told_of(RELU, score=score, verdict=verdict, fired=_fired(flags), matches=matches)


def _feedback(told: Told, verdict: Verdict, flags: tuple[Flag, ...] = (), score: int = 90) -> str:
    return compose(RELU, verdict=verdict, score=score, told=told, fired=_fired(flags), lang="ko")


@pytest.mark.parametrize("answer", [GOOD_EN, GOOD_KO])
def test_each_covered_concept_comes_with_the_passage_of_the_answer_naming_it(answer: str) -> None:
    told = _told(answer)
    assert set(told.covered_ids) == set(ALL)
    for match in told.covered:
        shown = [answer[start:end] for start, end in match.spans]
        assert match.passage == " … ".join(shown) and all(shown)
        assert concept_present(RELU.concept(match.concept), AnswerText.of(" ".join(shown)))


def test_a_match_that_shows_no_passage_is_not_listed_as_covered() -> None:
    unseen = ConceptMatch("saturation", "포화", "spelling", (), "")
    told = told_of(RELU, score=90, verdict=Verdict.CORRECT, fired=(), matches=(unseen,))
    assert told.covered == ()
    assert told.unsure == ("saturation",), "named somewhere: not surely missed either"
    assert told.missed == tuple(c for c in ALL if c != "saturation")


def test_a_concept_the_answer_comes_near_is_neither_covered_nor_missed() -> None:
    told = told_of(
        RELU, score=60, verdict=Verdict.PARTIAL, fired=(), matches=(), near=("unit-gradient",)
    )
    assert (told.covered, told.unsure) == ((), ("unit-gradient",))
    assert "unit-gradient" not in told.missed and "unit-gradient" in told.advised


@pytest.mark.parametrize(
    ("verdict", "flags"),
    [(Verdict.INCORRECT, ()), (Verdict.PARTIAL, (Flag.OFF_TOPIC,))],
    ids=["incorrect", "off-topic"],
)
def test_an_incorrect_or_off_topic_answer_is_credited_with_no_concept(
    verdict: Verdict, flags: tuple[Flag, ...]
) -> None:
    told = _told(GOOD_KO, score=15, verdict=verdict, flags=flags)
    assert told.covered == ()
    assert (told.missed, told.unsure) == ((), ALL), "named, though not credited: not missed"
    assert "모두 다뤘어요" not in _feedback(told, verdict, flags)


def test_a_misconception_stated_is_told_at_any_score_and_one_echoed_never() -> None:
    flags = (Flag.MISCONCEPTION,)
    for score in (15, 39, 95):
        stated = _told(MISCONCEPTION_KO, score=score, verdict=Verdict.PARTIAL, flags=flags)
        assert stated.misconception == RELU.misconceptions[0].text
        assert stated.covered == (), "a wrong claim is credited nothing"
        told = _feedback(stated, Verdict.PARTIAL, flags, score=score)
        assert RELU.misconceptions[0].text in told
    echo = (BY_FLAG[Flag.MISCONCEPTION].fired(words={"misconception": "x"}),)
    matches = concept_matches(RELU.concepts, AnswerText.of(GOOD_KO))
    at = told_of(RELU, score=30, verdict=Verdict.PARTIAL, fired=echo, matches=matches)
    assert at.misconception is None
    said = compose(RELU, verdict=Verdict.PARTIAL, score=30, told=at, fired=echo, lang="ko")
    assert "오해" not in said


def test_the_suggested_addition_never_names_a_concept_listed_as_covered() -> None:
    """Each reference sentence naming a missed concept also names one the answer covered: the
    suggestion names the missed concepts instead of quoting either sentence."""
    told = _told("ReLU는 양수에서 기울기가 1이라 기울기 소실이 없어요.", verdict=Verdict.PARTIAL)
    assert told.covered_ids == ("vanishing-gradient", "unit-gradient")
    feedback = _feedback(told, Verdict.PARTIAL)
    assert feedback == "완전한 답은 포화, 계산이 빠름까지 설명해요."
    said = AnswerText.of(feedback)
    assert not any(concept_present(RELU.concept(c), said) for c in told.covered_ids)


def test_full_coverage_is_praised_only_from_mostly_correct_up() -> None:
    told = _told(GOOD_KO)
    assert told.missed == ()
    assert _feedback(told, Verdict.MOSTLY_CORRECT) == "핵심 개념을 모두 다뤘어요."
    partial = _feedback(told, Verdict.PARTIAL)
    assert "모두 다뤘어요" not in partial
    assert partial.endswith(f"모범 답안: {RELU.references_in('ko')[0].text}")


RELU_WITH_ABSOLUTE = (
    "Sigmoid는 포화되어 기울기가 0에 가까워지고 vanishing gradient 문제가 생깁니다. ReLU는 양수 "
    "구간 기울기가 1이라 vanishing gradient 문제를 없애 주고, exp 연산이 없어 계산이 빠르고 "
    "희소한 활성화를 만듭니다. 그래서 sigmoid는 출력층에서만 씁니다."
)


@pytest.mark.slow
async def test_a_right_answer_echoing_a_misconception_is_not_told_it_is_close_to_one(
    grader: EmbeddingGrader, bank: Bank
) -> None:
    """The issue's case: a right answer about ReLU that shares a misconception's words ("없애
    주고") graded `correct`, and told it is close to a common misconception."""
    await grader.prepare(bank)
    grade = await grader.grade(bank.get("q01"), RELU_WITH_ABSOLUTE, lang="ko")
    assert grade.score >= 85 and Flag.MISCONCEPTION in grade.flags
    assert "오해" not in grade.feedback


@pytest.mark.slow
async def test_a_wrong_answer_is_told_which_misconception_it_echoes(
    grader: EmbeddingGrader, relu: Prompt, mini_bank: Bank
) -> None:
    await grader.prepare(mini_bank)
    grade = await grader.grade(relu, MISCONCEPTION_KO, lang="ko")
    assert grade.score <= MISCONCEPTION_CAP
    assert relu.misconceptions[0].text in grade.feedback
