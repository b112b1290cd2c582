"""Serving the web page: on the bot's own event loop beside the console (the repository's
connection and lock belong to that loop), or on its own in `quizmaster web`."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from collections.abc import AsyncIterator, Callable, Iterator

import uvicorn
from starlette.types import ASGIApp, Receive, Scope, Send

from compute.header_timeout import HEADER_TIMEOUT_S, HeaderTimeoutConfig, HeaderTimeoutProtocol
from compute.lingering import LingeringH11Protocol

log = logging.getLogger("quizmaster.web")

START_TIMEOUT_S = 30.0

LISTEN_BACKLOG = 128


def bind(host: str, port: int, *, any_port_if_busy: bool) -> socket.socket:
    """A listening socket on `host:port`; port 0, or a busy port with `any_port_if_busy`, takes
    one the system hands out.

    The socket names IPPROTO_TCP rather than leaving it 0: asyncio turns Nagle's algorithm off
    only on a connection whose socket says TCP, and with it on, every answer (written as headers
    then body) waited for the browser's delayed ACK, 40 ms on Linux: `/healthz` took 44 ms idle
    and 60-180 ms beside a background encode (`quizmaster bench groups`)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        # Listening at once: with SO_REUSEADDR two processes may both bind a port that neither
        # listens on yet, and the second would only fail later, when the server starts.
        sock.bind((host, port))
        sock.listen(LISTEN_BACKLOG)
    except OSError:
        sock.close()
        if not any_port_if_busy:
            raise
        log.warning("web port %d is busy; serving the web page on another port", port)
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.bind((host, 0))
        sock.listen(LISTEN_BACKLOG)
    return sock


def port_of(sock: socket.socket) -> int:
    port: int = sock.getsockname()[1]
    return port


class _WebProtocol(HeaderTimeoutProtocol, LingeringH11Protocol):
    """uvicorn's h11 protocol with a header read timeout and a lingering close: the 413 of a
    body past the cap (`bot.web.body_limit`) reaches a browser still sending it, where closing
    on its unread bytes would reset the connection and show the browser an error of its own."""


class _BesideServer(uvicorn.Server):
    """uvicorn without its signal handlers: the process it runs in owns SIGINT and SIGTERM."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


class BuiltOnFirstRequest:
    """The page built when someone first opens it, not when the process starts: the console
    serves it beside the chat, and the web framework, its routes and templates (about a third of
    a second) would otherwise stand between every start and its first question for a page most
    starts never show. The first request waits for the build; the rest go straight through."""

    def __init__(self, build: Callable[[], ASGIApp]) -> None:
        self._build = build
        self._app: ASGIApp | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self._app is None:
            self._app = self._build()
        await self._app(scope, receive, send)


def _config(
    app: ASGIApp, *, proxy_headers: bool, header_timeout_s: float = HEADER_TIMEOUT_S
) -> uvicorn.Config:
    return HeaderTimeoutConfig(
        app,
        header_timeout_s=header_timeout_s,
        http=_WebProtocol,
        log_level="warning",
        lifespan="off",
        ws="none",  # the page has no websockets: uvicorn would import a websocket library
        access_log=False,
        proxy_headers=proxy_headers,
        forwarded_allow_ips="127.0.0.1" if proxy_headers else None,
    )


@contextlib.asynccontextmanager
async def serving_beside(
    app: ASGIApp, sock: socket.socket, *, header_timeout_s: float = HEADER_TIMEOUT_S
) -> AsyncIterator[None]:
    """Serve `app` on this event loop until the block exits."""
    server = _BesideServer(_config(app, proxy_headers=False, header_timeout_s=header_timeout_s))
    task = asyncio.create_task(server.serve(sockets=[sock]), name="web-page")
    try:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + START_TIMEOUT_S
        while not server.started:
            if task.done() or loop.time() > deadline:
                raise RuntimeError("the web page did not start (see the log)")
            await asyncio.sleep(0.02)
        yield
    finally:
        server.should_exit = True
        await task
        sock.close()


async def serve_alone(app: ASGIApp, sock: socket.socket, *, proxy_headers: bool) -> None:
    """Serve until SIGINT or SIGTERM (`quizmaster web`)."""
    await uvicorn.Server(_config(app, proxy_headers=proxy_headers)).serve(sockets=[sock])
