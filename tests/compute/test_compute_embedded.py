"""The embedded service: the shipped catalog on loopback with a token, gone after the block; the
bot's, started on the first demo call."""

from __future__ import annotations

import asyncio
import threading

import pytest

from compute.client import ComputeClient
from compute.config import ServiceConfig
from compute.embedded import embedded_service
from compute.errors import ComputeUnauthorized, ComputeUnavailable
from compute.on_demand import OnDemandService


async def test_embedded_service_serves_the_catalog_and_stops() -> None:
    async with embedded_service(ServiceConfig()) as endpoint:
        assert endpoint.url.startswith("http://127.0.0.1:") and endpoint.token
        async with ComputeClient(endpoint.url, token=endpoint.token) as client:
            names = {d.name for d in await client.demos()}
            health = await client.health()
        async with ComputeClient(endpoint.url) as stranger:
            with pytest.raises(ComputeUnauthorized):
                await stranger.demos()
    assert {"activations", "relu-approx", "gradient-descent", "optimizers"} <= names
    assert health.status == "ok" and health.workers >= 1
    async with ComputeClient(endpoint.url, timeout=2.0) as late:
        with pytest.raises(ComputeUnavailable):
            await late.health()


async def test_the_bots_demo_service_starts_on_the_first_call_and_stops_on_close() -> None:
    """`quizmaster run` starts no compute service (nor torch) before a demo is asked for."""
    service = OnDemandService(ServiceConfig())
    before = {thread.name for thread in threading.enumerate()}
    assert "compute-http" not in before
    first, second = await asyncio.gather(service.demos(), service.demos())
    assert "compute-http" in {thread.name for thread in threading.enumerate()}
    assert [d.name for d in first] == [d.name for d in second]
    assert {"activations", "relu-approx"} <= {d.name for d in first}
    await service.aclose()
    assert "compute-http" not in {thread.name for thread in threading.enumerate()}


async def test_closing_a_demo_service_never_asked_for_starts_nothing() -> None:
    service = OnDemandService(ServiceConfig())
    await service.aclose()
    assert "compute-http" not in {thread.name for thread in threading.enumerate()}
