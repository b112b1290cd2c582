"""`bench ingest`: answers through the core with the model taken out, on SQLite and on
PostgreSQL, each against a bare driver loop writing the same rows in the same run.

A trivial grader stands in for the embedding model, so what is timed is the bot's own path per
answer: duplicate-delivery claim and member row, channel and post lookup, the answer's transaction
(with its practice card) and the replies. The reference (`tools.bench.bare_ingest`) and the service
take turns over slices of the answers (SQLite's pair, then PostgreSQL's, in every round), so a
machine busy with other work slows both sides of each ratio alike. PostgreSQL is the server
`--db` names, or one the bench starts from the `pgserver` wheel on a unix socket.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import warnings
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from bot.app import load_configured_bank
from bot.config import Settings, check_database
from tools.bench.bare_ingest import BareLoop, BarePostgresLoop
from tools.bench.ingest_replicas import ReplicaTimings, measure_replicas
from tools.bench.ingest_service import ServiceLoop
from tools.bench.table import Outcome, percentile, report

RATIO_TARGET = 0.5
P99_TARGET_MS = 50.0


class Reference(Protocol):
    async def run(self, first: int, count: int) -> float: ...

    async def close(self) -> None: ...


@dataclass(frozen=True)
class Timings:
    """Seconds each side took over the same answers, and the service's latencies."""

    ours_s: float
    bare_s: float
    latencies_ms: list[float]
    recorded: int


class Pair:
    """One backend's service loop and its bare reference, timed slice by slice."""

    def __init__(self, ours: ServiceLoop, bare: Reference) -> None:
        self.ours, self.bare = ours, bare
        self.ours_s = self.bare_s = 0.0

    async def run(self, first: int, count: int, concurrency: int) -> None:
        self.bare_s += await self.bare.run(first, count)
        self.ours_s += await self.ours.run(first, count, concurrency)

    async def timings(self) -> Timings:
        # The service's own answers: on PostgreSQL the bare loop's share the database.
        return Timings(self.ours_s, self.bare_s, self.ours.latencies_ms, await self.ours.recorded())

    async def close(self) -> None:
        await self.bare.close()
        await self.ours.close()


async def measure(
    settings: Settings,
    *,
    n: int,
    concurrency: int,
    rounds: int,
    folder: Path,
    postgres: str,
    pool_size: int,
) -> tuple[Timings, Timings, ReplicaTimings]:
    """`rounds` alternating slices of the `n` answers, bare loop then service, SQLite then
    PostgreSQL, so load from other work on the machine falls on every side alike; then `n`
    more answers on PostgreSQL through two replica processes at once."""
    bank = load_configured_bank(settings.game)
    prompt_id = bank.mains()[0].id
    pairs: list[Pair] = []
    try:
        pairs.append(
            Pair(
                await ServiceLoop.open(bank, folder / "bench.db"),
                await BareLoop.open(folder / "bare.db", prompt_id),
            )
        )
        service = await ServiceLoop.open(bank, postgres, pool_size=pool_size)
        if await service.recorded():
            await service.close()
            raise SystemExit("quizmaster bench ingest: --db must name an empty scratch database")
        pairs.append(Pair(service, await BarePostgresLoop.open(postgres, prompt_id)))
        first = 0
        for index in range(rounds):
            count = n // rounds + (1 if index < n % rounds else 0)
            for pair in pairs:
                await pair.run(first, count, concurrency)
            first += count
        sqlite, pg = [await pair.timings() for pair in pairs]
    finally:
        for pair in pairs:
            await pair.close()
    replicas = await measure_replicas(
        settings, postgres, first=n, n=n, concurrency=concurrency, pool_size=pool_size
    )
    return sqlite, pg, replicas


def _figures(timings: Timings, n: int) -> dict[str, Any]:
    rate, reference = n / timings.ours_s, n / timings.bare_s
    return {
        "answers_per_s": round(rate, 1),
        "bare_answers_per_s": round(reference, 1),
        "ratio": round(rate / reference, 3),
        "ratio_target_met": rate / reference >= RATIO_TARGET,
        "p50_ms": round(percentile(timings.latencies_ms, 50), 2),
        "p99_ms": round(percentile(timings.latencies_ms, 99), 2),
        "p99_target_met": percentile(timings.latencies_ms, 99) < P99_TARGET_MS,
        "recorded": timings.recorded,
    }


def _replica_figures(replicas: ReplicaTimings, n: int, single: dict[str, Any]) -> dict[str, Any]:
    rate = n / replicas.seconds
    return {
        "answers_per_s": round(rate, 1),
        "to_one_replica": round(rate / single["answers_per_s"], 3),
        "p50_ms": round(percentile(replicas.latencies_ms, 50), 2),
        "p99_ms": round(percentile(replicas.latencies_ms, 99), 2),
        "p99_target_met": percentile(replicas.latencies_ms, 99) < P99_TARGET_MS,
        "recorded": replicas.recorded,
    }


def outcome(
    sqlite: Timings,
    pg: Timings,
    replicas: ReplicaTimings,
    *,
    n: int,
    concurrency: int,
    rounds: int,
    postgres: str,
    pool_size: int,
) -> Outcome:
    lite, server = _figures(sqlite, n), _figures(pg, n)
    two = _replica_figures(replicas, n, server)
    versus = round(server["answers_per_s"] / lite["answers_per_s"], 3)
    payload = {
        "bench": "ingest",
        "answers": n,
        "concurrency": concurrency,
        "rounds": rounds,
        **lite,
        "ratio_target": f">= {RATIO_TARGET:g}",
        "p99_target": f"< {P99_TARGET_MS:g} ms",
        "postgresql": server,
        "postgresql_to_sqlite": versus,
        "postgresql_pool_size": pool_size,
        "postgresql_2_replicas": two,
    }

    def rows(name: str, found: dict[str, Any], driver: str) -> list[list[Any]]:
        return [
            [f"{name} answers/s", found["answers_per_s"], None, None],
            [f"{name} bare {driver} loop answers/s", found["bare_answers_per_s"], None, None],
            [
                f"{name} ours / bare",
                found["ratio"],
                f">= {RATIO_TARGET:g}",
                found["ratio_target_met"],
            ],
            [f"{name} latency p50 ms", found["p50_ms"], None, None],
            [
                f"{name} latency p99 ms",
                found["p99_ms"],
                f"< {P99_TARGET_MS:g}",
                found["p99_target_met"],
            ],
            [f"{name} answers recorded", found["recorded"], n, found["recorded"] == n],
        ]

    return Outcome(
        title=f"ingest: {n} answers through Intake.handle, SQLite and PostgreSQL, trivial grader",
        headers=["metric", "value", "target", "met"],
        rows=[
            *rows("SQLite", lite, "aiosqlite"),
            *rows("PostgreSQL", server, "asyncpg"),
            ["PostgreSQL / SQLite answers/s", versus, None, None],
            ["PostgreSQL, 2 replicas: answers/s", two["answers_per_s"], None, None],
            ["PostgreSQL, 2 replicas / 1 replica", two["to_one_replica"], None, None],
            ["PostgreSQL, 2 replicas: latency p50 ms", two["p50_ms"], None, None],
            [
                "PostgreSQL, 2 replicas: latency p99 ms",
                two["p99_ms"],
                f"< {P99_TARGET_MS:g}",
                two["p99_target_met"],
            ],
            ["PostgreSQL, 2 replicas: answers recorded", two["recorded"], n, two["recorded"] == n],
        ],
        payload=payload,
        notes=[
            f"{concurrency} messages in flight at a time; SQLite files on a temp dir; PostgreSQL"
            f" {postgres}, {pool_size} pooled connection(s)",
            "bare: the same rows per answer (claim, member, answer, progress, card), one"
            " transaction per answer, one at a time; in each of the"
            f" {rounds} rounds SQLite's bare loop and service, then PostgreSQL's, take a slice",
            f"2 replicas: {n} more answers to another channel's question, half to each of two"
            f" processes started together, {concurrency} in flight in each, {pool_size}"
            " connection(s) each; timed by the slower one",
        ],
    )


@contextmanager
def own_postgres() -> Iterator[str]:
    """A PostgreSQL 16 from the `pgserver` wheel (a dev dependency) in a temp folder, on a unix
    socket, removed afterwards; the URL of its scratch database. pgserver asks platformdirs
    for a runtime folder it does not use here (the server lives in the temp folder), and
    platformdirs warns when XDG_RUNTIME_DIR is unset (as under root or in a container): that
    warning alone is silenced."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR is not set")
        from pgserver.postgres_server import get_server

        server = get_server(Path(tempfile.mkdtemp(prefix="quizmaster-bench-pg-")), "delete")
    try:
        server.psql("CREATE DATABASE bench;")
        yield server.get_uri("bench")
    finally:
        server.cleanup()


def main(argv: list[str], settings: Settings) -> int:
    parser = argparse.ArgumentParser(
        prog="quizmaster bench ingest",
        description="Answers/s and p99 latency through the core on SQLite and PostgreSQL, model"
        " excluded, each as a ratio to a bare driver loop writing the same rows.",
    )
    parser.add_argument("--n", type=int, default=2000, help="answers (default 2000)")
    parser.add_argument(
        "--concurrency", type=int, default=8, help="messages handled at once (default 8)"
    )
    parser.add_argument(
        "--rounds", type=int, default=10, help="alternating slices per side (default 10)"
    )
    parser.add_argument(
        "--db",
        help="postgresql:// URL of an empty scratch database (default: start one from pgserver)",
    )
    parser.add_argument(
        "--pool-size",
        type=int,
        default=settings.db_pool_size,
        help=f"PostgreSQL connections of the service (default QUIZMASTER_DB_POOL_SIZE,"
        f" {settings.db_pool_size}; 1: a single connection)",
    )
    parser.add_argument("--json", action="store_true", help="end with one JSON line")
    args = parser.parse_args(argv)
    if min(args.n, args.concurrency, args.rounds, args.pool_size) < 1 or args.rounds > args.n:
        parser.error(
            "--n, --concurrency, --rounds and --pool-size must be at least 1, --rounds at most --n"
        )
    if args.db is not None:
        try:
            url = check_database(args.db)
        except ValueError as exc:
            parser.error(f"--db: {exc}")
        if not isinstance(url, str):
            parser.error("--db: a postgresql:// URL (SQLite is measured on a temp file anyway)")
    server = own_postgres() if args.db is None else nullcontext(args.db)
    with tempfile.TemporaryDirectory(prefix="quizmaster-bench-") as tmp, server as postgres:
        sqlite, pg, replicas = asyncio.run(
            measure(
                settings,
                n=args.n,
                concurrency=args.concurrency,
                rounds=args.rounds,
                folder=Path(tmp),
                postgres=postgres,
                pool_size=args.pool_size,
            )
        )
    shown = "started from pgserver" if args.db is None else "at --db"
    found = outcome(
        sqlite,
        pg,
        replicas,
        n=args.n,
        concurrency=args.concurrency,
        rounds=args.rounds,
        postgres=shown,
        pool_size=args.pool_size,
    )
    report(found, as_json=args.json)
    return 0
