"""Migrations on a real SQLite file, and idempotent ingest through the real service."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from bot.core.messages import Actor, Incoming, ReplyKind
from bot.core.service import ChannelDefaults, QuizService
from bot.storage.repository import Repository, latest_schema_version
from content.bank import Bank
from evaluators import EmbeddingGrader
from tests.bot.recording import RecordingTransport


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
    service = QuizService(repo=repo, bank=bank, grader=grader, defaults=ChannelDefaults())
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
