"""The HTTP Events API's front door: size, timestamp and signature checked before Bolt sees a
request.

Bolt turns a timestamp that is not an integer (`abc`, `1e10`) into a 500 with a traceback, and
logs the body of every request it refuses, so anyone who can reach the port could write lines
into our log. Here such a request is a 401 and one escaped line without its body.
"""

from __future__ import annotations

import logging
import re

from aiohttp import web
from aiohttp.typedefs import Handler, Middleware
from slack_sdk.signature import SignatureVerifier

log = logging.getLogger("quizmaster.slack")

MAX_BODY_BYTES = 256 * 1024
"""Slack's largest payloads (a view submission) are a few tens of kB."""
_TIMESTAMP = re.compile(r"[0-9]{1,12}")


def _refuse(status: int, detail: str) -> web.Response:
    return web.json_response({"error": detail}, status=status)


def signed_only(signing_secret: str, *, browser_paths: frozenset[str] = frozenset()) -> Middleware:
    """aiohttp middleware: 413 over MAX_BODY_BYTES, 401 without a valid, fresh signature.
    `browser_paths` (the OAuth install pages, which a person's browser opens, unsigned) are
    passed on for GET alone."""
    verifier = SignatureVerifier(signing_secret)

    @web.middleware
    async def guard(request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.method == "GET" and request.path in browser_paths:
            return await handler(request)
        if (request.content_length or 0) > MAX_BODY_BYTES:
            log.warning("refused a Slack request of %d bytes", request.content_length)
            return _refuse(413, "request body too large")
        timestamp = request.headers.get("X-Slack-Request-Timestamp", "")
        if not _TIMESTAMP.fullmatch(timestamp):
            log.warning("refused a Slack request: timestamp %r is not a number", timestamp[:20])
            return _refuse(401, "invalid request")
        body = await request.read()
        if len(body) > MAX_BODY_BYTES:
            return _refuse(413, "request body too large")
        if not verifier.is_valid(body, timestamp, request.headers.get("X-Slack-Signature", "")):
            log.warning(
                "refused a Slack request with a wrong or stale signature (%d bytes from %s)",
                len(body),
                request.remote,
            )
            return _refuse(401, "invalid request")
        return await handler(request)

    return guard
