"""What a week needs for its weekly digest to be due, for tests that set the scene in the
database rather than through the bot: the channel was there before the week's digest time, and
someone answered that week (issue 83: a channel met after its week's digest time, or a week
without answers, gets no digest)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from bot.storage.repository import Repository

MET_BEFORE = timedelta(days=8)
"""How long before `now` the scene's channel was met: before any digest time of this week."""


async def an_answered_week(
    repo: Repository, *, platform: str, channel_id: str, post_id: int, day: date, now: datetime
) -> None:
    """The channel met `MET_BEFORE` before `now`, and one member's counted answer (70) to the
    post `post_id` on `day`."""
    met = (now - MET_BEFORE).isoformat()
    await repo.db.write(
        "UPDATE channels SET created_at = ? WHERE platform = ? AND channel_id = ?",
        (met, platform, channel_id),
    )
    await repo.db.write(
        "INSERT INTO users VALUES (?,?,?) ON CONFLICT DO NOTHING", (platform, "u-scene", "Scene")
    )
    post = await repo.db.one("SELECT prompt_id FROM posts WHERE id = ?", (post_id,))
    assert post is not None
    await repo.db.write(
        "INSERT INTO answers (post_id, platform, day, user_id, prompt_id, text, score, verdict,"
        " covered, missed, flags, answered_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
        (
            post_id,
            platform,
            day.isoformat(),
            "u-scene",
            post["prompt_id"],
            "an answer",
            70,
            "partial",
            "[]",
            "[]",
            "[]",
            now.isoformat(),
        ),
    )
