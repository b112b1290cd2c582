"""A replica slowed down so long that another took its message over (it looked gone, issue 17's
chaos test on a loaded machine): the one that stores the answer first answers the member; the
slow one finds the answer stored, writes nothing and says nothing, instead of telling the
member about an internal error. On SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from pathlib import Path

from bot.app import channel_defaults
from bot.config import Settings
from bot.core.messages import Actor, Incoming, ReplyKind
from bot.storage.repository import Repository
from bot.wiring import Wired, wire
from content.bank import Bank
from content.schema import Lang, Prompt
from evaluators.grade import Grade
from evaluators.taught import TeamGrade
from tests.bot.recording import RecordingTransport
from tests.fixed_grader import FixedGrader


class StalledGrader(FixedGrader):
    """Grades like FixedGrader once `go` is set: the slow replica, stuck in the middle of
    grading (a busy CPU), which the test releases after the other replica took over."""

    def __init__(self) -> None:
        super().__init__()
        self.started = asyncio.Event()
        self.go = asyncio.Event()

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
        self.started.set()
        await self.go.wait()
        return await super().grade(
            prompt, answer, lang=lang, cap=cap, revealed=revealed, taught=taught
        )


def replica(repo: Repository, bank: Bank, grader: FixedGrader) -> Wired:
    return wire(
        repo=repo, bank=bank, grader=grader, defaults=channel_defaults(Settings(_env_file=None))
    )


async def test_the_slow_replica_neither_stores_nor_answers_a_message_taken_over(
    database: Path | str, bank: Bank
) -> None:
    slow_repo, live_repo = await Repository.open(database), await Repository.open(database)
    stalled = StalledGrader()
    slow, live = replica(slow_repo, bank, stalled), replica(live_repo, bank, FixedGrader())
    slow_out, live_out = RecordingTransport(), RecordingTransport()
    try:
        post = await live.posting.post_today("test", "c1", live_out)
        answer = Incoming(
            "test",
            "c1",
            Actor("u1", "Mina"),
            "ReLU avoids vanishing gradients and is cheap to compute.",
            message_id="evt-1",
            thread_id=post.thread_id,
        )
        grading = asyncio.create_task(slow.intake.handle(answer, slow_out))
        await asyncio.wait_for(stalled.started.wait(), timeout=10)

        # The slow replica has no heartbeat: to the live one it is gone, and its claim is taken.
        taken = await live.takeover.resume_unfinished("test", live_out, alive_since=live.clock())
        stalled.go.set()
        await asyncio.wait_for(grading, timeout=10)

        assert taken == 1
        assert len(await live_repo.answers.channel_answers(platform="test", channel_id="c1")) == 1
        assert len(live_out.of_kind(ReplyKind.GRADE)) == 1
        assert slow_out.sent == [], "the slow replica said something to the member"
    finally:
        await slow_repo.close()
        await live_repo.close()
