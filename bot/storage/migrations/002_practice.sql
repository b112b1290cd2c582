-- Personal practice (spaced repetition). One FSRS card per member and prompt, kept in the
-- library's own JSON form so a library upgrade reads it back unchanged; times inside are UTC.
CREATE TABLE practice_cards (
    platform   TEXT NOT NULL,
    user_id    TEXT NOT NULL,
    prompt_id  TEXT NOT NULL,
    card       TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (platform, user_id, prompt_id)
);

-- Answers given in private practice. Kept apart from `answers` so they feed practice stats and
-- the member's cards but never a channel leaderboard, streak or day summary.
CREATE TABLE practice_answers (
    id          INTEGER PRIMARY KEY,
    platform    TEXT NOT NULL,
    user_id     TEXT NOT NULL,
    prompt_id   TEXT NOT NULL,
    message_id  TEXT,
    text        TEXT NOT NULL,
    score       INTEGER NOT NULL CHECK (score BETWEEN 0 AND 100),
    verdict     TEXT NOT NULL,
    rating      INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 4),
    covered     TEXT NOT NULL,
    missed      TEXT NOT NULL,
    flags       TEXT NOT NULL,
    answered_at TEXT NOT NULL,
    FOREIGN KEY (platform, user_id) REFERENCES users (platform, user_id)
);
CREATE UNIQUE INDEX practice_answers_once_per_message ON practice_answers (platform, message_id)
    WHERE message_id IS NOT NULL;
CREATE INDEX practice_answers_by_user ON practice_answers (platform, user_id);

-- The prompt `/quiz practice` last showed a member, waiting for `/quiz practice answer`.
CREATE TABLE practice_pending (
    platform  TEXT NOT NULL,
    user_id   TEXT NOT NULL,
    prompt_id TEXT NOT NULL,
    shown_at  TEXT NOT NULL,
    PRIMARY KEY (platform, user_id)
);
