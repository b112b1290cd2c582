"""The only module that speaks SQL, on SQLite (aiosqlite, WAL) or PostgreSQL (asyncpg) with the
same statements: foreign keys, migrations at start (`bot.storage.schema`), and every write in
one transaction. `Repository` implements the core's storage ports (`bot.core.ports`); its
mappers turn the stored text into the core's types and back (days as ISO dates, instants as ISO
timestamps, exactly as they have always been stored, on either database)."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import date, datetime
from pathlib import Path
from typing import TypedDict

from bot.core.messages import Reply, ReplyKind
from bot.core.models import (
    AnswerRow,
    AppealCounts,
    AppealRow,
    BoardRow,
    ChannelRow,
    DaySummary,
    GradedAnswer,
    GradedText,
    MemberProgress,
    PendingAnswer,
    PostRow,
    PracticeAnswerRow,
    PracticeCardRow,
    ReplicaRow,
    UnfinishedClaim,
)
from bot.storage import head_schema, schema
from bot.storage.drivers import (
    Driver,
    PostgresDriver,
    PostgresPool,
    Row,
    SqliteDriver,
    is_duplicate,
)
from content.schema import Lang

log = logging.getLogger("quizmaster.storage")

BUSY_TIMEOUT_MS = 5000


latest_schema_version = schema.latest_schema_version


def _lang(stored: str) -> Lang:
    """A channel's language as stored (the table's CHECK allows only these two)."""
    if stored == "ko":
        return "ko"
    if stored == "en":
        return "en"
    raise ValueError(f"unknown channel language {stored!r}")


def _post(row: Row) -> PostRow:
    return PostRow(
        id=row["id"],
        platform=row["platform"],
        channel_id=row["channel_id"],
        day=date.fromisoformat(row["day"]),
        prompt_id=row["prompt_id"],
        scheduled=bool(row["scheduled"]),
        message_id=row["message_id"],
        thread_id=row["thread_id"],
        revealed=bool(row["revealed"]),
        posted_at=datetime.fromisoformat(row["posted_at"]),
    )


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
    )


class ConceptLists(TypedDict):
    covered: tuple[str, ...]
    missed: tuple[str, ...]


def concept_lists(row: Row) -> ConceptLists:
    """An answer row's covered and missed concept ids, stored as JSON lists; every reader of
    the answer tables decodes them here."""
    return {
        "covered": tuple(json.loads(row["covered"])),
        "missed": tuple(json.loads(row["missed"])),
    }


def _answer(row: Row) -> AnswerRow:
    return AnswerRow(
        post_id=row["post_id"],
        user_id=row["user_id"],
        prompt_id=row["prompt_id"],
        score=row["score"],
        verdict=row["verdict"],
        **concept_lists(row),
        day=date.fromisoformat(row["day"]),
        answered_at=datetime.fromisoformat(row["answered_at"]),
    )


_GRADED_COLUMNS = (
    "user_id, prompt_id, message_id, text, score, verdict, covered, missed, flags, answered_at"
)
_GRADED_PLACEHOLDERS = ",".join("?" * len(_GRADED_COLUMNS.split(",")))


def _graded_values(graded: GradedText) -> tuple[object, ...]:
    """`_GRADED_COLUMNS`' values, concept ids and flags as JSON lists."""
    return (
        graded.user_id,
        graded.prompt_id,
        graded.message_id,
        graded.text,
        graded.score,
        graded.verdict,
        json.dumps(list(graded.covered)),
        json.dumps(list(graded.missed)),
        json.dumps(list(graded.flags)),
        graded.answered_at.isoformat(),
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


def _graded_answer(row: Row) -> GradedAnswer:
    return GradedAnswer(
        id=row["id"],
        post_id=row["post_id"],
        platform=row["platform"],
        channel_id=row["channel_id"],
        thread_id=row["thread_id"],
        user_id=row["user_id"],
        prompt_id=row["prompt_id"],
        text=row["text"],
        score=row["score"],
        **concept_lists(row),
        answered_at=datetime.fromisoformat(row["answered_at"]),
    )


def _graded_text(row: Row) -> GradedText:
    """The inverse of `_graded_values`."""
    return GradedText(
        user_id=row["user_id"],
        prompt_id=row["prompt_id"],
        message_id=row["message_id"],
        text=row["text"],
        score=row["score"],
        verdict=row["verdict"],
        **concept_lists(row),
        flags=tuple(json.loads(row["flags"])),
        answered_at=datetime.fromisoformat(row["answered_at"]),
    )


def _notice_values(platform: str, reply: Reply, queued_at: datetime) -> tuple[object, ...]:
    return (
        platform,
        reply.channel_id,
        reply.thread_id,
        reply.user_id or "",
        reply.text,
        queued_at.isoformat(),
    )


def _appeal(row: Row) -> AppealRow:
    """An appeal from `Repository._APPEAL_SELECT` (the answer's columns beside the appeal's)."""
    resolved_at = row["resolved_at"]
    return AppealRow(
        id=row["appeal_id"],
        answer=_graded_answer(row),
        reason=row["reason"],
        old_score=row["old_score"],
        opened_at=datetime.fromisoformat(row["opened_at"]),
        final_score=row["final_score"],
        note=row["note"],
        resolved_by=row["resolved_by"],
        resolved_at=None if resolved_at is None else datetime.fromisoformat(resolved_at),
    )


def _replica(row: Row) -> ReplicaRow:
    return ReplicaRow(
        id=row["id"],
        platform=row["platform"],
        host=row["host"],
        pid=row["pid"],
        started_at=datetime.fromisoformat(row["started_at"]),
        seen_at=datetime.fromisoformat(row["seen_at"]),
    )


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


class Repository:
    """One connection per process; a lock serialises transactions so they never interleave."""

    def __init__(self, driver: Driver, target: Path | str) -> None:
        self._db = driver
        self._target = target

    @classmethod
    async def open(cls, target: Path | str, *, pool_size: int = 1) -> Repository:
        """The database at `target` (`Settings.db`: a SQLite path or a PostgreSQL URL),
        migrated to the latest schema. `pool_size`: PostgreSQL connections (SQLite has one)."""
        driver = await open_driver(target, pool_size=pool_size)
        repo = cls(driver, target)
        try:
            if await head_schema.create_at_head(driver):
                log.info("created the database at schema version %d", latest_schema_version())
            elif await schema.alembic_version(driver) != latest_schema_version():
                await repo.migrate()
        except BaseException:
            await driver.close()
            raise
        return repo

    @property
    def dialect(self) -> str:
        """ "sqlite" or "postgresql"."""
        return self._db.dialect

    async def close(self) -> None:
        await self._db.close()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Driver]:
        """A transaction that holds the write lock from the start (SQLite's BEGIN IMMEDIATE), so
        a busy database waits instead of failing half-way."""
        async with self._db.transaction() as db:
            yield db

    async def fetch(self, sql: str, params: tuple[object, ...] = ()) -> list[Row]:
        """Every row of a statement, in one trip to the database. Public for the storage
        package's other stores (web pages, team questions, Slack installations), which share
        this database and its connections."""
        return await self._db.fetch(sql, params)

    async def _one(self, sql: str, params: tuple[object, ...] = ()) -> Row | None:
        """The first row of a read, or None."""
        rows = await self.fetch(sql, params)
        return rows[0] if rows else None

    async def write(self, sql: str, params: tuple[object, ...] = ()) -> list[Row]:
        """One statement, which the database runs as its own transaction (SQLite waits out a
        busy file, as BEGIN IMMEDIATE does), in one trip; the lock keeps it out of another
        coroutine's open transaction. Returns what a RETURNING clause gives back."""
        return await self._db.write(sql, params)

    async def schema_version(self) -> int:
        return await schema.schema_version(self._db)

    async def migrate(self) -> int:
        """Apply pending migrations in order; re-running is a no-op."""
        before = await self.schema_version()
        await schema.migrate(self._target)
        current = await self.schema_version()
        if current != before:
            log.info("migrated database from version %d to %d", before, current)
        return current

    # channels -------------------------------------------------------------------------------

    async def ensure_channel(self, defaults: ChannelRow, *, created_at: datetime) -> ChannelRow:
        """The channel's row, inserted from `defaults` the first time. Read first: every message
        passes here, and a write transaction per message would halve ingest throughput."""
        existing = await self.channel(platform=defaults.platform, channel_id=defaults.channel_id)
        if existing is not None:
            return existing
        await self.write(
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
        row = await self._one(
            "SELECT * FROM channels WHERE platform = ? AND channel_id = ?", (platform, channel_id)
        )
        return _channel(row) if row else None

    async def channels(self, *, platform: str) -> list[ChannelRow]:
        rows = await self.fetch(
            "SELECT * FROM channels WHERE platform = ? ORDER BY channel_id", (platform,)
        )
        return [_channel(row) for row in rows]

    async def update_schedule(
        self, *, platform: str, channel_id: str, post_time: str, timezone: str, days: str
    ) -> None:
        await self.write(
            "UPDATE channels SET post_time = ?, timezone = ?, days = ?"
            " WHERE platform = ? AND channel_id = ?",
            (post_time, timezone, days, platform, channel_id),
        )

    async def update_lang(self, *, platform: str, channel_id: str, lang: Lang) -> None:
        await self.write(
            "UPDATE channels SET lang = ? WHERE platform = ? AND channel_id = ?",
            (lang, platform, channel_id),
        )

    async def set_checked_until(self, *, platform: str, channel_id: str, instant: datetime) -> None:
        await self.write(
            "UPDATE channels SET checked_until = ? WHERE platform = ? AND channel_id = ?",
            (instant.isoformat(), platform, channel_id),
        )

    # posts ----------------------------------------------------------------------------------

    async def claim_post(
        self,
        *,
        platform: str,
        channel_id: str,
        day: date,
        prompt_id: str,
        scheduled: bool,
        posted_at: datetime,
        replica_id: str | None = None,
    ) -> PostRow | None:
        """Reserve a post before sending it (for `replica_id`, which sends it). None: this
        scheduled channel-day was already taken (by this process earlier, another process, or
        a run before a crash)."""
        rows = await self.write(
            "INSERT INTO posts (platform, channel_id, day, prompt_id, scheduled, posted_at,"
            " replica_id) VALUES (?,?,?,?,?,?,?) ON CONFLICT DO NOTHING RETURNING *",
            (
                platform,
                channel_id,
                day.isoformat(),
                prompt_id,
                int(scheduled),
                posted_at.isoformat(),
                replica_id,
            ),
        )
        return _post(rows[0]) if rows else None

    async def unsent_posts(self, *, platform: str, alive_since: datetime) -> list[PostRow]:
        """Posts claimed and never sent (no message id) by replicas not heard from since
        `alive_since`."""
        rows = await self.fetch(
            "SELECT * FROM posts p WHERE p.platform = ? AND p.message_id IS NULL"
            " AND p.replica_id IS NOT NULL AND NOT EXISTS"
            " (SELECT 1 FROM replicas r WHERE r.id = p.replica_id AND r.seen_at >= ?)"
            " ORDER BY p.id",
            (platform, alive_since.isoformat()),
        )
        return [_post(row) for row in rows]

    async def take_over_post(
        self, post: PostRow, *, replica_id: str, alive_since: datetime
    ) -> bool:
        """Move an unsent post's claim to `replica_id` while its replica is still silent; False
        when another (live) replica took it first."""
        moved = await self.write(
            "UPDATE posts SET replica_id = ? WHERE id = ? AND message_id IS NULL AND NOT EXISTS"
            " (SELECT 1 FROM replicas r WHERE r.id = posts.replica_id AND r.seen_at >= ?)"
            " RETURNING 1",
            (replica_id, post.id, alive_since.isoformat()),
        )
        return bool(moved)

    async def set_post_location(
        self, *, post_id: int, message_id: str, thread_id: str | None
    ) -> None:
        await self.write(
            "UPDATE posts SET message_id = ?, thread_id = ? WHERE id = ?",
            (message_id, thread_id, post_id),
        )

    async def mark_revealed(self, *, post_id: int) -> None:
        await self.write("UPDATE posts SET revealed = 1 WHERE id = ?", (post_id,))

    async def post_for_thread(
        self, *, platform: str, channel_id: str, thread_id: str
    ) -> PostRow | None:
        row = await self._one(
            "SELECT * FROM posts WHERE platform = ? AND channel_id = ?"
            " AND (thread_id = ? OR message_id = ?) ORDER BY id DESC LIMIT 1",
            (platform, channel_id, thread_id, thread_id),
        )
        return _post(row) if row else None

    async def latest_post(self, *, platform: str, channel_id: str) -> PostRow | None:
        row = await self._one(
            "SELECT * FROM posts WHERE platform = ? AND channel_id = ? ORDER BY id DESC LIMIT 1",
            (platform, channel_id),
        )
        return _post(row) if row else None

    async def posts(self, *, platform: str, channel_id: str) -> list[PostRow]:
        rows = await self.fetch(
            "SELECT * FROM posts WHERE platform = ? AND channel_id = ? ORDER BY id",
            (platform, channel_id),
        )
        return [_post(row) for row in rows]

    # ingest and answers ---------------------------------------------------------------------

    async def claim_message(
        self,
        *,
        platform: str,
        message_id: str,
        received_at: datetime,
        user_id: str | None,
        display_name: str | None,
        replica_id: str | None = None,
        incoming: str | None = None,
    ) -> bool:
        """True the first time a platform message id is seen; a redelivery returns False. A new
        claim also keeps its sender's current display name (the `ingested_remembers_member`
        trigger), and `incoming` (the message, held until `finish_message`) with the claiming
        `replica_id`, in the same statement."""
        inserted = await self.write(
            "INSERT INTO ingested (platform, message_id, received_at, user_id, display_name,"
            " replica_id, incoming) VALUES (?,?,?,?,?,?,?) ON CONFLICT DO NOTHING RETURNING 1",
            (
                platform,
                message_id,
                received_at.isoformat(),
                user_id,
                display_name,
                replica_id,
                incoming,
            ),
        )
        return bool(inserted)

    async def release_post(self, *, post_id: int) -> None:
        await self.write("DELETE FROM posts WHERE id = ?", (post_id,))

    async def finish_message(self, *, platform: str, message_id: str) -> None:
        """The claimed message is handled (its replies are out): drop the copy it held."""
        await self.write(
            "UPDATE ingested SET incoming = NULL"
            " WHERE platform = ? AND message_id = ? AND incoming IS NOT NULL",
            (platform, message_id),
        )

    async def unfinished_claims(
        self, *, platform: str, alive_since: datetime, limit: int
    ) -> list[UnfinishedClaim]:
        """Claims still holding their message whose replica has not beaten since `alive_since`
        (killed, or gone without a clean stop), oldest first."""
        rows = await self.fetch(
            "SELECT message_id, replica_id, incoming FROM ingested i"
            " WHERE i.platform = ? AND i.incoming IS NOT NULL AND NOT EXISTS"
            " (SELECT 1 FROM replicas r WHERE r.id = i.replica_id AND r.seen_at >= ?)"
            " ORDER BY i.received_at LIMIT ?",
            (platform, alive_since.isoformat(), limit),
        )
        return [
            UnfinishedClaim(
                platform=platform,
                message_id=row["message_id"],
                replica_id=row["replica_id"],
                incoming=row["incoming"],
            )
            for row in rows
        ]

    async def take_over(self, claim: UnfinishedClaim, *, replica_id: str) -> bool:
        """Move an abandoned claim to `replica_id`; False when another replica took it first."""
        moved = await self.write(
            "UPDATE ingested SET replica_id = ? WHERE platform = ? AND message_id = ?"
            " AND replica_id = ? AND incoming IS NOT NULL RETURNING 1",
            (replica_id, claim.platform, claim.message_id, claim.replica_id),
        )
        return bool(moved)

    async def answer_to_message(
        self, *, platform: str, message_id: str
    ) -> tuple[int, GradedText] | None:
        """The post id and the stored graded answer of a platform message, if it was stored."""
        row = await self._one(
            f"SELECT post_id, {_GRADED_COLUMNS} FROM answers WHERE platform = ? AND message_id = ?",
            (platform, message_id),
        )
        if row is None:
            return None
        return row["post_id"], _graded_text(row)

    async def release_message(self, *, platform: str, message_id: str) -> None:
        """Forget a claim whose handling failed, so the platform's retry can succeed."""
        await self.write(
            "DELETE FROM ingested WHERE platform = ? AND message_id = ?",
            (platform, message_id),
        )

    async def remember_user(self, *, platform: str, user_id: str, display_name: str) -> None:
        """Keep the member's current display name, for a message without an id to claim;
        writes only when it is new or changed."""
        row = await self._one(
            "SELECT display_name FROM users WHERE platform = ? AND user_id = ?",
            (platform, user_id),
        )
        if row is not None and row[0] == display_name:
            return
        await self.write(
            "INSERT INTO users (platform, user_id, display_name) VALUES (?,?,?)"
            " ON CONFLICT (platform, user_id) DO UPDATE SET display_name = excluded.display_name",
            (platform, user_id, display_name),
        )

    async def ensure_member(self, *, platform: str, user_id: str, display_name: str) -> None:
        """The member's row, with `display_name` only if they had none."""
        await self.write(
            "INSERT INTO users (platform, user_id, display_name) VALUES (?,?,?)"
            " ON CONFLICT (platform, user_id) DO NOTHING",
            (platform, user_id, display_name),
        )

    async def user_by_name(self, *, platform: str, name: str) -> str | None:
        row = await self._one(
            "SELECT user_id FROM users WHERE platform = ? AND (display_name = ? OR user_id = ?)",
            (platform, name, name),
        )
        return str(row[0]) if row else None

    async def display_name(self, *, platform: str, user_id: str) -> str:
        row = await self._one(
            "SELECT display_name FROM users WHERE platform = ? AND user_id = ?",
            (platform, user_id),
        )
        return str(row[0]) if row else user_id

    async def record_answer(
        self,
        *,
        post: PostRow,
        graded: GradedText,
        next_step: int,
        card: PracticeCardRow | None = None,
    ) -> bool:
        """Store the graded answer, move the member on and save the reviewed practice card
        (None: it stays as it was), in one statement and so one transaction (the
        `answer_writes` view's trigger writes the three tables). False, and nothing written:
        this message's answer is stored already (by a replica that took the message over while
        this one, slowed down, still graded it)."""
        try:
            await self.write(*self._answer_write(post, graded, next_step, card))
        except Exception as exc:
            if not is_duplicate(exc):
                raise
            return False
        return True

    @staticmethod
    def _answer_write(
        post: PostRow, graded: GradedText, next_step: int, card: PracticeCardRow | None
    ) -> tuple[str, tuple[object, ...]]:
        """The one statement that stores a graded answer, the member's next step and the card."""
        if card is not None and (card.platform, card.user_id, card.prompt_id, card.score) != (
            post.platform,
            graded.user_id,
            graded.prompt_id,
            graded.score,
        ):
            raise ValueError("a card saved with an answer is that answer's member, prompt, score")
        return (
            f"INSERT INTO answer_writes (post_id, platform, day, {_GRADED_COLUMNS},"
            f" next_step, card, card_updated_at) VALUES (?,?,?,{_GRADED_PLACEHOLDERS},?,?,?)",
            (
                post.id,
                post.platform,
                post.day.isoformat(),
                *_graded_values(graded),
                next_step,
                None if card is None else card.card,
                None if card is None else card.updated_at.isoformat(),
            ),
        )

    async def add_pending_answer(self, pending: PendingAnswer) -> None:
        """Keep an answer that could not be graded now; a redelivered message adds nothing."""
        async with self.transaction() as db:
            await db.fetch(
                "INSERT INTO pending_answers (post_id, platform, channel_id, user_id, prompt_id,"
                " message_id, thread_id, text, cap, revealed, received_at)"
                " VALUES (?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT DO NOTHING",
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
                ),
            )

    async def pending_answers(self, *, platform: str, limit: int) -> list[PendingAnswer]:
        """The oldest answers still waiting for a grade on a platform."""
        rows = await self.fetch(
            "SELECT * FROM pending_answers WHERE platform = ? ORDER BY id LIMIT ?",
            (platform, limit),
        )
        return [_pending(row) for row in rows]

    async def record_pending_answer(
        self,
        *,
        pending_id: int,
        post: PostRow,
        graded: GradedText,
        next_step: int,
        card: PracticeCardRow | None = None,
    ) -> bool:
        """Move a pending answer into `answers` with its grade, step and card, in one
        transaction. False when another process (or an earlier round) got there first: nothing
        is written twice."""
        async with self.transaction() as db:
            claimed = await db.fetch(
                "DELETE FROM pending_answers WHERE id = ? RETURNING id", (pending_id,)
            )
            if not claimed:
                return False
            await db.fetch(*self._answer_write(post, graded, next_step, card))
        return True

    async def post(self, *, post_id: int) -> PostRow | None:
        row = await self._one("SELECT * FROM posts WHERE id = ?", (post_id,))
        return _post(row) if row else None

    async def answers_for(self, *, post_id: int, user_id: str) -> list[AnswerRow]:
        rows = await self.fetch(
            "SELECT * FROM answers WHERE post_id = ? AND user_id = ? ORDER BY id",
            (post_id, user_id),
        )
        return [_answer(row) for row in rows]

    async def channel_answers(self, *, platform: str, channel_id: str) -> list[AnswerRow]:
        rows = await self.fetch(
            "SELECT a.* FROM answers a JOIN posts p ON p.id = a.post_id"
            " WHERE p.platform = ? AND p.channel_id = ? ORDER BY a.id",
            (platform, channel_id),
        )
        return [_answer(row) for row in rows]

    async def user_answers(
        self, *, platform: str, channel_id: str, user_id: str
    ) -> list[AnswerRow]:
        rows = await self.fetch(
            "SELECT a.* FROM answers a JOIN posts p ON p.id = a.post_id"
            " WHERE p.platform = ? AND p.channel_id = ? AND a.user_id = ? ORDER BY a.id",
            (platform, channel_id, user_id),
        )
        return [_answer(row) for row in rows]

    async def answer_count(self) -> int:
        row = await self._one("SELECT COUNT(*) FROM answers")
        return int(row[0]) if row else 0

    # progress, skips, hints -----------------------------------------------------------------

    @staticmethod
    async def _set_step(db: Driver, post_id: int, user_id: str, step: int) -> None:
        await db.fetch(
            "INSERT INTO progress (post_id, user_id, step) VALUES (?,?,?)"
            " ON CONFLICT (post_id, user_id) DO UPDATE SET step = excluded.step",
            (post_id, user_id, step),
        )

    async def member_progress(
        self, post: PostRow, *, user_id: str, prompt_ids: Sequence[str]
    ) -> MemberProgress:
        """The member's step, best scores, hints and practice cards (for `prompt_ids`, the
        post's prompts) in a post, in one read: every answer needs all four."""
        marks = ",".join("?" * len(prompt_ids))
        rows = await self.fetch(
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
        async with self.transaction() as db:
            await self._set_step(db, post_id, user_id, step)

    async def skip(self, *, post_id: int, user_id: str, prompt_id: str, next_step: int) -> None:
        async with self.transaction() as db:
            await db.fetch(
                "INSERT INTO skips (post_id, user_id, prompt_id) VALUES (?,?,?)"
                " ON CONFLICT DO NOTHING",
                (post_id, user_id, prompt_id),
            )
            await self._set_step(db, post_id, user_id, next_step)

    async def add_hint(
        self, *, post_id: int, user_id: str, prompt_id: str, concept_id: str
    ) -> None:
        await self.write(
            "INSERT INTO hints (post_id, user_id, prompt_id, concept_id) VALUES (?,?,?,?)"
            " ON CONFLICT (post_id, user_id, prompt_id)"
            " DO UPDATE SET concept_id = excluded.concept_id",
            (post_id, user_id, prompt_id, concept_id),
        )

    # leaderboards and summaries -------------------------------------------------------------

    async def leaderboard(self, *, platform: str, channel_id: str, since: date) -> list[BoardRow]:
        """Sum of each member's best score per prompt per post, since a local day (the day of
        the best answer counts; on a tie, the earlier answer's). An answer counts when no
        better one of its member, post and prompt exists: one probe of the index
        `answers_best_per_post` per answer, cheaper than ranking a year of answers."""
        rows = await self.fetch(
            """
            SELECT a.user_id, COALESCE(u.display_name, a.user_id) AS display_name,
                   SUM(a.score) AS total, COUNT(*) AS answers, COUNT(DISTINCT a.day) AS days
            FROM answers a LEFT JOIN users u ON u.platform = ? AND u.user_id = a.user_id
            WHERE a.post_id IN (SELECT id FROM posts WHERE platform = ? AND channel_id = ?)
              AND a.day >= ?
              AND NOT EXISTS (
                  SELECT 1 FROM answers x
                  WHERE x.post_id = a.post_id AND x.user_id = a.user_id
                    AND x.prompt_id = a.prompt_id AND x.day >= ?
                    AND (x.score > a.score OR (x.score = a.score AND x.id < a.id))
              )
            GROUP BY a.user_id, u.display_name
            ORDER BY total DESC, answers ASC, display_name ASC
            """,
            (platform, platform, channel_id, since.isoformat(), since.isoformat()),
        )
        return [
            BoardRow(
                user_id=row["user_id"],
                display_name=row["display_name"],
                total=int(row["total"]),
                answers=int(row["answers"]),
                days=int(row["days"]),
            )
            for row in rows
        ]

    async def day_summary(self, *, post_id: int, prompt_id: str) -> DaySummary:
        row = await self._one(
            """
            WITH best AS (
                SELECT user_id, MAX(score) AS score FROM answers
                WHERE post_id = ? AND prompt_id = ? GROUP BY user_id
            )
            SELECT (SELECT COUNT(*) FROM answers WHERE post_id = ? AND prompt_id = ?) AS n,
                   COUNT(*) AS members, AVG(score) AS mean, MAX(score) AS best,
                   (SELECT user_id FROM best ORDER BY score DESC, user_id LIMIT 1) AS best_user
            FROM best
            """,
            (post_id, prompt_id, post_id, prompt_id),
        )
        assert row is not None
        return DaySummary(
            answers=int(row["n"]),
            members=int(row["members"]),
            mean=float(row["mean"] or 0.0),
            best_user=row["best_user"],
            best_score=int(row["best"] or 0),
        )

    async def active_members(self, *, platform: str, channel_id: str, since: date) -> list[str]:
        """Members who answered in the channel on or after a local day, most answers first."""
        rows = await self.fetch(
            "SELECT a.user_id FROM answers a JOIN posts p ON p.id = a.post_id"
            " WHERE p.platform = ? AND p.channel_id = ? AND a.day >= ?"
            " GROUP BY a.user_id ORDER BY COUNT(*) DESC, a.user_id",
            (platform, channel_id, since.isoformat()),
        )
        return [str(row[0]) for row in rows]

    # practice -------------------------------------------------------------------------------

    @staticmethod
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

    async def save_practice_card(self, card: PracticeCardRow) -> None:
        async with self.transaction() as db:
            await self._save_card(db, card)

    async def practice_card(
        self, *, platform: str, user_id: str, prompt_id: str
    ) -> PracticeCardRow | None:
        row = await self._one(
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
        rows = await self.fetch(
            f"SELECT * FROM practice_cards WHERE platform = ? AND user_id IN ({marks})"
            " ORDER BY user_id, prompt_id",
            (platform, *user_ids),
        )
        return [_card(row) for row in rows]

    async def set_practice_pending(
        self, *, platform: str, user_id: str, prompt_id: str, shown_at: datetime
    ) -> None:
        await self.write(
            "INSERT INTO practice_pending (platform, user_id, prompt_id, shown_at)"
            " VALUES (?,?,?,?) ON CONFLICT (platform, user_id)"
            " DO UPDATE SET prompt_id = excluded.prompt_id,"
            " shown_at = excluded.shown_at",
            (platform, user_id, prompt_id, shown_at.isoformat()),
        )

    async def practice_pending(self, *, platform: str, user_id: str) -> str | None:
        row = await self._one(
            "SELECT prompt_id FROM practice_pending WHERE platform = ? AND user_id = ?",
            (platform, user_id),
        )
        return str(row[0]) if row else None

    async def record_practice_answer(
        self, *, platform: str, graded: GradedText, rating: int, card: PracticeCardRow | None
    ) -> None:
        """Store a practice answer, its card (None: the card stays as it was) and close the
        pending prompt, in one transaction."""
        async with self.transaction() as db:
            await db.fetch(
                f"INSERT INTO practice_answers (platform, rating, {_GRADED_COLUMNS})"
                f" VALUES (?,?,{_GRADED_PLACEHOLDERS})",
                (platform, rating, *_graded_values(graded)),
            )
            if card is not None:
                await self._save_card(db, card)
            await db.fetch(
                "DELETE FROM practice_pending WHERE platform = ? AND user_id = ?",
                (platform, graded.user_id),
            )

    async def practice_answers(self, *, platform: str, user_id: str) -> list[PracticeAnswerRow]:
        rows = await self.fetch(
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
        rows = await self.fetch(
            "SELECT prompt_id, score FROM answers WHERE platform = ? AND user_id = ?"
            " UNION ALL SELECT prompt_id, score FROM practice_answers"
            " WHERE platform = ? AND user_id = ?",
            (platform, user_id, platform, user_id),
        )
        return [(str(row[0]), int(row[1])) for row in rows]

    # appeals --------------------------------------------------------------------------------

    _APPEAL_SELECT = (
        "SELECT ap.id AS appeal_id, ap.reason, ap.old_score, ap.opened_at, ap.final_score,"
        " ap.note, ap.resolved_by, ap.resolved_at, a.id, a.post_id, p.platform, p.channel_id,"
        " COALESCE(p.thread_id, p.message_id) AS thread_id, a.user_id, a.prompt_id, a.text,"
        " a.score, a.covered, a.missed, a.answered_at"
        " FROM appeals ap JOIN answers a ON a.id = ap.answer_id JOIN posts p ON p.id = a.post_id"
    )

    _GRADED_ANSWER_SELECT = (
        "SELECT a.id, a.post_id, p.platform, p.channel_id,"
        " COALESCE(p.thread_id, p.message_id) AS thread_id, a.user_id, a.prompt_id, a.text,"
        " a.score, a.covered, a.missed, a.answered_at"
        " FROM answers a JOIN posts p ON p.id = a.post_id"
        " WHERE p.platform = ? AND p.channel_id = ? AND a.user_id = ?"
    )

    async def latest_answer(
        self, *, platform: str, channel_id: str, user_id: str
    ) -> GradedAnswer | None:
        """The member's latest graded answer in the channel (follow-ups included)."""
        row = await self._one(
            f"{self._GRADED_ANSWER_SELECT} ORDER BY a.id DESC LIMIT 1",
            (platform, channel_id, user_id),
        )
        return _graded_answer(row) if row else None

    async def member_answer(
        self, *, platform: str, channel_id: str, user_id: str, answer_id: int
    ) -> GradedAnswer | None:
        """One of the member's graded answers in the channel, by id (None for anyone else's)."""
        row = await self._one(
            f"{self._GRADED_ANSWER_SELECT} AND a.id = ?",
            (platform, channel_id, user_id, answer_id),
        )
        return _graded_answer(row) if row else None

    async def open_appeal(
        self, *, answer: GradedAnswer, reason: str, opened_at: datetime
    ) -> AppealRow | None:
        rows = await self.write(
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
        row = await self._one(
            f"{self._APPEAL_SELECT} WHERE ap.id = ? AND ap.platform = ? AND ap.channel_id = ?",
            (appeal_id, platform, channel_id),
        )
        return _appeal(row) if row else None

    async def open_appeals(self, *, platform: str, channel_id: str) -> list[AppealRow]:
        rows = await self.fetch(
            f"{self._APPEAL_SELECT} WHERE ap.platform = ? AND ap.channel_id = ?"
            " AND ap.resolved_at IS NULL ORDER BY ap.id",
            (platform, channel_id),
        )
        return [_appeal(row) for row in rows]

    async def resolve_appeal(
        self,
        *,
        appeal_id: int,
        final_score: int,
        verdict: str,
        note: str,
        resolved_by: str,
        resolved_at: datetime,
        card: PracticeCardRow | None,
        notice: Reply | None = None,
    ) -> AppealRow | None:
        async with self.transaction() as db:
            closed = await db.fetch(
                "UPDATE appeals SET final_score = ?, note = ?, resolved_by = ?, resolved_at = ?"
                " WHERE id = ? AND resolved_at IS NULL RETURNING answer_id",
                (final_score, note, resolved_by, resolved_at.isoformat(), appeal_id),
            )
            if not closed:
                return None
            await db.fetch(
                "UPDATE answers SET score = ?, verdict = ? WHERE id = ?",
                (final_score, verdict, closed[0][0]),
            )
            if card is not None:  # the corrected review: the card before it stays as it was
                await db.fetch(
                    "UPDATE practice_cards SET card = ?, score = ?"
                    " WHERE platform = ? AND user_id = ? AND prompt_id = ?",
                    (card.card, card.score, card.platform, card.user_id, card.prompt_id),
                )
            [row] = await db.fetch(f"{self._APPEAL_SELECT} WHERE ap.id = ?", (appeal_id,))
            if notice is not None:
                await db.fetch(
                    self._QUEUE_NOTICE, _notice_values(row["platform"], notice, resolved_at)
                )
        return _appeal(row)

    async def appeal_counts(
        self, *, platform: str, channel_id: str, since: datetime
    ) -> AppealCounts:
        row = await self._one(
            "SELECT COUNT(*), COUNT(resolved_at),"
            " COALESCE(SUM(CASE WHEN final_score <> old_score THEN 1 ELSE 0 END), 0)"
            " FROM appeals WHERE platform = ? AND channel_id = ? AND opened_at >= ?",
            (platform, channel_id, since.isoformat()),
        )
        assert row is not None
        return AppealCounts(opened=int(row[0]), resolved=int(row[1]), changed=int(row[2]))

    async def resolved_appeals(self) -> list[AppealRow]:
        rows = await self.fetch(
            f"{self._APPEAL_SELECT} WHERE ap.resolved_at IS NOT NULL ORDER BY ap.id"
        )
        return [_appeal(row) for row in rows]

    # notices for the chat, left by the web page ---------------------------------------------

    _QUEUE_NOTICE = (
        "INSERT INTO web_notices (platform, channel_id, thread_id, user_id, text, queued_at)"
        " VALUES (?,?,?,?,?,?)"
    )

    async def queue_notice(self, *, platform: str, reply: Reply, queued_at: datetime) -> None:
        await self.write(self._QUEUE_NOTICE, _notice_values(platform, reply, queued_at))

    async def claim_notices(self, *, platform: str, by: str, at: datetime) -> list[Reply]:
        # `claimed_at IS NULL` is checked again on each row: of two replicas claiming at once,
        # PostgreSQL lets the second skip the rows the first has just claimed.
        rows = await self.write(
            "UPDATE web_notices SET claimed_at = ?, claimed_by = ?"
            " WHERE claimed_at IS NULL AND id IN (SELECT id FROM web_notices"
            " WHERE platform = ? AND claimed_at IS NULL ORDER BY id LIMIT 50)"
            " RETURNING id, channel_id, thread_id, user_id, text",
            (at.isoformat(), by, platform),
        )
        return [
            Reply(
                channel_id=row["channel_id"],
                text=row["text"],
                kind=ReplyKind.INFO,
                thread_id=row["thread_id"],
                user_id=row["user_id"],
                addressee=row["user_id"],
            )
            for row in sorted(rows, key=lambda row: int(row["id"]))
        ]

    # replicas -------------------------------------------------------------------------------

    async def heartbeat(self, replica: ReplicaRow) -> None:
        await self.write(
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
        await self.write("DELETE FROM replicas WHERE id = ?", (replica_id,))

    async def replicas(self) -> list[ReplicaRow]:
        """Every heartbeat on record (`bot.core.replicas.alive` picks the live ones)."""
        rows = await self.fetch("SELECT * FROM replicas ORDER BY started_at")
        return [_replica(row) for row in rows]


async def open_driver(target: Path | str, *, pool_size: int = 1) -> Driver:
    """The configured database: a SQLite path (one connection) or a PostgreSQL URL (one
    connection, or a pool of `pool_size` when that is above one)."""
    if isinstance(target, Path):
        return await SqliteDriver.open(target, busy_timeout_ms=BUSY_TIMEOUT_MS)
    if pool_size > 1:
        return await PostgresPool.open(target, size=pool_size)
    return await PostgresDriver.open(target)
