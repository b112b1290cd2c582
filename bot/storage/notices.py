"""The `web_notices` table: the outbox of chat notices left where no chat connection is (the
web page, a resolved appeal), claimed once by the replica that sends them. The only writer of
that table."""

from __future__ import annotations

from datetime import datetime

from bot.core.messages import Reply, ReplyKind
from bot.storage.database import Table
from bot.storage.drivers import Driver


def _queue_statement(
    platform: str, reply: Reply, queued_at: datetime
) -> tuple[str, tuple[object, ...]]:
    return (
        "INSERT INTO web_notices (platform, channel_id, thread_id, user_id, text, queued_at)"
        " VALUES (?,?,?,?,?,?)",
        (
            platform,
            reply.channel_id,
            reply.thread_id,
            reply.user_id or "",
            reply.text,
            queued_at.isoformat(),
        ),
    )


async def queue(db: Driver, *, platform: str, reply: Reply, queued_at: datetime) -> None:
    """Leave a notice for the chat inside the caller's transaction (a resolved appeal)."""
    await db.fetch(*_queue_statement(platform, reply, queued_at))


class NoticeTable(Table):
    """`bot.core.flow.notices.NoticeStore`."""

    async def queue_notice(self, *, platform: str, reply: Reply, queued_at: datetime) -> None:
        await self._db.write(*_queue_statement(platform, reply, queued_at))

    async def claim_notices(self, *, platform: str, by: str, at: datetime) -> list[Reply]:
        # `claimed_at IS NULL` is checked again on each row: of two replicas claiming at once,
        # PostgreSQL lets the second skip the rows the first has just claimed.
        rows = await self._db.write(
            "UPDATE web_notices SET claimed_at = ?, claimed_by = ?"
            " WHERE claimed_at IS NULL AND id IN (SELECT id FROM web_notices"
            " WHERE platform = ? AND claimed_at IS NULL ORDER BY id LIMIT 50)"
            " RETURNING id, channel_id, thread_id, user_id, text",
            (at.isoformat(), by, platform),
        )
        return [
            Reply(
                channel_id=row["channel_id"],
                text=row["text"],
                kind=ReplyKind.INFO,
                thread_id=row["thread_id"],
                user_id=row["user_id"],
                addressee=row["user_id"],
            )
            for row in sorted(rows, key=lambda row: int(row["id"]))
        ]
