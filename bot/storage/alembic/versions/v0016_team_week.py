"""Schema version 16: the team's week (issue 42).

`answer_sharing` holds each member's consent, per channel, to have their best answers shown to
the channel (`/quiz share on|off`; no row is "off"); `changes` counts each member's settings,
so the web page's cached pages know a consent changed (their sum only grows). `digest_times`
holds a channel's weekly digest time when an admin set one (`/quiz digest`; no row is the
default, after the week's last scheduled question). `digests` is each channel-week's digest,
claimed before it is sent, so it is posted once across restarts and replicas, as `posts` does
for a channel-day. The same statements on SQLite and PostgreSQL.
"""

from __future__ import annotations

from bot.storage.alembic.statements import forward_only, run

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

STATEMENTS = [
    """CREATE TABLE answer_sharing (
    platform   TEXT NOT NULL,
    channel_id TEXT NOT NULL,
    user_id    TEXT NOT NULL,
    shared     INTEGER NOT NULL,
    changed_at TEXT NOT NULL,
    changes    INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (platform, channel_id, user_id)
)""",
    """CREATE TABLE digest_times (
    platform   TEXT NOT NULL,
    channel_id TEXT NOT NULL,
    weekday    INTEGER,
    at         TEXT,
    PRIMARY KEY (platform, channel_id)
)""",
    """CREATE TABLE digests (
    platform   TEXT NOT NULL,
    channel_id TEXT NOT NULL,
    week       TEXT NOT NULL,
    claimed_at TEXT NOT NULL,
    replica_id TEXT,
    message_id TEXT,
    PRIMARY KEY (platform, channel_id, week)
)""",
]


def upgrade() -> None:
    run(STATEMENTS)


downgrade = forward_only
