"""The `answer_sharing` table: each member's consent, per channel, to have their best answers
shown there (`/quiz share on|off`), and the reads that show only a consenting member's answer.
The only writer of that table."""

from __future__ import annotations

from datetime import datetime

from bot.core.models import SharedAnswer
from bot.storage.database import Table


class SharingTable(Table):
    """`bot.core.quiz.sharing.SharingStore`, and the reports' `SharedAnswers`."""

    async def set_sharing(
        self, *, platform: str, channel_id: str, user_id: str, shared: bool, at: datetime
    ) -> None:
        await self._db.write(
            "INSERT INTO answer_sharing (platform, channel_id, user_id, shared, changed_at)"
            " VALUES (?,?,?,?,?) ON CONFLICT (platform, channel_id, user_id)"
            " DO UPDATE SET shared = excluded.shared, changed_at = excluded.changed_at,"
            " changes = answer_sharing.changes + 1",
            (platform, channel_id, user_id, int(shared), at.isoformat()),
        )

    async def sharing(self, *, platform: str, channel_id: str, user_id: str) -> bool:
        row = await self._db.one(
            "SELECT shared FROM answer_sharing WHERE platform = ? AND channel_id = ?"
            " AND user_id = ?",
            (platform, channel_id, user_id),
        )
        return row is not None and bool(row[0])

    async def best_shared_answer(self, *, post_id: int, prompt_id: str) -> SharedAnswer | None:
        """The top-scoring answer to `prompt_id` in the post from a member who shares their
        answers in its channel now (the earlier one on a tie); None when no such member
        answered. Consent is read at the time of asking, so switching off hides past answers."""
        row = await self._db.one(
            "SELECT a.user_id, COALESCE(u.display_name, a.user_id) AS name, a.score, a.text"
            " FROM answers a JOIN posts p ON p.id = a.post_id"
            " JOIN answer_sharing s ON s.platform = p.platform AND s.channel_id = p.channel_id"
            "  AND s.user_id = a.user_id AND s.shared = 1"
            " LEFT JOIN users u ON u.platform = p.platform AND u.user_id = a.user_id"
            " WHERE a.post_id = ? AND a.prompt_id = ?"
            " ORDER BY a.score DESC, a.id LIMIT 1",
            (post_id, prompt_id),
        )
        if row is None:
            return None
        return SharedAnswer(
            user_id=row["user_id"], name=row["name"], score=int(row["score"]), text=row["text"]
        )
