"""The `replicas` table: each bot process's heartbeat, which tells the others whether the
messages and posts it claimed are still in hand. The only writer of that table."""

from __future__ import annotations

from datetime import datetime

from bot.core.flow.replicas import ReplicaRow
from bot.storage.database import Table
from bot.storage.drivers import Row


def _replica(row: Row) -> ReplicaRow:
    return ReplicaRow(
        id=row["id"],
        platform=row["platform"],
        host=row["host"],
        pid=row["pid"],
        started_at=datetime.fromisoformat(row["started_at"]),
        seen_at=datetime.fromisoformat(row["seen_at"]),
    )


class ReplicaTable(Table):
    """`bot.core.flow.replicas.ReplicaStore`."""

    async def heartbeat(self, replica: ReplicaRow) -> None:
        await self._db.write(
            "INSERT INTO replicas (id, platform, host, pid, started_at, seen_at)"
            " VALUES (?,?,?,?,?,?) ON CONFLICT (id) DO UPDATE SET seen_at = excluded.seen_at",
            (
                replica.id,
                replica.platform,
                replica.host,
                replica.pid,
                replica.started_at.isoformat(),
                replica.seen_at.isoformat(),
            ),
        )

    async def forget_replica(self, *, replica_id: str) -> None:
        await self._db.write("DELETE FROM replicas WHERE id = ?", (replica_id,))

    async def replicas(self) -> list[ReplicaRow]:
        """Every heartbeat on record (`bot.core.flow.replicas.alive` picks the live ones)."""
        rows = await self._db.fetch("SELECT * FROM replicas ORDER BY started_at")
        return [_replica(row) for row in rows]
