"""The references `bench ingest` measures against: a bare driver loop (aiosqlite for SQLite,
asyncpg for PostgreSQL) writing the rows one answer leaves behind, one transaction per answer,
and nothing else.

It writes what `Intake.handle` writes for a new member's first answer (the delivery claim,
the member, the answer, the member's progress and their practice card) into a database migrated
by the repository, on a connection with the repository's pragmas, with plain INSERTs: its claims
name no sender, so the claim's member trigger stays idle and the member row is an INSERT of its
own. It reads nothing, grades nothing and replies nothing: the gap between it and the service is
the bot's own cost per answer. This is a benchmark's yardstick, so it speaks SQL itself rather
than through the repository.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from pathlib import Path

import aiosqlite
import asyncpg
from fsrs import Card, Rating

from bot.config import Settings
from bot.storage.drivers import libpq_url, numbered
from bot.storage.repository import Repository
from bot.wiring import practice_policy

PLATFORM = "bare"
EMPTY = json.dumps([])
TEXT = "ReLU keeps gradients alive where sigmoid saturates ({i})."
CLAIM = "INSERT INTO ingested (platform, message_id, received_at) VALUES (?,?,?)"
MEMBER = "INSERT INTO users (platform, user_id, display_name) VALUES (?,?,?)"
ANSWER = (
    "INSERT INTO answers (post_id, platform, day, user_id, prompt_id, message_id,"
    " text, score, verdict, covered, missed, flags, answered_at)"
    " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)"
)
STEP = "INSERT INTO progress (post_id, user_id, step) VALUES (?,?,1)"
CARD = (
    "INSERT INTO practice_cards (platform, user_id, prompt_id, card, score,"
    " updated_at) VALUES (?,?,?,?,70,?)"
)
CHANNEL = "INSERT INTO channels VALUES (?, 'c1', 'en', 'UTC', '09:00', 'daily', 1, ?, ?, NULL)"
POST = (
    "INSERT INTO posts (platform, channel_id, day, prompt_id, scheduled, posted_at)"
    " VALUES (?, 'c1', ?, ?, 1, ?) RETURNING id"
)


class _Rows:
    """The values of each answer's rows, the same for both drivers."""

    def __init__(self, post_id: int, prompt_id: str) -> None:
        self.post_id = post_id
        self.prompt_id = prompt_id
        now = datetime.now(UTC)
        policy = practice_policy(Settings(_env_file=None))
        card, _ = policy.scheduler().review_card(Card(card_id=1, due=now), Rating.Good, now)
        self.card, self.stamp, self.day = card.to_json(), now.isoformat(), now.date().isoformat()

    def of(self, i: int) -> list[tuple[str, tuple[object, ...]]]:
        user, message = f"u{i}", f"msg-{i}"
        return [
            (CLAIM, (PLATFORM, message, self.stamp)),
            (MEMBER, (PLATFORM, user, f"Member {i}")),
            (
                ANSWER,
                (
                    self.post_id,
                    PLATFORM,
                    self.day,
                    user,
                    self.prompt_id,
                    message,
                    TEXT.format(i=i),
                    70,
                    "mostly_correct",
                    EMPTY,
                    EMPTY,
                    EMPTY,
                    self.stamp,
                ),
            ),
            (STEP, (self.post_id, user)),
            (CARD, (PLATFORM, user, self.prompt_id, self.card, self.stamp)),
        ]


class BareLoop:
    """The SQLite loop on its own database; `run` writes the next answers and says how long it
    took."""

    def __init__(self, conn: aiosqlite.Connection, rows: _Rows) -> None:
        self._conn = conn
        self._rows = rows

    @classmethod
    async def open(cls, db: Path, prompt_id: str) -> BareLoop:
        await (await Repository.open(db)).close()
        conn = await aiosqlite.connect(db, isolation_level=None)
        await conn.execute("PRAGMA foreign_keys = ON")
        await conn.execute("PRAGMA synchronous = NORMAL")
        stamp = datetime.now(UTC).isoformat()
        await conn.execute(CHANNEL, (PLATFORM, stamp, stamp))
        [row] = await conn.execute_fetchall(POST, (PLATFORM, stamp[:10], prompt_id, stamp))
        return cls(conn, _Rows(int(row[0]), prompt_id))

    async def close(self) -> None:
        await self._conn.close()

    async def run(self, first: int, count: int) -> float:
        """Write answers `first` .. `first + count - 1`, one transaction each; seconds taken."""
        conn = self._conn
        start = time.perf_counter()
        for i in range(first, first + count):
            await conn.execute("BEGIN IMMEDIATE")
            for sql, params in self._rows.of(i):
                await conn.execute(sql, params)
            await conn.execute("COMMIT")
        return time.perf_counter() - start


class BarePostgresLoop:
    """The PostgreSQL loop: one asyncpg connection, one transaction per answer; its rows are
    the platform "bare", so it can share a database with the service's "bench" rows."""

    def __init__(self, conn: asyncpg.Connection, rows: _Rows) -> None:
        self._conn = conn
        self._rows = rows

    @classmethod
    async def open(cls, url: str, prompt_id: str) -> BarePostgresLoop:
        await (await Repository.open(url)).close()
        conn = await asyncpg.connect(libpq_url(url))
        stamp = datetime.now(UTC).isoformat()
        await conn.execute(numbered(CHANNEL), PLATFORM, stamp, stamp)
        post_id = await conn.fetchval(numbered(POST), PLATFORM, stamp[:10], prompt_id, stamp)
        return cls(conn, _Rows(int(post_id), prompt_id))

    async def close(self) -> None:
        await self._conn.close()

    async def run(self, first: int, count: int) -> float:
        conn = self._conn
        start = time.perf_counter()
        for i in range(first, first + count):
            async with conn.transaction():
                for sql, params in self._rows.of(i):
                    await conn.execute(numbered(sql), *params)
        return time.perf_counter() - start
