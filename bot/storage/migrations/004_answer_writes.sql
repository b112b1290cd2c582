-- A graded channel answer is written by one INSERT into this view: the answer, the member's next
-- step and, when given, their reviewed practice card. One statement is one transaction and one
-- trip to the database thread; BEGIN, three statements and COMMIT took five, and those trips
-- were most of an answer's cost (`quizmaster bench ingest`).
CREATE VIEW answer_writes AS
    SELECT a.post_id, a.platform, a.day, a.user_id, a.prompt_id, a.message_id, a.text, a.score,
           a.verdict, a.covered, a.missed, a.flags, a.answered_at,
           p.step AS next_step, c.card, c.updated_at AS card_updated_at
    FROM answers a, progress p, practice_cards c WHERE 0;

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
    ON CONFLICT DO UPDATE SET card = excluded.card, score = excluded.score,
                              updated_at = excluded.updated_at;
END;
