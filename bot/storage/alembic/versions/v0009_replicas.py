"""Schema version 9: replicas' heartbeats.

Several bot processes may share one database (PostgreSQL); each writes a heartbeat on every
scheduler tick so `quizmaster doctor` can list the ones alive. The same statement on SQLite and
PostgreSQL.
"""

from __future__ import annotations

from bot.storage.alembic.statements import forward_only, run

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

STATEMENTS = [
    """CREATE TABLE replicas (
    id         TEXT PRIMARY KEY,
    platform   TEXT NOT NULL,
    host       TEXT NOT NULL,
    pid        INTEGER NOT NULL,
    started_at TEXT NOT NULL,
    seen_at    TEXT NOT NULL
)""",
]


def upgrade() -> None:
    run(STATEMENTS)


downgrade = forward_only
