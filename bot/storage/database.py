"""The bot's database, on SQLite (aiosqlite, WAL) or PostgreSQL (asyncpg) with the same
statements: opened and migrated at start (`bot.storage.schema`), one lock so transactions never
interleave. Every store in this package (`channels`, `posts`, `answers`, ...) speaks SQL through
it."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from bot.storage import head_schema, schema
from bot.storage.drivers import Driver, PostgresDriver, PostgresPool, Row, SqliteDriver

log = logging.getLogger("quizmaster.storage")

BUSY_TIMEOUT_MS = 5000

latest_schema_version = schema.latest_schema_version


class Database:
    """One connection (or pool) per process, shared by every store."""

    def __init__(self, driver: Driver, target: Path | str) -> None:
        self._driver = driver
        self._target = target

    @classmethod
    async def open(cls, target: Path | str, *, pool_size: int = 1) -> Database:
        """The database at `target` (`Settings.db`: a SQLite path or a PostgreSQL URL),
        migrated to the latest schema. `pool_size`: PostgreSQL connections (SQLite has one)."""
        driver = await open_driver(target, pool_size=pool_size)
        db = cls(driver, target)
        try:
            if await head_schema.create_at_head(driver):
                log.info("created the database at schema version %d", latest_schema_version())
            elif await schema.alembic_version(driver) != latest_schema_version():
                await db.migrate()
        except BaseException:
            await driver.close()
            raise
        return db

    @property
    def dialect(self) -> str:
        """ "sqlite" or "postgresql"."""
        return self._driver.dialect

    async def close(self) -> None:
        await self._driver.close()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Driver]:
        """A transaction that holds the write lock from the start (SQLite's BEGIN IMMEDIATE), so
        a busy database waits instead of failing half-way."""
        async with self._driver.transaction() as db:
            yield db

    async def fetch(self, sql: str, params: tuple[object, ...] = ()) -> list[Row]:
        """Every row of a statement, in one trip to the database."""
        return await self._driver.fetch(sql, params)

    async def one(self, sql: str, params: tuple[object, ...] = ()) -> Row | None:
        """The first row of a read, or None."""
        rows = await self.fetch(sql, params)
        return rows[0] if rows else None

    async def write(self, sql: str, params: tuple[object, ...] = ()) -> list[Row]:
        """One statement, which the database runs as its own transaction (SQLite waits out a
        busy file, as BEGIN IMMEDIATE does), in one trip; the lock keeps it out of another
        coroutine's open transaction. Returns what a RETURNING clause gives back."""
        return await self._driver.write(sql, params)

    async def schema_version(self) -> int:
        return await schema.schema_version(self._driver)

    async def migrate(self) -> int:
        """Apply pending migrations in order; re-running is a no-op."""
        before = await self.schema_version()
        await schema.migrate(self._target)
        current = await self.schema_version()
        if current != before:
            log.info("migrated database from version %d to %d", before, current)
        return current


class Table:
    """A store of this package on the one `Database` it is built on (`Repository.open` builds
    each), which it speaks SQL through as `_db`."""

    def __init__(self, db: Database) -> None:
        self._db = db


async def open_driver(target: Path | str, *, pool_size: int = 1) -> Driver:
    """The configured database: a SQLite path (one connection) or a PostgreSQL URL (one
    connection, or a pool of `pool_size` when that is above one)."""
    if isinstance(target, Path):
        return await SqliteDriver.open(target, busy_timeout_ms=BUSY_TIMEOUT_MS)
    if pool_size > 1:
        return await PostgresPool.open(target, size=pool_size)
    return await PostgresDriver.open(target)
