"""`bench edges`: the compute service under unauthenticated 18 MB bodies.

A real `quizmaster compute` process on loopback; several clients each announce an 18 MB body
and stream it without a token, back to back, while `/healthz` is polled. The service answers
401 from the request's headers, reads none of the body and closes the connection lingering
(`compute.lingering`), so a client still sending reads the 401, stalls once the socket buffers
are full and is let go a second later: about one body a client a second. A reset before the
401 was read is counted too. The service then uses a few percent of a core, most of it
answering the /healthz probes themselves, so the CPU per body refused is mostly theirs. Before
issue 15 the service read every body before refusing it (1.9 GB peak RSS, `/healthz` 12 s).
The figures: the service's RSS growth
over its idle RSS, and `/healthz` latency under the load against idle latency measured in the
same run; and the service's own CPU time under the load (share of one core, and per body
refused), which says whether its event loop is busy or the host is: a service using a few
percent of a core, whose /healthz still waits, is waiting for a CPU the host gives elsewhere.
The load's many short requests bring full garbage-collector passes every few seconds; each
stalled /healthz 150-500 ms until the service froze its loaded model's objects (`compute.heap`).
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import time
from dataclasses import dataclass, field
from multiprocessing.connection import Connection

from bot.config import Settings
from tools.bench.compute_process import compute_process, healthz, wait_warm
from tools.bench.table import Cell, Outcome, percentile, report

RSS_GROWTH_TARGET_MB = 50.0
HEALTHZ_TARGET_MS = 100.0
CHUNK = 64 * 1024


def _rss_mb(pid: int) -> float:
    """Resident memory of one process, from /proc (Linux)."""
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for pid {pid}")


def _cpu_s(pid: int) -> float:
    """CPU seconds (user and system) one process has used, from /proc (Linux)."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def _healthz_ms(port: int) -> float:
    return (await healthz(port))[0]


async def _big_body(port: int, size: int) -> int:
    """Announce and stream `size` bytes to POST /jobs without a token until the service
    answers; the status answered, or 0 if the connection closed without one."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    answer = asyncio.create_task(reader.read(200))
    writer.write(
        f"POST /jobs HTTP/1.1\r\nHost: bench\r\nContent-Type: application/json\r\n"
        f"Content-Length: {size}\r\n\r\n".encode()
    )
    chunk = b"x" * CHUNK
    try:
        for _ in range(size // CHUNK):
            if answer.done():
                break
            writer.write(chunk)
            await writer.drain()
    except ConnectionError:
        pass  # the service answered and closed
    try:
        head = await asyncio.wait_for(answer, timeout=60)
    except ConnectionError:
        head = b""
    writer.close()
    parts = head.split(b" ", 2)
    return int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0


async def _client(port: int, size: int, until: float, statuses: list[int]) -> None:
    """One client sending big bodies back to back until `until` (monotonic seconds)."""
    while time.monotonic() < until:
        statuses.append(await _big_body(port, size))


@dataclass
class Samples:
    rss_mb: list[float] = field(default_factory=list)
    healthz_ms: list[float] = field(default_factory=list)
    cpu_s: float = 0.0
    """CPU seconds the service used meanwhile."""
    wall_s: float = 0.0


async def _sample(pid: int, port: int, samples: Samples, stop: asyncio.Event) -> None:
    while not stop.is_set():
        samples.rss_mb.append(_rss_mb(pid))
        samples.healthz_ms.append(await _healthz_ms(port))
        await asyncio.sleep(0.05)


async def _measure(
    port: int, pid: int, *, bodies: int, size: int, seconds: float
) -> tuple[Samples, Samples, list[int]]:
    idle = Samples()
    for _ in range(20):
        idle.rss_mb.append(_rss_mb(pid))
        idle.healthz_ms.append(await _healthz_ms(port))
    loaded = Samples()
    stop = asyncio.Event()
    receiving, sending = multiprocessing.get_context("spawn").Pipe(duplex=False)
    loader = multiprocessing.get_context("spawn").Process(
        target=_load, args=(port, size, seconds, bodies, sending), daemon=True
    )
    loader.start()
    await asyncio.to_thread(receiving.recv)  # the clients are sending
    cpu_before, started = _cpu_s(pid), time.monotonic()
    sampler = asyncio.create_task(_sample(pid, port, loaded, stop))
    statuses: list[int] = await asyncio.to_thread(receiving.recv)
    stop.set()
    await sampler
    loaded.cpu_s, loaded.wall_s = _cpu_s(pid) - cpu_before, time.monotonic() - started
    await asyncio.to_thread(loader.join, 30)
    return idle, loaded, statuses


def _load(port: int, size: int, seconds: float, bodies: int, results: Connection) -> None:
    """The clients, in a process of their own: beside the /healthz probe in one event loop,
    they delayed the probe itself, and the figure measured the bench instead of the service."""

    async def run() -> list[int]:
        statuses: list[int] = []
        until = time.monotonic() + seconds
        results.send("sending")
        await asyncio.gather(*(_client(port, size, until, statuses) for _ in range(bodies)))
        return statuses

    results.send(asyncio.run(run()))


def measure(settings: Settings, *, bodies: int, size_mb: int, seconds: float) -> Outcome:
    with compute_process(settings.cache_dir) as service:
        asyncio.run(wait_warm(service))
        idle, loaded, statuses = asyncio.run(
            _measure(
                service.port,
                service.proc.pid,
                bodies=bodies,
                size=size_mb * 1024 * 1024,
                seconds=seconds,
            )
        )
    base = min(idle.rss_mb)
    growth = max(loaded.rss_mb or [base]) - base
    idle_p50 = percentile(idle.healthz_ms, 50)
    loaded_max = max(loaded.healthz_ms or [idle_p50])
    loaded_p50 = percentile(loaded.healthz_ms or [idle_p50], 50)
    refused = sum(status == 401 for status in statuses)
    reset = sum(status == 0 for status in statuses)
    cpu_share = loaded.cpu_s / loaded.wall_s
    cpu_per_body_ms = loaded.cpu_s * 1000 / max(1, len(statuses))
    rows: list[list[Cell]] = [
        ["service RSS idle, MB", round(base, 1), None, None],
        [
            "RSS growth under load, MB",
            round(growth, 1),
            f"<= {RSS_GROWTH_TARGET_MB:g}",
            growth <= RSS_GROWTH_TARGET_MB,
        ],
        ["/healthz idle p50, ms", round(idle_p50, 1), None, None],
        ["/healthz under load p50, ms", round(loaded_p50, 1), None, None],
        [
            "/healthz under load max, ms",
            round(loaded_max, 1),
            f"< {HEALTHZ_TARGET_MS:g}",
            loaded_max < HEALTHZ_TARGET_MS,
        ],
        ["under load / idle (p50)", round(loaded_p50 / idle_p50, 2), None, None],
        ["service CPU under load, share of one core", round(cpu_share, 3), None, None],
        ["service CPU per body refused, ms", round(cpu_per_body_ms, 2), None, None],
        [f"bodies sent by {bodies} clients in {seconds:g} s", len(statuses), None, None],
        ["bodies answered 401", refused, None, None],
        ["connection closed before the 401 was read", reset, None, None],
        [
            "bodies accepted or other status",
            len(statuses) - refused - reset,
            0,
            refused + reset == len(statuses),
        ],
    ]
    payload: dict[str, object] = {
        "bench": "edges",
        "bodies": bodies,
        "body_mb": size_mb,
        "rss_idle_mb": round(base, 1),
        "rss_growth_mb": round(growth, 1),
        "healthz_idle_p50_ms": round(idle_p50, 2),
        "healthz_loaded_p50_ms": round(loaded_p50, 2),
        "healthz_loaded_max_ms": round(loaded_max, 2),
        "healthz_samples": len(loaded.healthz_ms),
        "service_cpu_share": round(cpu_share, 3),
        "service_cpu_ms_per_body": round(cpu_per_body_ms, 2),
        "seconds": seconds,
        "bodies_sent": len(statuses),
        "bodies_refused_401": refused,
        "bodies_reset": reset,
        "targets": f"RSS growth <= {RSS_GROWTH_TARGET_MB:g} MB, /healthz max < "
        f"{HEALTHZ_TARGET_MS:g} ms",
        "targets_met": growth <= RSS_GROWTH_TARGET_MB and loaded_max < HEALTHZ_TARGET_MS,
    }
    return Outcome(
        title=f"edges: compute service under {bodies} unauthenticated {size_mb} MB bodies",
        headers=["metric", "value", "target", "met"],
        rows=rows,
        payload=payload,
        notes=[f"{len(loaded.healthz_ms)} /healthz samples under load; RSS of the server process"],
    )


def main(argv: list[str], settings: Settings) -> int:
    parser = argparse.ArgumentParser(
        prog="quizmaster bench edges",
        description="RSS growth and /healthz latency of the compute service while clients "
        "stream large unauthenticated bodies at it.",
    )
    parser.add_argument("--bodies", type=int, default=8, help="concurrent clients (default 8)")
    parser.add_argument("--mb", type=int, default=18, help="body size in MB (default 18)")
    parser.add_argument(
        "--seconds", type=float, default=5.0, help="how long the clients keep sending (default 5)"
    )
    parser.add_argument("--json", action="store_true", help="end with one JSON line")
    args = parser.parse_args(argv)
    if args.bodies < 1 or args.mb < 1 or args.seconds <= 0:
        parser.error("--bodies, --mb and --seconds must be positive")
    outcome = measure(settings, bodies=args.bodies, size_mb=args.mb, seconds=args.seconds)
    report(outcome, as_json=args.json)
    payload = outcome.payload
    refused = payload["bodies_refused_401"]
    reset = payload["bodies_reset"]
    assert isinstance(refused, int) and isinstance(reset, int)
    return 0 if payload["bodies_sent"] == refused + reset else 1
