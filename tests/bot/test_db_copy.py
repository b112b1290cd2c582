"""`quizmaster db copy`: a team's SQLite file moves to PostgreSQL (and back) with every row, the
same leaderboard, ids that go on after the copy, and a non-empty target refused."""

from __future__ import annotations

import asyncio
from datetime import date
from pathlib import Path

import pytest

from bot.app import channel_defaults
from bot.config import Settings
from bot.core.messages import Actor, Incoming
from bot.core.models import BoardRow
from bot.storage.cli import main as db_main
from bot.storage.copy import copy_order
from bot.storage.repository import Repository
from bot.storage.schema import engine_for
from bot.wiring import wire
from content.bank import Bank
from tests.bot.recording import RecordingTransport
from tests.fixed_grader import FixedGrader
from tests.postgres_server import PostgresForTests

SINCE = date(2000, 1, 1)


async def _team(db: Path, bank: Bank) -> None:
    """A channel where three members answered (one twice, one with a hint and a skip), one
    member practised, and a redelivered message was dropped."""
    repo = await Repository.open(db)
    service = wire(
        repo=repo,
        bank=bank,
        grader=FixedGrader(),
        defaults=channel_defaults(Settings(_env_file=None, lang="en", days="daily")),
    )
    try:
        post = await service.posting.post_today("test", "c1", RecordingTransport())
        lines = [
            ("u1", "Mina", "m1", "ReLU is cheap 80"),
            ("u2", "Joon", "m2", "/quiz hint"),
            ("u2", "Joon", "m3", "It avoids saturation 55"),
            ("u3", "Ari", "m4", "no idea 10"),
            ("u3", "Ari", "m4", "no idea 10"),
            ("u1", "Mina K.", "m5", "/quiz skip"),
            ("u1", "Mina K.", "m6", "/quiz practice"),
            ("u1", "Mina K.", "m7", "/quiz practice answer something 60"),
        ]
        for user, name, message, text in lines:
            thread = None if "practice" in text else post.thread_id
            incoming = Incoming(
                "test", "c1", Actor(user, name), text, message_id=message, thread_id=thread
            )
            await service.intake.handle(incoming, RecordingTransport())
        await repo.channels.update_subjects(platform="test", channel_id="c1", subjects=["seed"])
    finally:
        await repo.close()


async def _state(
    db: Path | str,
) -> tuple[dict[str, int], list[BoardRow], list[str], tuple[str, ...]]:
    engine = engine_for(db)
    async with engine.connect() as schema:
        tables = [table.name for table in await copy_order(schema)]
    await engine.dispose()
    repo = await Repository.open(db)
    try:
        async with repo.db.transaction() as conn:
            counts = {
                table: int((await conn.fetch(f"SELECT COUNT(*) FROM {table}"))[0][0])
                for table in tables
            }
        board = await repo.boards.leaderboard(platform="test", channel_id="c1", since=SINCE)
        names = [await repo.members.display_name(platform="test", user_id=u) for u in ("u1", "u2")]
        channel = await repo.channels.channel(platform="test", channel_id="c1")
    finally:
        await repo.close()
    assert channel is not None
    return counts, board, names, channel.subjects


def test_a_team_moves_to_postgresql_and_back_with_nothing_lost(
    tmp_path: Path, bank: Bank, postgres: PostgresForTests, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "team.db"
    asyncio.run(_team(source, bank))
    before = asyncio.run(_state(source))
    counts, board, names, subjects = before
    assert subjects == ("seed",)
    assert counts["answers"] == 3 and counts["ingested"] == 7 and counts["practice_answers"] == 1
    assert names == ["Mina K.", "Joon"] and len(board) == 3

    url = postgres.empty_database()
    settings = Settings(_env_file=None, db=source)
    assert db_main(["copy", "--to", url], settings) == 0
    assert "answers" in capsys.readouterr().out
    assert asyncio.run(_state(url)) == before

    back = tmp_path / "back.db"
    assert db_main(["copy", "--from", url, "--to", str(back)], settings) == 0
    assert asyncio.run(_state(back)) == before

    assert db_main(["copy", "--to", url], settings) == 2
    assert "the target is not empty" in capsys.readouterr().err
    assert asyncio.run(_state(url)) == before


async def test_new_rows_after_a_copy_get_fresh_ids(
    tmp_path: Path, bank: Bank, postgres: PostgresForTests
) -> None:
    source = tmp_path / "team.db"
    await _team(source, bank)
    url = postgres.empty_database()
    code = await asyncio.to_thread(
        db_main, ["copy", "--from", str(source), "--to", url], Settings(_env_file=None)
    )
    assert code == 0
    repo = await Repository.open(url)
    try:
        before = await repo.posts.latest_post(platform="test", channel_id="c1")
        assert before is not None
        service = wire(
            repo=repo,
            bank=bank,
            grader=FixedGrader(),
            defaults=channel_defaults(Settings(_env_file=None, lang="en")),
        )
        post = await service.posting.post_today("test", "c1", RecordingTransport())
        incoming = Incoming(
            "test", "c1", Actor("u4", "Noa"), "fresh 90", message_id="m9", thread_id=post.thread_id
        )
        await service.intake.handle(incoming, RecordingTransport())
        answers = await repo.answers.answers_for(post_id=post.id, user_id="u4")
    finally:
        await repo.close()
    assert post.id > before.id  # (PostgreSQL spends an id on the claim that found today's taken)
    assert [answer.score for answer in answers] == [90]
