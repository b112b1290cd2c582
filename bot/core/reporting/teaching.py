""" "Grade these to teach the grader": the answers that stand for the channel's biggest groups
no one on the team has graded yet (and, among groups of one size, the ones the grader scored
least consistently). A team grade of such an answer teaches the most: it speaks for every
answer like it. The web page lists them; the weekly digest tells admins how many wait."""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.question_groups import QuestionGroups
from bot.core.team_grading import QuestionAnswer, TeamGradeStore
from evaluators.answer_groups import AnswerGroup

SHOWN = 10
"""How many the page lists at once: a sitting's worth of grading."""


@dataclass(frozen=True)
class ToTeach:
    """An ungraded group of a question's answers, shown by its representative answer."""

    prompt_id: str
    group: AnswerGroup[QuestionAnswer]


def ungraded(group: AnswerGroup[QuestionAnswer]) -> bool:
    """No answer of the group has a team grade, applied or waiting to be."""
    return not any(member.human or member.staged is not None for member in group.members)


@dataclass(kw_only=True, eq=False)
class Teaching:
    """The channel's ungraded answer groups, across its questions."""

    store: TeamGradeStore
    grouping: QuestionGroups

    async def waiting(
        self, *, platform: str, channel_id: str, ready_only: bool = False
    ) -> list[ToTeach]:
        """Every ungraded group of the channel, the largest first and, among groups of one
        size, the widest spread of grades; with `ready_only` (a page load), of the answers
        whose vectors are ready, the rest encoded in the background. Raises
        `EmbeddingUnavailableError` when the embedding server cannot answer now."""
        found = []
        for tally in await self.store.answered_questions(platform=platform, channel_id=channel_id):
            if tally.human + tally.staged >= tally.answers:
                continue  # every answer graded by the team: nothing to group
            answers = await self.store.question_answers(
                platform=platform, channel_id=channel_id, prompt_id=tally.prompt_id
            )
            question = (platform, channel_id, tally.prompt_id)
            if ready_only:
                groups, _ = await self.grouping.ready_groups(question, answers)
            else:
                groups = await self.grouping.groups(question, answers)
            found += [ToTeach(tally.prompt_id, g) for g in groups if ungraded(g)]
        return sorted(found, key=lambda t: (-t.group.size, -t.group.spread))
