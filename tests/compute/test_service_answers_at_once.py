"""The embedded compute service answers as soon as its answer is written: its socket says TCP,
so asyncio turns Nagle's algorithm off and no answer waits 40 ms for the client's delayed ACK
(`tests/web/test_web_answers_at_once.py` for the web page)."""

from __future__ import annotations

import httpx

from compute.api.main import create_app
from compute.config import ServiceConfig
from compute.embedded import serve_in_thread
from tests.web.test_web_answers_at_once import MEDIAN_MS, median_ms


async def test_the_embedded_compute_service_answers_without_waiting_for_an_ack() -> None:
    async with (
        serve_in_thread(create_app(ServiceConfig())) as url,
        httpx.AsyncClient(timeout=30) as client,
    ):
        median = await median_ms(client, f"{url}/healthz")
    assert median < MEDIAN_MS, f"/healthz median {median:.1f} ms"
