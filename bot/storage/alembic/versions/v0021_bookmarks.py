"""Schema version 21: the questions each member bookmarked in a channel (`/quiz bookmark`).

One row per member, channel and main question, with when it was bookmarked; bookmarking it
again removes the row. The same statements on SQLite and PostgreSQL; `db copy` carries the table
(it reads the tables from the schema).
"""

from __future__ import annotations

from bot.storage.alembic.statements import forward_only, run

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None

STATEMENTS = [
    "CREATE TABLE bookmarks ("
    " platform TEXT NOT NULL,"
    " channel_id TEXT NOT NULL,"
    " user_id TEXT NOT NULL,"
    " prompt_id TEXT NOT NULL,"
    " saved_at TEXT NOT NULL,"
    " PRIMARY KEY (platform, channel_id, user_id, prompt_id))",
]


def upgrade() -> None:
    run(STATEMENTS)


downgrade = forward_only
