"""Three real `quizmaster run` processes started at the same moment on one fresh PostgreSQL
database (issue 50, point 2): the day's question is posted once, never beside an extra one,
whichever process gets there first. Repeated, since a race shows in some runs only."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import pytest

from bot.storage.drivers import libpq_url
from tests.bot.platforms.slack.fake_slack import FakeSlack
from tests.conftest import BUNDLED_MODEL
from tests.faults.test_replicas_chaos import REPO_ROOT, Replica, due_channels, replica_env, until
from tests.postgres_server import PostgresForTests

pytestmark = pytest.mark.slow

PROCESSES = 3
ROUNDS = 3
START_LIMIT_S = 180.0
TICK_S = 1.0


async def posts_in(db: str) -> list[tuple[str, bool]]:
    conn = await asyncpg.connect(libpq_url(db))
    try:
        rows = await conn.fetch("SELECT channel_id, scheduled FROM posts ORDER BY id")
    finally:
        await conn.close()
    return [(row["channel_id"], bool(row["scheduled"])) for row in rows]


def question_posts(fake: FakeSlack) -> list[str]:
    return [
        str(call.args["channel"])
        for call in fake.called("chat.postMessage")
        if call.result.get("ok") and not call.args.get("thread_ts")
    ]


@pytest.mark.parametrize("round_", range(ROUNDS))
async def test_slack_processes_started_together_post_the_days_question_once(
    round_: int, tmp_path: Path, warm_cache: Path, postgres: PostgresForTests
) -> None:
    fake = FakeSlack()
    await fake.start()
    db = postgres.fresh_database()
    await due_channels(db, datetime.now(UTC))
    env = replica_env(db, fake, warm_cache)
    replicas = [Replica(f"r{i}", env, tmp_path) for i in range(PROCESSES)]
    try:
        await asyncio.gather(*(replica.start() for replica in replicas))
        await until(
            fake,
            lambda: fake.connections == PROCESSES,
            START_LIMIT_S,
            lambda: f"{fake.connections} of {PROCESSES} processes connected",
        )
        # Every process has ticked at least three times since: a repeat would be out.
        await until(
            fake,
            lambda: len(question_posts(fake)) >= 20,
            START_LIMIT_S,
            lambda: f"{len(question_posts(fake))} questions posted",
        )
        await asyncio.sleep(4 * TICK_S)
        codes = [await replica.stop() for replica in replicas]
    finally:
        for replica in replicas:
            await replica.close()
        await fake.stop()
    logs = "".join(replica.text() for replica in replicas)
    assert codes == [0] * PROCESSES, logs[-4000:]
    posted = question_posts(fake)
    assert sorted(posted) == sorted(set(posted)), f"a channel got two questions: {posted}"
    assert all(scheduled for _, scheduled in await posts_in(db)), await posts_in(db)


@pytest.mark.parametrize("round_", range(ROUNDS))
async def test_console_processes_started_together_on_an_empty_database_post_once(
    round_: int, warm_cache: Path, postgres: PostgresForTests, tmp_path: Path
) -> None:
    """The console shows today's question as it starts, posting it when the day has none: the
    processes that lose the claim show the winner's instead of posting an extra one."""
    db = postgres.empty_database()
    env = {
        "PYTHONPATH": str(REPO_ROOT),
        "HF_HUB_OFFLINE": "1",
        "PATH": "/usr/bin:/bin",
        "QUIZMASTER_DB": db,
        "QUIZMASTER_EMBEDDING_MODEL": BUNDLED_MODEL,
        "QUIZMASTER_CACHE_DIR": str(warm_cache),
        "QUIZMASTER_DEMOS": "false",
        "QUIZMASTER_LANG": "en",
    }
    children = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot.cli",
            "run",
            "--platform",
            "console",
            env=env,
            cwd=tmp_path,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for _ in range(PROCESSES)
    ]
    outputs = [await asyncio.wait_for(child.communicate(), START_LIMIT_S) for child in children]
    for child, (_, err) in zip(children, outputs, strict=True):
        assert child.returncode == 0, err.decode(errors="replace")[-3000:]
    shown = {out.decode().splitlines()[0] for out, _ in outputs}
    assert len(shown) == 1, f"the processes showed different questions: {shown}"
    posts = await posts_in(db)
    assert len(posts) == 1 and posts[0][1], f"one scheduled post expected: {posts}"
