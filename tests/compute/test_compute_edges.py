"""The service's edges: token and size are checked before the body is read, error answers stay
small whatever the input, and the API docs are not open to all (issue 15, findings 1, 2, 6)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from urllib.parse import urlsplit

import httpx
import pytest

from compute.schemas import SHOWN_ERRORS, ErrorBody
from tests.compute.fake_service import fake_service

TOKEN = "edge-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
EIGHTEEN_MB = 18 * 1024 * 1024


async def _declare_big_body(url: str, headers: dict[str, str]) -> tuple[int, bytes]:
    """Send headers that announce an 18 MB body and only its first kilobyte, then read the answer.

    A server that reads the body before it decides waits for the other 18 MB and never answers,
    so the 10 s guard below fails the test instead of hanging it."""
    parts = urlsplit(url)
    reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
    head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    writer.write(
        (
            f"POST /jobs HTTP/1.1\r\nHost: {parts.netloc}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {EIGHTEEN_MB}\r\n{head}\r\n"
        ).encode()
        + b'{"demo": "quick", "params": {"pad": "'
        + b"x" * 1024
    )
    await writer.drain()
    try:
        answer = await asyncio.wait_for(reader.read(), timeout=10)
    finally:
        writer.close()
    status_line, _, rest = answer.partition(b"\r\n")
    return int(status_line.split()[1]), rest.partition(b"\r\n\r\n")[2]


async def test_unauthenticated_big_body_gets_401_before_it_is_sent() -> None:
    async with fake_service(token=TOKEN) as url:
        status, body = await _declare_big_body(url, {})
    assert status == 401
    assert json.loads(body)["detail"] == "missing or wrong bearer token"


async def test_authenticated_body_over_the_limit_gets_413_before_it_is_sent() -> None:
    async with fake_service(token=TOKEN) as url:
        status, body = await _declare_big_body(url, AUTH)
    assert status == 413
    assert "request body over 1048576 bytes" in json.loads(body)["detail"]


async def test_chunked_body_is_cut_off_at_the_limit() -> None:
    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"demo": "quick", "params": {"pad": "'
        for _ in range(40):
            yield b"x" * 65536
        yield b'"}}'

    async with fake_service(token=TOKEN) as url, httpx.AsyncClient(base_url=url) as http:
        response = await http.post("/jobs", content=chunks(), headers=AUTH)
        healthy = await http.get("/healthz")
    assert response.status_code == 413
    assert response.headers["connection"] == "close"  # the client opens a new one for the next
    assert healthy.status_code == 200


async def test_bad_content_length_is_a_clear_400() -> None:
    async with fake_service() as url:
        parts = urlsplit(url)
        reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
        writer.write(b"POST /jobs HTTP/1.1\r\nHost: x\r\nContent-Length: 12abc\r\n\r\n{}")
        await writer.drain()
        answer = await asyncio.wait_for(reader.read(), timeout=10)
        writer.close()
    assert answer.split()[1] == b"400"


@pytest.mark.parametrize("count", [SHOWN_ERRORS + 1, 20_000])
async def test_error_answer_does_not_grow_with_unknown_parameters(count: int) -> None:
    params = {f"k{i}": 1 for i in range(count)}
    async with fake_service() as url, httpx.AsyncClient(base_url=url) as http:
        response = await http.post("/jobs", json={"demo": "quick", "params": params})
    assert response.status_code == 422
    assert len(response.content) < 4000
    body = ErrorBody.model_validate_json(response.content)
    assert len(body.errors) <= SHOWN_ERRORS and body.errors
    assert len(body.errors) + body.more_errors >= 1


async def test_many_bad_values_are_listed_first_few_and_counted() -> None:
    """Within the parameter cap, each bad value is a problem; five are shown, the rest counted."""
    params = {"lr": "fast", "steps": "many", "flag": "perhaps", "seed": "x", "a": 1, "b": 2, "c": 3}
    async with fake_service() as url, httpx.AsyncClient(base_url=url) as http:
        response = await http.post("/jobs", json={"demo": "quick", "params": params})
    body = ErrorBody.model_validate_json(response.content)
    assert response.status_code == 422
    assert len(body.errors) == SHOWN_ERRORS and body.more_errors == len(params) - SHOWN_ERRORS
    assert "and 2 more" in body.detail


async def test_huge_parameter_name_is_cut_in_the_answer() -> None:
    params = {"k" * 200_000: 1}
    async with fake_service() as url, httpx.AsyncClient(base_url=url) as http:
        response = await http.post("/jobs", json={"demo": "quick", "params": params})
    assert response.status_code == 422
    assert len(response.content) < 4000


@pytest.mark.parametrize("path", ["/docs", "/redoc", "/openapi.json"])
async def test_api_docs_are_off_unless_asked_for(path: str) -> None:
    async with fake_service(token=TOKEN) as url, httpx.AsyncClient(base_url=url) as http:
        assert (await http.get(path)).status_code == 401
        assert (await http.get(path, headers=AUTH)).status_code == 404
    async with fake_service() as url, httpx.AsyncClient(base_url=url) as http:
        assert (await http.get(path)).status_code == 404


@pytest.mark.parametrize("path", ["/docs", "/redoc", "/openapi.json"])
async def test_api_docs_when_asked_for_are_behind_the_token(path: str) -> None:
    async with (
        fake_service(token=TOKEN, docs=True) as url,
        httpx.AsyncClient(base_url=url) as http,
    ):
        refused = await http.get(path)
        served = await http.get(path, headers=AUTH)
        health = await http.get("/healthz")
    assert refused.status_code == 401
    assert served.status_code == 200
    assert health.status_code == 200


async def _stream_until_answered(url: str) -> bytes:
    """A client that keeps sending an 18 MB body while it reads, as curl does: the bytes it
    reads before the connection ends (empty when a reset threw the answer away)."""
    parts = urlsplit(url)
    reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
    answer = asyncio.create_task(reader.read(300))
    writer.write(
        f"POST /jobs HTTP/1.1\r\nHost: x\r\nContent-Length: {EIGHTEEN_MB}\r\n\r\n".encode()
    )
    chunk = b"x" * 65536
    try:
        while not answer.done():
            writer.write(chunk)
            await writer.drain()
    except ConnectionError:
        pass
    try:
        return await asyncio.wait_for(answer, timeout=10)
    except ConnectionError:
        return b""
    finally:
        writer.close()


async def test_a_client_still_sending_reads_its_401_instead_of_a_reset() -> None:
    """Closing with unread bytes makes the kernel reset the connection, which can throw the
    answer away before the client reads it; the service closes lingering (compute.lingering)."""
    async with fake_service(token=TOKEN) as url:
        answers = [await _stream_until_answered(url) for _ in range(10)]
    assert [a.split(b" ", 2)[1] if a else b"reset" for a in answers] == [b"401"] * 10
