"""Schema version 18: answers kept say why they wait, and a model answer is saved before the
answers it grades (issue 60; issue 62's storage).

`pending_answers` held two kinds of answers told apart only by the bank: those kept while the
embedding server was down (`kept`: the retry round grades them) and those to an open question
(`open`: they wait for its model answer). `kind` now says which. Existing rows to a question
still waiting in `team_questions` (one imported on the page) become `open`; a row to an open
question from a bank file stays `kept`, and the retry round still skips it while the question
is open (the bank says so), as before.

`team_questions.version` counts the saves of a question written on the page: the editor saves
only over the version it showed, so of two admins editing one question one wins and the other is
told.

`model_answers` holds each open question's model answer from the moment it is saved (the ready
question, as `team_questions` will keep it), with the channel that wrote it and its language
for the members' notices. One row per question: a second save of the same question is refused,
so of concurrent saves one wins and the others are told. `graded_at` stays NULL until the kept
answers are graded, their notices queued and the question stored ready, all in one transaction;
until then the question is still open, and a start (or the bot's next tick) grades them against
this saved text, exactly once.
"""

from __future__ import annotations

from bot.storage.alembic.statements import forward_only, run

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

_KIND = (
    "ALTER TABLE pending_answers ADD COLUMN kind TEXT NOT NULL DEFAULT 'kept'"
    " CHECK (kind IN ('kept', 'open'))"
)
_OPEN = (
    "UPDATE pending_answers SET kind = 'open' WHERE prompt_id IN"
    " (SELECT prompt_id FROM team_questions WHERE {status} = 'waiting')"
)
_VERSION = "ALTER TABLE team_questions ADD COLUMN version INTEGER NOT NULL DEFAULT 1"
_MODEL_ANSWERS = """CREATE TABLE model_answers (
    prompt_id  TEXT PRIMARY KEY,
    platform   TEXT NOT NULL,
    channel_id TEXT NOT NULL,
    lang       TEXT NOT NULL CHECK (lang IN ('ko', 'en')),
    body       TEXT NOT NULL,
    written_by TEXT NOT NULL,
    written_at TEXT NOT NULL,
    graded_at  TEXT
)"""
_UNFINISHED = (
    "CREATE INDEX model_answers_unfinished ON model_answers (written_at) WHERE graded_at IS NULL"
)

SQLITE = [
    _KIND,
    _OPEN.format(status="json_extract(body, '$.status')"),
    _VERSION,
    _MODEL_ANSWERS,
    _UNFINISHED,
]
POSTGRES = [
    _KIND,
    _OPEN.format(status="(body::json ->> 'status')"),
    _VERSION,
    _MODEL_ANSWERS,
    _UNFINISHED,
]


def upgrade() -> None:
    run(SQLITE, postgres=POSTGRES)


downgrade = forward_only
