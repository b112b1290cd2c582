"""The `channels` table: each channel's language, schedule and chosen subjects, and how far its
schedule was checked. The only writer of that table."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime

from bot.core.models import ChannelRow
from bot.storage.database import Table
from bot.storage.drivers import Row
from content.schema import Lang


def _lang(stored: str) -> Lang:
    """A channel's language as stored (the table's CHECK allows only these two)."""
    if stored == "ko":
        return "ko"
    if stored == "en":
        return "en"
    raise ValueError(f"unknown channel language {stored!r}")


def _channel(row: Row) -> ChannelRow:
    return ChannelRow(
        platform=row["platform"],
        channel_id=row["channel_id"],
        lang=_lang(row["lang"]),
        timezone=row["timezone"],
        post_time=row["post_time"],
        days=row["days"],
        catch_up=bool(row["catch_up"]),
        checked_until=datetime.fromisoformat(row["checked_until"]),
        subjects=tuple(json.loads(row["subjects"])) if row["subjects"] else (),
        created_at=_instant(row["created_at"]),
    )


def _instant(stored: str) -> datetime:
    """A stored instant; one written as a bare date or without an offset (older rows, a hand
    edit) is read as UTC."""
    instant = datetime.fromisoformat(stored)
    return instant if instant.tzinfo is not None else instant.replace(tzinfo=UTC)


class ChannelTable(Table):
    """`bot.core.ports.ChannelStore`."""

    async def ensure_channel(self, defaults: ChannelRow, *, created_at: datetime) -> ChannelRow:
        """The channel's row, inserted from `defaults` the first time. Read first: every message
        passes here, and a write transaction per message would halve ingest throughput."""
        existing = await self.channel(platform=defaults.platform, channel_id=defaults.channel_id)
        if existing is not None:
            return existing
        await self._db.write(
            "INSERT INTO channels (platform, channel_id, lang, timezone, post_time, days,"
            " catch_up, created_at, checked_until) VALUES (?,?,?,?,?,?,?,?,?)"
            " ON CONFLICT DO NOTHING",
            (
                defaults.platform,
                defaults.channel_id,
                defaults.lang,
                defaults.timezone,
                defaults.post_time,
                defaults.days,
                int(defaults.catch_up),
                created_at.isoformat(),
                defaults.checked_until.isoformat(),
            ),
        )
        channel = await self.channel(platform=defaults.platform, channel_id=defaults.channel_id)
        assert channel is not None
        return channel

    async def channel(self, *, platform: str, channel_id: str) -> ChannelRow | None:
        row = await self._db.one(
            "SELECT * FROM channels WHERE platform = ? AND channel_id = ?", (platform, channel_id)
        )
        return _channel(row) if row else None

    async def channels(self, *, platform: str) -> list[ChannelRow]:
        rows = await self._db.fetch(
            "SELECT * FROM channels WHERE platform = ? ORDER BY channel_id", (platform,)
        )
        return [_channel(row) for row in rows]

    async def update_schedule(
        self, *, platform: str, channel_id: str, post_time: str, timezone: str, days: str
    ) -> None:
        await self._db.write(
            "UPDATE channels SET post_time = ?, timezone = ?, days = ?"
            " WHERE platform = ? AND channel_id = ?",
            (post_time, timezone, days, platform, channel_id),
        )

    async def update_lang(self, *, platform: str, channel_id: str, lang: Lang) -> None:
        await self._db.write(
            "UPDATE channels SET lang = ? WHERE platform = ? AND channel_id = ?",
            (lang, platform, channel_id),
        )

    async def update_subjects(
        self, *, platform: str, channel_id: str, subjects: Sequence[str]
    ) -> None:
        """Stored as a JSON list, NULL for all (no choice)."""
        await self._db.write(
            "UPDATE channels SET subjects = ? WHERE platform = ? AND channel_id = ?",
            (json.dumps(list(subjects)) if subjects else None, platform, channel_id),
        )

    async def set_checked_until(self, *, platform: str, channel_id: str, instant: datetime) -> None:
        await self._db.write(
            "UPDATE channels SET checked_until = ? WHERE platform = ? AND channel_id = ?",
            (instant.isoformat(), platform, channel_id),
        )
