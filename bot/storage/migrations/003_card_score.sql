-- Mastery weighs each card by how well it was answered: the score of the answer that last
-- reviewed the card is kept beside it. Existing cards take their member's latest score on that
-- prompt, in a channel or in practice.
ALTER TABLE practice_cards ADD COLUMN score INTEGER NOT NULL DEFAULT 0
    CHECK (score BETWEEN 0 AND 100);
UPDATE practice_cards SET score = COALESCE((
    SELECT latest.score FROM (
        SELECT a.score, a.answered_at FROM answers a
        WHERE a.platform = practice_cards.platform AND a.user_id = practice_cards.user_id
          AND a.prompt_id = practice_cards.prompt_id
        UNION ALL
        SELECT p.score, p.answered_at FROM practice_answers p
        WHERE p.platform = practice_cards.platform AND p.user_id = practice_cards.user_id
          AND p.prompt_id = practice_cards.prompt_id
    ) AS latest ORDER BY latest.answered_at DESC LIMIT 1
), 0);
