"""The whole request body capped before anything reads it.

A form is parsed before any route checks who sent it: without a cap, anyone could make the page
hold hundreds of megabytes of fields only to be told 403. A body whose declared length is past
the cap is refused at once, unread (the server reads no more of it than its socket buffer); one
sent without a length is counted as it arrives and refused where it passes the cap, whatever
the route was doing with it. A route that stops reading such a body partway (a form field past
what a form reads) is answered only once the rest is counted: a body past the cap gets the same
413 whether or not it declared its length, not the route's page about one field."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

Refusal = Callable[[Scope, Receive, Send], Awaitable[None]]
"""Sends the 413 page (`bot.web.errors.body_too_big`)."""


class _PastTheCapError(Exception):
    """Raised to the route that reads past the cap: it stops reading."""


class BodyLimit:
    """ASGI middleware: a request body of more than `limit` bytes gets `refuse`'s 413, in place
    of whatever the route would have answered."""

    def __init__(self, app: ASGIApp, *, limit: int, refuse: Refusal) -> None:
        self.app = app
        self.limit = limit
        self.refuse = refuse

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length", "")
        if declared.isdigit() and int(declared) > self.limit:
            await self.refuse(scope, receive, send)
            return
        read = 0
        past = refused = False
        unfinished = False  # the route read part of a body that did not declare its length

        async def counted() -> Message:
            nonlocal read, past, unfinished
            if past:
                raise _PastTheCapError
            message = await receive()
            if message["type"] == "http.request":
                read += len(message.get("body", b""))
                unfinished = not declared and message.get("more_body", False)
                if read > self.limit:
                    past = True
                    raise _PastTheCapError
            return message

        async def counted_to_the_end() -> None:
            """The rest of a body the route stopped reading, counted and dropped, up to the cap."""
            nonlocal read, past, unfinished
            while unfinished and not past:
                message = await receive()
                if message["type"] != "http.request":
                    return
                read += len(message.get("body", b""))
                unfinished = message.get("more_body", False)
                past = read > self.limit

        async def answered(message: Message) -> None:
            nonlocal refused
            if message["type"] == "http.response.start":
                await counted_to_the_end()
            if not past:
                await send(message)
            elif not refused:  # the route's own answer to a body it could not read: replaced
                refused = True
                await self.refuse(scope, receive, send)

        try:
            await self.app(scope, counted, answered)
        except Exception:
            if not past:
                raise
            if not refused:
                await self.refuse(scope, receive, send)
