-- Sign-in links to the web page are single use: the nonce of each link followed is kept until
-- the link would have expired anyway, and a second use of it is refused.
CREATE TABLE web_nonces (
    nonce      TEXT PRIMARY KEY,
    used_at    TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX web_nonces_by_expiry ON web_nonces (expires_at);

-- The web page's streaks read each member's answer days (`bench web`).
CREATE INDEX answers_by_member_day ON answers (platform, user_id, day);
