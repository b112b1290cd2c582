"""The weekly digest's tables: each channel's digest time where an admin set one
(`digest_times`), and each channel-week's digest, claimed before it is sent (`digests`), so it
is posted once across restarts and replicas. The only writer of those tables."""

from __future__ import annotations

from datetime import date, datetime

from bot.core.reporting.digest_posting import DigestClaim, DigestTime
from bot.storage.database import Table


class DigestTable(Table):
    """`bot.core.reporting.digest_posting.DigestStore`."""

    async def digest_time(self, *, platform: str, channel_id: str) -> DigestTime | None:
        row = await self._db.one(
            "SELECT weekday, at FROM digest_times WHERE platform = ? AND channel_id = ?",
            (platform, channel_id),
        )
        if row is None:
            return None
        return DigestTime(
            weekday=None if row["weekday"] is None else int(row["weekday"]), at=row["at"]
        )

    async def set_digest_time(self, *, platform: str, channel_id: str, time: DigestTime) -> None:
        await self._db.write(
            "INSERT INTO digest_times (platform, channel_id, weekday, at) VALUES (?,?,?,?)"
            " ON CONFLICT (platform, channel_id)"
            " DO UPDATE SET weekday = excluded.weekday, at = excluded.at",
            (platform, channel_id, time.weekday, time.at),
        )

    async def digest_held(
        self, *, platform: str, channel_id: str, week: date, alive_since: datetime | None
    ) -> bool:
        """Whether this channel-week's digest is sent, or claimed by a replica heard from
        since `alive_since` (None: claimed at all)."""
        sql = "SELECT 1 FROM digests d WHERE d.platform = ? AND d.channel_id = ? AND d.week = ?"
        params: tuple[object, ...] = (platform, channel_id, week.isoformat())
        if alive_since is not None:
            sql += (
                " AND (d.message_id IS NOT NULL OR EXISTS (SELECT 1 FROM replicas r"
                " WHERE r.id = d.replica_id AND r.seen_at >= ?))"
            )
            params += (alive_since.isoformat(),)
        return await self._db.one(sql, params) is not None

    async def claim_digest(
        self, claim: DigestClaim, *, alive_since: datetime | None = None
    ) -> bool:
        """True for the one process that reserves this channel-week's digest: the first, or,
        with `alive_since`, the one that takes over the unsent claim of a replica not heard
        from since then (killed between claiming and sending)."""
        key = (claim.platform, claim.channel_id, claim.week.isoformat())
        claimed_at, replica_id = claim.claimed_at.isoformat(), claim.replica_id
        rows = await self._db.write(
            "INSERT INTO digests (platform, channel_id, week, claimed_at, replica_id)"
            " VALUES (?,?,?,?,?) ON CONFLICT DO NOTHING RETURNING week",
            (*key, claimed_at, replica_id),
        )
        if rows or alive_since is None:
            return bool(rows)
        rows = await self._db.write(
            "UPDATE digests SET replica_id = ?, claimed_at = ?"
            " WHERE platform = ? AND channel_id = ? AND week = ? AND message_id IS NULL"
            " AND NOT EXISTS (SELECT 1 FROM replicas r"
            " WHERE r.id = digests.replica_id AND r.seen_at >= ?) RETURNING week",
            (replica_id, claimed_at, *key, alive_since.isoformat()),
        )
        return bool(rows)

    async def release_digest(self, *, platform: str, channel_id: str, week: date) -> None:
        await self._db.write(
            "DELETE FROM digests WHERE platform = ? AND channel_id = ? AND week = ?",
            (platform, channel_id, week.isoformat()),
        )

    async def set_digest_message(
        self, *, platform: str, channel_id: str, week: date, message_id: str
    ) -> None:
        await self._db.write(
            "UPDATE digests SET message_id = ? WHERE platform = ? AND channel_id = ? AND week = ?",
            (message_id, platform, channel_id, week.isoformat()),
        )
