"""The service's front door: the bearer token and the body size are checked before the body is
read, on every route (present and future), so an unauthenticated or oversized request costs the
service neither memory nor time.

One rule (`EdgeRule`), applied twice. The service's own uvicorn protocol applies it to a
request's head as it is parsed and answers from there (`compute.early_refusal`): the event loop
never starts the app for a refused request, nor reads its body. `EdgeGuard`, raw ASGI inside the
app, applies it again, so the app keeps its rule under any server, and it cuts off a chunked body
once the app has read past the limit. Neither can be a FastAPI dependency: those run only after
the body has been read and parsed.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

if TYPE_CHECKING:
    from fastapi import FastAPI

OPEN_PATHS = frozenset({"/healthz"})
"""Routes answered without a token, so probes can tell 'down' from 'refused'."""
DISCARD_LIMIT = 4 * 1024 * 1024
"""A refused body up to this size is read and thrown away before the answer, so the client,
still sending, reads the 401 or 413 instead of a reset connection; a larger one is not read.
(Under the service's own protocol a refused request never reaches the app: its lingering close
keeps the answer readable without reading anything.)"""


def token_matches(authorization: str | None, expected: str) -> bool:
    """`Authorization: Bearer <expected>`, compared in constant time."""
    scheme, _, presented = (authorization or "").partition(" ")
    return scheme.lower() == "bearer" and secrets.compare_digest(
        presented.strip().encode(), expected.encode()
    )


@dataclass(frozen=True)
class Refusal:
    """An answer given instead of the app's: an `ErrorBody`-shaped JSON body, and a closed
    connection, so the unread body is dropped."""

    status: int
    detail: str
    extra_headers: tuple[tuple[str, str], ...] = ()

    def body(self) -> bytes:
        return json.dumps({"detail": self.detail}).encode()

    def raw_headers(self) -> list[tuple[bytes, bytes]]:
        return [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(self.body())).encode()),
            (b"connection", b"close"),
            *((k.lower().encode(), v.encode()) for k, v in self.extra_headers),
        ]


@dataclass(frozen=True)
class EdgeRule:
    """Who may send what: the bearer token (None: anyone) and the largest body."""

    token: str | None
    max_body_bytes: int

    def refusal(self, path: str, headers: Mapping[str, str]) -> Refusal | None:
        """The answer a request with this path and these (lower-cased) headers gets before its
        body is read, or None to let it in."""
        if (
            self.token is not None
            and path not in OPEN_PATHS
            and not token_matches(headers.get("authorization"), self.token)
        ):
            return Refusal(401, "missing or wrong bearer token", (("WWW-Authenticate", "Bearer"),))
        declared = headers.get("content-length")
        if declared is not None:
            if not declared.isdigit():
                return Refusal(400, f"Content-Length {declared[:20]!r} is not a number")
            if int(declared) > self.max_body_bytes:
                return self.too_large()
        return None

    def too_large(self) -> Refusal:
        return Refusal(413, f"request body over {self.max_body_bytes} bytes")


def edge_rule_of(app: FastAPI) -> EdgeRule | None:
    """The rule `create_app` gave the service app, for the server that runs it (None: an app
    without one)."""
    rule = getattr(app.state, "edge_rule", None)
    return rule if isinstance(rule, EdgeRule) else None


class EdgeGuard:
    """Refuses a request without the bearer token (401) or with a body over the rule's limit
    (413) before the app reads its body. A body without Content-Length is counted as it
    arrives and cut off at the limit."""

    def __init__(self, app: ASGIApp, *, rule: EdgeRule) -> None:
        self.app = app
        self.rule = rule

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        refusal = self.rule.refusal(scope["path"], headers)
        if refusal is not None:
            if refusal.status == 413:
                await _discard_body(receive, headers.get("content-length"))
            await _refuse(send, refusal)
            return
        await self.app(scope, self._counting(receive), send)

    def _counting(self, receive: Receive) -> Receive:
        """`receive` that raises 413 once the body passes the limit (chunked uploads)."""
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.rule.max_body_bytes:
                    # The rest of the body is never read, so the connection cannot carry
                    # another request: the answer says so, or a client would send one on it.
                    raise HTTPException(
                        413, self.rule.too_large().detail, headers={"connection": "close"}
                    )
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


async def _refuse(send: Send, refusal: Refusal) -> None:
    await send(
        {"type": "http.response.start", "status": refusal.status, "headers": refusal.raw_headers()}
    )
    await send({"type": "http.response.body", "body": refusal.body()})
