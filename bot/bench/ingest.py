"""`bench ingest`: answers through the core and SQLite with the model taken out.

A trivial grader stands in for the embedding model, so what is timed is the bot's own path per
answer: duplicate-delivery claim, channel and member upserts, post lookup, the answer's
transaction, the practice review and the replies.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import tempfile
import time
from pathlib import Path

from bot.app import load_configured_bank
from bot.bench.table import Outcome, percentile, report
from bot.config import Settings
from bot.core.messages import Actor, Incoming, Posted, Reply
from bot.core.service import ChannelDefaults, QuizService
from bot.storage.repository import Repository
from content.schema import Lang, Prompt
from evaluators.grade import Grade, Verdict

RATE_TARGET = 500.0
P99_TARGET_MS = 50.0
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
    ) -> Grade:
        return Grade(score=70, verdict=Verdict.MOSTLY_CORRECT, feedback="fixed grade")


class CountingTransport:
    """A platform that sends instantly and keeps only a count, so replies cost no memory."""

    def __init__(self) -> None:
        self.sent = 0
        self._ids = itertools.count(1)

    async def send(self, reply: Reply) -> Posted:
        self.sent += 1
        message_id = f"m{next(self._ids)}"
        return Posted(message_id=message_id, thread_id=message_id if reply.open_thread else None)

    async def edit(self, posted: Posted, reply: Reply) -> None:
        return None


async def measure(settings: Settings, n: int, concurrency: int, db: Path) -> Outcome:
    bank = load_configured_bank(settings)
    repo = await Repository.open(db)
    try:
        service = QuizService(
            repo=repo, bank=bank, grader=FixedGrader(), defaults=ChannelDefaults(lang="en")
        )
        transport = CountingTransport()
        post = await service.post_today(PLATFORM, CHANNEL, transport)
        gate = asyncio.Semaphore(concurrency)
        latencies: list[float] = []

        async def answer(i: int) -> None:
            # One member per answer: each answer is a member's first on the day's question, the
            # path every daily answer takes, rather than a walk down one member's follow-ups.
            incoming = Incoming(
                PLATFORM,
                CHANNEL,
                Actor(f"u{i}", f"Member {i}"),
                f"ReLU keeps gradients alive where sigmoid saturates ({i}).",
                message_id=f"msg-{i}",
                thread_id=post.thread_id,
            )
            async with gate:
                start = time.perf_counter()
                await service.handle(incoming, transport)
                latencies.append((time.perf_counter() - start) * 1000)

        start = time.perf_counter()
        await asyncio.gather(*(answer(i) for i in range(n)))
        elapsed = time.perf_counter() - start
        recorded = await repo.answer_count()
    finally:
        await repo.close()

    rate = n / elapsed
    p50, p99 = percentile(latencies, 50), percentile(latencies, 99)
    rate_met, p99_met = rate >= RATE_TARGET, p99 < P99_TARGET_MS
    payload = {
        "bench": "ingest",
        "answers": n,
        "recorded": recorded,
        "concurrency": concurrency,
        "answers_per_s": round(rate, 1),
        "p50_ms": round(p50, 2),
        "p99_ms": round(p99, 2),
        "rate_target": f">= {RATE_TARGET:g}/s",
        "rate_target_met": rate_met,
        "p99_target": f"< {P99_TARGET_MS:g} ms",
        "p99_target_met": p99_met,
    }
    return Outcome(
        title=f"ingest: {n} answers through QuizService.handle + SQLite, trivial grader",
        headers=["metric", "value", "target", "met"],
        rows=[
            ["answers/s", rate, f">= {RATE_TARGET:g}", rate_met],
            ["latency p50 ms", p50, None, None],
            ["latency p99 ms", p99, f"< {P99_TARGET_MS:g}", p99_met],
            ["answers recorded", recorded, n, recorded == n],
        ],
        payload=payload,
        notes=[f"{concurrency} messages in flight at a time; database {db.name} on a temp dir"],
    )


def main(argv: list[str], settings: Settings) -> int:
    parser = argparse.ArgumentParser(
        prog="quizmaster bench ingest",
        description="Answers/s and p99 latency through the core and SQLite, model excluded.",
    )
    parser.add_argument("--n", type=int, default=2000, help="answers (default 2000)")
    parser.add_argument(
        "--concurrency", type=int, default=8, help="messages handled at once (default 8)"
    )
    parser.add_argument("--json", action="store_true", help="end with one JSON line")
    args = parser.parse_args(argv)
    if args.n < 1 or args.concurrency < 1:
        parser.error("--n and --concurrency must be at least 1")
    with tempfile.TemporaryDirectory(prefix="quizmaster-bench-") as tmp:
        outcome = asyncio.run(measure(settings, args.n, args.concurrency, Path(tmp) / "bench.db"))
    report(outcome, as_json=args.json)
    return 0
