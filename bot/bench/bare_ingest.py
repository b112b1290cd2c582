"""The reference `bench ingest` measures against: a bare aiosqlite loop writing the rows one answer
leaves behind, one transaction per answer, and nothing else.

It writes what `QuizService.handle` writes for a new member's first answer (the delivery claim,
the member, the answer, the member's progress and their practice card) into a database migrated
by the repository, on a connection with the repository's pragmas. It reads nothing, grades
nothing and replies nothing: the gap between it and the service is the bot's own cost per answer.
This is a benchmark's yardstick, so it speaks SQL itself rather than through the repository.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from pathlib import Path

import aiosqlite
from fsrs import Card, Rating

from bot.core.practice import PracticePolicy
from bot.storage.repository import Repository

PLATFORM = "bare"


async def bare_rate(n: int, db: Path, prompt_id: str) -> float:
    """Answers per second of the bare loop over `n` answers into a fresh database at `db`."""
    await (await Repository.open(db)).close()
    now = datetime.now(UTC)
    card, _ = PracticePolicy().scheduler().review_card(Card(card_id=1, due=now), Rating.Good, now)
    card_json, stamp = card.to_json(), now.isoformat()
    empty = json.dumps([])
    conn = await aiosqlite.connect(db, isolation_level=None)
    try:
        await conn.execute("PRAGMA foreign_keys = ON")
        await conn.execute("PRAGMA synchronous = NORMAL")
        await conn.execute(
            "INSERT INTO channels VALUES (?, 'c1', 'en', 'UTC', '09:00', 'daily', 1, ?, ?)",
            (PLATFORM, stamp, stamp),
        )
        cursor = await conn.execute(
            "INSERT INTO posts (platform, channel_id, day, prompt_id, scheduled, posted_at)"
            " VALUES (?, 'c1', ?, ?, 1, ?) RETURNING id",
            (PLATFORM, now.date().isoformat(), prompt_id, stamp),
        )
        row = await cursor.fetchone()
        assert row is not None
        post_id = int(row[0])
        await cursor.close()
        start = time.perf_counter()
        for i in range(n):
            user, message = f"u{i}", f"msg-{i}"
            await conn.execute("BEGIN IMMEDIATE")
            await conn.execute(
                "INSERT INTO ingested (platform, message_id, received_at) VALUES (?,?,?)",
                (PLATFORM, message, stamp),
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
                    post_id,
                    PLATFORM,
                    now.date().isoformat(),
                    user,
                    prompt_id,
                    message,
                    f"ReLU keeps gradients alive where sigmoid saturates ({i}).",
                    70,
                    "mostly_correct",
                    empty,
                    empty,
                    empty,
                    stamp,
                ),
            )
            await conn.execute(
                "INSERT INTO progress (post_id, user_id, step) VALUES (?,?,1)", (post_id, user)
            )
            await conn.execute(
                "INSERT INTO practice_cards (platform, user_id, prompt_id, card, score,"
                " updated_at) VALUES (?,?,?,?,70,?)",
                (PLATFORM, user, prompt_id, card_json, stamp),
            )
            await conn.execute("COMMIT")
        return n / (time.perf_counter() - start)
    finally:
        await conn.close()
