"""The real scheduler path (Posting.post_due on a real SQLite file) under a hand-moved clock."""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.app import channel_defaults
from bot.config import Settings
from bot.core.messages import Actor, Incoming, ReplyKind
from bot.core.quiz.posting import ChannelDefaults
from bot.storage.repository import Repository
from bot.wiring import Wired, wire
from content.bank import Bank
from tests.bot.clock import FakeClock
from tests.bot.recording import RecordingTransport
from tests.fixed_grader import FixedGrader

ADMIN = Actor(user_id="admin", display_name="admin", is_admin=True)


@asynccontextmanager
async def service_on(
    db: Path | str,
    bank: Bank,
    fixed_grader: FixedGrader,
    clock: FakeClock,
    defaults: ChannelDefaults,
) -> AsyncIterator[Wired]:
    repo = await Repository.open(db)
    try:
        yield wire(repo=repo, bank=bank, grader=fixed_grader, defaults=defaults, clock=clock)
    finally:
        await repo.close()


async def schedule(service: Wired, channel: str, command: str) -> None:
    transport = RecordingTransport()
    await service.intake.handle(Incoming("test", channel, ADMIN, command), transport)
    assert not transport.of_kind(ReplyKind.ERROR), transport.sent


async def tick_until(
    service: Wired,
    clock: FakeClock,
    transport: RecordingTransport,
    end: datetime,
    step: timedelta = timedelta(minutes=10),
) -> None:
    while clock.now < end:
        clock.advance(step)
        await service.posting.post_due("test", transport)


@pytest.mark.parametrize(
    ("zone", "dst_day"),
    [
        ("Europe/Berlin", date(2026, 3, 29)),
        ("Europe/Berlin", date(2026, 10, 25)),
        ("America/New_York", date(2026, 3, 8)),
        ("America/New_York", date(2026, 11, 1)),
    ],
)
async def test_local_time_is_kept_across_dst(
    database: Path | str, bank: Bank, fixed_grader: FixedGrader, zone: str, dst_day: date
) -> None:
    start = datetime.combine(dst_day - timedelta(days=2), datetime.min.time(), ZoneInfo(zone))
    clock = FakeClock(start.astimezone(UTC))
    async with service_on(
        database, bank, fixed_grader, clock, channel_defaults(Settings(_env_file=None))
    ) as service:
        await schedule(service, "c1", f"/quiz schedule 09:00 {zone} daily")
        transport = RecordingTransport()
        posted_at: list[datetime] = []
        end = clock.now + timedelta(days=5)
        while clock.now < end:
            clock.advance(timedelta(minutes=10))
            before = len(transport.sent)
            await service.posting.post_due("test", transport)
            posted_at += [clock.now] * (len(transport.sent) - before)
        posts = await service.repo.posts.posts(platform="test", channel_id="c1")
    assert [p.day for p in posts] == [dst_day + timedelta(days=offset) for offset in range(-2, 3)]
    for instant in posted_at:
        local = instant.astimezone(ZoneInfo(zone))
        assert (local.hour, local.minute) in {(9, 0), (9, 10)}, local


async def test_missing_local_time_on_spring_forward_posts_once(
    database: Path | str, bank: Bank, fixed_grader: FixedGrader
) -> None:
    zone = ZoneInfo("America/New_York")
    clock = FakeClock(datetime(2026, 3, 7, 12, 0, tzinfo=zone).astimezone(UTC))
    async with service_on(
        database, bank, fixed_grader, clock, channel_defaults(Settings(_env_file=None))
    ) as service:
        await schedule(service, "c1", "/quiz schedule 02:30 America/New_York daily")
        transport = RecordingTransport()
        await tick_until(service, clock, transport, clock.now + timedelta(days=2))
        days = [
            p.day.isoformat()
            for p in await service.repo.posts.posts(platform="test", channel_id="c1")
        ]
    assert days == ["2026-03-08", "2026-03-09"]


async def test_weekdays_only(database: Path | str, bank: Bank, fixed_grader: FixedGrader) -> None:
    clock = FakeClock(datetime(2026, 11, 1, 0, 0, tzinfo=UTC))  # a Sunday
    async with service_on(
        database, bank, fixed_grader, clock, channel_defaults(Settings(_env_file=None))
    ) as service:
        await schedule(service, "c1", "/quiz schedule 08:00 Asia/Seoul weekdays")
        transport = RecordingTransport()
        await tick_until(
            service, clock, transport, clock.now + timedelta(days=14), step=timedelta(minutes=30)
        )
        posts = await service.repo.posts.posts(platform="test", channel_id="c1")
    weekdays = [p.day.weekday() for p in posts]
    assert len(posts) == 10
    assert all(day < 5 for day in weekdays)
    assert len({p.prompt_id for p in posts}) == 10, "no repeats before the bank is exhausted"


@pytest.mark.parametrize("catch_up", [True, False])
async def test_three_day_outage(
    database: Path | str, bank: Bank, fixed_grader: FixedGrader, catch_up: bool
) -> None:
    zone = ZoneInfo("Asia/Seoul")
    clock = FakeClock(datetime(2026, 11, 2, 8, 0, tzinfo=zone).astimezone(UTC))  # Monday 08:00
    defaults = channel_defaults(Settings(_env_file=None, catch_up=catch_up, days="daily"))
    db = database
    transport = RecordingTransport()
    async with service_on(db, bank, fixed_grader, clock, defaults) as service:
        await service.posting.channel("test", "c1")
        await tick_until(service, clock, transport, clock.now + timedelta(hours=2))
    assert [p.kind for p in transport.sent] == [ReplyKind.QUESTION]
    # down from Monday 10:00 to Thursday 08:00: Tuesday and Wednesday (and most of Monday) missed
    clock.now = datetime(2026, 11, 5, 8, 0, tzinfo=zone).astimezone(UTC)
    async with service_on(db, bank, fixed_grader, clock, defaults) as service:
        await service.posting.post_due("test", transport)
        after_restart = [
            p.day.isoformat()
            for p in await service.repo.posts.posts(platform="test", channel_id="c1")
        ]
        await tick_until(service, clock, transport, clock.now + timedelta(hours=2))
        final = [
            p.day.isoformat()
            for p in await service.repo.posts.posts(platform="test", channel_id="c1")
        ]
    if catch_up:
        assert after_restart == ["2026-11-02", "2026-11-04"]
        assert final == ["2026-11-02", "2026-11-04", "2026-11-05"]
    else:
        assert after_restart == ["2026-11-02"]
        assert final == ["2026-11-02", "2026-11-05"]


@pytest.mark.slow
async def test_hundred_restarts_post_each_channel_day_once(
    database: Path | str, bank: Bank, fixed_grader: FixedGrader
) -> None:
    zones = {"seoul": "Asia/Seoul", "berlin": "Europe/Berlin", "ny": "America/New_York"}
    clock = FakeClock(datetime(2026, 10, 30, 0, 0, tzinfo=UTC))
    db = database
    async with service_on(
        db, bank, fixed_grader, clock, channel_defaults(Settings(_env_file=None, days="daily"))
    ) as service:
        for channel, zone in zones.items():
            await schedule(service, channel, f"/quiz schedule 07:00 {zone} daily")
    transport = RecordingTransport()
    for _ in range(100):
        # each restart: a fresh connection and service, two ticks at the same instant, then 2 h on
        async with service_on(
            db, bank, fixed_grader, clock, channel_defaults(Settings(_env_file=None))
        ) as service:
            await service.posting.post_due("test", transport)
            await service.posting.post_due("test", transport)
        clock.advance(timedelta(hours=2))
    async with service_on(
        db, bank, fixed_grader, clock, channel_defaults(Settings(_env_file=None))
    ) as service:
        posts = [
            p
            for channel in zones
            for p in await service.repo.posts.posts(platform="test", channel_id=channel)
        ]
    per_day = Counter((p.channel_id, p.day) for p in posts if p.scheduled)
    assert set(per_day.values()) == {1}
    # 200 hours from Oct 30 00:00 UTC: each zone sees 8 or 9 local 07:00s
    for channel in zones:
        days = sorted(day for (c, day) in per_day if c == channel)
        assert len(days) >= 8
        assert len(days) == len(set(days))
    assert len(transport.of_kind(ReplyKind.QUESTION)) == sum(per_day.values())
