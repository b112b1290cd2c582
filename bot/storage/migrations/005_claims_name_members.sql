-- A message's claim names its sender, and a trigger keeps the member's display name from it, so
-- the claim and the member row are one statement: one transaction and one trip to the database
-- thread instead of a claim, a read and a write (`quizmaster bench ingest`). Claims from before
-- this migration name nobody.
ALTER TABLE ingested ADD COLUMN user_id TEXT;
ALTER TABLE ingested ADD COLUMN display_name TEXT;

CREATE TRIGGER ingested_remembers_member AFTER INSERT ON ingested
WHEN NEW.user_id IS NOT NULL
BEGIN
    INSERT INTO users (platform, user_id, display_name)
    VALUES (NEW.platform, NEW.user_id, NEW.display_name)
    ON CONFLICT DO UPDATE SET display_name = excluded.display_name
    WHERE display_name IS NOT excluded.display_name;
END;
