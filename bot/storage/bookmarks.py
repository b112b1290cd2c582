"""The `bookmarks` table: the questions each member keeps to come back to, per channel
(`/quiz bookmark`). The only writer of that table."""

from __future__ import annotations

from datetime import datetime

from bot.core.quiz.bookmarks import Bookmark
from bot.storage.database import Table


class BookmarkTable(Table):
    """`bot.core.quiz.bookmarks.BookmarkStore`."""

    async def toggle_bookmark(
        self, *, platform: str, channel_id: str, user_id: str, prompt_id: str, at: datetime
    ) -> bool:
        """Bookmark the question, or remove the bookmark it had; True when it is bookmarked now.
        One transaction: two taps at once leave it as one tap would, then the other."""
        key = (platform, channel_id, user_id, prompt_id)
        async with self._db.transaction() as db:
            removed = await db.fetch(
                "DELETE FROM bookmarks WHERE platform = ? AND channel_id = ? AND user_id = ?"
                " AND prompt_id = ? RETURNING prompt_id",
                key,
            )
            if removed:
                return False
            await db.fetch(
                "INSERT INTO bookmarks (platform, channel_id, user_id, prompt_id, saved_at)"
                " VALUES (?,?,?,?,?)",
                (*key, at.isoformat()),
            )
            return True

    async def bookmarks(self, *, platform: str, channel_id: str, user_id: str) -> list[Bookmark]:
        """The member's bookmarks in the channel, the latest first."""
        rows = await self._db.fetch(
            "SELECT prompt_id, saved_at FROM bookmarks WHERE platform = ? AND channel_id = ?"
            " AND user_id = ? ORDER BY saved_at DESC, prompt_id",
            (platform, channel_id, user_id),
        )
        return [Bookmark(row["prompt_id"], datetime.fromisoformat(row["saved_at"])) for row in rows]
