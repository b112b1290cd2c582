"""Schema version 13: Slack installed in many workspaces, one row per workspace.

Written by `bot.storage.slack_installations` through Bolt's OAuth flow. Every token column holds
a Fernet token (`QUIZMASTER_SECRET_KEY`), never the token itself. Enterprise and team ids are ''
where Slack sends none, so the primary key needs no NULLs (an org-wide install has no team).
The same statements on SQLite and PostgreSQL.
"""

from __future__ import annotations

from bot.storage.alembic.statements import forward_only, run

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

STATEMENTS = [
    """CREATE TABLE slack_installations (
    enterprise_id          TEXT NOT NULL DEFAULT '',
    team_id                TEXT NOT NULL DEFAULT '',
    is_enterprise_install  INTEGER NOT NULL DEFAULT 0,
    app_id                 TEXT,
    enterprise_name        TEXT,
    team_name              TEXT,
    bot_id                 TEXT,
    bot_user_id            TEXT,
    bot_scopes             TEXT NOT NULL DEFAULT '',
    bot_token              TEXT,
    bot_refresh_token      TEXT,
    bot_token_expires_at   BIGINT,
    user_id                TEXT,
    user_scopes            TEXT NOT NULL DEFAULT '',
    user_token             TEXT,
    user_refresh_token     TEXT,
    user_token_expires_at  BIGINT,
    installed_at           DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (enterprise_id, team_id)
)""",
]


def upgrade() -> None:
    run(STATEMENTS)


downgrade = forward_only
