"""Schema version 11: the outbox of notices the web page leaves for the chat bot.

An appeal resolved on the web page is told to its member in chat. `quizmaster web` may run as a
process of its own with no chat connection, so it writes the notice here, and the bot's next
scheduler tick sends it: claimed in one statement first (`claimed_at`), so of several replicas
on one database exactly one sends each notice, once.
"""

from __future__ import annotations

from bot.storage.alembic.statements import forward_only, postgres_dialect, run

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

_NOTICES = """CREATE TABLE web_notices (
    id         INTEGER PRIMARY KEY,
    platform   TEXT NOT NULL,
    channel_id TEXT NOT NULL,
    thread_id  TEXT,
    user_id    TEXT NOT NULL,
    text       TEXT NOT NULL,
    queued_at  TEXT NOT NULL,
    claimed_at TEXT,
    claimed_by TEXT
)"""
_WAITING = "CREATE INDEX web_notices_waiting ON web_notices (platform, claimed_at, id)"

SQLITE = [_NOTICES, _WAITING]
POSTGRES = postgres_dialect(SQLITE)


def upgrade() -> None:
    run(SQLITE, postgres=POSTGRES)


downgrade = forward_only
