"""The service's front door, as raw ASGI: the bearer token and the body size are checked before
the body is read, on every route (present and future), so an unauthenticated or oversized
request costs the service neither memory nor time.

It cannot be a FastAPI dependency: those run only after the body has been read and parsed.
"""

from __future__ import annotations

import json
import secrets

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

OPEN_PATHS = frozenset({"/healthz"})
"""Routes answered without a token, so probes can tell 'down' from 'refused'."""
DISCARD_LIMIT = 4 * 1024 * 1024
"""A refused body up to this size is read and thrown away before the answer, so the client,
still sending, reads the 401 or 413 instead of a reset connection; a larger one is not read."""


def token_matches(authorization: str | None, expected: str) -> bool:
    """`Authorization: Bearer <expected>`, compared in constant time."""
    scheme, _, presented = (authorization or "").partition(" ")
    return scheme.lower() == "bearer" and secrets.compare_digest(
        presented.strip().encode(), expected.encode()
    )


class EdgeGuard:
    """Refuses a request without the bearer token (401) or with a body over `max_body_bytes`
    (413) before the app reads its body. A body without Content-Length is counted as it
    arrives and cut off at the limit."""

    def __init__(self, app: ASGIApp, *, token: str | None, max_body_bytes: int) -> None:
        self.app = app
        self.token = token
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        if (
            self.token is not None
            and scope["path"] not in OPEN_PATHS
            and not token_matches(headers.get("authorization"), self.token)
        ):
            await _refuse(
                send, 401, "missing or wrong bearer token", {"WWW-Authenticate": "Bearer"}
            )
            return
        declared = headers.get("content-length")
        if declared is not None:
            if not declared.isdigit():
                await _refuse(send, 400, f"Content-Length {declared[:20]!r} is not a number")
                return
            if int(declared) > self.max_body_bytes:
                await _discard_body(receive, declared)
                await _refuse(send, 413, self._too_large())
                return
        await self.app(scope, self._counting(receive), send)

    def _too_large(self) -> str:
        return f"request body over {self.max_body_bytes} bytes"

    def _counting(self, receive: Receive) -> Receive:
        """`receive` that raises 413 once the body passes the limit (chunked uploads)."""
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_body_bytes:
                    raise HTTPException(413, self._too_large())
            return message

        return counted


async def _discard_body(receive: Receive, declared: str | None) -> None:
    """Read and drop a body of at most DISCARD_LIMIT bytes (declared, or counted as it comes)."""
    if declared is not None and (not declared.isdigit() or int(declared) > DISCARD_LIMIT):
        return
    seen = 0
    while seen <= DISCARD_LIMIT:
        message = await receive()
        if message["type"] != "http.request":
            return
        seen += len(message.get("body", b""))
        if not message.get("more_body", False):
            return


async def _refuse(
    send: Send, status: int, detail: str, headers: dict[str, str] | None = None
) -> None:
    """An `ErrorBody`-shaped JSON answer; the connection closes, so the unread body is dropped."""
    body = json.dumps({"detail": detail}).encode()
    raw_headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"connection", b"close"),
        *((k.lower().encode(), v.encode()) for k, v in (headers or {}).items()),
    ]
    await send({"type": "http.response.start", "status": status, "headers": raw_headers})
    await send({"type": "http.response.body", "body": body})
