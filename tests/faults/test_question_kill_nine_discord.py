"""`kill -9` of a real `quizmaster run --platform discord` at each step of posting the daily
question, then a restart on the same database, on SQLite and PostgreSQL (issue 50): the channel
holds the question once, with one thread, and the post is recorded there, whatever step the
process died at. The same for the question an admin posts with `/quiz-admin now`, which is the
interaction's response: killed after Discord took it (on SQLite only; the database's part is
the daily question's).

The fake Discord keeps the step's call hanging (`FakeDiscord.hold`), so the kill lands there:
before Discord took the question; after it took it (its answer never came back, so no thread was
asked for); after it opened the thread (that answer never came back, so the post was never
recorded). The fake forgets the question's enforced nonce at once, as Discord does a few minutes
after the send: a process restarted later than that must find the question in the channel's
history, not count on the nonce."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.core.models import ChannelRow
from bot.platforms.discord.dispatch import PLATFORM
from bot.storage.repository import Repository
from tests.bot.platforms.discord.fake_discord import FakeDiscord
from tests.faults.daily_time import an_hour_before
from tests.faults.test_digest_kill_nine_discord import LAUNCHER, START_LIMIT_S, discord_env
from tests.faults.test_replicas_chaos import TICK_S, Replica

pytestmark = pytest.mark.slow

SEND = "/channels/{channel}/messages"
THREAD = r"/channels/{channel}/messages/\d+/threads"
TITLE = "Question of the day"
CONNECTED = "connected as quizmaster"
ANSWER = r"/interactions/\d+/[^/]+/callback|/webhooks/\d+/[^/]+"
"""The interaction's response: its callback, or the followup that fills a deferred one."""
STEPS = {
    "not-taken": (SEND, False),
    "taken": (SEND, True),
    "thread-opened": (THREAD, True),
}


async def question_due(db: Path | str, now: datetime, channel: str) -> None:
    """A channel last checked yesterday, with a daily question an hour before `now`
    (`an_hour_before`): one question is due the moment the bot's scheduler looks."""
    yesterday = now - timedelta(days=1)
    repo = await Repository.open(db)
    try:
        row = ChannelRow(
            PLATFORM, channel, "en", "UTC", an_hour_before(now), "daily", True, yesterday
        )
        await repo.channels.ensure_channel(row, created_at=yesterday)
    finally:
        await repo.close()


async def recorded(db: Path | str, channel: str) -> list[tuple[str | None, str | None]]:
    """Where the channel's posts are recorded: (message, thread) each."""
    repo = await Repository.open(db)
    try:
        rows = await repo.db.fetch(
            "SELECT message_id, thread_id FROM posts WHERE channel_id = ?", (channel,)
        )
    finally:
        await repo.close()
    return [(row["message_id"], row["thread_id"]) for row in rows]


async def until_recorded(db: Path | str, channel: str) -> None:
    """Until a process recorded where the question landed (what it sent is checked after)."""
    async with asyncio.timeout(START_LIMIT_S):
        while True:
            if any(message for message, _ in await recorded(db, channel)):
                return
            await asyncio.sleep(TICK_S)


def questions(fake: FakeDiscord) -> list[dict[str, Any]]:
    """The question cards in the channel."""
    return [
        m
        for m in fake.messages.values()
        if m["channel_id"] == fake.channel_id
        and any(str(e.get("title", "")).startswith(TITLE) for e in m["embeds"])
    ]


def threads(fake: FakeDiscord) -> list[str]:
    return [
        c["id"]
        for c in fake.channels.values()
        if c["type"] == 11 and c["parent_id"] == fake.channel_id
    ]


@asynccontextmanager
async def replicas(
    fake: FakeDiscord, database: Path | str, tmp_path: Path, cache: Path
) -> AsyncIterator[tuple[Replica, Replica]]:
    """The process to kill and its restart, on one database; both, and the fake, closed after."""
    env = discord_env(str(database), fake, cache)
    killed = Replica("killed", env, tmp_path, module=LAUNCHER)
    restarted = Replica("restarted", env, tmp_path, module=LAUNCHER)
    try:
        yield killed, restarted
    finally:
        await killed.close()
        await restarted.close()
        await fake.stop()


async def restart_after_kill(
    fake: FakeDiscord, database: Path | str, killed: Replica, restarted: Replica
) -> int | None:
    """Kill `killed` (hanging in the held call), restart on the same database until the post is
    recorded and a tick or two more, stop; the restart's exit status."""
    await killed.kill9()
    await restarted.start()
    await until_recorded(database, fake.channel_id)
    await asyncio.sleep(3 * TICK_S)  # a question sent twice would come within a tick or two
    return await restarted.stop()


async def assert_posted_once(
    fake: FakeDiscord, database: Path | str, killed: Replica, restarted: Replica, code: int | None
) -> None:
    """The channel holds the question once, with one thread started from it, and the post is
    recorded there."""
    logs = killed.text() + restarted.text()
    assert code == 0, logs[-4000:]
    assert "Traceback" not in restarted.text(), restarted.text()[-4000:]
    sent = questions(fake)
    assert len(sent) == 1, f"the question was posted {len(sent)} times: {logs[-3000:]}"
    message_id = sent[0]["id"]
    assert threads(fake) == [message_id], "the question needs one thread, started from it"
    assert await recorded(database, fake.channel_id) == [(message_id, message_id)]


@pytest.mark.parametrize("step", list(STEPS))
async def test_a_question_killed_at_any_step_is_in_the_channel_once_after_a_restart(
    step: str, database: Path | str, tmp_path: Path, run_cache: Path
) -> None:
    path, answered = STEPS[step]
    fake = FakeDiscord(nonce_lifetime_s=0.0)
    await fake.start()
    held = fake.hold("POST", path.format(channel=fake.channel_id), answered=answered)
    await question_due(database, datetime.now(UTC), fake.channel_id)
    async with replicas(fake, database, tmp_path, run_cache) as (killed, restarted):
        await killed.start()
        await fake.wait_for(lambda: held.reached, within=START_LIMIT_S)
        code = await restart_after_kill(fake, database, killed, restarted)
    await assert_posted_once(fake, database, killed, restarted, code)


async def test_a_quiz_now_question_killed_after_discord_took_it_is_in_the_channel_once(
    tmp_path: Path, run_cache: Path
) -> None:
    database = tmp_path / "q.db"
    fake = FakeDiscord(nonce_lifetime_s=0.0)
    await fake.start()
    held = fake.hold("POST", ANSWER, answered=True, when=lambda body: TITLE in json.dumps(body))
    async with replicas(fake, database, tmp_path, run_cache) as (killed, restarted):
        await killed.start()
        await fake.wait_for(lambda: CONNECTED in killed.text(), within=START_LIMIT_S)
        now = fake.slash("quiz-admin", "now", user=fake.admin, admin=True)
        await fake.dispatch("INTERACTION_CREATE", now)
        await fake.wait_for(lambda: held.reached, within=START_LIMIT_S)
        code = await restart_after_kill(fake, database, killed, restarted)
    await assert_posted_once(fake, database, killed, restarted, code)
