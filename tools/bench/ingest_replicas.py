"""`bench ingest` on PostgreSQL with two bot replicas: the same kind of answers, to one channel's
question, handled by two processes at once, each with its own connection pool, on one database.
The database's claims decide who handles what (issue 17), so the figure is what a second replica
adds, and the count of stored answers shows that nothing was handled twice or lost."""

from __future__ import annotations

import asyncio
import multiprocessing
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.synchronize import Event
from pathlib import Path

from bot.app import load_configured_bank
from bot.config import Settings
from tools.bench.ingest_service import ServiceLoop

REPLICA_CHANNEL = "c2"
START_TIMEOUT_S = 120.0


@dataclass(frozen=True)
class ReplicaTimings:
    """The slower replica's seconds (both started together), every answer's latency, and the
    answers stored in the replicas' channel."""

    seconds: float
    latencies_ms: list[float]
    recorded: int


@dataclass(frozen=True)
class ReplicaJob:
    """What one replica process is handed: its database, the question's thread, its answers."""

    url: str
    pool_size: int
    bank_dir: Path | None
    thread_id: str | None
    first: int
    count: int
    concurrency: int


def _replica(job: ReplicaJob, go: Event, results: Connection) -> None:
    """One replica process: opens its service, says so, waits for `go`, answers its share."""

    async def run() -> tuple[float, list[float]]:
        bank = load_configured_bank(Settings(_env_file=None, bank_dir=job.bank_dir))
        loop = await ServiceLoop.open(
            bank,
            job.url,
            pool_size=job.pool_size,
            channel=REPLICA_CHANNEL,
            thread_id=job.thread_id,
        )
        try:
            results.send("ready")
            await asyncio.to_thread(go.wait)
            seconds = await loop.run(job.first, job.count, job.concurrency)
            return seconds, loop.latencies_ms
        finally:
            await loop.close()

    results.send(asyncio.run(run()))


async def measure_replicas(
    settings: Settings, url: str, *, first: int, n: int, concurrency: int, pool_size: int
) -> ReplicaTimings:
    """`n` answers numbered from `first` (ids unused by the single-replica rounds), half to
    each of two replica processes, `concurrency` in flight in each."""
    bank = load_configured_bank(settings.game)
    poster = await ServiceLoop.open(bank, url, channel=REPLICA_CHANNEL)
    context = multiprocessing.get_context("spawn")
    go = context.Event()
    halves = [(first, n // 2), (first + n // 2, n - n // 2)]
    pipes = [context.Pipe(duplex=False) for _ in halves]
    processes = [
        context.Process(
            target=_replica,
            args=(
                ReplicaJob(
                    url=url,
                    pool_size=pool_size,
                    bank_dir=settings.bank_dir,
                    thread_id=poster.thread_id,
                    first=start,
                    count=count,
                    concurrency=concurrency,
                ),
                go,
                sending,
            ),
            daemon=True,
        )
        for (start, count), (_, sending) in zip(halves, pipes, strict=True)
    ]
    try:
        for process in processes:
            process.start()
        for receiving, _ in pipes:
            if not await asyncio.to_thread(receiving.poll, START_TIMEOUT_S):
                raise RuntimeError("a bench replica did not start")
            receiving.recv()
        go.set()
        outcomes = [await asyncio.to_thread(receiving.recv) for receiving, _ in pipes]
        recorded = await poster.recorded()
    finally:
        for process in processes:
            process.join(timeout=30)
            if process.is_alive():
                process.kill()
        await poster.close()
    return ReplicaTimings(
        seconds=max(seconds for seconds, _ in outcomes),
        latencies_ms=[ms for _, latencies in outcomes for ms in latencies],
        recorded=recorded,
    )
