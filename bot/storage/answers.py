"""The answer tables: graded answers (`answers`, written through the `answer_writes` view whose
trigger also moves the member on and saves their card), answers waiting for a grade
(`pending_answers`, of two kinds: `kept` while the embedding server was down, for the retry
round; `open`, to an open question, for its model answer), and each member's step, skips and
hints in a post (`progress`, `skips`, `hints`). The only writer of those tables, but for the
model answer's transaction (`bot.storage.model_answers`), which writes through `answer_write`."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.core.messages import Reply
from bot.core.models import (
    AnswerRow,
    AnswerWrite,
    GradedText,
    MemberProgress,
    PendingAnswer,
    PostRow,
    PracticeCardRow,
)
from bot.storage import notices
from bot.storage.database import Table
from bot.storage.drivers import Driver, Row, is_duplicate
from bot.storage.records import (
    GRADED_COLUMNS,
    GRADED_PLACEHOLDERS,
    graded_text,
    graded_values,
    stored_grade,
)


def _answer(row: Row) -> AnswerRow:
    return AnswerRow(
        post_id=row["post_id"],
        user_id=row["user_id"],
        prompt_id=row["prompt_id"],
        **stored_grade(row),
    )


def _pending(row: Row) -> PendingAnswer:
    return PendingAnswer(
        id=row["id"],
        post_id=row["post_id"],
        platform=row["platform"],
        channel_id=row["channel_id"],
        user_id=row["user_id"],
        prompt_id=row["prompt_id"],
        message_id=row["message_id"],
        thread_id=row["thread_id"],
        text=row["text"],
        cap=row["cap"],
        revealed=bool(row["revealed"]),
        received_at=datetime.fromisoformat(row["received_at"]),
    )


async def rescore(db: Driver, *, answer_id: int, score: int, verdict: str) -> None:
    """Give an answer its corrected score, inside the caller's transaction (a resolved appeal)."""
    await db.fetch(
        "UPDATE answers SET score = ?, verdict = ? WHERE id = ?", (score, verdict, answer_id)
    )


async def _set_step(db: Driver, post_id: int, user_id: str, step: int) -> None:
    await db.fetch(
        "INSERT INTO progress (post_id, user_id, step) VALUES (?,?,?)"
        " ON CONFLICT (post_id, user_id) DO UPDATE SET step = excluded.step",
        (post_id, user_id, step),
    )


def answer_write(write: AnswerWrite) -> tuple[str, tuple[object, ...]]:
    """The one statement that stores a graded answer, the member's next step and the card.

    `answer_writes` is a view that holds no rows: its INSTEAD OF INSERT trigger runs, in the
    statement's own transaction, what would otherwise be three statements here:
    - `INSERT INTO answers` with the graded columns (a message answered before breaks its
      unique key, so nothing at all is written: `record_answer` returns False);
    - `INSERT INTO progress ... ON CONFLICT (post_id, user_id) DO UPDATE SET step` = next_step;
    - where `card` is given, `INSERT INTO practice_cards ... ON CONFLICT DO UPDATE`, the card it
      replaces kept as `previous_card` (for an appeal); without one the card stays as it was.
    The trigger is written once per dialect, from the same SQL text, in the Alembic revision
    `alembic/versions/v0007_appeals.py` (`SQLITE`: a trigger; `POSTGRES`: a PL/pgSQL trigger
    function). tests/bot/test_answer_write.py checks it on both."""
    post, graded, card = write.post, write.graded, write.card
    if card is not None and (card.platform, card.user_id, card.prompt_id, card.score) != (
        post.platform,
        graded.user_id,
        graded.prompt_id,
        graded.score,
    ):
        raise ValueError("a card saved with an answer is that answer's member, prompt, score")
    return (
        f"INSERT INTO answer_writes (post_id, platform, day, {GRADED_COLUMNS},"
        f" next_step, card, card_updated_at) VALUES (?,?,?,{GRADED_PLACEHOLDERS},?,?,?)",
        (
            post.id,
            post.platform,
            post.day.isoformat(),
            *graded_values(graded),
            write.next_step,
            None if card is None else card.card,
            None if card is None else card.updated_at.isoformat(),
        ),
    )


class AnswerTable(Table):
    """`bot.core.ports.AnswerStore`."""

    async def record_answer(self, write: AnswerWrite) -> bool:
        """Store the graded answer, move the member on and save the reviewed practice card
        (None: it stays as it was), in one statement and so one transaction (the
        `answer_writes` view's trigger writes the three tables). False, and nothing written:
        this message's answer is stored already (by a replica that took the message over while
        this one, slowed down, still graded it)."""
        try:
            await self._db.write(*answer_write(write))
        except Exception as exc:
            if not is_duplicate(exc):
                raise
            return False
        return True

    async def answer_to_message(
        self, *, platform: str, message_id: str
    ) -> tuple[int, GradedText] | None:
        """The post id and the stored graded answer of a platform message, if it was stored."""
        row = await self._db.one(
            f"SELECT post_id, {GRADED_COLUMNS} FROM answers WHERE platform = ? AND message_id = ?",
            (platform, message_id),
        )
        if row is None:
            return None
        return row["post_id"], graded_text(row)

    async def add_pending_answer(self, pending: PendingAnswer) -> None:
        """Keep an answer that could not be graded now (kind `kept`: the retry round grades
        it); a redelivered message adds nothing."""
        await self._keep(pending, "'kept'")

    async def add_open_answer(self, pending: PendingAnswer) -> None:
        """Keep an answer to an open question (kind `open`: its model answer grades it); a
        redelivered message adds nothing. A bot whose bank has not yet taken the question as
        ready keeps an answer to it as open after its model answer was graded in: that one is
        kept for the retry round (kind `kept`), which grades it against the ready question."""
        await self._keep(
            pending,
            "CASE WHEN EXISTS (SELECT 1 FROM model_answers WHERE prompt_id = ?"
            " AND graded_at IS NOT NULL) THEN 'kept' ELSE 'open' END",
            (pending.prompt_id,),
        )

    async def _keep(
        self, pending: PendingAnswer, kind: str, kind_params: tuple[object, ...] = ()
    ) -> None:
        """`kind`: the SQL of the kind column's value (with `kind_params`)."""
        await self._db.write(
            "INSERT INTO pending_answers (post_id, platform, channel_id, user_id, prompt_id,"
            " message_id, thread_id, text, cap, revealed, received_at, kind)"
            f" VALUES (?,?,?,?,?,?,?,?,?,?,?,{kind}) ON CONFLICT DO NOTHING",
            (
                pending.post_id,
                pending.platform,
                pending.channel_id,
                pending.user_id,
                pending.prompt_id,
                pending.message_id,
                pending.thread_id,
                pending.text,
                pending.cap,
                int(pending.revealed),
                pending.received_at.isoformat(),
                *kind_params,
            ),
        )

    async def pending_answers(
        self, *, platform: str, limit: int, skip_prompts: Sequence[str] = ()
    ) -> list[PendingAnswer]:
        """The oldest answers on a platform for the retry round: those kept while grading was
        down (kind `kept`), and any open question's answer whose model answer is graded in (one
        kept as its grading committed), but those to the `skip_prompts` (questions still open
        in the caller's bank: a row kept before the kinds were stored may wait for a model
        answer, not for the server)."""
        skip = sorted(set(skip_prompts))
        unless = f" AND prompt_id NOT IN ({','.join('?' * len(skip))})" if skip else ""
        rows = await self._db.fetch(
            "SELECT * FROM pending_answers WHERE platform = ? AND (kind = 'kept' OR prompt_id IN"
            " (SELECT prompt_id FROM model_answers WHERE graded_at IS NOT NULL))"
            f"{unless} ORDER BY id LIMIT ?",
            (platform, *skip, limit),
        )
        return [_pending(row) for row in rows]

    async def kept_counts(self) -> dict[str, int]:
        """How many answers are kept for each open question, every channel together
        (`quizmaster content check` shows them beside each open question)."""
        rows = await self._db.fetch(
            "SELECT prompt_id, COUNT(*) FROM pending_answers WHERE kind = 'open' GROUP BY prompt_id"
        )
        return {str(row[0]): int(row[1]) for row in rows}

    async def open_answers(
        self, *, platform: str, channel_id: str, prompt_id: str
    ) -> list[PendingAnswer]:
        """The answers kept for an open question in one channel (kind `open`), oldest first."""
        rows = await self._db.fetch(
            "SELECT * FROM pending_answers WHERE platform = ? AND channel_id = ?"
            " AND prompt_id = ? AND kind = 'open' ORDER BY id",
            (platform, channel_id, prompt_id),
        )
        return [_pending(row) for row in rows]

    async def record_pending_answer(
        self,
        write: AnswerWrite,
        *,
        pending_id: int,
        notice: Reply | None = None,
        noticed_at: datetime | None = None,
    ) -> bool:
        """Move a pending answer into `answers` with its grade, step and card, and queue the
        member's `notice` (at `noticed_at`) when there is one, in one transaction. False when
        another process (or an earlier round) got there first: nothing is written twice."""
        async with self._db.transaction() as db:
            claimed = await db.fetch(
                "DELETE FROM pending_answers WHERE id = ? RETURNING id", (pending_id,)
            )
            if not claimed:
                return False
            await db.fetch(*answer_write(write))
            if notice is not None:
                await notices.queue(
                    db,
                    platform=write.post.platform,
                    reply=notice,
                    queued_at=noticed_at or write.graded.answered_at,
                )
        return True

    async def answers_for(self, *, post_id: int, user_id: str) -> list[AnswerRow]:
        rows = await self._db.fetch(
            "SELECT * FROM answers WHERE post_id = ? AND user_id = ? ORDER BY id",
            (post_id, user_id),
        )
        return [_answer(row) for row in rows]

    async def channel_answers(self, *, platform: str, channel_id: str) -> list[AnswerRow]:
        rows = await self._db.fetch(
            "SELECT a.* FROM answers a JOIN posts p ON p.id = a.post_id"
            " WHERE p.platform = ? AND p.channel_id = ? ORDER BY a.id",
            (platform, channel_id),
        )
        return [_answer(row) for row in rows]

    async def user_answers(
        self, *, platform: str, channel_id: str, user_id: str
    ) -> list[AnswerRow]:
        rows = await self._db.fetch(
            "SELECT a.* FROM answers a JOIN posts p ON p.id = a.post_id"
            " WHERE p.platform = ? AND p.channel_id = ? AND a.user_id = ? ORDER BY a.id",
            (platform, channel_id, user_id),
        )
        return [_answer(row) for row in rows]

    async def latest_channel(self, *, platform: str, user_id: str) -> str | None:
        row = await self._db.one(
            "SELECT p.channel_id FROM answers a JOIN posts p ON p.id = a.post_id"
            " WHERE a.platform = ? AND a.user_id = ? ORDER BY a.id DESC LIMIT 1",
            (platform, user_id),
        )
        return None if row is None else str(row[0])

    async def member_progress(
        self, post: PostRow, *, user_id: str, prompt_ids: Sequence[str]
    ) -> MemberProgress:
        """The member's step, best scores, hints and practice cards (for `prompt_ids`, the
        post's prompts) in a post, in one read: every answer needs all four."""
        marks = ",".join("?" * len(prompt_ids))
        rows = await self._db.fetch(
            "SELECT 'step' AS kind, NULL AS prompt_id, step AS value, NULL AS card,"
            " NULL AS updated_at FROM progress WHERE post_id = ? AND user_id = ?"
            " UNION ALL SELECT 'best', prompt_id, MAX(score), NULL, NULL FROM answers"
            " WHERE post_id = ? AND user_id = ? GROUP BY prompt_id"
            " UNION ALL SELECT 'hint', prompt_id, NULL, NULL, NULL FROM hints"
            " WHERE post_id = ? AND user_id = ?"
            " UNION ALL SELECT 'card', prompt_id, score, card, updated_at FROM practice_cards"
            f" WHERE platform = ? AND user_id = ? AND prompt_id IN ({marks})",
            (*(post.id, user_id) * 3, post.platform, user_id, *prompt_ids),
        )
        return MemberProgress(
            step=next((int(row["value"]) for row in rows if row["kind"] == "step"), 0),
            best={row["prompt_id"]: int(row["value"]) for row in rows if row["kind"] == "best"},
            hinted=frozenset(row["prompt_id"] for row in rows if row["kind"] == "hint"),
            cards={
                row["prompt_id"]: PracticeCardRow(
                    platform=post.platform,
                    user_id=user_id,
                    prompt_id=row["prompt_id"],
                    card=row["card"],
                    score=int(row["value"]),
                    updated_at=datetime.fromisoformat(row["updated_at"]),
                )
                for row in rows
                if row["kind"] == "card"
            },
        )

    async def set_step(self, *, post_id: int, user_id: str, step: int) -> None:
        async with self._db.transaction() as db:
            await _set_step(db, post_id, user_id, step)

    async def skip(self, *, post_id: int, user_id: str, prompt_id: str, next_step: int) -> None:
        async with self._db.transaction() as db:
            await db.fetch(
                "INSERT INTO skips (post_id, user_id, prompt_id) VALUES (?,?,?)"
                " ON CONFLICT DO NOTHING",
                (post_id, user_id, prompt_id),
            )
            await _set_step(db, post_id, user_id, next_step)

    async def add_hint(
        self, *, post_id: int, user_id: str, prompt_id: str, concept_id: str
    ) -> None:
        await self._db.write(
            "INSERT INTO hints (post_id, user_id, prompt_id, concept_id) VALUES (?,?,?,?)"
            " ON CONFLICT (post_id, user_id, prompt_id)"
            " DO UPDATE SET concept_id = excluded.concept_id",
            (post_id, user_id, prompt_id, concept_id),
        )
