"""The `users` table: members' display names, by platform. Written here, and by the
`ingested_remembers_member` trigger when a message is claimed (`bot.storage.claims`)."""

from __future__ import annotations

from bot.storage.database import Table


class MemberTable(Table):
    """`bot.core.ports.MemberStore`."""

    async def remember_user(self, *, platform: str, user_id: str, display_name: str) -> None:
        """Keep the member's current display name, for a message without an id to claim;
        writes only when it is new or changed."""
        row = await self._db.one(
            "SELECT display_name FROM users WHERE platform = ? AND user_id = ?",
            (platform, user_id),
        )
        if row is not None and row[0] == display_name:
            return
        await self._db.write(
            "INSERT INTO users (platform, user_id, display_name) VALUES (?,?,?)"
            " ON CONFLICT (platform, user_id) DO UPDATE SET display_name = excluded.display_name",
            (platform, user_id, display_name),
        )

    async def ensure_member(self, *, platform: str, user_id: str, display_name: str) -> None:
        """The member's row, with `display_name` only if they had none."""
        await self._db.write(
            "INSERT INTO users (platform, user_id, display_name) VALUES (?,?,?)"
            " ON CONFLICT (platform, user_id) DO NOTHING",
            (platform, user_id, display_name),
        )

    async def user_by_name(self, *, platform: str, name: str) -> str | None:
        row = await self._db.one(
            "SELECT user_id FROM users WHERE platform = ? AND (display_name = ? OR user_id = ?)",
            (platform, name, name),
        )
        return str(row[0]) if row else None

    async def display_name(self, *, platform: str, user_id: str) -> str:
        row = await self._db.one(
            "SELECT display_name FROM users WHERE platform = ? AND user_id = ?",
            (platform, user_id),
        )
        return str(row[0]) if row else user_id
