"""The `model_answers` table: an open question's model answer, saved before the answers it
grades, and the one transaction that finishes it. The only writer of that table.

Saving claims the question (one row per question: a second save is refused, so of concurrent
saves one wins). Finishing writes, all at once or not at all: the graded answers (each kept
answer still there moved into `answers`, its member's notice queued), the question stored ready
in `team_questions`, the answers kept for it elsewhere handed to the retry round (kind `kept`),
and the row marked graded. Until then the question is still open, and whoever finishes later (a
start, the bot's next tick) grades against the saved text; a finish that finds the row graded
already writes nothing, so every kept answer is graded and told once.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.core.models import AnswerWrite, ModelAnswer, OpenGrade, QuestionEdit
from bot.storage import notices
from bot.storage.answers import answer_write
from bot.storage.database import Table
from bot.storage.drivers import Row
from bot.storage.team_questions import store_ready
from content.schema import Prompt


class ForeignQuestionError(Exception):
    """The question is another channel's: nothing was written."""


def _model_answer(row: Row) -> ModelAnswer:
    return ModelAnswer(
        prompt=Prompt.model_validate_json(row["body"], context={"rules": "team"}),
        platform=row["platform"],
        channel_id=row["channel_id"],
        lang=row["lang"],
        written_by=row["written_by"],
        written_at=datetime.fromisoformat(row["written_at"]),
    )


class ModelAnswerTable(Table):
    """`bot.core.quiz.open_answers.ModelAnswerStore`."""

    async def claim(self, answer: ModelAnswer) -> bool:
        """Save the model answer of its question; False, nothing saved, when one is saved for
        that question already (another admin's, graded or not)."""
        saved = await self._db.write(
            "INSERT INTO model_answers (prompt_id, platform, channel_id, lang, body, written_by,"
            " written_at) VALUES (?,?,?,?,?,?,?) ON CONFLICT (prompt_id) DO NOTHING RETURNING 1",
            (
                answer.prompt.id,
                answer.platform,
                answer.channel_id,
                answer.lang,
                answer.prompt.model_dump_json(),
                answer.written_by,
                answer.written_at.isoformat(),
            ),
        )
        return bool(saved)

    async def waiting(self, *, prompt_id: str) -> ModelAnswer | None:
        """The question's model answer while its kept answers wait to be graded."""
        row = await self._db.one(
            "SELECT * FROM model_answers WHERE prompt_id = ? AND graded_at IS NULL", (prompt_id,)
        )
        return None if row is None else _model_answer(row)

    async def unfinished(self, *, saved_before: datetime) -> list[ModelAnswer]:
        """The model answers saved by `saved_before` whose kept answers are not graded yet,
        oldest first."""
        rows = await self._db.fetch(
            "SELECT * FROM model_answers WHERE graded_at IS NULL AND written_at <= ?"
            " ORDER BY written_at, prompt_id",
            (saved_before.isoformat(),),
        )
        return [_model_answer(row) for row in rows]

    async def finish(
        self, answer: ModelAnswer, graded: Sequence[OpenGrade], *, at: datetime
    ) -> int | None:
        """Store `graded` with their notices and the question ready, in one transaction (see
        the module); how many answers were graded here. None, nothing written: the model answer
        was finished already (by another process, or an earlier try). Raises
        ForeignQuestionError when another channel stored a question of its id."""
        prompt_id = answer.prompt.id
        async with self._db.transaction() as db:
            claimed = await db.fetch(
                "UPDATE model_answers SET graded_at = ? WHERE prompt_id = ? AND graded_at IS NULL"
                " RETURNING prompt_id",
                (at.isoformat(), prompt_id),
            )
            if not claimed:
                return None
            told = 0
            for grade in graded:
                moved = await db.fetch(
                    "DELETE FROM pending_answers WHERE id = ? AND kind = 'open' RETURNING id",
                    (grade.pending_id,),
                )
                if not moved:
                    continue
                await db.fetch(
                    *answer_write(AnswerWrite(post=grade.post, graded=grade.graded, next_step=1))
                )
                await notices.queue(db, platform=answer.platform, reply=grade.notice, queued_at=at)
                told += 1
            ready = await store_ready(
                db,
                answer.prompt,
                QuestionEdit(
                    platform=answer.platform,
                    channel_id=answer.channel_id,
                    edited_by=answer.written_by,
                    at=at,
                ),
            )
            if not ready:
                raise ForeignQuestionError(prompt_id)
            await db.fetch(
                "UPDATE pending_answers SET kind = 'kept' WHERE prompt_id = ? AND kind = 'open'",
                (prompt_id,),
            )
        return told
