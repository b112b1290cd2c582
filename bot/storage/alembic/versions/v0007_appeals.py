"""Schema version 7: appeals, and the card each practice card was before its latest review.

A member's appeal against the grade of one channel answer, and how an admin resolved it. A
resolved appeal is a human grade of that answer (`final_score`): `quizmaster eval fit --team`
learns from these rows. An answer is appealed at most once.

A corrected grade replaces the review its answer gave the member's card, so each card keeps the
card as it was before its latest review (`previous_card`; NULL: that review made it), and the
`answer_writes` trigger fills it in.
"""

from __future__ import annotations

from bot.storage.alembic.statements import forward_only, postgres_dialect, run

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

_APPEALS = """CREATE TABLE appeals (
    id           INTEGER PRIMARY KEY,
    answer_id    INTEGER NOT NULL UNIQUE REFERENCES answers (id),
    platform     TEXT NOT NULL,
    channel_id   TEXT NOT NULL,
    user_id      TEXT NOT NULL,
    reason       TEXT NOT NULL,
    old_score    INTEGER NOT NULL CHECK (old_score BETWEEN 0 AND 100),
    opened_at    TEXT NOT NULL,
    final_score  INTEGER CHECK (final_score BETWEEN 0 AND 100),
    note         TEXT,
    resolved_by  TEXT,
    resolved_at  TEXT,
    CHECK ((final_score IS NULL) = (resolved_at IS NULL))
)"""
_APPEALS_INDEX = (
    "CREATE INDEX appeals_by_channel ON appeals (platform, channel_id, resolved_at, id)"
)
_PREVIOUS_CARD = "ALTER TABLE practice_cards ADD COLUMN previous_card TEXT"

_INSERT_ANSWER = """
    INSERT INTO answers (post_id, platform, day, user_id, prompt_id, message_id, text, score,
                         verdict, covered, missed, flags, answered_at)
    VALUES (NEW.post_id, NEW.platform, NEW.day, NEW.user_id, NEW.prompt_id, NEW.message_id,
            NEW.text, NEW.score, NEW.verdict, NEW.covered, NEW.missed, NEW.flags,
            NEW.answered_at);
    INSERT INTO progress (post_id, user_id, step) VALUES (NEW.post_id, NEW.user_id, NEW.next_step)
    ON CONFLICT (post_id, user_id) DO UPDATE SET step = excluded.step;"""
_SAVE_CARD = """
        INSERT INTO practice_cards (platform, user_id, prompt_id, card, score, updated_at)
        {select}
        ON CONFLICT (platform, user_id, prompt_id) DO UPDATE SET
            previous_card = practice_cards.card, card = excluded.card, score = excluded.score,
            updated_at = excluded.updated_at;"""

_TABLES = [_APPEALS, _APPEALS_INDEX, _PREVIOUS_CARD]

SQLITE = [
    *_TABLES,
    "DROP TRIGGER answer_writes_insert",
    "CREATE TRIGGER answer_writes_insert INSTEAD OF INSERT ON answer_writes\nBEGIN"
    + _INSERT_ANSWER
    + _SAVE_CARD.format(
        select="SELECT NEW.platform, NEW.user_id, NEW.prompt_id, NEW.card, NEW.score,"
        " NEW.card_updated_at\n        WHERE NEW.card IS NOT NULL"
    )
    + "\nEND",
]

POSTGRES = [
    *postgres_dialect(_TABLES),
    "CREATE OR REPLACE FUNCTION answer_writes_insert() RETURNS trigger LANGUAGE plpgsql AS $$\n"
    "BEGIN"
    + _INSERT_ANSWER
    + "\n    IF NEW.card IS NOT NULL THEN"
    + _SAVE_CARD.format(
        select="VALUES (NEW.platform, NEW.user_id, NEW.prompt_id, NEW.card, NEW.score,"
        " NEW.card_updated_at)"
    )
    + "\n    END IF;\n    RETURN NEW;\nEND\n$$",
]


def upgrade() -> None:
    run(SQLITE, postgres=POSTGRES)


downgrade = forward_only
