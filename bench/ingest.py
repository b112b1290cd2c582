"""`bench ingest`: answers through the core and SQLite with the model taken out, against a bare
aiosqlite loop writing the same rows in the same run.

A trivial grader stands in for the embedding model, so what is timed is the bot's own path per
answer: duplicate-delivery claim and member row, channel and post lookup, the answer's transaction
(with its practice card) and the replies. The reference (`bench.bare_ingest`) and the service
take turns over slices of the answers, so a machine busy with other work slows both sides of the
ratio alike.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bench.bare_ingest import BareLoop
from bench.table import Outcome, percentile, report
from bot.app import build_quiz_service, channel_defaults, load_configured_bank
from bot.config import Settings
from bot.core.messages import Actor, Incoming, Posted, Reply
from bot.core.service import QuizService
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


class ServiceLoop:
    """The service on its own database, with today's question posted; `run` sends the next
    answers through `QuizService.handle`, `concurrency` in flight, each a new member's first."""

    def __init__(self, repo: Repository, service: QuizService, thread_id: str | None) -> None:
        self.repo = repo
        self._service = service
        self._thread_id = thread_id
        self._transport = CountingTransport()
        self.latencies_ms: list[float] = []

    @classmethod
    async def open(cls, bank: Bank, db: Path) -> ServiceLoop:
        repo = await Repository.open(db)
        service = build_quiz_service(
            repo=repo,
            bank=bank,
            grader=FixedGrader(),
            defaults=channel_defaults(Settings(_env_file=None, lang="en")),
        )
        post = await service.post_today(PLATFORM, CHANNEL, CountingTransport())
        return cls(repo, service, post.thread_id)

    async def run(self, first: int, count: int, concurrency: int) -> float:
        gate = asyncio.Semaphore(concurrency)

        async def answer(i: int) -> None:
            # One member per answer: each answer is a member's first on the day's question, the
            # path every daily answer takes, rather than a walk down one member's follow-ups.
            incoming = Incoming(
                PLATFORM,
                CHANNEL,
                Actor(f"u{i}", f"Member {i}"),
                f"ReLU keeps gradients alive where sigmoid saturates ({i}).",
                message_id=f"msg-{i}",
                thread_id=self._thread_id,
            )
            async with gate:
                start = time.perf_counter()
                await self._service.handle(incoming, self._transport)
                self.latencies_ms.append((time.perf_counter() - start) * 1000)

        start = time.perf_counter()
        await asyncio.gather(*(answer(i) for i in range(first, first + count)))
        return time.perf_counter() - start


@dataclass(frozen=True)
class Timings:
    """Seconds each side took over the same answers, and the service's latencies."""

    ours_s: float
    bare_s: float
    latencies_ms: list[float]
    recorded: int


async def measure(
    settings: Settings, *, n: int, concurrency: int, rounds: int, folder: Path
) -> Timings:
    """`rounds` alternating slices of the `n` answers, bare loop then service, so load from other
    work on the machine falls on both sides alike."""
    bank = load_configured_bank(settings)
    bare = await BareLoop.open(folder / "bare.db", bank.mains()[0].id)
    ours = await ServiceLoop.open(bank, folder / "bench.db")
    ours_s = bare_s = 0.0
    try:
        first = 0
        for index in range(rounds):
            count = n // rounds + (1 if index < n % rounds else 0)
            bare_s += await bare.run(first, count)
            ours_s += await ours.run(first, count, concurrency)
            first += count
        recorded = await ours.repo.answer_count()
    finally:
        await bare.close()
        await ours.repo.close()
    return Timings(ours_s=ours_s, bare_s=bare_s, latencies_ms=ours.latencies_ms, recorded=recorded)


def outcome(timings: Timings, *, n: int, concurrency: int, rounds: int) -> Outcome:
    rate, reference = n / timings.ours_s, n / timings.bare_s
    ratio = rate / reference
    p50, p99 = percentile(timings.latencies_ms, 50), percentile(timings.latencies_ms, 99)
    ratio_met, p99_met = ratio >= RATIO_TARGET, p99 < P99_TARGET_MS
    payload = {
        "bench": "ingest",
        "answers": n,
        "recorded": timings.recorded,
        "concurrency": concurrency,
        "rounds": rounds,
        "answers_per_s": round(rate, 1),
        "bare_answers_per_s": round(reference, 1),
        "ratio": round(ratio, 3),
        "ratio_target": f">= {RATIO_TARGET:g}",
        "ratio_target_met": ratio_met,
        "p50_ms": round(p50, 2),
        "p99_ms": round(p99, 2),
        "p99_target": f"< {P99_TARGET_MS:g} ms",
        "p99_target_met": p99_met,
    }
    return Outcome(
        title=f"ingest: {n} answers through QuizService.handle + SQLite, trivial grader",
        headers=["metric", "value", "target", "met"],
        rows=[
            ["answers/s", rate, None, None],
            ["bare aiosqlite loop answers/s", reference, None, None],
            ["ours / bare", ratio, f">= {RATIO_TARGET:g}", ratio_met],
            ["latency p50 ms", p50, None, None],
            ["latency p99 ms", p99, f"< {P99_TARGET_MS:g}", p99_met],
            ["answers recorded", timings.recorded, n, timings.recorded == n],
        ],
        payload=payload,
        notes=[
            f"{concurrency} messages in flight at a time; SQLite files on a temp dir",
            "bare: the same rows per answer (claim, member, answer, progress, card), one"
            f" transaction per answer, one at a time; the two sides alternate in {rounds} rounds",
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
    parser.add_argument(
        "--rounds", type=int, default=10, help="alternating slices per side (default 10)"
    )
    parser.add_argument("--json", action="store_true", help="end with one JSON line")
    args = parser.parse_args(argv)
    if min(args.n, args.concurrency, args.rounds) < 1 or args.rounds > args.n:
        parser.error("--n, --concurrency and --rounds must be at least 1, --rounds at most --n")
    with tempfile.TemporaryDirectory(prefix="quizmaster-bench-") as tmp:
        timings = asyncio.run(
            measure(
                settings,
                n=args.n,
                concurrency=args.concurrency,
                rounds=args.rounds,
                folder=Path(tmp),
            )
        )
    found = outcome(timings, n=args.n, concurrency=args.concurrency, rounds=args.rounds)
    report(found, as_json=args.json)
    return 0
