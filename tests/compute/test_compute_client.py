"""Client errors when the service is down or answers something that is not the compute API."""

from __future__ import annotations

import socket

import httpx
import pytest

from compute.client import ComputeClient
from compute.errors import ComputeUnavailable
from tests.loopback import unused_port


async def test_connection_refused_is_unavailable_with_the_url() -> None:
    url = f"http://127.0.0.1:{unused_port()}"
    async with ComputeClient(url, timeout=2.0) as client:
        with pytest.raises(ComputeUnavailable) as raised:
            await client.submit("quick", {})
    assert url in raised.value.message


async def test_a_page_that_is_not_the_api_is_unavailable() -> None:
    def html(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, html="<html>proxy login</html>")

    async with ComputeClient("http://compute", transport=httpx.MockTransport(html)) as client:
        with pytest.raises(ComputeUnavailable, match="cannot read"):
            await client.job("abc")


async def test_a_server_error_is_unavailable() -> None:
    def broken(request: httpx.Request) -> httpx.Response:
        return httpx.Response(502, text="bad gateway")

    async with ComputeClient("http://compute", transport=httpx.MockTransport(broken)) as client:
        with pytest.raises(ComputeUnavailable, match="502"):
            await client.demos()


async def test_a_silent_server_times_out_as_unavailable() -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        url = f"http://127.0.0.1:{listener.getsockname()[1]}"
        async with ComputeClient(url, timeout=0.3) as client:
            with pytest.raises(ComputeUnavailable, match="did not answer in time"):
                await client.health()
