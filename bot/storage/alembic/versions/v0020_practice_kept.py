"""Schema version 20: a practice answer the grader could not take is kept (issue 71).

`practice_pending` holds, beside the prompt waiting for a member's answer, the answer they sent
while the grader was unavailable: its text, the channel it was sent in (whose bank and team
grades grade it) and when. The next scheduler round grades it and tells the member privately,
as a channel answer kept while the grader was down is graded in its thread. The same statements
on SQLite and PostgreSQL; `db copy` carries the columns with their rows.
"""

from __future__ import annotations

from bot.storage.alembic.statements import forward_only, run

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None

STATEMENTS = [
    "ALTER TABLE practice_pending ADD COLUMN kept_text TEXT",
    "ALTER TABLE practice_pending ADD COLUMN kept_channel TEXT",
    "ALTER TABLE practice_pending ADD COLUMN kept_at TEXT",
]


def upgrade() -> None:
    run(STATEMENTS)


downgrade = forward_only
