"""`kill -9` of a real `quizmaster run --platform slack` at each step of posting the weekly
digest, then a restart on the same database, on SQLite and PostgreSQL (issue 50, point 1): the
channel holds the digest's text once and its chart once, whatever step the process died at.

The fake Slack keeps the step's call hanging (`FakeSlack.hold`), so the kill lands there and
nowhere else: before Slack took the text, after it took it (its answer never came back), before
it took the chart, after it took the chart."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.core.models import ChannelRow, PostClaim
from bot.core.reporting.digest_posting import DigestTime
from bot.storage.repository import Repository
from tests.bot.digest_scene import an_answered_week
from tests.bot.platforms.slack.fake_slack import FakeSlack
from tests.faults.daily_time import an_hour_before
from tests.faults.test_replicas_chaos import TICK_S, Replica, replica_env, until
from tests.postgres_server import PostgresForTests

pytestmark = pytest.mark.slow

CHANNEL = "C00"
START_LIMIT_S = 240.0
STEPS = {
    "text-not-taken": ("chat.postMessage", False),
    "text-taken": ("chat.postMessage", True),
    "chart-not-taken": ("files.completeUploadExternal", False),
    "chart-taken": ("files.completeUploadExternal", True),
}


async def digest_due(
    db: Path | str, now: datetime, *, platform: str = "slack", channel: str = CHANNEL
) -> None:
    """A channel whose digest is due (Monday 00:00, so at once) for a week with a question and
    an answer in it; today's question is out and the next is 23 hours away (`an_hour_before`),
    so the scheduler posts nothing else there."""
    repo = await Repository.open(db)
    try:
        row = ChannelRow(platform, channel, "en", "UTC", an_hour_before(now), "daily", True, now)
        await repo.channels.ensure_channel(row, created_at=now)
        await repo.digests.set_digest_time(
            platform=platform, channel_id=channel, time=DigestTime(0, "00:00")
        )
        post = await repo.posts.claim_post(
            PostClaim(
                platform=platform,
                channel_id=channel,
                day=now.date(),
                prompt_id="q01",
                scheduled=True,
                posted_at=now,
            )
        )
        assert post is not None
        await repo.posts.set_post_location(post_id=post.id, message_id="1.000001", thread_id=None)
        await an_answered_week(
            repo, platform=platform, channel_id=channel, post_id=post.id, day=now.date(), now=now
        )
    finally:
        await repo.close()


async def recorded(db: Path | str, channel: str = CHANNEL) -> bool:
    """Whether the digest's message is recorded."""
    repo = await Repository.open(db)
    try:
        rows = await repo.db.fetch(
            "SELECT message_id FROM digests WHERE channel_id = ?", (channel,)
        )
    finally:
        await repo.close()
    return len(rows) == 1 and rows[0]["message_id"] is not None


def digest_texts(fake: FakeSlack) -> list[dict[str, Any]]:
    return [m for m in fake.history.get(CHANNEL, []) if "The team's week" in str(m["text"])]


def charts(fake: FakeSlack) -> list[str]:
    return [
        str(f["name"])
        for m in fake.history.get(CHANNEL, [])
        for f in m.get("files") or ()
        if str(f["name"]).startswith("digest")
    ]


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Path | str:
    if request.param == "sqlite":
        return tmp_path / "q.db"
    server: PostgresForTests = request.getfixturevalue("postgres")
    return server.fresh_database()


@pytest.mark.parametrize("step", list(STEPS))
async def test_a_digest_killed_at_any_step_is_in_the_channel_once_after_a_restart(
    step: str, db: Path | str, tmp_path: Path, run_cache: Path
) -> None:
    method, answered = STEPS[step]
    fake = FakeSlack()
    await fake.start()
    held = fake.hold(method, answered=answered, when=lambda args: not args.get("thread_ts"))
    await digest_due(db, datetime.now(UTC))
    env = replica_env(str(db), fake, run_cache)
    killed, restarted = Replica("killed", env, tmp_path), Replica("restarted", env, tmp_path)
    try:
        await killed.start()
        await until(fake, lambda: held.reached, START_LIMIT_S, lambda: f"{step} never reached")
        await killed.kill9()
        await restarted.start()
        # Each process reads the channel's history once, before it sends the digest.
        await until(
            fake,
            lambda: (
                len(fake.called("conversations.history")) >= 2
                and bool(digest_texts(fake))
                and bool(charts(fake))
            ),
            START_LIMIT_S,
            lambda: f"digest not finished: {fake.history.get(CHANNEL)}",
        )
        await asyncio.sleep(3 * TICK_S)  # a digest sent twice would come within a tick or two
        code = await restarted.stop()
    finally:
        await killed.close()
        await restarted.close()
        await fake.stop()
    logs = killed.text() + restarted.text()
    assert code == 0, logs[-4000:]
    assert "Traceback" not in restarted.text(), restarted.text()[-4000:]
    assert len(digest_texts(fake)) == 1, f"the digest's text was posted twice: {logs[-3000:]}"
    assert len(charts(fake)) == 1, f"the digest's chart was posted twice: {charts(fake)}"
    assert await recorded(db), "a graceful stop finishes the tick, which records the digest"
