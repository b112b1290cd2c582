"""Processes starting together on one new database (issue 50, point 2), on SQLite and
PostgreSQL: each console start shows today's question, posting it when the day has none; those
that lose the day's claim to another show its question instead of posting an extra one."""

from __future__ import annotations

import asyncio
from contextlib import AsyncExitStack
from datetime import UTC, datetime
from pathlib import Path

from bot.app import channel_defaults
from bot.config import Settings
from bot.core.messages import ReplyKind
from bot.storage.repository import Repository
from bot.wiring import wire
from content.bank import Bank
from tests.bot.clock import FakeClock
from tests.bot.recording import RecordingTransport
from tests.fixed_grader import FixedGrader

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
PROCESSES = 3


async def test_starts_together_post_the_days_question_once(
    database: Path | str, bank: Bank
) -> None:
    clock = FakeClock(NOW)
    transports = [RecordingTransport() for _ in range(PROCESSES)]
    async with AsyncExitStack() as stack:
        services = []
        for _ in range(PROCESSES):
            repo = await Repository.open(database)
            stack.push_async_callback(repo.close)
            services.append(
                wire(
                    repo=repo,
                    bank=bank,
                    grader=FixedGrader(),
                    defaults=channel_defaults(Settings(_env_file=None)),
                    clock=clock,
                )
            )
        await asyncio.gather(
            *(
                service.posting.show_today("console", "c1", transport)
                for service, transport in zip(services, transports, strict=True)
            )
        )
        posts = await services[0].repo.posts.posts(platform="console", channel_id="c1")
    assert [post.scheduled for post in posts] == [True], posts
    shown = [t.of_kind(ReplyKind.QUESTION) for t in transports]
    assert [len(questions) for questions in shown] == [1] * PROCESSES
    assert len({questions[0].text for questions in shown}) == 1, "each shows the day's question"
