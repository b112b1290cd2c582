"""The two connections `Repository` speaks through: aiosqlite for a SQLite file and asyncpg for a
PostgreSQL URL, with the same three calls (fetch, begin, commit/rollback) and `?` placeholders.

The repository's statements go to the driver directly, not through SQLAlchemy's Core execution:
on the answer path every statement counts, and one INSERT through SQLAlchemy's async adapter
took about 4x the time of the same INSERT on aiosqlite (660-760 us against 170-190 us on
SQLite, 3000 statements; the adapter opens, fetches and closes a cursor in separate trips to
the database thread). SQLAlchemy keeps the parts where it helps: URLs, Alembic migrations and
`quizmaster db copy`. The SQL both drivers run is the same text; the few statements that differ
(the schema, its triggers) live in the migrations.
"""

from __future__ import annotations

import asyncio
import re
import sqlite3
from collections.abc import Iterator, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

import aiosqlite
import asyncpg


class Row(Protocol):
    """A result row by column name or position (sqlite3.Row and asyncpg.Record both are)."""

    def __getitem__(self, key: Any, /) -> Any: ...

    def __iter__(self) -> Iterator[Any]: ...


class Driver(Protocol):
    """One connection of one process; the repository serialises transactions on it."""

    dialect: str

    async def fetch(self, sql: str, params: Sequence[object] = ()) -> list[Row]:
        """Every row of one statement (none for a write without RETURNING)."""

    async def begin(self) -> None:
        """Start a transaction that holds the write lock from its first statement."""

    async def commit(self) -> None: ...

    async def rollback(self) -> None: ...

    async def close(self) -> None: ...


class SqliteDriver:
    """aiosqlite in autocommit mode: a statement outside BEGIN is its own transaction."""

    dialect = "sqlite"

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn

    @classmethod
    async def open(
        cls, path: Path, *, busy_timeout_ms: int, existing_only: bool = False
    ) -> SqliteDriver:
        """WAL, foreign keys, busy timeout; `existing_only` opens an existing file (mode=rw)
        and changes nothing in it, for checks that must not create one."""
        if existing_only:
            conn = await aiosqlite.connect(
                f"{Path.absolute(path).as_uri()}?mode=rw", uri=True, isolation_level=None
            )
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            conn = await aiosqlite.connect(path, isolation_level=None)
        conn.row_factory = sqlite3.Row
        await conn.execute(f"PRAGMA busy_timeout = {busy_timeout_ms}")
        if not existing_only:
            await conn.execute("PRAGMA journal_mode = WAL")
        await conn.execute("PRAGMA foreign_keys = ON")
        await conn.execute("PRAGMA synchronous = NORMAL")
        return cls(conn)

    async def fetch(self, sql: str, params: Sequence[object] = ()) -> list[Row]:
        """In one trip to aiosqlite's thread (a cursor's execute, fetch and close take three)."""
        return list(await self._conn.execute_fetchall(sql, tuple(params)))

    async def begin(self) -> None:
        """BEGIN IMMEDIATE takes the write lock up front, so a busy database waits
        (busy_timeout) instead of failing half-way."""
        await self._conn.execute("BEGIN IMMEDIATE")

    async def commit(self) -> None:
        await self._conn.execute("COMMIT")

    async def rollback(self) -> None:
        await self._conn.execute("ROLLBACK")

    async def close(self) -> None:
        await self._conn.close()


_PLACEHOLDER = re.compile(r"\?")


@lru_cache(maxsize=512)
def numbered(sql: str) -> str:
    """`?` placeholders as PostgreSQL's `$1, $2, ...` (our statements hold no literal `?`)."""
    counter = iter(range(1, sql.count("?") + 1))
    return _PLACEHOLDER.sub(lambda _: f"${next(counter)}", sql)


class PostgresDriver:
    """One asyncpg connection. asyncpg runs one operation at a time per connection, so a lock
    orders them; a statement outside BEGIN is its own transaction, as on SQLite."""

    dialect = "postgresql"

    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn
        self._lock = asyncio.Lock()

    @classmethod
    async def open(cls, url: str) -> PostgresDriver:
        conn = await asyncpg.connect(libpq_url(url))
        return cls(conn)

    async def fetch(self, sql: str, params: Sequence[object] = ()) -> list[Row]:
        async with self._lock:
            return list(await self._conn.fetch(numbered(sql), *params))

    async def _run(self, sql: str) -> None:
        async with self._lock:
            await self._conn.execute(sql)

    async def begin(self) -> None:
        await self._run("BEGIN")

    async def commit(self) -> None:
        await self._run("COMMIT")

    async def rollback(self) -> None:
        await self._run("ROLLBACK")

    async def close(self) -> None:
        await self._conn.close()


def libpq_url(url: str) -> str:
    """The URL as asyncpg takes it: a SQLAlchemy driver suffix (`postgresql+asyncpg://`) off."""
    scheme, _, rest = url.partition("://")
    return f"{scheme.split('+', 1)[0]}://{rest}"


def sqlalchemy_url(target: Path | str) -> str:
    """The SQLAlchemy async URL of a database setting (a SQLite path or a PostgreSQL URL)."""
    if isinstance(target, Path):
        return f"sqlite+aiosqlite:///{target}"
    _, _, rest = target.partition("://")
    return f"postgresql+asyncpg://{rest}"
