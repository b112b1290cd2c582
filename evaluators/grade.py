"""The one seam between the quiz and the grader: `await grader.grade(prompt, answer)`."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from enum import StrEnum
from typing import Protocol, TypedDict, Unpack

from pydantic import BaseModel, ConfigDict, Field

from content.schema import Lang, Prompt
from evaluators.embedding.vectors import EmbeddingUnavailableError
from evaluators.finite import NonFiniteError
from evaluators.reading.contrasts import opposed
from evaluators.taught import TeamGrade

__all__ = [
    "MAX_ANSWER_CHARS",
    "EmbeddingUnavailableError",
    "Flag",
    "Grade",
    "GradeOptions",
    "Grader",
    "NonFiniteError",
    "TeamGrade",
    "Verdict",
    "contradicts",
    "verdict_for",
]

MAX_ANSWER_CHARS = 4000
"""The grader reads at most this many characters of an answer (the truncation rule cuts the rest
and says so): part of the seam, so the bot stores and grades the same text."""


def contradicts(prompt: Prompt, first: str, second: str) -> bool:
    """Whether two answers to `prompt` say the opposite of each other (the roles of the sides
    its question names swapped, one of a pair of opposites said the other way): however near
    their vectors, answer groups never call them the same meaning."""
    return opposed((prompt.text.ko, prompt.text.en), first, second)


class Verdict(StrEnum):
    """Coarse verdict shown beside the score."""

    CORRECT = "correct"
    MOSTLY_CORRECT = "mostly_correct"
    PARTIAL = "partial"
    INCORRECT = "incorrect"
    NO_ANSWER = "no_answer"
    ACKNOWLEDGED = "acknowledged"  # open (opinion/experience) prompts: counted, not scored


MOSTLY_CORRECT_FLOOR = 65
"""The lowest score the verdict calls mostly correct: from here on, an answer reads as right."""
_VERDICT_FLOORS = (
    (85, Verdict.CORRECT),
    (MOSTLY_CORRECT_FLOOR, Verdict.MOSTLY_CORRECT),
    (35, Verdict.PARTIAL),
)


def verdict_for(score: int) -> Verdict:
    """The verdict a 0-100 score reads as (a team's own grade as much as the grader's)."""
    for floor, verdict in _VERDICT_FLOORS:
        if score >= floor:
            return verdict
    return Verdict.INCORRECT


class Flag(StrEnum):
    """Rules that fired; each has one rule in `evaluators/rules/`, with its cap and message."""

    EMPTY = "empty"
    DONT_KNOW = "dont_know"
    NOT_AN_ANSWER = "not_an_answer"
    """A greeting, a link on its own, lorem ipsum: named as what it is."""
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
    SWAPPED = "swapped"
    """It gives the key concepts of one side of the question's pair to the other (L1 and L2)."""
    REVERSED = "reversed"
    """Its main claims say the opposite of the model answers (roles swapped, an opposite said)."""


NON_ANSWER: frozenset[Flag] = frozenset(
    {
        Flag.EMPTY,
        Flag.NOISE,
        Flag.DONT_KNOW,
        Flag.NOT_AN_ANSWER,
        Flag.NO_EVIDENCE,
        Flag.ONE_WORD,
    }
)
"""Flags of the rules that find an answer saying nothing the question asks: empty, noise, "I
don't know", a greeting, link or lorem ipsum, no evidence (chat, markup, code, a lone number), a
word or term on its own."""
NON_ANSWER_MOST = 10
"""The most a non-answer scores (the evidence gate's cap, and a term alone's where the prompt
has key concepts). An answer one of `NON_ANSWER` fired on that scores no more than this is a
non-answer: it keeps its grade and is told what the question asks, but the bot gives it no
leaderboard points and no streak day. One scoring more (one word to a team's question without
key concepts, capped at 40; a grade the team raised) is an attempt, and counts; so is an answer
to another question or a wrong claim."""


def is_non_answer(score: int, flags: Collection[str]) -> bool:
    """Whether an answer graded `score` with `flags` (the flags or their stored names) is a
    non-answer as `NON_ANSWER_MOST` says: it earns nothing, and answer groups keep it apart."""
    return score <= NON_ANSWER_MOST and any(flag.value in flags for flag in NON_ANSWER)


class Grade(BaseModel):
    """A graded answer: 0-100, verdict, concept coverage (the prompt's concept ids), feedback.
    Each key concept is in at most one of `covered` (stated), `missed` (surely absent) and
    `unsure` (something in the answer comes near it: told neither way)."""

    model_config = ConfigDict(frozen=True)

    score: int = Field(ge=0, le=100)
    verdict: Verdict
    covered: tuple[str, ...] = ()
    missed: tuple[str, ...] = ()
    unsure: tuple[str, ...] = ()
    feedback: str = ""
    flags: tuple[Flag, ...] = ()


class GradeOptions(TypedDict, total=False):
    """How an answer is graded besides its prompt and text: the keywords of `Grader.grade`, said
    once for every grader, explainer and wrapper that takes them or passes them on. Feedback in
    `lang`; `cap` limits the score (after a hint); `revealed` says the reference was already
    shown, so a copy of it earns nothing; `taught` are the grades the answer's own team gave
    other answers to `prompt`, evidence that moves an answer near a graded one toward its grade
    (`evaluators.taught`). A key left out means: Korean feedback, no cap, not revealed, no
    team grades."""

    lang: Lang
    cap: int | None
    revealed: bool
    taught: Sequence[TeamGrade]


class Grader(Protocol):
    """Anything that grades; the bot holds one and awaits it (batched, off the event loop)."""

    async def grade(self, prompt: Prompt, answer: str, **options: Unpack[GradeOptions]) -> Grade:
        """Grade `answer` to `prompt` as `options` say (`GradeOptions`). Raises
        `EmbeddingUnavailableError` when the vectors' server cannot answer now, and its kind
        `NonFiniteError` when a number the grade would be made of is NaN or infinite
        (`evaluators.finite`): either way nothing is graded, and the answer is kept."""
        ...
