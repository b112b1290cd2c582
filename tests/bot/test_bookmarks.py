"""`/quiz bookmark` and `/quiz bookmarks` through `wire()` and the intake, on a real SQLite file
and PostgreSQL: a member keeps the question they are in, per channel, reads the list privately,
and a second bookmark of the same question takes it off. The parser reads both words from
`commands.WORDS`, which is also where Discord finds them (`test_discord_bot`)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.app import channel_defaults
from bot.config import Settings
from bot.core.flow.parts import parse
from bot.core.messages import Actor, Incoming, Reply
from bot.core.quiz.bookmarks import SHOWN, ShowBookmarks, ToggleBookmark
from bot.core.texts import text
from bot.storage.repository import Repository
from bot.wiring import Wired, wire
from content.bank import Bank
from tests.bot.recording import RecordingTransport
from tests.fixed_grader import FixedGrader

MINA = Actor("u1", "Mina")
JOON = Actor("u2", "Joon")


@pytest.fixture
async def service(database: Path | str, bank: Bank) -> AsyncIterator[Wired]:
    repo = await Repository.open(database)
    yield wire(
        repo=repo,
        bank=bank,
        grader=FixedGrader(),
        defaults=channel_defaults(Settings(_env_file=None, lang="en")),
    )
    await repo.close()


async def say(
    service: Wired, actor: Actor, line: str, thread: str | None = None, channel: str = "c1"
) -> list[Reply]:
    transport = RecordingTransport()
    await service.intake.handle(Incoming("test", channel, actor, line, thread_id=thread), transport)
    return transport.sent


def test_both_words_parse() -> None:
    assert parse("/quiz bookmark") == ToggleBookmark()
    assert parse("/quiz BOOKMARKS") == ShowBookmarks()


async def test_a_bookmark_is_kept_listed_privately_and_taken_off_by_a_second_one(
    service: Wired, bank: Bank
) -> None:
    post = await service.posting.post_today("test", "c1", RecordingTransport())
    question = bank.get(post.prompt_id).text.get("en")

    [saved] = await say(service, MINA, "/quiz bookmark", thread=post.thread_id)
    assert saved.ephemeral
    assert f"Bookmarked {post.prompt_id} · {question}" in saved.text

    [listed] = await say(service, MINA, "/quiz bookmarks")
    assert listed.ephemeral
    day = datetime.now(UTC).date().isoformat()
    assert listed.text.splitlines() == [
        text("en", "bookmarks_title", count=1),
        f"• {post.prompt_id} · {question} · {day}",
    ]
    [others] = await say(service, JOON, "/quiz bookmarks")
    assert others.text == text("en", "bookmarks_none")

    [removed] = await say(service, MINA, "/quiz bookmark", thread=post.thread_id)
    assert removed.ephemeral and f"Bookmark taken off {post.prompt_id}" in removed.text
    [empty] = await say(service, MINA, "/quiz bookmarks")
    assert empty.text == text("en", "bookmarks_none")


async def test_a_follow_up_step_bookmarks_its_main_question_and_the_channel_keeps_its_own(
    service: Wired,
) -> None:
    post = await service.posting.post_today("test", "c1", RecordingTransport())
    await say(service, MINA, "An answer that moves Mina on to the follow-up", thread=post.thread_id)
    [saved] = await say(service, MINA, "/quiz bookmark")  # outside the thread: the latest post
    assert f"Bookmarked {post.prompt_id} ·" in saved.text
    [elsewhere] = await say(service, MINA, "/quiz bookmarks", channel="c2")
    assert elsewhere.text == text("en", "bookmarks_none")


async def test_with_no_question_yet_the_member_is_told_and_nothing_is_kept(
    service: Wired,
) -> None:
    [told] = await say(service, MINA, "/quiz bookmark")
    assert told.text == text("en", "no_question")
    [listed] = await say(service, MINA, "/quiz bookmarks")
    assert listed.text == text("en", "bookmarks_none")


async def test_a_long_list_shows_the_latest_and_counts_the_rest(service: Wired, bank: Bank) -> None:
    ids = [prompt.id for prompt in bank.mains()[: SHOWN + 3]]
    start = datetime(2026, 11, 1, tzinfo=UTC)
    for index, prompt_id in enumerate(ids):
        kept = await service.repo.bookmarks.toggle_bookmark(
            platform="test",
            channel_id="c1",
            user_id=MINA.user_id,
            prompt_id=prompt_id,
            at=start + timedelta(hours=index),
        )
        assert kept
    [listed] = await say(service, MINA, "/quiz bookmarks")
    lines = listed.text.splitlines()
    assert lines[0] == text("en", "bookmarks_title", count=len(ids))
    assert [line.split(" · ")[0] for line in lines[1:-1]] == [
        f"• {prompt_id}" for prompt_id in reversed(ids[-SHOWN:])
    ]
    assert lines[-1] == text("en", "bookmarks_more", count=3)
