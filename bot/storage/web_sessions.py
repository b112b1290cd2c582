"""The web page's sessions (`web_sessions`): a signed cookie is honoured only while its row
lives here, so sign-out ends it everywhere, and admin rights follow the platform's latest word
on the member rather than what a cookie said when it was made."""

from __future__ import annotations

from datetime import datetime

from bot.core.models import WebSessionRow
from bot.storage.database import Table

_DEMOTE = (
    "UPDATE web_sessions SET is_admin = 0"
    " WHERE platform = ? AND channel_id = ? AND user_id = ? AND is_admin = 1"
)


class WebSessionTable(Table):
    """The `web_sessions` table, on the bot's database connection and lock."""

    async def start(self, session: WebSessionRow) -> None:
        """Keep a new session. A member signing in without admin rights takes them from every
        other session of theirs in the channel: the platform's latest word wins. Expired rows
        are dropped on the way."""
        async with self._db.transaction() as db:
            await db.fetch(
                "DELETE FROM web_sessions WHERE expires_at < ?", (session.started_at.isoformat(),)
            )
            if not session.is_admin:
                await db.fetch(_DEMOTE, (session.platform, session.channel_id, session.user_id))
            await db.fetch(
                "INSERT INTO web_sessions (id, platform, channel_id, user_id, is_admin,"
                " started_at, expires_at) VALUES (?,?,?,?,?,?,?)",
                (
                    session.id,
                    session.platform,
                    session.channel_id,
                    session.user_id,
                    int(session.is_admin),
                    session.started_at.isoformat(),
                    session.expires_at.isoformat(),
                ),
            )

    async def demote(self, *, platform: str, channel_id: str, user_id: str) -> None:
        """The platform says the member is no admin of the channel (a command of theirs in the
        chat): every session of theirs there loses admin rights."""
        await self._db.write(_DEMOTE, (platform, channel_id, user_id))

    async def admin_rights(self, session_id: str, *, now: datetime) -> bool | None:
        """Whether the session carries admin rights; None once it has ended or expired."""
        rows = await self._db.fetch(
            "SELECT is_admin FROM web_sessions WHERE id = ? AND expires_at > ?",
            (session_id, now.isoformat()),
        )
        return bool(rows[0]["is_admin"]) if rows else None

    async def end(self, session_id: str) -> None:
        """Sign-out: the cookie stops working in every browser that holds a copy."""
        await self._db.write("DELETE FROM web_sessions WHERE id = ?", (session_id,))
