"""Schema version 14: the claim of a message keeps the message until it is handled.

A replica acknowledges a Slack event before it grades it (Slack wants the ack within 3 s), so a
replica killed between the two took the only copy with it. Now the claim (`ingested`) also holds
who claimed it (`replica_id`, its heartbeat's id) and the message itself (`incoming`, JSON), and
handling clears `incoming` once the reply is out. A claim still holding its message whose replica
stopped beating is taken over by a live replica (or by the killed one's restart), which finishes
it. A scheduled post is claimed before it is sent, so its claim names its replica too
(`posts.replica_id`): a post a silent replica claimed and never sent (no `message_id`) is sent
by another. The same statements on SQLite and PostgreSQL.
"""

from __future__ import annotations

from bot.storage.alembic.statements import forward_only, run

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

STATEMENTS = [
    "ALTER TABLE ingested ADD COLUMN replica_id TEXT",
    "ALTER TABLE ingested ADD COLUMN incoming TEXT",
    "ALTER TABLE posts ADD COLUMN replica_id TEXT",
    # The scheduler looks for unfinished claims on every tick: only those are indexed.
    """CREATE INDEX ingested_unfinished ON ingested (platform, replica_id)
    WHERE incoming IS NOT NULL""",
]


def upgrade() -> None:
    run(STATEMENTS)


downgrade = forward_only
