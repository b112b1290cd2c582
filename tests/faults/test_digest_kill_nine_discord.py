"""`kill -9` of a real `quizmaster run --platform discord` at each step of posting the weekly
digest, then a restart on the same database, on SQLite and PostgreSQL (issue 50, point 1): the
channel holds the digest once, its text and chart in one message, whatever step the process
died at.

On Discord the digest is one message (text and chart go up together), so there are two steps:
before Discord took it, and after (its answer never came back). The fake forgets the digest's
enforced nonce at once, as Discord does a few minutes after the send: a process restarted later
than that must find the digest in the channel's history, not count on the nonce."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.platforms.discord.dispatch import PLATFORM
from tests.bot.platforms.discord.fake_discord import FakeDiscord
from tests.faults.test_digest_kill_nine import digest_due, recorded
from tests.faults.test_replicas_chaos import TICK_S, Replica, run_env

pytestmark = pytest.mark.slow

START_LIMIT_S = 240.0
LAUNCHER = "tests.faults.run_against_fake_discord"
STEPS = {"not-taken": False, "taken": True}


def discord_env(db: str, fake: FakeDiscord, cache_dir: Path) -> dict[str, str]:
    """A replica's environment on Discord, the fake's address for the launcher."""
    return run_env(db, cache_dir) | {
        "FAKE_DISCORD_URL": fake.url,
        "QUIZMASTER_PLATFORM": PLATFORM,
        "QUIZMASTER_DISCORD_TOKEN": "fake-bot-token",
        "QUIZMASTER_DISCORD_GUILD_ID": fake.guild_id,
        "QUIZMASTER_DISCORD_MESSAGE_CONTENT": "false",
    }


def digests(fake: FakeDiscord) -> list[dict[str, Any]]:
    """The digest messages in the channel: the week's text, or its chart."""
    return [
        m
        for m in fake.messages.values()
        if m["channel_id"] == fake.channel_id
        and (
            any("The team's week" in str(e.get("description")) for e in m["embeds"])
            or "The team's week" in m["content"]
            or any(str(a["filename"]).startswith("digest-") for a in m["attachments"])
        )
    ]


def charts(fake: FakeDiscord) -> list[str]:
    return [
        str(a["filename"])
        for m in fake.messages.values()
        if m["channel_id"] == fake.channel_id
        for a in m["attachments"]
        if str(a["filename"]).startswith("digest-")
    ]


async def until_recorded(db: Path | str, channel_id: str) -> None:
    """Until a process recorded the digest as sent (what it sent is checked after)."""
    async with asyncio.timeout(START_LIMIT_S):
        while True:
            if await recorded(db, channel_id):
                return
            await asyncio.sleep(TICK_S)


@pytest.mark.parametrize("step", list(STEPS))
async def test_a_digest_killed_at_any_step_is_in_the_channel_once_after_a_restart(
    step: str, database: Path | str, tmp_path: Path, run_cache: Path
) -> None:
    fake = FakeDiscord(nonce_lifetime_s=0.0)
    await fake.start()
    sends = rf"/channels/{fake.channel_id}/messages"
    held = fake.hold("POST", sends, answered=STEPS[step])
    await digest_due(database, datetime.now(UTC), platform=PLATFORM, channel=fake.channel_id)
    env = discord_env(str(database), fake, run_cache)
    killed = Replica("killed", env, tmp_path, module=LAUNCHER)
    restarted = Replica("restarted", env, tmp_path, module=LAUNCHER)
    try:
        await killed.start()
        await fake.wait_for(lambda: held.reached, within=START_LIMIT_S)
        await killed.kill9()
        await restarted.start()
        await until_recorded(database, fake.channel_id)
        await asyncio.sleep(3 * TICK_S)  # a digest sent twice would come within a tick or two
        code = await restarted.stop()
    finally:
        await killed.close()
        await restarted.close()
        await fake.stop()
    logs = killed.text() + restarted.text()
    assert code == 0, logs[-4000:]
    assert "Traceback" not in restarted.text(), restarted.text()[-4000:]
    assert len(digests(fake)) == 1, f"the digest was posted twice: {logs[-3000:]}"
    assert len(charts(fake)) == 1, f"the digest's chart was posted twice: {charts(fake)}"
    assert await recorded(database, fake.channel_id)
