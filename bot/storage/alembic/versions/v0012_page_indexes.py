"""Schema version 12: indexes the channel page's reads need (`quizmaster bench web`).

The leaderboard keeps each member's best answer per prompt per post, checking every answer for
a better one of the same member, post and prompt: with every column it reads in one index, that
check is one probe and a year of answers is read from the index alone.
The streaks read the days each member answered: the index of member days gains the post, so
that read never visits the table either. The two indexes these extend are dropped. The same
statements on SQLite and PostgreSQL.
"""

from __future__ import annotations

from bot.storage.alembic.statements import forward_only, run

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

STATEMENTS = [
    "CREATE INDEX answers_best_per_post"
    " ON answers (post_id, user_id, prompt_id, score DESC, id, day)",
    "CREATE INDEX answers_member_days ON answers (platform, user_id, day, post_id)",
    "DROP INDEX answers_by_member_day",
    "DROP INDEX answers_by_post_user",  # the first two columns of answers_best_per_post
]


def upgrade() -> None:
    run(STATEMENTS)


downgrade = forward_only
