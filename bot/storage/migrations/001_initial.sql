-- Channels the bot serves, with their schedule and language.
CREATE TABLE channels (
    platform      TEXT NOT NULL,
    channel_id    TEXT NOT NULL,
    lang          TEXT NOT NULL CHECK (lang IN ('ko', 'en')),
    timezone      TEXT NOT NULL,
    post_time     TEXT NOT NULL,
    days          TEXT NOT NULL,
    catch_up      INTEGER NOT NULL,
    created_at    TEXT NOT NULL,
    checked_until TEXT NOT NULL,
    PRIMARY KEY (platform, channel_id)
);

-- One row per question posted in a channel; the partial unique index is the guarantee that a
-- scheduled channel-day is posted at most once, across restarts and crashes.
CREATE TABLE posts (
    id          INTEGER PRIMARY KEY,
    platform    TEXT NOT NULL,
    channel_id  TEXT NOT NULL,
    day         TEXT NOT NULL,
    prompt_id   TEXT NOT NULL,
    scheduled   INTEGER NOT NULL,
    message_id  TEXT,
    thread_id   TEXT,
    revealed    INTEGER NOT NULL DEFAULT 0,
    posted_at   TEXT NOT NULL,
    FOREIGN KEY (platform, channel_id) REFERENCES channels (platform, channel_id)
);
CREATE UNIQUE INDEX posts_one_scheduled_per_day ON posts (platform, channel_id, day)
    WHERE scheduled = 1;
CREATE INDEX posts_by_thread ON posts (platform, channel_id, thread_id);

CREATE TABLE users (
    platform     TEXT NOT NULL,
    user_id      TEXT NOT NULL,
    display_name TEXT NOT NULL,
    PRIMARY KEY (platform, user_id)
);

-- Platform message ids already handled: a retried delivery is dropped before any work.
CREATE TABLE ingested (
    platform    TEXT NOT NULL,
    message_id  TEXT NOT NULL,
    received_at TEXT NOT NULL,
    PRIMARY KEY (platform, message_id)
);

CREATE TABLE answers (
    id          INTEGER PRIMARY KEY,
    post_id     INTEGER NOT NULL REFERENCES posts (id),
    platform    TEXT NOT NULL,
    user_id     TEXT NOT NULL,
    prompt_id   TEXT NOT NULL,
    message_id  TEXT,
    text        TEXT NOT NULL,
    score       INTEGER NOT NULL CHECK (score BETWEEN 0 AND 100),
    verdict     TEXT NOT NULL,
    covered     TEXT NOT NULL,
    missed      TEXT NOT NULL,
    flags       TEXT NOT NULL,
    day         TEXT NOT NULL,
    answered_at TEXT NOT NULL,
    FOREIGN KEY (platform, user_id) REFERENCES users (platform, user_id)
);
CREATE UNIQUE INDEX answers_once_per_message ON answers (platform, message_id)
    WHERE message_id IS NOT NULL;
CREATE INDEX answers_by_post_user ON answers (post_id, user_id);

-- Where each member is in a post's prompt sequence (0 = main question, k = k-th follow-up).
CREATE TABLE progress (
    post_id  INTEGER NOT NULL REFERENCES posts (id),
    user_id  TEXT NOT NULL,
    step     INTEGER NOT NULL,
    PRIMARY KEY (post_id, user_id)
);

CREATE TABLE skips (
    post_id   INTEGER NOT NULL REFERENCES posts (id),
    user_id   TEXT NOT NULL,
    prompt_id TEXT NOT NULL,
    PRIMARY KEY (post_id, user_id, prompt_id)
);

CREATE TABLE hints (
    post_id    INTEGER NOT NULL REFERENCES posts (id),
    user_id    TEXT NOT NULL,
    prompt_id  TEXT NOT NULL,
    concept_id TEXT NOT NULL,
    PRIMARY KEY (post_id, user_id, prompt_id)
);
