"""`/quiz now <prompt-id>`: an admin posts a chosen main question (a team bank's, say) through
the real service and SQLite file; a wrong id says what to type and posts nothing."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.app import channel_defaults
from bot.config import Settings
from bot.core.commands import Command, Invalid
from bot.core.flow.parts import parse
from bot.core.messages import Actor, Incoming, Reply, ReplyKind
from bot.core.quiz.posting import Now
from bot.storage.repository import Repository
from bot.wiring import Wired, wire
from content.bank import Bank
from evaluators import EmbeddingGrader
from tests.bot.clock import FakeClock
from tests.bot.recording import RecordingTransport

ADMIN = Actor("boss", "Boss", is_admin=True)
MINA = Actor("u1", "Mina")
MONDAY = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
"""A scheduled day (the default schedule is weekdays): the first `/quiz now` takes its slot."""


@pytest.fixture
async def service(tmp_path: Path, bank: Bank, grader: EmbeddingGrader) -> AsyncIterator[Wired]:
    repo = await Repository.open(tmp_path / "q.db")
    yield wire(
        repo=repo,
        bank=bank,
        grader=grader,
        defaults=channel_defaults(Settings(_env_file=None, lang="en")),
        clock=FakeClock(MONDAY),
    )
    await repo.close()


async def say(service: Wired, actor: Actor, line: str) -> list[Reply]:
    transport = RecordingTransport()
    await service.intake.handle(Incoming("test", "c1", actor, line), transport)
    return transport.sent


@pytest.mark.parametrize(
    ("line", "command"),
    [
        ("/quiz now", Now()),
        ("/quiz now q05", Now("q05")),
        ("/quiz NOW Team-001", Now("team-001")),
        ("/quiz now q05 q06", Invalid("now_usage")),
        ("/quiz now extra", Now(extra=True)),
    ],
)
def test_now_takes_an_optional_prompt_id(line: str, command: Command) -> None:
    assert parse(line) == command


async def test_named_main_question_is_posted_and_answered(service: Wired, bank: Bank) -> None:
    [question] = await say(service, ADMIN, "/quiz now q05")
    assert question.kind == ReplyKind.QUESTION
    assert question.card is not None and question.card.prompt_id == "q05"
    assert bank.get("q05").text.en in question.text

    [again] = await say(service, ADMIN, "/quiz now q07")
    assert again.card is not None and again.card.prompt_id == "q07"
    posts = await service.repo.posts.posts(platform="test", channel_id="c1")
    assert [(p.prompt_id, p.scheduled) for p in posts] == [("q05", True), ("q07", False)]

    [current] = await say(service, MINA, "/quiz next")
    assert bank.get("q07").text.en in current.text


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("/quiz now q5", ("There is no prompt 'q5'.", "`id:` in a bank file", "q05")),
        ("/quiz now q05.1", ("'q05.1' is a follow-up. `/quiz now q05` posts it",)),
        ("/quiz now q05 today", ("Usage: `/quiz now`, `/quiz now <prompt-id>`", "extra")),
    ],
)
async def test_wrong_prompt_id_says_what_to_type_and_posts_nothing(
    service: Wired, line: str, expected: tuple[str, ...]
) -> None:
    [reply] = await say(service, ADMIN, line)

    assert reply.kind == ReplyKind.ERROR and reply.ephemeral
    for part in expected:
        assert part in reply.text
    assert await service.repo.posts.posts(platform="test", channel_id="c1") == []


async def test_members_cannot_post_a_chosen_question(service: Wired) -> None:
    [reply] = await say(service, MINA, "/quiz now q05")

    assert reply.text == "Only channel admins can use this command."
    assert await service.repo.posts.posts(platform="test", channel_id="c1") == []
