"""The `posts` table: each question posted, claimed before it is sent so a scheduled
channel-day is posted once, and where it landed. The only writer of that table."""

from __future__ import annotations

from datetime import datetime

from bot.core.models import PostClaim, PostRow
from bot.storage.database import Table
from bot.storage.records import post_row


class PostTable(Table):
    """`bot.core.ports.PostStore`."""

    async def claim_post(self, claim: PostClaim) -> PostRow | None:
        """Reserve a post before sending it (for `replica_id`, which sends it). None: this
        scheduled channel-day was already taken (by this process earlier, another process, or
        a run before a crash)."""
        rows = await self._db.write(
            "INSERT INTO posts (platform, channel_id, day, prompt_id, scheduled, posted_at,"
            " replica_id) VALUES (?,?,?,?,?,?,?) ON CONFLICT DO NOTHING RETURNING *",
            (
                claim.platform,
                claim.channel_id,
                claim.day.isoformat(),
                claim.prompt_id,
                int(claim.scheduled),
                claim.posted_at.isoformat(),
                claim.replica_id,
            ),
        )
        return post_row(rows[0]) if rows else None

    async def release_post(self, *, post_id: int) -> None:
        await self._db.write("DELETE FROM posts WHERE id = ?", (post_id,))

    async def unsent_posts(self, *, platform: str, alive_since: datetime) -> list[PostRow]:
        """Posts claimed and never sent (no message id) by replicas not heard from since
        `alive_since`."""
        rows = await self._db.fetch(
            "SELECT * FROM posts p WHERE p.platform = ? AND p.message_id IS NULL"
            " AND p.replica_id IS NOT NULL AND NOT EXISTS"
            " (SELECT 1 FROM replicas r WHERE r.id = p.replica_id AND r.seen_at >= ?)"
            " ORDER BY p.id",
            (platform, alive_since.isoformat()),
        )
        return [post_row(row) for row in rows]

    async def take_over_post(
        self, post: PostRow, *, replica_id: str, alive_since: datetime
    ) -> bool:
        """Move an unsent post's claim to `replica_id` while its replica is still silent; False
        when another (live) replica took it first."""
        moved = await self._db.write(
            "UPDATE posts SET replica_id = ? WHERE id = ? AND message_id IS NULL AND NOT EXISTS"
            " (SELECT 1 FROM replicas r WHERE r.id = posts.replica_id AND r.seen_at >= ?)"
            " RETURNING 1",
            (replica_id, post.id, alive_since.isoformat()),
        )
        return bool(moved)

    async def set_post_location(
        self, *, post_id: int, message_id: str, thread_id: str | None
    ) -> None:
        await self._db.write(
            "UPDATE posts SET message_id = ?, thread_id = ? WHERE id = ?",
            (message_id, thread_id, post_id),
        )

    async def mark_revealed(self, *, post_id: int) -> None:
        await self._db.write("UPDATE posts SET revealed = 1 WHERE id = ?", (post_id,))

    async def post(self, *, post_id: int) -> PostRow | None:
        row = await self._db.one("SELECT * FROM posts WHERE id = ?", (post_id,))
        return post_row(row) if row else None

    async def post_for_thread(
        self, *, platform: str, channel_id: str, thread_id: str
    ) -> PostRow | None:
        row = await self._db.one(
            "SELECT * FROM posts WHERE platform = ? AND channel_id = ?"
            " AND (thread_id = ? OR message_id = ?) ORDER BY id DESC LIMIT 1",
            (platform, channel_id, thread_id, thread_id),
        )
        return post_row(row) if row else None

    async def latest_post(self, *, platform: str, channel_id: str) -> PostRow | None:
        row = await self._db.one(
            "SELECT * FROM posts WHERE platform = ? AND channel_id = ? ORDER BY id DESC LIMIT 1",
            (platform, channel_id),
        )
        return post_row(row) if row else None

    async def posts(self, *, platform: str, channel_id: str) -> list[PostRow]:
        rows = await self._db.fetch(
            "SELECT * FROM posts WHERE platform = ? AND channel_id = ? ORDER BY id",
            (platform, channel_id),
        )
        return [post_row(row) for row in rows]
