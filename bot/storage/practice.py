"""The practice tables: each member's review cards (`practice_cards`, also saved with a chat
answer by the `answer_writes` trigger), the prompt waiting for their answer
(`practice_pending`) and their practice answers (`practice_answers`). The only writer of those
tables otherwise."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.core.models import PracticeCardRow
from bot.core.quiz.practice import KeptPractice, PracticeAnswerRow, PracticeWrite
from bot.storage.database import Table
from bot.storage.drivers import Driver, Row
from bot.storage.records import GRADED_COLUMNS, GRADED_PLACEHOLDERS, graded_values


def _card(row: Row) -> PracticeCardRow:
    return PracticeCardRow(
        platform=row["platform"],
        user_id=row["user_id"],
        prompt_id=row["prompt_id"],
        card=row["card"],
        score=row["score"],
        updated_at=datetime.fromisoformat(row["updated_at"]),
        previous_card=row["previous_card"],
    )


async def _save_card(db: Driver, card: PracticeCardRow) -> None:
    await db.fetch(
        "INSERT INTO practice_cards (platform, user_id, prompt_id, card, score, updated_at)"
        " VALUES (?,?,?,?,?,?) ON CONFLICT (platform, user_id, prompt_id)"
        " DO UPDATE SET previous_card = practice_cards.card, card = excluded.card,"
        " score = excluded.score, updated_at = excluded.updated_at",
        (
            card.platform,
            card.user_id,
            card.prompt_id,
            card.card,
            card.score,
            card.updated_at.isoformat(),
        ),
    )


async def replace_card(db: Driver, card: PracticeCardRow) -> None:
    """Correct the card's latest review in place, inside the caller's transaction (a resolved
    appeal): the card before that review stays as it was."""
    await db.fetch(
        "UPDATE practice_cards SET card = ?, score = ?"
        " WHERE platform = ? AND user_id = ? AND prompt_id = ?",
        (card.card, card.score, card.platform, card.user_id, card.prompt_id),
    )


class PracticeTable(Table):
    """`bot.core.quiz.practice.PracticeStore`."""

    async def practice_card(
        self, *, platform: str, user_id: str, prompt_id: str
    ) -> PracticeCardRow | None:
        row = await self._db.one(
            "SELECT * FROM practice_cards WHERE platform = ? AND user_id = ? AND prompt_id = ?",
            (platform, user_id, prompt_id),
        )
        return _card(row) if row else None

    async def practice_cards(
        self, *, platform: str, user_ids: Sequence[str]
    ) -> list[PracticeCardRow]:
        """Every card of the given members, in (member, prompt) order."""
        if not user_ids:
            return []
        marks = ",".join("?" * len(user_ids))
        rows = await self._db.fetch(
            f"SELECT * FROM practice_cards WHERE platform = ? AND user_id IN ({marks})"
            " ORDER BY user_id, prompt_id",
            (platform, *user_ids),
        )
        return [_card(row) for row in rows]

    async def set_practice_pending(
        self, *, platform: str, user_id: str, prompt_id: str, shown_at: datetime
    ) -> None:
        await self._db.write(
            "INSERT INTO practice_pending (platform, user_id, prompt_id, shown_at)"
            " VALUES (?,?,?,?) ON CONFLICT (platform, user_id)"
            " DO UPDATE SET prompt_id = excluded.prompt_id,"
            " shown_at = excluded.shown_at,"
            # An answer kept for the prompt stays kept while the prompt is shown again.
            " kept_text = CASE WHEN practice_pending.prompt_id = excluded.prompt_id"
            " THEN practice_pending.kept_text END,"
            " kept_channel = CASE WHEN practice_pending.prompt_id = excluded.prompt_id"
            " THEN practice_pending.kept_channel END,"
            " kept_at = CASE WHEN practice_pending.prompt_id = excluded.prompt_id"
            " THEN practice_pending.kept_at END",
            (platform, user_id, prompt_id, shown_at.isoformat()),
        )

    async def practice_pending(self, *, platform: str, user_id: str) -> str | None:
        row = await self._db.one(
            "SELECT prompt_id FROM practice_pending WHERE platform = ? AND user_id = ?",
            (platform, user_id),
        )
        return str(row[0]) if row else None

    async def record_practice_answer(
        self, write: PracticeWrite, *, kept_at: datetime | None = None
    ) -> bool:
        """Store a practice answer, its card (None: the card stays as it was) and close the
        pending prompt, in one transaction. With `kept_at`, only while the answer kept then
        still waits: False, nothing stored, when another process graded it, or the member
        answered again, first (the pending row is the one claim both write through)."""
        platform, graded = write.platform, write.graded
        async with self._db.transaction() as db:
            if kept_at is None:
                await db.fetch(
                    "DELETE FROM practice_pending WHERE platform = ? AND user_id = ?",
                    (platform, graded.user_id),
                )
            elif not await db.fetch(
                "DELETE FROM practice_pending WHERE platform = ? AND user_id = ?"
                " AND kept_at = ? RETURNING 1",
                (platform, graded.user_id, kept_at.isoformat()),
            ):
                return False
            await db.fetch(
                f"INSERT INTO practice_answers (platform, rating, {GRADED_COLUMNS})"
                f" VALUES (?,?,{GRADED_PLACEHOLDERS})",
                (platform, write.rating, *graded_values(graded)),
            )
            if write.card is not None:
                await _save_card(db, write.card)
        return True

    async def keep_practice_answer(self, kept: KeptPractice) -> None:
        await self._db.write(
            "UPDATE practice_pending SET kept_text = ?, kept_channel = ?, kept_at = ?"
            " WHERE platform = ? AND user_id = ? AND prompt_id = ?",
            (
                kept.text,
                kept.channel_id,
                kept.kept_at.isoformat(),
                kept.platform,
                kept.user_id,
                kept.prompt_id,
            ),
        )

    async def kept_practice_answers(self, *, platform: str, limit: int) -> list[KeptPractice]:
        rows = await self._db.fetch(
            "SELECT user_id, kept_channel, prompt_id, kept_text, kept_at FROM practice_pending"
            " WHERE platform = ? AND kept_text IS NOT NULL ORDER BY kept_at LIMIT ?",
            (platform, limit),
        )
        return [
            KeptPractice(
                platform=platform,
                user_id=row["user_id"],
                channel_id=row["kept_channel"],
                prompt_id=row["prompt_id"],
                text=row["kept_text"],
                kept_at=datetime.fromisoformat(row["kept_at"]),
            )
            for row in rows
        ]

    async def practice_answers(self, *, platform: str, user_id: str) -> list[PracticeAnswerRow]:
        rows = await self._db.fetch(
            "SELECT prompt_id, score, rating, answered_at FROM practice_answers"
            " WHERE platform = ? AND user_id = ? ORDER BY id",
            (platform, user_id),
        )
        return [
            PracticeAnswerRow(
                prompt_id=row["prompt_id"],
                score=row["score"],
                rating=row["rating"],
                answered_at=datetime.fromisoformat(row["answered_at"]),
            )
            for row in rows
        ]

    async def member_scores(self, *, platform: str, user_id: str) -> list[tuple[str, int]]:
        """(prompt id, score) of every answer a member gave on the platform, in any channel or in
        practice: what their weakest topics are computed from."""
        rows = await self._db.fetch(
            "SELECT prompt_id, score FROM answers WHERE platform = ? AND user_id = ?"
            " UNION ALL SELECT prompt_id, score FROM practice_answers"
            " WHERE platform = ? AND user_id = ?",
            (platform, user_id, platform, user_id),
        )
        return [(str(row[0]), int(row[1])) for row in rows]
