"""The team teaches the grader, live: once an admin applies a grade to a group of a question's
answers, a member's new answer near that group is graded near the team's grade, in that channel
only. Another channel's applied grades of the same question, on answers with the same words,
never move this channel's grades. Through the real service, answer groups, grader (the bundled
model) and SQLite file; the admin grades as the web page does, through `GroupGrading`."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.answer_vectors import grader_vectors
from bot.app import channel_defaults
from bot.config import Settings
from bot.core.messages import Actor, Incoming, ReplyKind
from bot.core.quiz.group_grading import GroupGrading
from bot.core.team_grading import GroupGrade
from bot.storage.repository import Repository
from bot.wiring import Wired, wire
from content.bank import Bank
from content.schema import Prompt
from evaluators import EmbeddingGrader
from tests.bot.recording import RecordingTransport

PLATFORM = "test"
HOME, AWAY = "C-home", "C-away"
GROUP = (
    "ReLU is faster to compute than sigmoid.",
    "ReLU is quicker to compute than the sigmoid.",
    "Computing ReLU is faster than computing sigmoid.",
)
NEAR = "ReLU is faster to compute than a sigmoid."
"""A new answer that says what the graded group says, in nearly its words."""


@dataclass(frozen=True)
class Team:
    """The quiz on one SQLite file and the answer groups its admins grade with."""

    service: Wired
    grading: GroupGrading


def group_grading(service: Wired) -> GroupGrading:
    """The answer groups an admin grades on the web page, over `service`'s stores and grader."""
    vectors = grader_vectors(service.grader)  # the metered grader, as `quizmaster run` has it
    assert vectors is not None and service.digests.teaching is not None
    return GroupGrading(
        store=service.repo.team_grades,
        vectors=vectors,
        bank=service.bank.every_channel(),
        practice=service.practice,
        clock=service.clock,
    )


async def grade_answers(
    grading: GroupGrading,
    where: tuple[str, str],
    prompt: Prompt,
    texts: tuple[str, ...],
    *,
    score: int,
) -> None:
    """The admin of the channel `where` (platform, channel id) grades the answers `texts` (in
    the groups they fall in: alike answers may stand apart under the default model's strict
    threshold) `score` at once and applies the grades."""
    platform, channel = where
    at = {"platform": platform, "channel_id": channel, "prompt_id": prompt.id}
    groups = await grading.groups(**at)
    ids = [a.answer.id for g in groups for a in g.members if a.answer.text in texts]
    assert {a.answer.text for g in groups for a in g.members} >= set(texts)
    assert await grading.stage(GroupGrade(**at, answer_ids=ids, score=score, note="", by="admin"))
    applied = await grading.apply(**at, lang="en")
    assert applied.applied == len(texts)


@pytest.fixture
async def team(tmp_path: Path, bank: Bank, grader: EmbeddingGrader) -> AsyncIterator[Team]:
    repo = await Repository.open(tmp_path / "quiz.db")
    service = wire(
        repo=repo,
        bank=bank,
        grader=grader,
        defaults=channel_defaults(Settings(_env_file=None, lang="en")),
    )
    yield Team(service, group_grading(service))
    await repo.close()


async def reply(team: Team, channel: str, member: str, text: str) -> str:
    """`member` answers today's question in `channel`; the grade reply they read."""
    transport = RecordingTransport()
    post = await team.service.repo.posts.latest_post(platform=PLATFORM, channel_id=channel)
    assert post is not None
    incoming = Incoming(PLATFORM, channel, Actor(member, member), text, thread_id=post.thread_id)
    await team.service.intake.handle(incoming, transport)
    return next(r.text for r in transport.sent if r.kind == ReplyKind.GRADE)


def score_of(grade: str) -> int:
    found = re.search(r"\*\*(\d+)/100\*\*", grade)
    assert found is not None, grade
    return int(found.group(1))


async def answer(team: Team, channel: str, member: str, text: str) -> int:
    """`member` answers today's question in `channel`; the score the grade reply shows."""
    return score_of(await reply(team, channel, member, text))


async def grade_the_group(team: Team, channel: str, prompt: Prompt, score: int) -> None:
    """`GROUP`'s answers graded `score` (a later answer in the same group is left as the grader
    scored it)."""
    await grade_answers(team.grading, (PLATFORM, channel), prompt, GROUP, score=score)


async def test_an_answer_near_a_group_the_team_graded_scores_near_it_in_that_channel_only(
    team: Team, grader: EmbeddingGrader
) -> None:
    posts = [
        await team.service.posting.post_today(PLATFORM, channel, RecordingTransport())
        for channel in (HOME, AWAY)
    ]
    assert posts[0].prompt_id == posts[1].prompt_id
    prompt = team.service.bank.every_channel().get(posts[0].prompt_id)
    alone = (await grader.grade(prompt, NEAR, lang="en")).score
    for channel in (HOME, AWAY):
        for number, text in enumerate(GROUP):
            await answer(team, channel, f"U-{channel}-{number}", text)

    await grade_the_group(team, AWAY, prompt, 5)
    pulled_down = await reply(team, AWAY, "U-away-new", NEAR)
    assert score_of(pulled_down) <= 15
    assert "Near an answer your team graded 5." in pulled_down, pulled_down
    # the same words in the other channel: its grade of them moves nothing here, nor is named
    untaught = await reply(team, HOME, "U-home-first", NEAR)
    assert score_of(untaught) == alone and "your team graded" not in untaught, untaught

    await grade_the_group(team, HOME, prompt, 95)
    taught = await reply(team, HOME, "U-home-new", NEAR)
    assert alone < 80 and abs(score_of(taught) - 95) <= 10, (alone, taught)
    assert "Near an answer your team graded 95." in taught, taught
    assert await answer(team, AWAY, "U-away-later", NEAR) <= 15
