"""The grader double for tests whose score is not what they test (admin, schedule, DST, storage,
mastery): no model is loaded, so such a test runs in milliseconds and on its own."""

from __future__ import annotations

from collections.abc import Sequence

from content.schema import Lang, Prompt
from evaluators.grade import Grade, Verdict
from evaluators.taught import TeamGrade


class FixedGrader:
    """The Grader protocol with the model taken out: every answer earns `score`, except one
    ending in a number, which earns that number (so a test can choose each member's score)."""

    def __init__(self, score: int = 70) -> None:
        self.score = score

    async def grade(
        self,
        prompt: Prompt,
        answer: str,
        *,
        lang: Lang = "ko",
        cap: int | None = None,
        revealed: bool = False,
        taught: Sequence[TeamGrade] = (),
    ) -> Grade:
        last = answer.rsplit(" ", 1)[-1]
        score = int(last) if last.isdigit() and int(last) <= 100 else self.score
        if cap is not None:
            score = min(score, cap)
        return Grade(score=score, verdict=Verdict.PARTIAL, feedback=f"stated {score}")
