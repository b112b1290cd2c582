"""What every migration after the baseline does: run its SQL in order, the dialect's own where
SQLite and PostgreSQL differ. quizmaster migrates forward only: a database is copied
(`quizmaster db copy`), never downgraded."""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op


def run(statements: Sequence[str], *, postgres: Sequence[str] | None = None) -> None:
    """`statements` on the database being migrated; on PostgreSQL `postgres`, when given."""
    bind = op.get_bind()
    chosen = statements if postgres is None or bind.dialect.name == "sqlite" else postgres
    for statement in chosen:
        bind.exec_driver_sql(statement)


def forward_only() -> None:
    raise NotImplementedError("quizmaster migrates forward only")
