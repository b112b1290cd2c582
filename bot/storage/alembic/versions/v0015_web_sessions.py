"""Schema version 15: the web page's sessions are kept on the server, so they can be revoked.

A session cookie used to be valid on its signature alone for its 12 hours, whatever happened
after: sign-out only deleted the browser's copy. Now the cookie names a row here, and the page
accepts it only while the row lives: sign-out deletes it, and a member whose latest sign-in
link says they are no longer an admin loses admin rights in every session they hold there. The
same statements on SQLite and PostgreSQL.
"""

from __future__ import annotations

from bot.storage.alembic.statements import forward_only, run

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

STATEMENTS = [
    """CREATE TABLE web_sessions (
    id         TEXT PRIMARY KEY,
    platform   TEXT NOT NULL,
    channel_id TEXT NOT NULL,
    user_id    TEXT NOT NULL,
    is_admin   INTEGER NOT NULL,
    started_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
)""",
    "CREATE INDEX web_sessions_by_member ON web_sessions (platform, channel_id, user_id)",
    "CREATE INDEX web_sessions_by_expiry ON web_sessions (expires_at)",
]


def upgrade() -> None:
    run(STATEMENTS)


downgrade = forward_only
