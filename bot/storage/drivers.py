"""The two connections the database (`bot.storage.database`) speaks through: aiosqlite for a
SQLite file and asyncpg for a PostgreSQL URL, with the same three calls (fetch, begin,
commit/rollback) and `?` placeholders.

The stores' statements go to the driver directly, not through SQLAlchemy's Core execution:
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
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import parse_qs, urlsplit

import aiosqlite
import asyncpg


class DatabaseUnreachableError(Exception):
    """The PostgreSQL server of the setting refused or never answered a connection; the message
    names its host and port, never the password."""


@asynccontextmanager
async def _connecting(url: str) -> AsyncIterator[None]:
    """Turns a failed connection to `url` into DatabaseUnreachableError."""
    try:
        yield
    except (OSError, TimeoutError, asyncpg.PostgresError) as exc:
        reason = str(exc) or type(exc).__name__
        raise DatabaseUnreachableError(
            f"PostgreSQL at {server_of(url)} cannot be reached: {reason}"
        ) from None


def server_of(url: str) -> str:
    """`host:port` of a PostgreSQL URL (a unix socket folder given as `?host=` counts as the
    host; the port defaults to 5432)."""
    parts = urlsplit(libpq_url(url))
    host = parts.hostname or parse_qs(parts.query).get("host", ["localhost"])[0]
    try:
        port = parts.port or 5432
    except ValueError:
        port = 5432
    return f"{host}:{port}"


def is_duplicate(exc: BaseException) -> bool:
    """A write refused by a unique index, on either database."""
    if isinstance(exc, sqlite3.IntegrityError):
        return str(exc).startswith("UNIQUE constraint failed")
    return isinstance(exc, asyncpg.UniqueViolationError)


class Row(Protocol):
    """A result row by column name or position (sqlite3.Row and asyncpg.Record both are)."""

    def __getitem__(self, key: Any, /) -> Any: ...

    def __iter__(self) -> Iterator[Any]: ...


class Driver(Protocol):
    """The database of one process: one connection (SQLite, or a single PostgreSQL one) or a
    pool of PostgreSQL connections. `transaction` and `write` keep a statement out of another
    coroutine's open transaction."""

    dialect: str

    async def fetch(self, sql: str, params: Sequence[object] = ()) -> list[Row]:
        """Every row of one statement (none for a write without RETURNING)."""

    def transaction(self) -> AbstractAsyncContextManager[Driver]:
        """A transaction on one connection, holding the write lock from its first statement;
        committed on exit, rolled back on an exception."""
        ...

    async def write(self, sql: str, params: Sequence[object] = ()) -> list[Row]:
        """One statement as its own transaction, outside every other open transaction."""

    async def close(self) -> None: ...


WAL_RETRY_S = 0.05


async def _into_wal(conn: aiosqlite.Connection, busy_timeout_ms: int) -> None:
    """Switch the file to WAL, waiting out another process's lock for up to the busy timeout:
    SQLite can answer this pragma "database is locked" at once rather than call the busy
    handler, as when several processes open a new file together."""
    deadline = asyncio.get_running_loop().time() + busy_timeout_ms / 1000
    while True:
        try:
            await conn.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or asyncio.get_running_loop().time() > deadline:
                raise
        await asyncio.sleep(WAL_RETRY_S)


class SqliteDriver:
    """aiosqlite in autocommit mode: a statement outside BEGIN is its own transaction."""

    dialect = "sqlite"

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn
        self._lock = asyncio.Lock()

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
        try:
            await conn.execute(f"PRAGMA busy_timeout = {busy_timeout_ms}")
            if not existing_only:
                await _into_wal(conn, busy_timeout_ms)
            await conn.execute("PRAGMA foreign_keys = ON")
            await conn.execute("PRAGMA synchronous = NORMAL")
        except BaseException:
            await conn.close()  # an open connection's thread would keep the process alive
            raise
        return cls(conn)

    async def fetch(self, sql: str, params: Sequence[object] = ()) -> list[Row]:
        """In one trip to aiosqlite's thread (a cursor's execute, fetch and close take three)."""
        return list(await self._conn.execute_fetchall(sql, tuple(params)))

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Driver]:
        """One connection, so a lock keeps the coroutines' transactions apart."""
        async with self._lock, _begun(self):
            yield self

    async def write(self, sql: str, params: Sequence[object] = ()) -> list[Row]:
        async with self._lock:
            return await self.fetch(sql, params)

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
        self._transaction_lock = asyncio.Lock()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Driver]:
        async with self._transaction_lock, _begun(self):
            yield self

    async def write(self, sql: str, params: Sequence[object] = ()) -> list[Row]:
        async with self._transaction_lock:
            return await self.fetch(sql, params)

    @classmethod
    async def open(cls, url: str) -> PostgresDriver:
        async with _connecting(url):
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


class PostgresPool:
    """A pool of asyncpg connections, for a bot process: statements and transactions of
    concurrent messages run side by side on connections of their own instead of queueing on
    one (PostgreSQL, unlike SQLite, lets writers run concurrently)."""

    dialect = "postgresql"

    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    @classmethod
    async def open(cls, url: str, *, size: int) -> PostgresPool:
        """Up to `size` connections, opened as they are needed (one at once)."""
        async with _connecting(url):
            pool = await asyncpg.create_pool(libpq_url(url), min_size=1, max_size=size)
        return cls(pool)

    async def fetch(self, sql: str, params: Sequence[object] = ()) -> list[Row]:
        return list(await self._pool.fetch(numbered(sql), *params))

    async def write(self, sql: str, params: Sequence[object] = ()) -> list[Row]:
        """Any free connection: outside BEGIN, a statement is its own transaction."""
        return await self.fetch(sql, params)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Driver]:
        async with self._pool.acquire() as conn, _begun(PostgresDriver(conn)) as single:
            yield single

    async def close(self) -> None:
        await self._pool.close()


@asynccontextmanager
async def _begun(
    driver: SqliteDriver | PostgresDriver,
) -> AsyncIterator[SqliteDriver | PostgresDriver]:
    await driver.begin()
    try:
        yield driver
    except BaseException:
        await driver.rollback()
        raise
    await driver.commit()


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
