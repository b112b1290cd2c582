"""The one seam between the quiz and the grader: `await grader.grade(prompt, answer)`."""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from typing import Protocol

from pydantic import BaseModel, ConfigDict, Field

from content.schema import Lang, Prompt
from evaluators.embedding.vectors import EmbeddingUnavailableError
from evaluators.taught import TeamGrade

__all__ = ["EmbeddingUnavailableError", "Flag", "Grade", "Grader", "Verdict"]


class Verdict(StrEnum):
    """Coarse verdict shown beside the score."""

    CORRECT = "correct"
    MOSTLY_CORRECT = "mostly_correct"
    PARTIAL = "partial"
    INCORRECT = "incorrect"
    NO_ANSWER = "no_answer"
    ACKNOWLEDGED = "acknowledged"  # open (opinion/experience) prompts: counted, not scored


class Flag(StrEnum):
    """Guardrails that fired; each comes with a deliberate score and message."""

    EMPTY = "empty"
    DONT_KNOW = "dont_know"
    ONE_WORD = "one_word"
    """One word, or one key concept's wording and nothing else: a term on its own."""
    COPY_OF_QUESTION = "copy_of_question"
    COPY_OF_REFERENCE = "copy_of_reference"
    TRUNCATED = "truncated"
    NOISE = "noise"
    CAPPED = "capped"
    MISCONCEPTION = "misconception"
    OFF_TOPIC = "off_topic"
    SIBLING = "sibling"
    NO_EVIDENCE = "no_evidence"


class Grade(BaseModel):
    """A graded answer: 0-100, verdict, concept coverage (the prompt's concept ids), feedback."""

    model_config = ConfigDict(frozen=True)

    score: int = Field(ge=0, le=100)
    verdict: Verdict
    covered: tuple[str, ...] = ()
    missed: tuple[str, ...] = ()
    feedback: str = ""
    flags: tuple[Flag, ...] = ()


class Grader(Protocol):
    """Anything that grades; the bot holds one and awaits it (batched, off the event loop)."""

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
        """Grade `answer` to `prompt`; feedback in `lang`; `cap` limits the score (after a hint);
        `revealed` says the reference was already shown, so a copy of it earns nothing;
        `taught` are the grades the answer's own team gave other answers to `prompt`, evidence
        that moves an answer near a graded one toward its grade (`evaluators.taught`).
        Raises `EmbeddingUnavailableError` when the vectors' server cannot answer now."""
        ...
