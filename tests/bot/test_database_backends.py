"""SQLite beside PostgreSQL: the setting, migrations (old SQLite files forward in place, a new
PostgreSQL database from nothing), claims that hold across processes, and the stored form."""

from __future__ import annotations

import asyncio
import sqlite3
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from bot.config import Settings, check_database
from bot.core.flow.intake import MessageClaim
from bot.core.models import AnswerWrite, ChannelRow, GradedText, PostClaim
from bot.doctor import collect
from bot.storage.database import latest_schema_version
from bot.storage.repository import Repository
from tests.postgres_server import PostgresForTests

LEGACY = Path(__file__).parents[2] / "bot" / "storage" / "migrations"
AT = datetime(2026, 11, 2, 0, 30, 5, 123456, tzinfo=UTC)
DAY = date(2026, 11, 2)


def graded(user_id: str, message_id: str, score: int) -> GradedText:
    return GradedText(
        user_id=user_id,
        prompt_id="p1",
        message_id=message_id,
        text="an answer",
        score=score,
        verdict="partial",
        covered=("c1",),
        missed=(),
        flags=(),
        answered_at=AT,
    )


def test_the_database_setting_takes_a_path_or_a_postgresql_url(tmp_path: Path) -> None:
    assert check_database(str(tmp_path / "q.db")) == tmp_path / "q.db"
    url = "postgresql://quiz:secret@db.internal:5432/quizmaster"
    assert check_database(url) == url
    assert check_database("postgresql://quiz@/quizmaster?host=/run/pg") == (
        "postgresql://quiz@/quizmaster?host=/run/pg"
    )
    for bad in ("mysql://db/quiz", "postgresql://db.internal", "postgresql:///quiz", ""):
        with pytest.raises(ValueError, match="postgresql://"):
            check_database(bad)


def _legacy_file(path: Path, version: int) -> None:
    """A database as the release at schema `version` left it, with a member's answer in it."""
    with sqlite3.connect(path) as conn:
        for script in sorted(LEGACY.glob("*.sql"))[:version]:
            conn.executescript(script.read_text(encoding="utf-8"))
        conn.execute(f"PRAGMA user_version = {version}")
        conn.execute("INSERT INTO users VALUES ('t', 'u1', 'Mina')")
        conn.execute(
            "INSERT INTO channels VALUES ('t', 'c1', 'en', 'UTC', '09:00', 'daily', 1, ?, ?)",
            (AT.isoformat(), AT.isoformat()),
        )
        conn.execute(
            "INSERT INTO posts (platform, channel_id, day, prompt_id, scheduled, posted_at)"
            " VALUES ('t', 'c1', ?, 'p1', 1, ?)",
            (DAY.isoformat(), AT.isoformat()),
        )
        conn.execute(
            "INSERT INTO answers (post_id, platform, user_id, prompt_id, message_id, text, score,"
            " verdict, covered, missed, flags, day, answered_at)"
            " VALUES (1, 't', 'u1', 'p1', 'm0', 'old', 40, 'partial', '[]', '[]', '[]', ?, ?)",
            (DAY.isoformat(), AT.isoformat()),
        )
    conn.close()


@pytest.mark.parametrize("version", range(1, 7))
async def test_a_sqlite_file_from_every_earlier_release_migrates_forward_in_place(
    tmp_path: Path, version: int
) -> None:
    db = tmp_path / f"v{version}.db"
    _legacy_file(db, version)
    repo = await Repository.open(db)
    try:
        assert await repo.db.schema_version() == latest_schema_version()
        post = await repo.posts.latest_post(platform="t", channel_id="c1")
        assert post is not None
        await repo.answers.record_answer(
            AnswerWrite(post=post, graded=graded("u1", "m1", 90), next_step=1)
        )
        board = await repo.boards.leaderboard(platform="t", channel_id="c1", since=DAY)
        answers = await repo.answers.answers_for(post_id=post.id, user_id="u1")
    finally:
        await repo.close()
    assert [(row.display_name, row.total, row.answers) for row in board] == [("Mina", 90, 1)]
    assert [answer.score for answer in answers] == [40, 90]
    with sqlite3.connect(db) as conn:
        # user_version stays at the last SQL-file release's 6; Alembic records the head.
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 6
        head = f"{latest_schema_version():04d}"
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone()[0] == head
    conn.close()


async def test_an_empty_postgresql_database_is_migrated_once(postgres: PostgresForTests) -> None:
    url = postgres.empty_database()
    repo = await Repository.open(url)
    try:
        assert repo.db.dialect == "postgresql"
        assert await repo.db.schema_version() == latest_schema_version()
        assert await repo.db.migrate() == latest_schema_version()
        async with repo.db.transaction() as db:
            tables = {
                row[0]
                for row in await db.fetch(
                    "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
                )
            }
    finally:
        await repo.close()
    assert {"channels", "posts", "answers", "ingested", "progress", "hints"} <= tables


async def test_claims_hold_between_two_processes_on_one_database(database: Path | str) -> None:
    """Two repositories are two processes' connections: a scheduled channel-day is posted
    once and a message is claimed once, decided by the database's constraints."""
    first, second = await Repository.open(database), await Repository.open(database)
    try:
        channel = ChannelRow("t", "c1", "en", "UTC", "09:00", "daily", True, AT)
        await first.channels.ensure_channel(channel, created_at=AT)
        posts = await asyncio.gather(
            *(
                repo.posts.claim_post(
                    PostClaim(
                        platform="t",
                        channel_id="c1",
                        day=DAY,
                        prompt_id="p1",
                        scheduled=True,
                        posted_at=AT,
                    )
                )
                for repo in (first, second, first, second)
            )
        )
        claims = await asyncio.gather(
            *(
                repo.claims.claim_message(
                    MessageClaim(
                        platform="t",
                        message_id="m1",
                        received_at=AT,
                        user_id="u1",
                        display_name="M",
                    )
                )
                for repo in (first, second, first, second)
            )
        )
    finally:
        await first.close()
        await second.close()
    assert sum(post is not None for post in posts) == 1
    assert sorted(claims) == [False, False, False, True]


async def test_postgresql_stores_the_same_text_as_sqlite(postgres: PostgresForTests) -> None:
    """Days and instants are ISO text on PostgreSQL too, so rows copy between the two as-is."""
    repo = await Repository.open(postgres.fresh_database())
    try:
        channel = ChannelRow("t", "c1", "en", "Asia/Seoul", "09:00", "daily", True, AT)
        met = await repo.channels.ensure_channel(channel, created_at=AT)
        assert met == replace(channel, created_at=AT)
        post = await repo.posts.claim_post(
            PostClaim(
                platform="t", channel_id="c1", day=DAY, prompt_id="p1", scheduled=True, posted_at=AT
            )
        )
        assert post is not None and post.day == DAY
        await repo.members.remember_user(platform="t", user_id="u1", display_name="Mina")
        await repo.answers.record_answer(
            AnswerWrite(post=post, graded=graded("u1", "m1", 70), next_step=1)
        )
        [answer] = await repo.answers.answers_for(post_id=post.id, user_id="u1")
        async with repo.db.transaction() as db:
            [stored] = await db.fetch(
                "SELECT c.checked_until, p.day, a.day, a.answered_at, a.covered"
                " FROM channels c, posts p, answers a"
            )
    finally:
        await repo.close()
    assert (answer.day, answer.answered_at, answer.covered) == (DAY, AT, ("c1",))
    stamp = AT.isoformat()
    assert tuple(stored) == (stamp, "2026-11-02", "2026-11-02", stamp, '["c1"]')


async def test_doctor_checks_a_postgresql_database_without_migrating_it(
    tmp_path: Path, postgres: PostgresForTests
) -> None:
    async def database_line(url: str) -> tuple[str, str]:
        settings = Settings(_env_file=None, db=url, cache_dir=tmp_path / "cache", demos=False)
        [check] = [c for c in await collect(settings, quick=True) if c.name == "database"]
        return check.status, check.detail

    status, detail = await database_line(postgres.fresh_database())
    assert status == "ok" and f"schema version {latest_schema_version()} (latest)" in detail
    empty = postgres.empty_database()
    status, detail = await database_line(empty)
    assert status == "fail" and "schema version 0, not migrated" in detail
    assert (await database_line(empty))[1] == detail  # the check migrated nothing
    nowhere = f"postgresql://quiz:secret@/quizmaster?host={tmp_path}"
    status, detail = await database_line(nowhere)
    assert status == "fail" and "cannot be reached" in detail and "secret" not in detail
