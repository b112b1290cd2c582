"""Schema version 17: the team's grades of answer groups (issue 49).

An admin grades a group of a question's answers (or one answer) on the web page; each answer's
grade is kept here, staged (`applied_at` NULL) until the admin applies the question's grades:
then the answers take the new scores and their members are told, in one transaction. An answer
has at most one staged grade; applied rows are never changed or deleted (a later grade of the
same answer is a new row), so their count only grows and tells the web page's cached pages that
scores changed. With resolved appeals they are the team's human grades of a question, which
the grader may read as evidence, each channel's its own. The same statements on SQLite and
PostgreSQL but for the id column.
"""

from __future__ import annotations

from bot.storage.alembic.statements import forward_only, postgres_dialect, run

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

_GRADES = """CREATE TABLE team_grades (
    id          INTEGER PRIMARY KEY,
    answer_id   INTEGER NOT NULL REFERENCES answers (id),
    platform    TEXT NOT NULL,
    channel_id  TEXT NOT NULL,
    prompt_id   TEXT NOT NULL,
    old_score   INTEGER NOT NULL CHECK (old_score BETWEEN 0 AND 100),
    score       INTEGER NOT NULL CHECK (score BETWEEN 0 AND 100),
    note        TEXT NOT NULL,
    graded_by   TEXT NOT NULL,
    graded_at   TEXT NOT NULL,
    applied_at  TEXT
)"""
_BY_QUESTION = (
    "CREATE INDEX team_grades_by_question ON team_grades (platform, channel_id, prompt_id, id)"
)

_ONE_STAGED = (
    "CREATE UNIQUE INDEX team_grades_one_staged ON team_grades (answer_id) WHERE applied_at IS NULL"
)

SQLITE = [_GRADES, _BY_QUESTION, _ONE_STAGED]
POSTGRES = postgres_dialect(SQLITE)


def upgrade() -> None:
    run(SQLITE, postgres=POSTGRES)


downgrade = forward_only
