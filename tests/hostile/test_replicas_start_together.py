"""Replicas started at once on a database that needs its schema (issue 41, point 1): each is a
real process opening the database as `quizmaster run` does (`Repository.open`), all released
together once every one has imported; every one comes up at head, on PostgreSQL from nothing,
on a new SQLite file, and on a SQLite file from before Alembic."""

from __future__ import annotations

import asyncio
import sqlite3
import subprocess
import sys
from pathlib import Path

from bot.storage.database import latest_schema_version
from bot.storage.drivers import SqliteDriver
from tests.postgres_server import PostgresForTests

REPLICAS = 4
LEGACY = Path(__file__).parents[2] / "bot" / "storage" / "migrations"
START = """
import asyncio, sys
from pathlib import Path
from bot.storage.repository import Repository

target = sys.argv[1]
database = target if target.startswith("postgresql") else Path(target)
print("ready", flush=True)
sys.stdin.readline()

async def main() -> None:
    repo = await Repository.open(database)
    print("version", await repo.db.schema_version(), flush=True)
    await repo.close()

asyncio.run(main())
"""


def start_together(database: str) -> list[subprocess.CompletedProcess[str]]:
    """REPLICAS processes opening `database`, let go at the same moment."""
    children = [
        subprocess.Popen(
            [sys.executable, "-c", START, database],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(REPLICAS)
    ]
    for child in children:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "ready"
    for child in children:
        assert child.stdin is not None
        child.stdin.write("go\n")
        child.stdin.flush()
    finished = []
    for child in children:
        out, err = child.communicate(timeout=300)
        finished.append(subprocess.CompletedProcess(child.args, child.returncode, out, err))
    return finished


def assert_all_at_head(finished: list[subprocess.CompletedProcess[str]]) -> None:
    for result in finished:
        assert result.returncode == 0, result.stderr[-2000:]
        assert result.stdout.split() == ["version", str(latest_schema_version())]


def test_replicas_start_together_on_an_empty_postgresql(postgres: PostgresForTests) -> None:
    assert_all_at_head(start_together(postgres.empty_database()))


def test_replicas_start_together_on_a_new_sqlite_file(tmp_path: Path) -> None:
    assert_all_at_head(start_together(str(tmp_path / "quiz.db")))


def test_replicas_start_together_on_a_sqlite_file_from_before_alembic(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    with sqlite3.connect(path) as conn:
        for script in sorted(LEGACY.glob("*.sql")):
            conn.executescript(script.read_text(encoding="utf-8"))
        conn.execute("PRAGMA user_version = 6")
    conn.close()
    assert_all_at_head(start_together(str(path)))


async def test_a_new_file_locked_by_another_process_is_switched_to_wal_once_it_is_free(
    tmp_path: Path,
) -> None:
    """What the replicas race on: SQLite answers the WAL switch "database is locked" at once,
    without its busy handler, while another connection holds the write lock of a file still in
    rollback mode; the driver waits that out instead of failing (and a failed open closes its
    connection, whose thread would otherwise keep the process alive)."""
    path = tmp_path / "quiz.db"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("CREATE TABLE creating (x)")
    holder.execute("BEGIN IMMEDIATE")
    holder.execute("INSERT INTO creating VALUES (1)")
    asyncio.get_running_loop().call_later(0.3, holder.execute, "COMMIT")
    driver = await SqliteDriver.open(path, busy_timeout_ms=5000)
    try:
        [(mode,)] = await driver.fetch("PRAGMA journal_mode")
    finally:
        await driver.close()
        holder.close()
    assert mode == "wal"
