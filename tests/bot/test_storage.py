"""Migrations on a real SQLite file, and idempotent ingest through the real service."""

from __future__ import annotations

import asyncio
import sqlite3
import subprocess
import sys
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

from bot.app import channel_defaults
from bot.config import Settings
from bot.core.messages import Actor, Incoming, ReplyKind
from bot.core.models import AnswerWrite, ChannelRow, GradedText, PostClaim
from bot.storage import head_schema, schema
from bot.storage.database import latest_schema_version
from bot.storage.repository import Repository
from bot.storage.sql_script import statements
from bot.wiring import wire
from content.bank import Bank
from evaluators import EmbeddingGrader
from tests.bot.recording import RecordingTransport
from tests.fixed_grader import FixedGrader


async def test_migrations_from_empty_file_and_reapplied(tmp_path: Path) -> None:
    db = tmp_path / "fresh.db"
    repo = await Repository.open(db)
    latest = latest_schema_version()
    assert await repo.db.schema_version() == latest
    assert await repo.db.migrate() == latest
    await repo.close()
    repo = await Repository.open(db)  # a restart applies nothing twice
    assert await repo.db.schema_version() == latest
    await repo.close()
    with sqlite3.connect(db) as conn:
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
        mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
    assert {"channels", "posts", "answers", "ingested", "progress", "hints"} <= tables
    assert mode == "wal"


def test_latest_version_read_from_file_names_is_alembics_head() -> None:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(schema._alembic_config()).get_current_head()
    assert head is not None and latest_schema_version() == int(head)


def test_neither_a_first_start_nor_a_restart_loads_alembic(tmp_path: Path) -> None:
    """A new file is created from the head snapshot and a start on a file at head only reads its
    version, so the process never imports Alembic or SQLAlchemy; an older file still does."""
    script = (
        "import asyncio, sys\n"
        "from pathlib import Path\n"
        "from bot.storage.repository import Repository\n"
        "async def main():\n"
        "    repo = await Repository.open(Path(sys.argv[1]))\n"
        "    await repo.close()\n"
        "asyncio.run(main())\n"
        "print(sorted(m for m in ('alembic', 'sqlalchemy') if m in sys.modules))\n"
    )

    def loaded(db: Path) -> str:
        return subprocess.run(
            [sys.executable, "-c", script, str(db)], capture_output=True, text=True, check=True
        ).stdout.strip()

    db = tmp_path / "restart.db"
    assert [loaded(db), loaded(db)] == ["[]", "[]"]
    older = tmp_path / "older.db"
    with sqlite3.connect(older) as conn:  # not new: a file some other tool made first
        conn.execute("CREATE TABLE notes (text TEXT)")
    conn.close()
    assert loaded(older) == "['alembic', 'sqlalchemy']"


def _objects(db: Path) -> list[tuple[str, ...]]:
    """The file's schema objects as SQLite keeps them, in the order they were made, its
    user_version and its Alembic revision."""
    with sqlite3.connect(db) as conn:
        rows = conn.execute(
            "SELECT type, name, tbl_name, coalesce(sql, '') FROM sqlite_master ORDER BY rowid"
        ).fetchall()
        rows += conn.execute("PRAGMA user_version").fetchall()
        rows += conn.execute("SELECT version_num FROM alembic_version").fetchall()
    conn.close()
    return [tuple(str(value) for value in row) for row in rows]


async def test_a_new_file_made_from_the_revisions_is_what_alembic_makes(tmp_path: Path) -> None:
    """The fast start's statements (`head_schema.sqlite_statements`) and Alembic's migration run
    read the same revisions: a new file is the same either way, object for object, in order."""
    created, migrated = tmp_path / "created.db", tmp_path / "migrated.db"
    repo = await Repository.open(created)
    await repo.close()
    await schema.migrate(migrated)
    assert _objects(created) == _objects(migrated)
    assert head_schema.ALEMBIC_VERSION_TABLE in head_schema.sqlite_statements()


async def test_two_processes_creating_one_new_file_create_it_once(tmp_path: Path) -> None:
    db = tmp_path / "shared.db"
    first, second = await asyncio.gather(Repository.open(db), Repository.open(db))
    assert await first.db.schema_version() == await second.db.schema_version()
    await asyncio.gather(first.close(), second.close())
    with sqlite3.connect(db) as conn:
        [(revisions,)] = conn.execute("SELECT count(*) FROM alembic_version").fetchall()
    conn.close()
    assert revisions == 1


def test_statements_keep_a_triggers_body_whole() -> None:
    script = (
        "-- header\nCREATE TABLE t (a);\nCREATE TRIGGER g AFTER INSERT ON t BEGIN\n"
        "  INSERT INTO t VALUES (1);\n  DELETE FROM t;\nEND;\nPRAGMA user_version = 6;\n"
    )
    found = statements(script)
    assert len(found) == 3
    assert found[1].startswith("CREATE TRIGGER") and found[1].endswith("END;")


async def test_foreign_keys_are_enforced(tmp_path: Path) -> None:
    repo = await Repository.open(tmp_path / "fk.db")
    try:
        async with repo.db.transaction() as db:
            [row] = await db.fetch("PRAGMA foreign_keys")
        assert row is not None and row[0] == 1
    finally:
        await repo.close()


async def test_same_message_id_twice_stores_one_answer(
    database: Path | str, bank: Bank, grader: EmbeddingGrader
) -> None:
    repo = await Repository.open(database)
    service = wire(
        repo=repo, bank=bank, grader=grader, defaults=channel_defaults(Settings(_env_file=None))
    )
    transport = RecordingTransport()
    try:
        post = await service.posting.post_today("test", "c1", transport)
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
            await service.intake.handle(answer, transport)
        assert len(await repo.answers.channel_answers(platform="test", channel_id="c1")) == 1
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
        cards = await repo.practice.practice_cards(platform="t", user_ids=["u1"])
    finally:
        await repo.close()
    assert {card.prompt_id: card.score for card in cards} == {"p1": 55, "p2": 77, "gone": 0}


async def test_a_members_name_follows_their_messages_and_redeliveries_change_nothing(
    database: Path | str, bank: Bank
) -> None:
    """Claimed messages name their sender (the claim's trigger keeps the member row); messages
    without an id go through remember_user."""
    repo = await Repository.open(database)
    service = wire(
        repo=repo,
        bank=bank,
        grader=FixedGrader(),
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
            await service.intake.handle(incoming, RecordingTransport())
            names.append(await repo.members.display_name(platform="test", user_id="u1"))
        async with repo.db.transaction() as db:
            claims = await db.fetch("SELECT message_id, user_id FROM ingested")
    finally:
        await repo.close()
    assert names == ["Mina", "Mina K.", "Mina K.", "Mi"]
    assert sorted(tuple(row) for row in claims) == [("m1", "u1"), ("m2", "u1")]


async def test_rows_come_back_in_core_types_and_are_stored_as_before(tmp_path: Path) -> None:
    """The mappers turn SQLite's text into Lang, date and datetime and back, in the text form
    databases have always held, so existing files read unchanged."""
    db = tmp_path / "q.db"
    at = datetime(2026, 11, 2, 0, 30, 5, 123456, tzinfo=UTC)
    day = date(2026, 11, 2)
    repo = await Repository.open(db)
    try:
        fresh = ChannelRow(
            platform="t",
            channel_id="c1",
            lang="en",
            timezone="Asia/Seoul",
            post_time="09:00",
            days="daily",
            catch_up=True,
            checked_until=at,
        )
        channel = await repo.channels.ensure_channel(fresh, created_at=at)
        post = await repo.posts.claim_post(
            PostClaim(
                platform="t", channel_id="c1", day=day, prompt_id="p1", scheduled=True, posted_at=at
            )
        )
        assert post is not None
        await repo.members.remember_user(platform="t", user_id="u1", display_name="Mina")
        graded = GradedText(
            user_id="u1",
            prompt_id="p1",
            message_id="m1",
            text="an answer",
            score=70,
            verdict="partial",
            covered=(),
            missed=(),
            flags=(),
            answered_at=at,
        )
        await repo.answers.record_answer(AnswerWrite(post=post, graded=graded, next_step=1))
        [answer] = await repo.answers.answers_for(post_id=post.id, user_id="u1")
        later = await repo.channels.channel(platform="t", channel_id="c1")
    finally:
        await repo.close()
    met = replace(fresh, created_at=at)  # the row remembers when the channel was met
    assert channel == met and later == met
    assert (post.day, answer.day, answer.answered_at) == (day, day, at)
    with sqlite3.connect(db) as conn:
        stored = conn.execute(
            "SELECT c.lang, c.checked_until, c.created_at, p.day, p.posted_at, a.day,"
            " a.answered_at FROM channels c JOIN posts p JOIN answers a"
        ).fetchone()
    stamp = "2026-11-02T00:30:05.123456+00:00"
    assert stored == ("en", stamp, stamp, "2026-11-02", stamp, "2026-11-02", stamp)
