"""The verdict shown beside a score changes exactly at 85, 65 and 35: a real answer graded by
the real grader under a hint cap lands on each side of each boundary."""

from __future__ import annotations

import pytest

from content.schema import Prompt
from evaluators import EmbeddingGrader, Flag, Verdict
from tests.evaluators.conftest import GOOD_KO


@pytest.mark.parametrize(
    ("cap", "verdict"),
    [
        (100, Verdict.CORRECT),
        (85, Verdict.CORRECT),
        (84, Verdict.MOSTLY_CORRECT),
        (65, Verdict.MOSTLY_CORRECT),
        (64, Verdict.PARTIAL),
        (35, Verdict.PARTIAL),
        (34, Verdict.INCORRECT),
        (0, Verdict.INCORRECT),
    ],
)
async def test_the_verdict_turns_at_85_65_and_35(
    grader: EmbeddingGrader, relu: Prompt, cap: int, verdict: Verdict
) -> None:
    free = await grader.grade(relu, GOOD_KO)
    assert free.score >= 90, "the answer must score above every cap below 90"
    grade = await grader.grade(relu, GOOD_KO, cap=cap)
    assert grade.score == min(cap, free.score)
    assert grade.verdict is verdict
    assert (Flag.CAPPED in grade.flags) == (cap < free.score)
