"""Schema version 6, the last one written as plain SQL files: where Alembic takes over.

On SQLite it applies whichever of `bot/storage/migrations/00N_*.sql` the file has not had yet
(its `PRAGMA user_version` says which), so databases from every earlier release move forward in
place, and leaves user_version at 6 as those releases expect. On PostgreSQL it runs the same
files' statements in PostgreSQL's dialect (`postgres_dialect`: identity ids, `WHERE false`), the
two triggers that make an answer and a claim one statement each (`answer_writes`,
`ingested_remembers_member`) in PL/pgSQL: the files are the one source of both. Columns keep
SQLite's types (INTEGER flags, ISO text for days and instants) so rows copy between the two
unchanged and the repository's mappers read both alike.
"""

from __future__ import annotations

import re
from importlib import resources

from bot.storage.alembic.statements import postgres_dialect
from bot.storage.sql_script import statements

revision = "0006"
down_revision = None
branch_labels = None
depends_on = None

LEGACY_VERSION = 6


def legacy_scripts() -> list[tuple[int, str]]:
    """`bot/storage/migrations/00N_*.sql` by their version N, in order: the schema as the
    releases before Alembic wrote it."""
    folder = resources.files("bot.storage") / "migrations"
    return sorted(
        (int(entry.name.split("_", 1)[0]), entry.read_text(encoding="utf-8"))
        for entry in folder.iterdir()
        if entry.name.endswith(".sql")
    )


def _legacy_sqlite() -> None:
    from alembic import op

    bind = op.get_bind()
    current = int(bind.exec_driver_sql("PRAGMA user_version").scalar_one())
    for version, script in legacy_scripts():
        if version > current:
            for statement in statements(script):
                bind.exec_driver_sql(statement)
    bind.exec_driver_sql(f"PRAGMA user_version = {LEGACY_VERSION}")


POSTGRES_TRIGGERS = {
    # One INSERT into the view `answer_writes` stores a graded answer, the member's next step
    # and their card: one statement, one transaction, one round trip (as on SQLite).
    "answer_writes_insert": [
        """CREATE FUNCTION answer_writes_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO answers (post_id, platform, day, user_id, prompt_id, message_id, text, score,
                         verdict, covered, missed, flags, answered_at)
    VALUES (NEW.post_id, NEW.platform, NEW.day, NEW.user_id, NEW.prompt_id, NEW.message_id,
            NEW.text, NEW.score, NEW.verdict, NEW.covered, NEW.missed, NEW.flags,
            NEW.answered_at);
    INSERT INTO progress (post_id, user_id, step) VALUES (NEW.post_id, NEW.user_id, NEW.next_step)
    ON CONFLICT (post_id, user_id) DO UPDATE SET step = excluded.step;
    IF NEW.card IS NOT NULL THEN
        INSERT INTO practice_cards (platform, user_id, prompt_id, card, score, updated_at)
        VALUES (NEW.platform, NEW.user_id, NEW.prompt_id, NEW.card, NEW.score,
                NEW.card_updated_at)
        ON CONFLICT (platform, user_id, prompt_id) DO UPDATE SET card = excluded.card,
            score = excluded.score, updated_at = excluded.updated_at;
    END IF;
    RETURN NEW;
END
$$""",
        """CREATE TRIGGER answer_writes_insert INSTEAD OF INSERT ON answer_writes
    FOR EACH ROW EXECUTE FUNCTION answer_writes_insert()""",
    ],
    # A claim names its sender; the trigger keeps the member's display name from it.
    "ingested_remembers_member": [
        """CREATE FUNCTION ingested_remembers_member() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO users (platform, user_id, display_name)
    VALUES (NEW.platform, NEW.user_id, NEW.display_name)
    ON CONFLICT (platform, user_id) DO UPDATE SET display_name = excluded.display_name
    WHERE users.display_name IS DISTINCT FROM excluded.display_name;
    RETURN NULL;
END
$$""",
        """CREATE TRIGGER ingested_remembers_member AFTER INSERT ON ingested
    FOR EACH ROW WHEN (NEW.user_id IS NOT NULL) EXECUTE FUNCTION ingested_remembers_member()""",
    ],
}
"""The legacy files' two SQLite triggers, as PL/pgSQL functions and their triggers."""
_TRIGGER = re.compile(r"^CREATE TRIGGER (\w+)", re.MULTILINE)


def postgres_baseline() -> list[str]:
    """The legacy files' statements in PostgreSQL's dialect, each trigger in its PL/pgSQL form:
    the schema a new PostgreSQL database starts from, derived from the same files an old SQLite
    file is migrated by."""
    derived: list[str] = []
    for _, script in legacy_scripts():
        for statement in statements(script):
            trigger = _TRIGGER.search(statement)
            if trigger is not None:
                derived.extend(POSTGRES_TRIGGERS[trigger.group(1)])
            else:
                derived.extend(postgres_dialect([statement]))
    return derived


def upgrade() -> None:
    from alembic import op

    if op.get_bind().dialect.name == "sqlite":
        _legacy_sqlite()
        return
    for statement in postgres_baseline():
        op.get_bind().exec_driver_sql(statement)


def downgrade() -> None:
    raise NotImplementedError("schema 6 is the first version Alembic knows; nothing is below it")
