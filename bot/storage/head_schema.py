"""A new SQLite file is created at head from the revisions' own statements, without Alembic.

Every first start of a laptop or console bot opens a new file, and running the migrations there
meant importing Alembic and SQLAlchemy into a process that then keeps them for its whole life
(about 30 MB of the bot's peak memory, and half a second). So a new file gets, in one
transaction, exactly what Alembic would run: the legacy SQL files (`bot/storage/migrations`,
then `PRAGMA user_version = 6`, as the baseline revision leaves it), each later revision's
SQLite statements in order (`SQLITE`, or `STATEMENTS` where both dialects share them), and
Alembic's own version table holding the head. The schema is written once, in the revisions; a
test holds a file made here to the `sqlite_master` Alembic makes. PostgreSQL (replicas, a
server) always goes through Alembic.
"""

from __future__ import annotations

import importlib
from types import ModuleType

from bot.storage.alembic.versions.v0006_baseline import LEGACY_VERSION, legacy_scripts
from bot.storage.drivers import Driver
from bot.storage.schema import revision_files
from bot.storage.sql_script import statements

ALEMBIC_VERSION_TABLE = (
    "CREATE TABLE alembic_version (\n"
    "\tversion_num VARCHAR(32) NOT NULL, \n"
    "\tCONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)\n"
    ")"
)
"""The table Alembic creates first in a database it migrates, in SQLite's words for it."""


def _revisions() -> list[ModuleType]:
    """The revisions after the baseline, in order."""
    return [
        importlib.import_module(f"bot.storage.alembic.versions.{stem}")
        for version, stem in revision_files()
        if version > LEGACY_VERSION
    ]


def sqlite_statements() -> list[str]:
    """Every statement that builds a new SQLite file at head, in the order Alembic runs them."""
    built = [ALEMBIC_VERSION_TABLE]
    for _, script in legacy_scripts():
        built.extend(statements(script))
    built.append(f"PRAGMA user_version = {LEGACY_VERSION}")
    revisions = _revisions()
    for revision in revisions:
        built.extend(getattr(revision, "SQLITE", None) or revision.STATEMENTS)
    head = revisions[-1].revision
    built.append(f"INSERT INTO alembic_version (version_num) VALUES ('{head}')")
    return built


async def create_at_head(driver: Driver) -> bool:
    """Create the schema at head when `driver` holds a new, empty SQLite file; False (nothing
    done) for any other database, which Alembic migrates as before. The emptiness is checked
    inside the write transaction, so a second process creating the same file waits and then
    finds the tables there."""
    if driver.dialect != "sqlite":
        return False
    async with driver.transaction() as db:
        if await db.fetch("SELECT 1 FROM sqlite_master LIMIT 1"):
            return False
        [row] = await db.fetch("PRAGMA user_version")
        if int(row[0]) != 0:
            return False
        for statement in sqlite_statements():
            await db.fetch(statement)
    return True
