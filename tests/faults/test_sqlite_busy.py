"""Another process holds SQLite's write lock while the real service handles answers: short holds
are waited out (busy_timeout), long ones become the clear "send it again" reply with the message
claim released, so a retry of the same message id is graded."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from collections.abc import AsyncIterator, Sequence
from pathlib import Path

import pytest

from bot.app import channel_defaults
from bot.config import Settings
from bot.core.messages import Actor, Incoming, ReplyKind
from bot.storage import database
from bot.storage.repository import Repository
from bot.wiring import Wired, wire
from content.bank import Bank
from content.schema import Lang, Prompt
from evaluators import EmbeddingGrader
from evaluators.grade import Grade
from evaluators.taught import TeamGrade
from tests.bot.recording import RecordingTransport

ANSWER = "ReLU keeps a gradient of 1 for positive inputs, so it avoids vanishing gradients."
SHORT_BUSY_MS = 800  # the long-hold cases shrink busy_timeout so they stay quick


class LockHolder:
    """A separate sqlite3 connection (as another process would have) that takes the write lock
    with BEGIN IMMEDIATE, writes, and keeps the lock for `hold_s` seconds in a thread."""

    def __init__(self, db: Path, hold_s: float) -> None:
        self.db = db
        self.hold_s = hold_s
        self.held = threading.Event()
        self.error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        try:
            conn = sqlite3.connect(self.db, isolation_level=None, timeout=10.0)
            try:
                conn.execute("BEGIN IMMEDIATE")
                conn.execute(
                    "INSERT INTO users (platform, user_id, display_name) VALUES (?,?,?)"
                    " ON CONFLICT DO UPDATE SET display_name = excluded.display_name",
                    ("other", "writer", "another process"),
                )
                self.held.set()
                time.sleep(self.hold_s)
                conn.execute("COMMIT")
            finally:
                conn.close()
        except BaseException as exc:  # surfaced by join()
            self.error = exc
            self.held.set()

    async def start(self) -> None:
        self._thread.start()
        assert await asyncio.to_thread(self.held.wait, 10.0), "the lock holder did not start"
        assert self.error is None, self.error

    async def join(self) -> None:
        await asyncio.to_thread(self._thread.join, self.hold_s + 10.0)
        assert not self._thread.is_alive()
        assert self.error is None, self.error


class LockDuringGrading:
    """The real grader; as it finishes grading, another writer grabs the lock (so the member's
    claim is already stored when the answer's own write has to wait)."""

    def __init__(self, real: EmbeddingGrader, holder: LockHolder) -> None:
        self.real = real
        self.holder = holder
        self.armed = True

    async def grade(
        self,
        prompt: Prompt,
        answer: str,
        *,
        lang: Lang = "ko",
        cap: int | None = None,
        revealed: bool = False,
        taught: Sequence[TeamGrade] = (),
    ) -> Grade:
        grade = await self.real.grade(
            prompt, answer, lang=lang, cap=cap, revealed=revealed, taught=taught
        )
        if self.armed:  # once graded, so the hold starts right before the answer is stored
            self.armed = False
            await self.holder.start()
        return grade


async def ready_service(repo: Repository, bank: Bank, grader: object) -> Wired:
    service = wire(
        repo=repo,
        bank=bank,
        grader=grader,  # type: ignore[arg-type]  # a Grader by protocol
        defaults=channel_defaults(Settings(_env_file=None, lang="en")),
    )
    await service.posting.post_today("test", "c1", RecordingTransport())
    return service


@pytest.fixture
async def repo(tmp_path: Path) -> AsyncIterator[Repository]:
    """SQLite's own file at tmp_path/q.db, which the lock holder opens beside the bot (the
    shared fixture runs on PostgreSQL too; a busy file is SQLite's alone)."""
    opened = await Repository.open(tmp_path / "q.db")
    yield opened
    await opened.close()


def incoming(user: str, message_id: str, text: str = ANSWER) -> Incoming:
    return Incoming("test", "c1", Actor(user, user.title()), text, message_id=message_id)


def stored(db: Path) -> list[tuple[str, str]]:
    with sqlite3.connect(db) as conn:
        return [
            (str(user), str(message))
            for user, message in conn.execute(
                "SELECT user_id, message_id FROM answers ORDER BY user_id"
            )
        ]


def claims(db: Path) -> list[str]:
    with sqlite3.connect(db) as conn:
        return [str(row[0]) for row in conn.execute("SELECT message_id FROM ingested")]


@pytest.mark.slow
async def test_a_short_lock_is_waited_out_and_no_answer_is_lost(
    tmp_path: Path, repo: Repository, bank: Bank, grader: EmbeddingGrader
) -> None:
    service = await ready_service(repo, bank, grader)
    holder = LockHolder(tmp_path / "q.db", hold_s=1.5)
    await holder.start()
    started = time.monotonic()
    members = ["ann", "ben", "cid"]
    transports = [RecordingTransport() for _ in members]
    await asyncio.wait_for(
        asyncio.gather(
            *(
                service.intake.handle(incoming(user, f"msg-{user}"), transport)
                for user, transport in zip(members, transports, strict=True)
            )
        ),
        timeout=database.BUSY_TIMEOUT_MS / 1000 + 20,
    )
    waited = time.monotonic() - started
    await holder.join()
    assert waited >= 1.0, "the writes went through while another writer held the lock"
    for transport in transports:
        assert transport.of_kind(ReplyKind.GRADE), [r.text for r in transport.sent]
        assert not transport.of_kind(ReplyKind.ERROR)
    assert stored(tmp_path / "q.db") == [(user, f"msg-{user}") for user in members]


@pytest.mark.slow
async def test_a_lock_held_past_busy_timeout_gets_a_clear_reply_and_the_retry_works(
    tmp_path: Path, bank: Bank, grader: EmbeddingGrader, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(database, "BUSY_TIMEOUT_MS", SHORT_BUSY_MS)
    db = tmp_path / "q.db"
    repo = await Repository.open(db)
    try:
        # held ~1.5x busy_timeout from mid-grading: the answer's write gives up, the lock is
        # gone again by the time the claim is released
        holder = LockHolder(db, hold_s=SHORT_BUSY_MS / 1000 * 1.6)
        service = await ready_service(repo, bank, LockDuringGrading(grader, holder))
        failed = RecordingTransport()
        await asyncio.wait_for(service.intake.handle(incoming("ann", "msg-1"), failed), timeout=30)
        await holder.join()
        errors = failed.of_kind(ReplyKind.ERROR)
        assert errors and "please send it again" in errors[-1].text, [r.text for r in failed.sent]
        assert not failed.of_kind(ReplyKind.GRADE)
        assert stored(db) == [] and claims(db) == [], "nothing half-saved, claim released"

        retry = RecordingTransport()
        await asyncio.wait_for(service.intake.handle(incoming("ann", "msg-1"), retry), timeout=30)
        assert retry.of_kind(ReplyKind.GRADE), [r.text for r in retry.sent]
        assert stored(db) == [("ann", "msg-1")]

        duplicate = RecordingTransport()
        await service.intake.handle(incoming("ann", "msg-1"), duplicate)
        assert duplicate.sent == [] and stored(db) == [("ann", "msg-1")]
    finally:
        await repo.close()


@pytest.mark.slow
async def test_a_lock_held_from_arrival_past_busy_timeout_is_a_clear_reply_not_a_crash(
    tmp_path: Path, bank: Bank, grader: EmbeddingGrader, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The lock is already held when the message arrives and outlasts busy_timeout more than
    twice: claiming it, and any release, fail too. The member is still told, and the
    platform's retry of the same message id is graded once the lock is gone."""
    monkeypatch.setattr(database, "BUSY_TIMEOUT_MS", SHORT_BUSY_MS)
    db = tmp_path / "q.db"
    repo = await Repository.open(db)
    try:
        service = await ready_service(repo, bank, grader)
        holder = LockHolder(db, hold_s=SHORT_BUSY_MS / 1000 * 2.5)
        await holder.start()
        failed = RecordingTransport()
        await asyncio.wait_for(service.intake.handle(incoming("ben", "msg-2"), failed), timeout=30)
        errors = failed.of_kind(ReplyKind.ERROR)
        assert errors and "please send it again" in errors[-1].text, [r.text for r in failed.sent]
        await holder.join()
        assert stored(db) == [] and claims(db) == []

        retry = RecordingTransport()
        await asyncio.wait_for(service.intake.handle(incoming("ben", "msg-2"), retry), timeout=30)
        assert retry.of_kind(ReplyKind.GRADE), [r.text for r in retry.sent]
        assert stored(db) == [("ben", "msg-2")]
    finally:
        await repo.close()


@pytest.mark.slow
async def test_a_failing_release_still_tells_the_member(
    tmp_path: Path, bank: Bank, grader: EmbeddingGrader, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Held from mid-handling for more than twice busy_timeout: the answer's write and then the
    release of its claim both give up. The member is still told to send it again (the claim
    stays, logged), and what they send next is graded."""
    monkeypatch.setattr(database, "BUSY_TIMEOUT_MS", SHORT_BUSY_MS)
    db = tmp_path / "q.db"
    repo = await Repository.open(db)
    try:
        holder = LockHolder(db, hold_s=SHORT_BUSY_MS / 1000 * 2.6)
        service = await ready_service(repo, bank, LockDuringGrading(grader, holder))
        failed = RecordingTransport()
        await asyncio.wait_for(service.intake.handle(incoming("cid", "msg-3"), failed), timeout=30)
        await holder.join()
        errors = failed.of_kind(ReplyKind.ERROR)
        assert errors and "please send it again" in errors[-1].text, [r.text for r in failed.sent]
        assert stored(db) == []

        resent = RecordingTransport()
        await asyncio.wait_for(service.intake.handle(incoming("cid", "msg-4"), resent), timeout=30)
        assert resent.of_kind(ReplyKind.GRADE), [r.text for r in resent.sent]
        assert stored(db) == [("cid", "msg-4")]
    finally:
        await repo.close()
