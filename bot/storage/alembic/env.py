"""Alembic's entry point, run by `bot.storage.schema.migrate` on a connection it already holds
(`config.attributes["connection"]`), so migrations use the bot's own database setting and never
read an alembic.ini."""

from __future__ import annotations

from alembic import context

connection = context.config.attributes["connection"]
context.configure(connection=connection, transaction_per_migration=True)
with context.begin_transaction():
    context.run_migrations()
