"""Schema version 10: team questions written on the web page.

An admin creates or edits a team question on the web page; the question is stored here as the
prompt's JSON (the bank schema's own shape, `content.schema.Prompt`), so it survives restarts
and every process on the database loads it at start (`bot.storage.team_questions`). The same
statements on SQLite and PostgreSQL.
"""

from __future__ import annotations

from bot.storage.alembic.statements import forward_only, run

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

STATEMENTS = [
    """CREATE TABLE team_questions (
    prompt_id  TEXT PRIMARY KEY,
    body       TEXT NOT NULL,
    platform   TEXT NOT NULL,
    channel_id TEXT NOT NULL,
    edited_by  TEXT NOT NULL,
    edited_at  TEXT NOT NULL
)""",
]


def upgrade() -> None:
    run(STATEMENTS)


downgrade = forward_only
