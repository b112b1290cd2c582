"""`bench ingest`: answers through the core and SQLite with the model taken out, against a bare
aiosqlite loop writing the same rows in the same run.

A trivial grader stands in for the embedding model, so what is timed is the bot's own path per
answer: duplicate-delivery claim and member row, channel and post lookup, the answer's transaction
(with its practice card) and the replies. The reference (`bot.bench.bare_ingest`) runs before and
after the service, and their mean is the yardstick, so a machine busy with other work moves both
sides of the ratio.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bot.app import load_configured_bank
from bot.bench.bare_ingest import bare_rate
from bot.bench.table import Outcome, percentile, report
from bot.config import Settings
from bot.core.messages import Actor, Incoming, Posted, Reply
from bot.core.service import ChannelDefaults, QuizService
from bot.storage.repository import Repository
from content.bank import Bank
from content.schema import Lang, Prompt
from evaluators.grade import Grade, Verdict

RATIO_TARGET = 0.5
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


async def measure(settings: Settings, n: int, concurrency: int, folder: Path) -> Outcome:
    bank = load_configured_bank(settings)
    reference = bank.mains()[0].id
    bare_before = await bare_rate(n, folder / "bare-before.db", reference)
    ours = await service_run(bank, n, concurrency, folder / "bench.db")
    bare_after = await bare_rate(n, folder / "bare-after.db", reference)
    return outcome(ours, (bare_before, bare_after), n=n, concurrency=concurrency)


@dataclass(frozen=True)
class ServiceRun:
    rate: float
    p50_ms: float
    p99_ms: float
    recorded: int


async def service_run(bank: Bank, n: int, concurrency: int, db: Path) -> ServiceRun:
    """`n` answers through `QuizService.handle`, `concurrency` in flight, each a new member's."""
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
    return ServiceRun(
        rate=n / elapsed,
        p50_ms=percentile(latencies, 50),
        p99_ms=percentile(latencies, 99),
        recorded=recorded,
    )


def outcome(ours: ServiceRun, bare: tuple[float, float], *, n: int, concurrency: int) -> Outcome:
    reference = sum(bare) / len(bare)
    ratio = ours.rate / reference
    ratio_met, p99_met = ratio >= RATIO_TARGET, ours.p99_ms < P99_TARGET_MS
    payload = {
        "bench": "ingest",
        "answers": n,
        "recorded": ours.recorded,
        "concurrency": concurrency,
        "answers_per_s": round(ours.rate, 1),
        "bare_answers_per_s": [round(rate, 1) for rate in bare],
        "ratio": round(ratio, 3),
        "ratio_target": f">= {RATIO_TARGET:g}",
        "ratio_target_met": ratio_met,
        "p50_ms": round(ours.p50_ms, 2),
        "p99_ms": round(ours.p99_ms, 2),
        "p99_target": f"< {P99_TARGET_MS:g} ms",
        "p99_target_met": p99_met,
    }
    return Outcome(
        title=f"ingest: {n} answers through QuizService.handle + SQLite, trivial grader",
        headers=["metric", "value", "target", "met"],
        rows=[
            ["answers/s", ours.rate, None, None],
            ["bare aiosqlite loop answers/s (before, after)", reference, None, None],
            ["ours / bare", ratio, f">= {RATIO_TARGET:g}", ratio_met],
            ["latency p50 ms", ours.p50_ms, None, None],
            ["latency p99 ms", ours.p99_ms, f"< {P99_TARGET_MS:g}", p99_met],
            ["answers recorded", ours.recorded, n, ours.recorded == n],
        ],
        payload=payload,
        notes=[
            f"{concurrency} messages in flight at a time; SQLite files on a temp dir",
            "bare: the same rows per answer (claim, member, answer, progress, card), one"
            f" transaction per answer, one at a time: {bare[0]:.0f} before and {bare[1]:.0f}"
            " after the service's run",
        ],
    )


def main(argv: list[str], settings: Settings) -> int:
    parser = argparse.ArgumentParser(
        prog="quizmaster bench ingest",
        description="Answers/s and p99 latency through the core and SQLite, model excluded,"
        " as a ratio to a bare aiosqlite loop writing the same rows.",
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
        found = asyncio.run(measure(settings, args.n, args.concurrency, Path(tmp)))
    report(found, as_json=args.json)
    return 0
