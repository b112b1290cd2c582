"""The compute service's protocol answers what its edge rule refuses before any app runs, and
reads nothing of a refused body (compute.early_refusal, compute.lingering; issue 50 item 16).

A small FastAPI app that records every request it sees is served the way the service is served
(`compute.embedded.serve_in_thread`, a real uvicorn server on 127.0.0.1), so "the app never saw
it" is observed, not assumed. The service itself is the fake-demo one of the other tests."""

from __future__ import annotations

import asyncio
import re
from urllib.parse import urlsplit

import httpx
from fastapi import FastAPI, Request
from starlette.types import ASGIApp, Receive, Scope, Send

from compute.api.edge import EdgeGuard, EdgeRule
from compute.embedded import serve_in_thread
from tests.compute.fake_service import fake_service

TOKEN = "early-token"
AUTH = f"Authorization: Bearer {TOKEN}\r\n"
LIMIT = 64 * 1024
EIGHTEEN_MB = 18 * 1024 * 1024
CHUNK = 64 * 1024


def _recording_app(seen: list[str]) -> FastAPI:
    """An app behind the service's edge rule that notes the path of every request reaching it."""
    app = FastAPI()

    @app.post("/echo")
    async def echo(request: Request) -> dict[str, int]:
        return {"bytes": len(await request.body())}

    rule = EdgeRule(token=TOKEN, max_body_bytes=LIMIT)
    app.state.edge_rule = rule
    app.add_middleware(EdgeGuard, rule=rule)

    class Recorder:
        def __init__(self, inner: ASGIApp) -> None:
            self.inner = inner

        async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] == "http":
                seen.append(scope["path"])
            await self.inner(scope, receive, send)

    app.add_middleware(Recorder)
    return app


async def _exchange(url: str, raw: bytes) -> bytes:
    """Send `raw` on a fresh connection and read until the server closes it."""
    parts = urlsplit(url)
    reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
    writer.write(raw)
    await writer.drain()
    try:
        return await asyncio.wait_for(reader.read(), timeout=10)
    finally:
        writer.close()


def _statuses(answer: bytes) -> list[int]:
    """The status of each response in `answer`, in order."""
    return [int(status) for status in re.findall(rb"HTTP/1\.1 (\d{3}) ", answer)]


async def test_headers_alone_get_the_refusal_and_the_app_never_runs() -> None:
    """Only the head is sent: a server waiting for any of the 18 MB would never answer."""
    seen: list[str] = []
    head = f"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: {EIGHTEEN_MB}\r\n"
    async with serve_in_thread(_recording_app(seen)) as url:
        unauthenticated = await _exchange(url, (head + "\r\n").encode())
        too_big = await _exchange(url, (head + AUTH + "\r\n").encode())
    assert _statuses(unauthenticated) == [401]
    assert b'"missing or wrong bearer token"' in unauthenticated
    assert _statuses(too_big) == [413]
    assert f"request body over {LIMIT} bytes".encode() in too_big
    assert seen == []


async def test_honest_requests_still_reach_the_app_and_a_refusal_ends_the_connection() -> None:
    """On one keep-alive connection: an honest request is served, the unauthenticated one after
    it is refused by the protocol and the connection closes (the third is never read)."""
    seen: list[str] = []
    honest = f"POST /echo HTTP/1.1\r\nHost: x\r\n{AUTH}Content-Length: 5\r\n\r\nhello"
    refused = "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello"
    async with serve_in_thread(_recording_app(seen)) as url:
        answer = await _exchange(url, (honest + refused + honest).encode())
        async with httpx.AsyncClient(base_url=url) as http:
            served = await http.post(
                "/echo", content=b"x" * LIMIT, headers={"Authorization": f"Bearer {TOKEN}"}
            )
    assert _statuses(answer) == [200, 401]
    assert b'{"bytes":5}' in answer
    assert served.status_code == 200 and served.json() == {"bytes": LIMIT}
    assert seen == ["/echo", "/echo"]


async def _push(url: str, head: str, *, chunked: bool) -> tuple[bytes, int]:
    """Send `head`, then stream up to 18 MB (chunked or as announced) while reading the answer;
    the answer and the bytes the server's side took in before the connection ended."""
    parts = urlsplit(url)
    reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
    answer = asyncio.create_task(reader.read())
    writer.write(head.encode())
    chunk = b"x" * CHUNK
    framed = f"{CHUNK:x}\r\n".encode() + chunk + b"\r\n" if chunked else chunk
    sent = 0
    try:
        while sent < EIGHTEEN_MB:
            writer.write(framed)
            await asyncio.wait_for(writer.drain(), timeout=10)
            sent += CHUNK
    except (ConnectionError, TimeoutError):
        pass  # the server closed, or stopped reading for good
    try:
        return await asyncio.wait_for(answer, timeout=10), sent
    finally:
        writer.close()


async def test_a_refused_body_is_not_read_while_the_client_keeps_sending() -> None:
    """The client gets its 401 and cannot push the 18 MB: the server reads none of it (it
    used to resume reading after the answer and take in the whole body to drop it)."""
    head = f"POST /jobs HTTP/1.1\r\nHost: x\r\nContent-Length: {EIGHTEEN_MB}\r\n\r\n"
    async with fake_service(token=TOKEN) as url:
        answer, sent = await _push(url, head, chunked=False)
        async with httpx.AsyncClient(base_url=url) as http:
            healthy = await http.get("/healthz")
    assert _statuses(answer) == [401]
    assert sent < EIGHTEEN_MB // 2
    assert healthy.status_code == 200


async def test_a_chunked_body_is_cut_off_at_the_limit() -> None:
    """Without Content-Length the body is counted as it is parsed: past the limit the app
    answers 413 and nothing more is read, so the client cannot push the 18 MB."""
    head = (
        f"POST /jobs HTTP/1.1\r\nHost: x\r\n{AUTH}Content-Type: application/json\r\n"
        "Transfer-Encoding: chunked\r\n\r\n"
    )
    async with fake_service(token=TOKEN) as url:
        answer, sent = await _push(url, head, chunked=True)
    assert _statuses(answer) == [413]
    # What the client wrote includes what the kernel holds for the stopped reader: loopback
    # buffers grow while the server reads the first chunks (9.6 MB once on a loaded machine,
    # with `tcp_rmem`'s ceiling at 32 MB), so only the whole 18 MB shows a server still reading.
    assert sent < EIGHTEEN_MB
