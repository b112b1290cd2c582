"""Team grading of answer groups: an admin grades a group of a question's answers that say the
same thing (or one answer), the grades wait staged until the admin applies them, and then each
member whose score changed is told in the question's thread, as a resolved appeal is.

Applied grades (and resolved appeals) are the team's human grades of a question, kept per
channel: the answer flow (`bot.core.quiz.answering`) hands them to the grader as evidence with
each later answer to the question in that channel, never another channel's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime

from bot.core.messages import Reply
from bot.core.question_groups import QuestionGroups
from bot.core.quiz.appeals import REASON_CHARS, clipped
from bot.core.quiz.practice import Practice
from bot.core.quiz.regrades import regrade_notice, regraded_verdict
from bot.core.team_grading import (
    AnswerVectors,
    AppliedGrade,
    GroupGrade,
    QuestionAnswer,
    StagedGrade,
    TeamGradeStore,
)
from bot.core.texts import text
from content.bank import Bank
from content.schema import Lang, Prompt
from evaluators.answer_groups import AnswerGroup

QUESTION_CHARS = 120
"""How much of the question a member's notice quotes: enough to know which one."""


@dataclass(frozen=True)
class Applied:
    """What applying a question's grades did: answers given a new score, and members told."""

    applied: int
    changed: int


class GroupGrading:
    """Answer groups of a question and their grading, for the web page's admins."""

    def __init__(
        self,
        *,
        store: TeamGradeStore,
        vectors: AnswerVectors,
        bank: Bank,
        practice: Practice,
        clock: Callable[[], datetime],
    ) -> None:
        self.store = store
        self.grouping = QuestionGroups(vectors=vectors, bank=bank)
        self.bank = bank
        self.practice = practice
        self.clock = clock

    async def groups(
        self, *, platform: str, channel_id: str, prompt_id: str
    ) -> list[AnswerGroup[QuestionAnswer]]:
        """The question's answers grouped by meaning, largest and most uncertain first (off
        the event loop, kept while the answers hold: `QuestionGroups`). Raises
        `EmbeddingUnavailableError` when the embedding server cannot answer now."""
        answers = await self.store.question_answers(
            platform=platform, channel_id=channel_id, prompt_id=prompt_id
        )
        return await self.grouping.groups((platform, channel_id, prompt_id), answers)

    async def ready_groups(
        self, *, platform: str, channel_id: str, prompt_id: str
    ) -> tuple[list[AnswerGroup[QuestionAnswer]], int]:
        """As `groups`, for a page load: only the answers whose vectors are ready, and how many
        are still being encoded in the background (`QuestionGroups.ready_groups`)."""
        answers = await self.store.question_answers(
            platform=platform, channel_id=channel_id, prompt_id=prompt_id
        )
        return await self.grouping.ready_groups((platform, channel_id, prompt_id), answers)

    async def stage(self, grade: GroupGrade) -> bool:
        return await self.store.stage(
            replace(grade, note=clipped(grade.note, REASON_CHARS)), at=self.clock()
        )

    async def apply(self, *, platform: str, channel_id: str, prompt_id: str, lang: Lang) -> Applied:
        """Apply the question's staged grades: each answer takes its new score (and the
        member's card the review it gives), and each member whose score changed is told in the
        question's thread through the outbox the bot sends from (`lang`: the channel's)."""
        staged = await self.store.staged(
            platform=platform, channel_id=channel_id, prompt_id=prompt_id
        )
        prompt = self._prompt(platform, channel_id, prompt_id)
        grades = []
        for grade in staged:
            answer, changed = grade.answer, grade.score != grade.answer.score
            card = None
            if changed and prompt is not None:
                card = await self.practice.corrected_card(
                    platform,
                    user_id=answer.user_id,
                    prompt=prompt,
                    answered_at=answer.answered_at,
                    new_score=grade.score,
                )
            grades.append(
                AppliedGrade(
                    grade_id=grade.id,
                    answer_id=answer.id,
                    score=grade.score,
                    verdict=regraded_verdict(prompt, grade.score),
                    card=card,
                    notice=self.member_notice(grade, lang) if changed else None,
                )
            )
        done = set(await self.store.apply(platform=platform, grades=grades, at=self.clock()))
        told = sum(1 for g in grades if g.answer_id in done and g.notice is not None)
        return Applied(applied=len(done), changed=told)

    def _prompt(self, platform: str, channel_id: str, prompt_id: str) -> Prompt | None:
        """The question as the channel sees it (None: not in its bank)."""
        bank = self.bank.seen_from(platform, channel_id)
        return bank.get(prompt_id) if prompt_id in bank else None

    def member_notice(self, grade: StagedGrade, lang: Lang) -> Reply:
        """What the member is told of a team grade that changed their score, in the thread."""
        answer = grade.answer
        prompt = self._prompt(answer.platform, answer.channel_id, answer.prompt_id)
        question = answer.prompt_id
        if prompt is not None:
            question = clipped(prompt.text.get(lang), QUESTION_CHARS)
        body = text(
            lang,
            "team_grade_told",
            question=question,
            old=answer.score,
            new=grade.score,
        )
        return regrade_notice(answer, body, grade.note, lang)
