"""Alembic's script folder: the schema's revisions for SQLite and PostgreSQL alike."""
