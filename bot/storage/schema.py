"""The schema's version and its migrations, on SQLite and PostgreSQL alike, through Alembic.

`migrate` runs at every start and is a no-op once the database is at head. A database's
version is its Alembic revision read as a number (revision "0006" is version 6); a SQLite file
from a release before Alembic has none yet and reports its `PRAGMA user_version` instead, which
counts the same way.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import TYPE_CHECKING

from bot.storage.drivers import Driver, sqlalchemy_url

if TYPE_CHECKING:
    from alembic.config import Config
    from sqlalchemy import Connection
    from sqlalchemy.ext.asyncio import AsyncEngine

log = logging.getLogger("quizmaster.storage")

_REVISIONS = Path(__file__).parent / "alembic" / "versions"
_REVISION_FILE = re.compile(r"v(\d{4})_\w+\.py")
MIGRATION_WAIT_S = 600.0
"""How long a SQLite migration run waits for the write lock another process holds."""


def _alembic_config() -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", "bot.storage:alembic")
    return config


def revision_files() -> list[tuple[int, str]]:
    """Each revision's number and module name, in order, read from the files' names
    (`v0014_inbox.py` is revision "0014"; a test holds the last to Alembic's own head)."""
    return sorted(
        (int(match.group(1)), path.stem)
        for path in _REVISIONS.iterdir()
        if (match := _REVISION_FILE.fullmatch(path.name))
    )


def latest_schema_version() -> int:
    """The version a fully migrated database has (for health checks that must not migrate).

    Read from the revision files' names, so that a start on a database already at head imports
    neither Alembic nor SQLAlchemy: about 30 MB of a console bot's memory."""
    return revision_files()[-1][0]


def _sqlite_transactions(dbapi_connection: object, _record: object) -> None:
    """SQLite in autocommit, with BEGIN IMMEDIATE emitted on SQLAlchemy's begin (below): the
    sqlite3 module's own implicit BEGIN would leave DDL outside the migration's transaction."""
    dbapi_connection.isolation_level = None  # type: ignore[attr-defined]


def _sqlite_begin(conn: Connection) -> None:
    conn.exec_driver_sql("BEGIN IMMEDIATE")


def _upgrade(connection: Connection, to: str) -> None:
    from alembic import command

    config = _alembic_config()
    config.attributes["connection"] = connection
    command.upgrade(config, to)


def engine_for(target: Path | str) -> AsyncEngine:
    """A SQLAlchemy engine on the database at `target` (a SQLite path or a PostgreSQL URL),
    whose transactions are real ones on SQLite too; for migrations and copies, not the bot's
    own statements (`bot.storage.drivers` says why)."""
    from sqlalchemy import event
    from sqlalchemy.ext.asyncio import create_async_engine
    from sqlalchemy.pool import NullPool

    if not isinstance(target, Path):
        return create_async_engine(sqlalchemy_url(target), poolclass=NullPool)
    engine = create_async_engine(
        sqlalchemy_url(target), poolclass=NullPool, connect_args={"timeout": MIGRATION_WAIT_S}
    )
    event.listen(engine.sync_engine, "connect", _sqlite_transactions)
    event.listen(engine.sync_engine, "begin", _sqlite_begin)
    return engine


MIGRATION_LOCK = 0x7175697A6D6967
"""The PostgreSQL advisory lock key the migration run holds ("quizmig" in ASCII)."""


def _locked_upgrade(connection: Connection, to: str) -> None:
    """The whole run in one transaction under the database's write lock: PostgreSQL's advisory
    lock, or SQLite's BEGIN IMMEDIATE (the `begin` listener). Replicas started together on an
    empty or old database queue here; each one after the first finds the head and does nothing.
    Alembic joins a transaction it finds open."""
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK})")
    else:
        connection.exec_driver_sql("SELECT 1")  # begins, and so takes the write lock
    _upgrade(connection, to)


async def migrate(target: Path | str, *, to: str = "head") -> None:
    """Bring the database at `target` to head (or the revision `to`, for a test of a later
    revision's data migration); safe for any number of processes at once."""
    if isinstance(target, Path):
        target.parent.mkdir(parents=True, exist_ok=True)
    engine = engine_for(target)
    try:
        async with engine.connect() as conn:
            await conn.run_sync(_locked_upgrade, to)
            await conn.commit()
    finally:
        await engine.dispose()


async def alembic_version(driver: Driver) -> int | None:
    """The version Alembic has recorded, or None where it has not run yet."""
    if driver.dialect == "sqlite":
        found = await driver.fetch(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'"
        )
    else:
        found = await driver.fetch("SELECT 1 WHERE to_regclass('alembic_version') IS NOT NULL")
    if not found:
        return None
    rows = await driver.fetch("SELECT version_num FROM alembic_version")
    return int(rows[0][0]) if rows else None


async def schema_version(driver: Driver) -> int:
    """The database's version without migrating it: 0 for an empty database."""
    version = await alembic_version(driver)
    if version is not None:
        return version
    if driver.dialect == "sqlite":
        [row] = await driver.fetch("PRAGMA user_version")
        return int(row[0])
    return 0
