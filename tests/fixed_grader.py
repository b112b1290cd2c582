"""The grader doubles for tests whose score is not what they test (admin, schedule, DST,
storage, mastery), or is what the test chooses: no model is loaded, so such a test runs in
milliseconds and on its own."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Sequence

from content.schema import Lang, Prompt
from evaluators.grade import EmbeddingUnavailableError, Grade, Verdict
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


class ReferenceScore:
    """The Grader protocol scoring by the question, not the answer: every answer earns the
    number its question's (first) reference ends in, so a stored grade names the text it was
    graded against. Each grade waits `pause` seconds and, with `say`, prints `graded N` (a test
    that kills the process mid-grading reads it); while `down` is set it fails as an embeddings
    server that is down."""

    def __init__(self, *, pause: float = 0.0, say: bool = False) -> None:
        self.pause = pause
        self.say = say
        self.down = False
        self.graded = 0

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
        if self.down:
            raise EmbeddingUnavailableError("the test's embeddings server is down")
        await asyncio.sleep(self.pause)
        found = re.search(r"(\d+)\D*$", prompt.references[0].text) if prompt.references else None
        score = int(found.group(1)) if found else 0
        self.graded += 1
        if self.say:
            print(f"graded {self.graded}", flush=True)
        return Grade(score=score, verdict=Verdict.PARTIAL, feedback=f"graded {score}")
