"""The page answers as soon as its answer is written: no request waits for the browser's delayed
ACK. A socket left without its protocol (0, not IPPROTO_TCP) kept Nagle's algorithm on, since
asyncio turns it off only on sockets that say TCP, and every answer, written as headers then
body, waited 40 ms for the ACK of the headers: `/healthz` took 44 ms on an idle machine."""

from __future__ import annotations

import statistics
import time
from pathlib import Path

import httpx

from bot.app import page_wiring, web_app, web_tokens
from bot.config import Settings
from bot.storage.repository import Repository
from bot.web.server import bind, port_of, serving_beside
from content.bank import Bank
from tests.fixed_grader import FixedGrader

SECRET = "at-once-secret-0123456789"
ROUND_TRIPS = 15
MEDIAN_MS = 30.0
"""Below Linux's shortest delayed ACK (40 ms) with room for a busy machine: an answer that
waits for the ACK takes 40 ms or more every time, one that does not takes about a millisecond."""


async def median_ms(client: httpx.AsyncClient, url: str) -> float:
    assert (await client.get(url)).status_code == 200  # the connection open, the page built
    times = []
    for _ in range(ROUND_TRIPS):
        start = time.perf_counter()
        assert (await client.get(url)).status_code == 200
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


async def test_the_web_page_answers_healthz_without_waiting_for_an_ack(
    tmp_path: Path, bank: Bank
) -> None:
    settings = Settings(_env_file=None, lang="en", db=tmp_path / "page.db")
    repo = await Repository.open(settings.storage.db)
    wired = page_wiring(settings, repo=repo, bank=bank, grader=FixedGrader())
    sock = bind("127.0.0.1", 0, any_port_if_busy=False)
    try:
        async with (
            serving_beside(web_app(settings, wired, tokens=web_tokens(SECRET)), sock),
            httpx.AsyncClient(timeout=30) as client,
        ):
            median = await median_ms(client, f"http://127.0.0.1:{port_of(sock)}/healthz")
    finally:
        await repo.close()
    assert median < MEDIAN_MS, f"/healthz median {median:.1f} ms"
