"""Migrations on a real SQLite file, and idempotent ingest through the real service."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from bot.app import build_quiz_service, channel_defaults
from bot.config import Settings
from bot.core.messages import Actor, Incoming, ReplyKind
from bot.storage.repository import Repository, latest_schema_version
from content.bank import Bank
from evaluators import EmbeddingGrader
from tests.bot.recording import RecordingTransport
from tests.bot.stated_grader import StatedScoreGrader


async def test_migrations_from_empty_file_and_reapplied(tmp_path: Path) -> None:
    db = tmp_path / "fresh.db"
    repo = await Repository.open(db)
    latest = latest_schema_version()
    assert await repo.schema_version() == latest
    assert await repo.migrate() == latest
    await repo.close()
    repo = await Repository.open(db)  # a restart applies nothing twice
    assert await repo.schema_version() == latest
    await repo.close()
    with sqlite3.connect(db) as conn:
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
        mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
    assert {"channels", "posts", "answers", "ingested", "progress", "hints"} <= tables
    assert mode == "wal"


async def test_foreign_keys_are_enforced(tmp_path: Path) -> None:
    repo = await Repository.open(tmp_path / "fk.db")
    try:
        async with repo.transaction() as db:
            cursor = await db.execute("PRAGMA foreign_keys")
            row = await cursor.fetchone()
        assert row is not None and row[0] == 1
    finally:
        await repo.close()


async def test_same_message_id_twice_stores_one_answer(
    tmp_path: Path, bank: Bank, grader: EmbeddingGrader
) -> None:
    repo = await Repository.open(tmp_path / "q.db")
    service = build_quiz_service(
        repo=repo, bank=bank, grader=grader, defaults=channel_defaults(Settings(_env_file=None))
    )
    transport = RecordingTransport()
    try:
        post = await service.post_today("test", "c1", transport)
        member = Actor("u1", "Mina")
        answer = Incoming(
            "test",
            "c1",
            member,
            "ReLU avoids vanishing gradients and is cheap to compute.",
            message_id="evt-1",
            thread_id=post.thread_id,
        )
        for _ in range(4):
            await service.handle(answer, transport)
        assert await repo.answer_count() == 1
        assert len(transport.of_kind(ReplyKind.GRADE)) == 1
    finally:
        await repo.close()


async def test_cards_from_before_mastery_take_the_latest_score_of_their_prompt(
    tmp_path: Path,
) -> None:
    """A version-2 database (cards without scores) migrates forward in place."""
    db = tmp_path / "v2.db"
    folder = Path(__file__).parents[2] / "bot" / "storage" / "migrations"
    with sqlite3.connect(db) as conn:
        for name in ("001_initial.sql", "002_practice.sql"):
            conn.executescript((folder / name).read_text(encoding="utf-8"))
        conn.execute("PRAGMA user_version = 2")
        conn.execute("INSERT INTO users VALUES ('t', 'u1', 'Mina')")
        conn.execute(
            "INSERT INTO channels VALUES ('t', 'c1', 'en', 'UTC', '09:00', 'daily', 1, '', '')"
        )
        conn.execute(
            "INSERT INTO posts (platform, channel_id, day, prompt_id, scheduled, posted_at)"
            " VALUES ('t', 'c1', '2026-11-02', 'p1', 1, '')"
        )
        graded = "'', 'partial', '[]', '[]', '[]'"
        for prompt, score, at in [("p1", 30, "2026-11-03"), ("p1", 55, "2026-11-04")]:
            conn.execute(
                "INSERT INTO answers (post_id, platform, user_id, prompt_id, score, day,"
                f" answered_at, text, verdict, covered, missed, flags) VALUES (1, 't', 'u1', ?,"
                f" ?, '', ?, {graded})",
                (prompt, score, at),
            )
        for prompt, score, at in [("p1", 20, "2026-11-02"), ("p2", 77, "2026-11-05")]:
            conn.execute(
                "INSERT INTO practice_answers (platform, user_id, prompt_id, score, rating,"
                f" answered_at, text, verdict, covered, missed, flags) VALUES ('t', 'u1', ?, ?,"
                f" 1, ?, {graded})",
                (prompt, score, at),
            )
        for prompt in ("p1", "p2", "gone"):
            conn.execute(
                "INSERT INTO practice_cards VALUES ('t', 'u1', ?, '{}', '2026-11-05')", (prompt,)
            )
    repo = await Repository.open(db)
    try:
        cards = await repo.practice_cards("t", ["u1"])
    finally:
        await repo.close()
    assert {card.prompt_id: card.score for card in cards} == {"p1": 55, "p2": 77, "gone": 0}


async def test_a_members_name_follows_their_messages_and_redeliveries_change_nothing(
    tmp_path: Path, bank: Bank
) -> None:
    """Claimed messages name their sender (the claim's trigger keeps the member row); messages
    without an id go through remember_user."""
    repo = await Repository.open(tmp_path / "q.db")
    service = build_quiz_service(
        repo=repo,
        bank=bank,
        grader=StatedScoreGrader(),
        defaults=channel_defaults(Settings(_env_file=None)),
    )
    names = []
    try:
        for message_id, name in [
            ("m1", "Mina"),
            ("m2", "Mina K."),
            ("m2", "Redelivered"),
            (None, "Mi"),
        ]:
            incoming = Incoming("test", "c1", Actor("u1", name), "/help", message_id=message_id)
            await service.handle(incoming, RecordingTransport())
            names.append(await repo.display_name("test", "u1"))
        async with repo.transaction() as db:
            claims = await db.execute_fetchall("SELECT message_id, user_id FROM ingested")
    finally:
        await repo.close()
    assert names == ["Mina", "Mina K.", "Mina K.", "Mi"]
    assert sorted(tuple(row) for row in claims) == [("m1", "u1"), ("m2", "u1")]
