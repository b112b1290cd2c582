-- A member's appeal against the grade of one channel answer, and how an admin resolved it. A
-- resolved appeal is a human grade of that answer (`final_score`): `quizmaster eval fit --team`
-- learns from these rows. An answer is appealed at most once.
CREATE TABLE appeals (
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
);
CREATE INDEX appeals_by_channel ON appeals (platform, channel_id, resolved_at, id);

-- A corrected grade replaces the review its answer gave the member's card, so each card keeps
-- the card as it was before its latest review (NULL: that review made it).
ALTER TABLE practice_cards ADD COLUMN previous_card TEXT;

DROP TRIGGER answer_writes_insert;
CREATE TRIGGER answer_writes_insert INSTEAD OF INSERT ON answer_writes
BEGIN
    INSERT INTO answers (post_id, platform, day, user_id, prompt_id, message_id, text, score,
                         verdict, covered, missed, flags, answered_at)
    VALUES (NEW.post_id, NEW.platform, NEW.day, NEW.user_id, NEW.prompt_id, NEW.message_id,
            NEW.text, NEW.score, NEW.verdict, NEW.covered, NEW.missed, NEW.flags,
            NEW.answered_at);
    INSERT INTO progress (post_id, user_id, step) VALUES (NEW.post_id, NEW.user_id, NEW.next_step)
    ON CONFLICT DO UPDATE SET step = excluded.step;
    INSERT INTO practice_cards (platform, user_id, prompt_id, card, score, updated_at)
    SELECT NEW.platform, NEW.user_id, NEW.prompt_id, NEW.card, NEW.score, NEW.card_updated_at
    WHERE NEW.card IS NOT NULL
    ON CONFLICT DO UPDATE SET previous_card = card, card = excluded.card, score = excluded.score,
                              updated_at = excluded.updated_at;
END;
