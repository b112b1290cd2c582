-- Channel answers that came while the embedding server was unavailable: kept as given, with what
-- their grading depends on (hint cap, reveal), until the bot's retry grades them. Grading moves a
-- row into `answers` in one transaction that deletes it here, so it is graded exactly once.
CREATE TABLE pending_answers (
    id          INTEGER PRIMARY KEY,
    post_id     INTEGER NOT NULL REFERENCES posts (id),
    platform    TEXT NOT NULL,
    channel_id  TEXT NOT NULL,
    user_id     TEXT NOT NULL,
    prompt_id   TEXT NOT NULL,
    message_id  TEXT,
    thread_id   TEXT,
    text        TEXT NOT NULL,
    cap         INTEGER,
    revealed    INTEGER NOT NULL,
    received_at TEXT NOT NULL,
    FOREIGN KEY (platform, user_id) REFERENCES users (platform, user_id)
);
CREATE UNIQUE INDEX pending_answers_once_per_message ON pending_answers (platform, message_id)
    WHERE message_id IS NOT NULL;
CREATE INDEX pending_answers_by_platform ON pending_answers (platform, id);
