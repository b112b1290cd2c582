"""A grader double for tests where the score is the test's to choose: the model is taken out, and
an answer ending in a number earns that number."""

from __future__ import annotations

from content.schema import Lang, Prompt
from evaluators.grade import Grade, Verdict


class StatedScoreGrader:
    """The Grader protocol with the model taken out: an answer ending in a number earns it."""

    async def grade(
        self,
        prompt: Prompt,
        answer: str,
        *,
        lang: Lang = "ko",
        cap: int | None = None,
        revealed: bool = False,
    ) -> Grade:
        score = int(answer.rsplit(" ", 1)[-1])
        return Grade(score=score, verdict=Verdict.PARTIAL, feedback=f"stated {score}")
