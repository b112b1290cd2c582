"""The ledger of used sign-in nonces (`web_nonces`, written only here)."""

from __future__ import annotations

from datetime import datetime

from bot.storage.database import Table


class NonceLedger(Table):
    """The nonces of sign-in links already followed (`bot.web.signing`)."""

    async def use(self, nonce: str, *, now: datetime, expires_at: datetime) -> bool:
        """True the first time a nonce is used; False after that. Nonces whose links have
        expired are dropped on the way: an expired link is refused before its nonce is read."""
        async with self._db.transaction() as db:
            await db.fetch("DELETE FROM web_nonces WHERE expires_at < ?", (now.isoformat(),))
            inserted = await db.fetch(
                "INSERT INTO web_nonces (nonce, used_at, expires_at) VALUES (?, ?, ?)"
                " ON CONFLICT (nonce) DO NOTHING RETURNING 1",
                (nonce, now.isoformat(), expires_at.isoformat()),
            )
            return bool(inserted)
