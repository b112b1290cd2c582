"""`/quiz me`: a member's streak, points this week, mastery by topic and due practice cards, for
them alone, in Korean and English; through the real service on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.app import channel_defaults
from bot.config import Settings
from bot.core.messages import Actor, Incoming, Reply, ReplyKind
from bot.storage.repository import Repository
from bot.wiring import Wired, wire
from content.bank import Bank
from tests.bot.clock import FakeClock
from tests.bot.recording import RecordingTransport
from tests.fixed_grader import FixedGrader

MINA = Actor("u1", "Mina")
JOON = Actor("u2", "Joon")


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 3, 4, 1, 0, tzinfo=UTC))  # a Wednesday, 10:00 in Seoul


async def open_service(
    database: Path | str, bank: Bank, clock: FakeClock, lang: str
) -> tuple[Repository, Wired]:
    repo = await Repository.open(database)
    settings = Settings(_env_file=None, lang=lang, timezone="Asia/Seoul", post_time="09:00")
    service = wire(
        repo=repo,
        bank=bank,
        grader=FixedGrader(),
        defaults=channel_defaults(settings),
        clock=clock,
    )
    return repo, service


@pytest.fixture
async def service(database: Path | str, bank: Bank, clock: FakeClock) -> AsyncIterator[Wired]:
    repo, service = await open_service(database, bank, clock, "en")
    yield service
    await repo.close()


async def say(service: Wired, actor: Actor, line: str, thread: str | None = None) -> list[Reply]:
    transport = RecordingTransport()
    await service.intake.handle(Incoming("test", "c1", actor, line, thread_id=thread), transport)
    return transport.sent


async def two_days(service: Wired, clock: FakeClock) -> None:
    for score in (60, 80):
        post = await service.posting.post_today("test", "c1", RecordingTransport())
        await say(service, MINA, f"my answer {score}", thread=post.thread_id)
        clock.advance(timedelta(days=1))
    await say(service, JOON, "/quiz share on")


async def test_me_shows_the_callers_own_figures_privately(service: Wired, clock: FakeClock) -> None:
    await two_days(service, clock)
    [home] = await say(service, MINA, "/quiz me")
    assert home.ephemeral and home.user_id == "u1" and home.kind == ReplyKind.STATS
    assert home.text == "**Mina: where you stand**"
    fields = dict(home.fields)
    assert fields["Streak"] == "2 days"
    assert fields["Points this week"] == "140 points"
    assert "%" in fields["Mastery by subject"]
    due = next(name for name in fields if name.endswith("due"))
    assert due.endswith("practice card due") or due.endswith("practice cards due")


async def test_me_before_any_answer_says_what_to_do(service: Wired) -> None:
    [home] = await say(service, JOON, "/quiz me")
    fields = dict(home.fields)
    assert fields["Streak"] == "0 days" and fields["Points this week"] == "0 points"
    assert "/quiz practice" in fields["Mastery by subject"]
    assert fields["0 practice cards due"] == "Nothing due now."


async def test_points_this_week_start_on_the_channels_monday(
    service: Wired, clock: FakeClock
) -> None:
    await two_days(service, clock)  # Wednesday and Thursday
    clock.advance(timedelta(days=4))  # the next Monday
    [home] = await say(service, MINA, "/quiz me")
    assert dict(home.fields)["Points this week"] == "0 points"


async def test_me_in_korean(database: Path | str, bank: Bank, clock: FakeClock) -> None:
    repo, service = await open_service(database, bank, clock, "ko")
    try:
        await two_days(service, clock)
        [home] = await say(service, MINA, "/quiz me")
    finally:
        await repo.close()
    assert home.text == "**Mina님의 현황**"
    fields = dict(home.fields)
    assert fields["연속 참여"] == "2일" and fields["이번 주 점수"] == "140점"
