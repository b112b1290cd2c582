"""The `appeals` table: a member's challenge of a grade and its resolution, which rewrites the
answer's score and card (through `bot.storage.answers` and `bot.storage.practice`) and leaves
the member a notice (`bot.storage.notices`) in the same transaction. The only writer of that
table."""

from __future__ import annotations

from datetime import datetime

from bot.core.models import GradedAnswer
from bot.core.quiz.appeals import AppealCounts, AppealResolution, AppealRow
from bot.storage import answers, notices, practice
from bot.storage.database import Table
from bot.storage.drivers import Row
from bot.storage.records import graded_answer

APPEAL_SELECT = (
    "SELECT ap.id AS appeal_id, ap.reason, ap.old_score, ap.opened_at, ap.final_score,"
    " ap.note, ap.resolved_by, ap.resolved_at, a.id, a.post_id, p.platform, p.channel_id,"
    " COALESCE(p.thread_id, p.message_id) AS thread_id, a.user_id, a.prompt_id, a.text,"
    " a.score, a.covered, a.missed, a.flags, a.answered_at"
    " FROM appeals ap JOIN answers a ON a.id = ap.answer_id JOIN posts p ON p.id = a.post_id"
)

GRADED_ANSWER_SELECT = (
    "SELECT a.id, a.post_id, p.platform, p.channel_id,"
    " COALESCE(p.thread_id, p.message_id) AS thread_id, a.user_id, a.prompt_id, a.text,"
    " a.score, a.covered, a.missed, a.flags, a.answered_at"
    " FROM answers a JOIN posts p ON p.id = a.post_id"
    " WHERE p.platform = ? AND p.channel_id = ? AND a.user_id = ?"
)


def _appeal(row: Row) -> AppealRow:
    """An appeal from `APPEAL_SELECT` (the answer's columns beside the appeal's)."""
    resolved_at = row["resolved_at"]
    return AppealRow(
        id=row["appeal_id"],
        answer=graded_answer(row),
        reason=row["reason"],
        old_score=row["old_score"],
        opened_at=datetime.fromisoformat(row["opened_at"]),
        final_score=row["final_score"],
        note=row["note"],
        resolved_by=row["resolved_by"],
        resolved_at=None if resolved_at is None else datetime.fromisoformat(resolved_at),
    )


class AppealTable(Table):
    """`bot.core.quiz.appeals.AppealStore`."""

    async def latest_answer(
        self, *, platform: str, channel_id: str, user_id: str
    ) -> GradedAnswer | None:
        """The member's latest graded answer in the channel (follow-ups included)."""
        row = await self._db.one(
            f"{GRADED_ANSWER_SELECT} ORDER BY a.id DESC LIMIT 1",
            (platform, channel_id, user_id),
        )
        return graded_answer(row) if row else None

    async def member_answer(
        self, *, platform: str, channel_id: str, user_id: str, answer_id: int
    ) -> GradedAnswer | None:
        """One of the member's graded answers in the channel, by id (None for anyone else's)."""
        row = await self._db.one(
            f"{GRADED_ANSWER_SELECT} AND a.id = ?",
            (platform, channel_id, user_id, answer_id),
        )
        return graded_answer(row) if row else None

    async def open_appeal(
        self, *, answer: GradedAnswer, reason: str, opened_at: datetime
    ) -> AppealRow | None:
        rows = await self._db.write(
            "INSERT INTO appeals (answer_id, platform, channel_id, user_id, reason, old_score,"
            " opened_at) VALUES (?,?,?,?,?,?,?) ON CONFLICT (answer_id) DO NOTHING RETURNING id",
            (
                answer.id,
                answer.platform,
                answer.channel_id,
                answer.user_id,
                reason,
                answer.score,
                opened_at.isoformat(),
            ),
        )
        return (
            AppealRow(
                id=rows[0][0],
                answer=answer,
                reason=reason,
                old_score=answer.score,
                opened_at=opened_at,
            )
            if rows
            else None
        )

    async def appeal(self, *, platform: str, channel_id: str, appeal_id: int) -> AppealRow | None:
        row = await self._db.one(
            f"{APPEAL_SELECT} WHERE ap.id = ? AND ap.platform = ? AND ap.channel_id = ?",
            (appeal_id, platform, channel_id),
        )
        return _appeal(row) if row else None

    async def open_appeals(self, *, platform: str, channel_id: str) -> list[AppealRow]:
        rows = await self._db.fetch(
            f"{APPEAL_SELECT} WHERE ap.platform = ? AND ap.channel_id = ?"
            " AND ap.resolved_at IS NULL ORDER BY ap.id",
            (platform, channel_id),
        )
        return [_appeal(row) for row in rows]

    async def resolve_appeal(self, resolution: AppealResolution) -> AppealRow | None:
        async with self._db.transaction() as db:
            closed = await db.fetch(
                "UPDATE appeals SET final_score = ?, note = ?, resolved_by = ?, resolved_at = ?"
                " WHERE id = ? AND resolved_at IS NULL RETURNING answer_id",
                (
                    resolution.final_score,
                    resolution.note,
                    resolution.resolved_by,
                    resolution.resolved_at.isoformat(),
                    resolution.appeal_id,
                ),
            )
            if not closed:
                return None
            await answers.rescore(
                db, answer_id=closed[0][0], score=resolution.final_score, verdict=resolution.verdict
            )
            if resolution.card is not None:
                await practice.replace_card(db, resolution.card)
            [row] = await db.fetch(f"{APPEAL_SELECT} WHERE ap.id = ?", (resolution.appeal_id,))
            if resolution.notice is not None:
                await notices.queue(
                    db,
                    platform=row["platform"],
                    reply=resolution.notice,
                    queued_at=resolution.resolved_at,
                )
        return _appeal(row)

    async def appeal_counts(
        self, *, platform: str, channel_id: str, since: datetime
    ) -> AppealCounts:
        row = await self._db.one(
            "SELECT COUNT(*), COUNT(resolved_at),"
            " COALESCE(SUM(CASE WHEN final_score <> old_score THEN 1 ELSE 0 END), 0)"
            " FROM appeals WHERE platform = ? AND channel_id = ? AND opened_at >= ?",
            (platform, channel_id, since.isoformat()),
        )
        assert row is not None
        return AppealCounts(opened=int(row[0]), resolved=int(row[1]), changed=int(row[2]))

    async def resolved_appeals(self) -> list[AppealRow]:
        rows = await self._db.fetch(
            f"{APPEAL_SELECT} WHERE ap.resolved_at IS NOT NULL ORDER BY ap.id"
        )
        return [_appeal(row) for row in rows]
