"""The bot's side of `bench ingest`: `Intake.handle` on a real database with the model taken
out (a fixed grade) and a platform that sends instantly, `concurrency` answers in flight."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Sequence
from pathlib import Path

from bot.app import channel_defaults
from bot.config import Settings
from bot.core.messages import Actor, Incoming, Posted, Reply, UnsharedChannel
from bot.storage.repository import Repository
from bot.wiring import Wired, wire
from content.bank import Bank
from content.schema import Lang, Prompt
from evaluators.grade import Grade, Verdict
from evaluators.taught import TeamGrade

PLATFORM = "bench"
CHANNEL = "c1"


class FixedGrader:
    """The Grader protocol at zero cost: every answer earns the same grade."""

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
        return Grade(score=70, verdict=Verdict.MOSTLY_CORRECT, feedback="fixed grade")


class CountingTransport(UnsharedChannel):
    """A platform that sends instantly and keeps only a count, so replies cost no memory."""

    threads = True

    def __init__(self) -> None:
        self.sent = 0
        self._ids = itertools.count(1)

    async def send(self, reply: Reply) -> Posted:
        self.sent += 1
        message_id = f"m{next(self._ids)}"
        return Posted(message_id=message_id, thread_id=message_id if reply.open_thread else None)

    async def edit(self, posted: Posted, reply: Reply) -> None:
        return None


class ServiceLoop:
    """The service on its own database, with today's question posted; `run` sends the next
    answers through `Intake.handle`, `concurrency` in flight, each a new member's first."""

    def __init__(
        self, repo: Repository, service: Wired, thread_id: str | None, channel: str
    ) -> None:
        self.repo = repo
        self._service = service
        self.thread_id = thread_id
        self._channel = channel
        self._transport = CountingTransport()
        self.latencies_ms: list[float] = []

    @classmethod
    async def open(
        cls,
        bank: Bank,
        db: Path | str,
        *,
        pool_size: int = 1,
        channel: str = CHANNEL,
        thread_id: str | None = None,
    ) -> ServiceLoop:
        """Posts today's question in `channel` first, unless another replica has (`thread_id`:
        its thread)."""
        repo = await Repository.open(db, pool_size=pool_size)
        service = wire(
            repo=repo,
            bank=bank,
            grader=FixedGrader(),
            defaults=channel_defaults(Settings(_env_file=None, lang="en")),
        )
        if thread_id is None:
            post = await service.posting.post_today(PLATFORM, channel, CountingTransport())
            thread_id = post.thread_id
        return cls(repo, service, thread_id, channel)

    async def recorded(self) -> int:
        """How many answers of the bench's channel the database holds."""
        answers = await self.repo.answers.channel_answers(
            platform=PLATFORM, channel_id=self._channel
        )
        return len(answers)

    async def close(self) -> None:
        await self.repo.close()

    async def run(self, first: int, count: int, concurrency: int) -> float:
        gate = asyncio.Semaphore(concurrency)

        async def answer(i: int) -> None:
            # One member per answer: each answer is a member's first on the day's question, the
            # path every daily answer takes, rather than a walk down one member's follow-ups.
            incoming = Incoming(
                PLATFORM,
                self._channel,
                Actor(f"u{i}", f"Member {i}"),
                f"ReLU keeps gradients alive where sigmoid saturates ({i}).",
                message_id=f"msg-{i}",
                thread_id=self.thread_id,
            )
            async with gate:
                start = time.perf_counter()
                await self._service.intake.handle(incoming, self._transport)
                self.latencies_ms.append((time.perf_counter() - start) * 1000)

        start = time.perf_counter()
        await asyncio.gather(*(answer(i) for i in range(first, first + count)))
        return time.perf_counter() - start
