"""Schema version 8: the web page's sign-in links are single use, and its pages read fast.

The nonce of each sign-in link followed is kept until the link would have expired anyway, and a
second use of it is refused. The index serves the web page's streaks, which read each member's
answer days (`quizmaster bench web`). The same statements on SQLite and PostgreSQL.
"""

from __future__ import annotations

from bot.storage.alembic.statements import forward_only, run

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

STATEMENTS = [
    """CREATE TABLE web_nonces (
    nonce      TEXT PRIMARY KEY,
    used_at    TEXT NOT NULL,
    expires_at TEXT NOT NULL
)""",
    "CREATE INDEX web_nonces_by_expiry ON web_nonces (expires_at)",
    "CREATE INDEX answers_by_member_day ON answers (platform, user_id, day)",
]


def upgrade() -> None:
    run(STATEMENTS)


downgrade = forward_only
