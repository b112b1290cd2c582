"""A real PostgreSQL 16 for the tests, from the `pgserver` wheel: started once per test process
(one per xdist worker) on a unix socket in a temp folder of its own, never on a TCP port. Each
test gets a database of its own, copied from a migrated template (CREATE DATABASE ... TEMPLATE
takes milliseconds), so tests stay independent and never pay for migrations."""

from __future__ import annotations

import asyncio
import itertools
import subprocess
import tempfile
from pathlib import Path

from pgserver.postgres_server import PostgresServer, get_server

from bot.storage import schema

TEMPLATE = "quizmaster_template"


class PostgresForTests:
    """The server and the names of the databases handed out so far."""

    def __init__(self) -> None:
        # Not under pytest's tmp_path: as root, pgserver runs PostgreSQL as a user of its own,
        # which cannot enter pytest's 0700 folders; a folder straight under /tmp it can.
        self._server = _started(Path(tempfile.mkdtemp(prefix="quizmaster-pg-")))
        self._names = itertools.count(1)
        # Test data need not survive a power cut: without fsync, creating a database per test
        # and stopping the server at the end take milliseconds, not seconds, on a busy disk.
        for setting in ("fsync", "synchronous_commit", "full_page_writes"):
            self._server.psql(f"ALTER SYSTEM SET {setting} = off;")
        self._server.psql("SELECT pg_reload_conf();")
        self._server.psql(f"CREATE DATABASE {TEMPLATE};")
        asyncio.run(schema.migrate(self.url(TEMPLATE)))

    def url(self, database: str) -> str:
        return self._server.get_uri(database)

    def empty_database(self) -> str:
        """The URL of a new database with nothing in it, not even the schema."""
        name = f"empty_{next(self._names)}"
        self._server.psql(f"CREATE DATABASE {name};")
        return self.url(name)

    def fresh_database(self) -> str:
        """The URL of a new database at the latest schema, with no rows."""
        name = f"test_{next(self._names)}"
        self._server.psql(f"CREATE DATABASE {name} TEMPLATE {TEMPLATE};")
        return self.url(name)

    def stop(self) -> None:
        self._server.cleanup()


def _started(folder: Path) -> PostgresServer:
    """pgserver gives `pg_ctl start` 10 s; on a loaded machine the server can come up after
    that, and the handle is left half made. Drop it once and adopt the server that is running
    (a second failure is the test's failure)."""
    try:
        return get_server(folder, cleanup_mode="delete")
    except subprocess.TimeoutExpired:
        PostgresServer._instances.pop(folder.resolve(), None)
        return get_server(folder, cleanup_mode="delete")
