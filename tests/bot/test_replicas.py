"""Replicas' heartbeats, on SQLite and PostgreSQL: two bot processes' schedulers on one database
each keep a heartbeat while they run and remove it when they stop; `quizmaster doctor` lists the
live ones (issue 17)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.app import channel_defaults
from bot.config import Settings
from bot.core.flow.replicas import ALIVE_WITHIN, alive, this_process
from bot.core.flow.scheduler import run_scheduler
from bot.doctor import collect
from bot.storage.repository import Repository
from bot.wiring import Wired, wire
from content.bank import Bank
from tests.bot.clock import FakeClock
from tests.bot.recording import RecordingTransport
from tests.conftest import settings_for_test
from tests.fixed_grader import FixedGrader

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


@asynccontextmanager
async def replica(
    database: Path | str, bank: Bank, clock: FakeClock, platform: str
) -> AsyncIterator[Wired]:
    """A bot process on `database`: its own connection and its scheduler, ticking every 50 ms."""
    repo = await Repository.open(database)
    service = wire(
        repo=repo,
        bank=bank,
        grader=FixedGrader(),
        defaults=channel_defaults(Settings(_env_file=None)),
        clock=clock,
    )
    stop = asyncio.Event()
    ticking = asyncio.create_task(
        run_scheduler(service, platform, RecordingTransport(), stop=stop, interval=0.05)
    )
    try:
        yield service
    finally:
        stop.set()
        await ticking
        await repo.close()


async def heard(repo: Repository, count: int) -> list[str]:
    for _ in range(200):
        rows = await repo.heartbeats.replicas()
        if len(rows) == count:
            return sorted(r.platform for r in rows)
        await asyncio.sleep(0.02)
    raise AssertionError(f"expected {count} heartbeats, have {await repo.heartbeats.replicas()}")


async def test_each_running_replica_keeps_a_heartbeat_and_removes_it_on_stop(
    database: Path | str, repo: Repository, bank: Bank
) -> None:
    clock = FakeClock(NOW)
    async with replica(database, bank, clock, "slack"):
        async with replica(database, bank, clock, "discord"):
            assert await heard(repo, 2) == ["discord", "slack"]
            clock.advance(timedelta(minutes=5))
            await asyncio.sleep(0.2)
            rows = await repo.heartbeats.replicas()
            assert len(alive(rows, clock())) == 2, "heartbeats follow the clock"
        assert await heard(repo, 1) == ["slack"]
    assert await heard(repo, 0) == []


async def test_a_replica_that_stopped_beating_is_no_longer_alive(repo: Repository) -> None:
    clock = FakeClock(NOW)
    await repo.heartbeats.heartbeat(this_process("slack", clock()))
    assert len(alive(await repo.heartbeats.replicas(), clock() + ALIVE_WITHIN)) == 1
    assert (
        alive(await repo.heartbeats.replicas(), clock() + ALIVE_WITHIN + timedelta(seconds=1)) == []
    )


async def test_doctor_lists_the_live_replicas_and_forgets_stopped_ones(
    database: Path | str, repo: Repository, bank: Bank, embedding_cache: Path
) -> None:
    settings = settings_for_test(db=database, cache_dir=embedding_cache)
    clock = FakeClock(datetime.now(UTC))
    async with replica(database, bank, clock, "slack"), replica(database, bank, clock, "slack"):
        await heard(repo, 2)
        [running] = [c for c in await collect(settings, quick=True) if c.name == "replicas"]
    [stopped] = [c for c in await collect(settings, quick=True) if c.name == "replicas"]
    assert running.status == stopped.status == "ok"
    assert running.detail.startswith("2 alive: ") and running.detail.count("(slack, up since") == 2
    assert stopped.detail.startswith("none heard from in the last 90 s")
