"""The embedded service: the shipped catalog on loopback with a token, gone after the block."""

from __future__ import annotations

import pytest

from compute.client import ComputeClient
from compute.config import ServiceConfig
from compute.embedded import embedded_service
from compute.errors import ComputeUnauthorized, ComputeUnavailable


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
