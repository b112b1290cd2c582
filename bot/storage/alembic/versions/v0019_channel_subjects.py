"""Schema version 19: the subjects a channel draws its questions from (issue 72).

`channels.subjects` holds the bank subjects (bank files' `bank:` names) an admin chose with
`/quiz topics` or on the web page, as a JSON list; NULL draws from all of them, as every channel
did before. The same statement on SQLite and PostgreSQL; `db copy` carries it with the channel.
"""

from __future__ import annotations

from bot.storage.alembic.statements import forward_only, run

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

STATEMENTS = ["ALTER TABLE channels ADD COLUMN subjects TEXT"]


def upgrade() -> None:
    run(STATEMENTS)


downgrade = forward_only
