"""The repository owns every table: each table of the migrated schema is one that
`quizmaster db copy` copies, after every table it references, and is written by a store the
repository builds (no store on the side that a new table could hide in)."""

from __future__ import annotations

import inspect
import re
import sqlite3
import sys
from dataclasses import fields
from pathlib import Path

from cryptography.fernet import Fernet

from bot.storage.copy import WRITTEN_AFTER, copy_order
from bot.storage.repository import Repository
from bot.storage.schema import engine_for


def _store_sources(repo: Repository) -> str:
    """The source of every store module the repository builds, its Slack installations too."""
    built = [getattr(repo, field.name) for field in fields(repo) if field.name != "db"]
    built.append(repo.slack_installations(Fernet.generate_key().decode()))
    return "\n".join(inspect.getsource(sys.modules[type(store).__module__]) for store in built)


async def test_every_table_is_copied_and_written_by_a_store_the_repository_builds(
    tmp_path: Path,
) -> None:
    db = tmp_path / "owned.db"
    repo = await Repository.open(db)
    sources = _store_sources(repo)
    await repo.close()
    with sqlite3.connect(db) as conn:
        schema = {
            name
            for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            if name != "alembic_version" and not name.startswith("sqlite_")
        }
        references = {
            name: {row[2] for row in conn.execute(f"PRAGMA foreign_key_list({name})")}
            for name in schema
        }
    engine = engine_for(db)
    async with engine.connect() as conn:
        order = [table.name for table in await copy_order(conn)]
    await engine.dispose()
    assert sorted(order) == sorted(schema)
    for table, after in [*WRITTEN_AFTER.items(), *((t, r) for t in schema for r in references[t])]:
        if table != after:
            assert order.index(after) < order.index(table), (table, after, order)
    unwritten = [
        table
        for table in order
        if not re.search(rf"\b(INSERT INTO|UPDATE|DELETE FROM)\s+{table}\b", sources)
    ]
    assert unwritten == []
