"""The `ingested` table: each platform message id claimed once, holding the message until it is
handled so a replica that dies half-way leaves it for another. The only writer of that table
(its `ingested_remembers_member` trigger also keeps the sender's name in `users`)."""

from __future__ import annotations

from datetime import datetime

from bot.core.flow.intake import MessageClaim, UnfinishedClaim
from bot.storage.database import Table


class ClaimTable(Table):
    """`bot.core.flow.intake.ClaimStore`."""

    async def claim_message(self, claim: MessageClaim) -> bool:
        """True the first time a platform message id is seen; a redelivery returns False. A new
        claim also keeps its sender's current display name (the `ingested_remembers_member`
        trigger), and `incoming` (the message, held until `finish_message`) with the claiming
        `replica_id`, in the same statement."""
        inserted = await self._db.write(
            "INSERT INTO ingested (platform, message_id, received_at, user_id, display_name,"
            " replica_id, incoming) VALUES (?,?,?,?,?,?,?) ON CONFLICT DO NOTHING RETURNING 1",
            (
                claim.platform,
                claim.message_id,
                claim.received_at.isoformat(),
                claim.user_id,
                claim.display_name,
                claim.replica_id,
                claim.incoming,
            ),
        )
        return bool(inserted)

    async def finish_message(self, *, platform: str, message_id: str) -> None:
        """The claimed message is handled (its replies are out): drop the copy it held."""
        await self._db.write(
            "UPDATE ingested SET incoming = NULL"
            " WHERE platform = ? AND message_id = ? AND incoming IS NOT NULL",
            (platform, message_id),
        )

    async def release_message(self, *, platform: str, message_id: str) -> None:
        """Forget a claim whose handling failed, so the platform's retry can succeed."""
        await self._db.write(
            "DELETE FROM ingested WHERE platform = ? AND message_id = ?",
            (platform, message_id),
        )

    async def unfinished_claims(
        self, *, platform: str, alive_since: datetime, limit: int
    ) -> list[UnfinishedClaim]:
        """Claims still holding their message whose replica has not beaten since `alive_since`
        (killed, or gone without a clean stop), oldest first."""
        rows = await self._db.fetch(
            "SELECT message_id, replica_id, incoming FROM ingested i"
            " WHERE i.platform = ? AND i.incoming IS NOT NULL AND NOT EXISTS"
            " (SELECT 1 FROM replicas r WHERE r.id = i.replica_id AND r.seen_at >= ?)"
            " ORDER BY i.received_at LIMIT ?",
            (platform, alive_since.isoformat(), limit),
        )
        return [
            UnfinishedClaim(
                platform=platform,
                message_id=row["message_id"],
                replica_id=row["replica_id"],
                incoming=row["incoming"],
            )
            for row in rows
        ]

    async def take_over(self, claim: UnfinishedClaim, *, replica_id: str) -> bool:
        """Move an abandoned claim to `replica_id`; False when another replica took it first."""
        moved = await self._db.write(
            "UPDATE ingested SET replica_id = ? WHERE platform = ? AND message_id = ?"
            " AND replica_id = ? AND incoming IS NOT NULL RETURNING 1",
            (replica_id, claim.platform, claim.message_id, claim.replica_id),
        )
        return bool(moved)
