"""The team's grading of a question's answers, as the core sees it: the records and the port
of the `team_grades` table (`bot.storage.team_grades`), and the port of the answer vectors the
groups are made from. The grades an admin gives on the web page wait staged until applied;
applied ones (with resolved appeals) are the question's human grades (`HumanGrade`), kept per
channel, which `HumanGrades.human_grades` hands to the answer flow: the grader reads them as
evidence (`evaluators.taught.TeamGrade`) when it grades the channel's next answers to that
question. One name per layer: the `team_grades` table in storage, team grading and human
grades here, the taught evidence in the grader, the rows `eval fit --team` fits on in
`bot.human_grade_rows`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

import numpy as np
import numpy.typing as npt

from bot.core.messages import Reply
from bot.core.models import GradedAnswer, PracticeCardRow
from evaluators.grade import TeamGrade as TaughtGrade


@dataclass(frozen=True)
class QuestionAnswer:
    """One stored answer to a question in the channel, with the team's grade of it: `staged`
    waits for the admin to apply it; `human` says an applied team grade or a resolved appeal
    set its current score."""

    answer: GradedAnswer
    staged: int | None
    note: str
    human: bool


@dataclass(frozen=True)
class QuestionTally:
    """A question the channel answered: how many answers, how many with a human grade, how many
    grades wait to be applied."""

    prompt_id: str
    answers: int
    human: int
    staged: int


@dataclass(frozen=True, kw_only=True)
class GroupGrade:
    """One score an admin gives a group of a question's answers (or one answer) in a channel,
    with their note: staged until the admin applies it."""

    platform: str
    channel_id: str
    prompt_id: str
    answer_ids: Sequence[int]
    score: int
    note: str
    by: str


@dataclass(frozen=True)
class StagedGrade:
    """A team grade waiting to be applied: the answer, its score when graded, the new one."""

    id: int
    answer: GradedAnswer
    old_score: int
    score: int
    note: str


@dataclass(frozen=True)
class AppliedGrade:
    """What applying one staged grade writes: the answer's score and verdict, the member's
    card when the review it gave changes, and the notice when the score changed."""

    grade_id: int
    answer_id: int
    score: int
    verdict: str
    card: PracticeCardRow | None
    notice: Reply | None


@dataclass(frozen=True)
class HumanGrade:
    """A human grade of one answer: its text and the 0-100 score the team gave it."""

    answer_id: int
    prompt_id: str
    text: str
    score: int

    def evidence(self) -> TaughtGrade:
        """The grade as the grader reads it (`evaluators.taught`)."""
        return TaughtGrade(prompt_id=self.prompt_id, answer=self.text, score=self.score)


class HumanGrades(Protocol):
    """The channel's human grades of a question: the answers whose current score an applied
    team grade or a resolved appeal set, never another channel's."""

    async def human_grades(
        self, *, platform: str, channel_id: str, prompt_id: str
    ) -> list[HumanGrade]: ...


class TeamGradeStore(HumanGrades, Protocol):
    """The `team_grades` table (`bot.storage.team_grades.TeamGradeTable`); every read and write
    is scoped to one channel."""

    async def answered_questions(
        self, *, platform: str, channel_id: str
    ) -> list[QuestionTally]: ...

    async def question_answers(
        self, *, platform: str, channel_id: str, prompt_id: str
    ) -> list[QuestionAnswer]: ...

    async def stage(self, grade: GroupGrade, *, at: datetime) -> bool:
        """Stage the grade's score on every one of its answers; False (nothing staged) when one
        of them is not an answer to its question in its channel."""
        ...

    async def staged(
        self, *, platform: str, channel_id: str, prompt_id: str
    ) -> list[StagedGrade]: ...

    async def apply(
        self, *, platform: str, grades: Sequence[AppliedGrade], at: datetime
    ) -> list[int]:
        """Apply the grades in one transaction, each once (a grade another admin applied
        meanwhile is skipped); the ids of the answers whose grade was applied here."""
        ...

    async def discard(self, *, platform: str, channel_id: str, prompt_id: str) -> int: ...


class AnswerVectors(Protocol):
    """Sentence vectors of answers, from the grader's own embedding model."""

    async def vectors(self, texts: Sequence[str]) -> npt.NDArray[np.float32]: ...

    def ready(self, text: str) -> bool:
        """Whether grouping `text` needs no encoding: its vector kept and the model's threshold
        known (`bot.core.question_groups` encodes the rest in the background, never on a page
        load)."""
        ...

    async def same_meaning(self) -> float:
        """The average cosine at which two groups of answers say one thing on this model
        (`evaluators.answer_groups.same_meaning`: each model's cosines have their own scale)."""
        ...
