"""The reference `bench ingest` measures against: a bare aiosqlite loop writing the rows one answer
leaves behind, one transaction per answer, and nothing else.

It writes what `QuizService.handle` writes for a new member's first answer (the delivery claim,
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
from fsrs import Card, Rating

from bot.app import practice_policy
from bot.config import Settings
from bot.storage.repository import Repository

PLATFORM = "bare"


class BareLoop:
    """The loop on its own database; `run` writes the next answers and says how long it took."""

    def __init__(self, conn: aiosqlite.Connection, post_id: int, prompt_id: str) -> None:
        self._conn = conn
        self._post_id = post_id
        self._prompt_id = prompt_id
        now = datetime.now(UTC)
        policy = practice_policy(Settings(_env_file=None))
        card, _ = policy.scheduler().review_card(Card(card_id=1, due=now), Rating.Good, now)
        self._card, self._stamp, self._day = card.to_json(), now.isoformat(), now.date().isoformat()

    @classmethod
    async def open(cls, db: Path, prompt_id: str) -> BareLoop:
        await (await Repository.open(db)).close()
        conn = await aiosqlite.connect(db, isolation_level=None)
        await conn.execute("PRAGMA foreign_keys = ON")
        await conn.execute("PRAGMA synchronous = NORMAL")
        stamp = datetime.now(UTC).isoformat()
        await conn.execute(
            "INSERT INTO channels VALUES (?, 'c1', 'en', 'UTC', '09:00', 'daily', 1, ?, ?)",
            (PLATFORM, stamp, stamp),
        )
        [row] = await conn.execute_fetchall(
            "INSERT INTO posts (platform, channel_id, day, prompt_id, scheduled, posted_at)"
            " VALUES (?, 'c1', ?, ?, 1, ?) RETURNING id",
            (PLATFORM, stamp[:10], prompt_id, stamp),
        )
        return cls(conn, int(row[0]), prompt_id)

    async def close(self) -> None:
        await self._conn.close()

    async def run(self, first: int, count: int) -> float:
        """Write answers `first` .. `first + count - 1`, one transaction each; seconds taken."""
        conn, empty = self._conn, json.dumps([])
        start = time.perf_counter()
        for i in range(first, first + count):
            user, message = f"u{i}", f"msg-{i}"
            await conn.execute("BEGIN IMMEDIATE")
            await conn.execute(
                "INSERT INTO ingested (platform, message_id, received_at) VALUES (?,?,?)",
                (PLATFORM, message, self._stamp),
            )
            await conn.execute(
                "INSERT INTO users (platform, user_id, display_name) VALUES (?,?,?)",
                (PLATFORM, user, f"Member {i}"),
            )
            await conn.execute(
                "INSERT INTO answers (post_id, platform, day, user_id, prompt_id, message_id,"
                " text, score, verdict, covered, missed, flags, answered_at)"
                " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (
                    self._post_id,
                    PLATFORM,
                    self._day,
                    user,
                    self._prompt_id,
                    message,
                    f"ReLU keeps gradients alive where sigmoid saturates ({i}).",
                    70,
                    "mostly_correct",
                    empty,
                    empty,
                    empty,
                    self._stamp,
                ),
            )
            await conn.execute(
                "INSERT INTO progress (post_id, user_id, step) VALUES (?,?,1)",
                (self._post_id, user),
            )
            await conn.execute(
                "INSERT INTO practice_cards (platform, user_id, prompt_id, card, score,"
                " updated_at) VALUES (?,?,?,?,70,?)",
                (PLATFORM, user, self._prompt_id, self._card, self._stamp),
            )
            await conn.execute("COMMIT")
        return time.perf_counter() - start
