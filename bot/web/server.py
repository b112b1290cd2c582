"""Serving the web page: on the bot's own event loop beside the console (the repository's
connection and lock belong to that loop), or on its own in `quizmaster web`."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from collections.abc import AsyncIterator, Iterator
from typing import Any

import h11
import uvicorn
from fastapi import FastAPI
from uvicorn.protocols.http.h11_impl import H11Protocol

log = logging.getLogger("quizmaster.web")

START_TIMEOUT_S = 30.0
HEADER_TIMEOUT_S = 10.0

LISTEN_BACKLOG = 128


def bind(host: str, port: int, *, any_port_if_busy: bool) -> socket.socket:
    """A listening socket on `host:port`; port 0, or a busy port with `any_port_if_busy`, takes
    one the system hands out."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
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
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind((host, 0))
        sock.listen(LISTEN_BACKLOG)
    return sock


def port_of(sock: socket.socket) -> int:
    port: int = sock.getsockname()[1]
    return port


class _BesideServer(uvicorn.Server):
    """uvicorn without its signal handlers: the process it runs in owns SIGINT and SIGTERM."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


class _WebConfig(uvicorn.Config):
    """uvicorn's settings and one more: how long a request's head may take to arrive."""

    def __init__(self, app: FastAPI, *, header_timeout_s: float, **settings: Any) -> None:
        super().__init__(app, **settings)
        self.header_timeout_s = header_timeout_s


class _HeaderDeadline(H11Protocol):
    """uvicorn's HTTP/1.1 protocol, closing a connection whose request line and headers have not
    all arrived within the header timeout of its opening or of the last response (uvicorn
    itself waits forever for a client that sends its headers a byte at a time)."""

    def __init__(self, config: uvicorn.Config, *args: Any, **kwargs: Any) -> None:
        super().__init__(config, *args, **kwargs)
        self._header_timeout_s = (
            config.header_timeout_s if isinstance(config, _WebConfig) else HEADER_TIMEOUT_S
        )
        self._deadline: asyncio.TimerHandle | None = None

    def _arm(self) -> None:
        self._disarm()
        self._deadline = self.loop.call_later(self._header_timeout_s, self._too_slow)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _too_slow(self) -> None:
        self._deadline = None
        if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
            self.transport.close()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)  # type: ignore[arg-type]
        self._arm()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self.conn.their_state is not h11.IDLE:
            self._disarm()  # the head is in: the request is the app's now

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
            self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)


def _config(
    app: FastAPI, *, proxy_headers: bool, header_timeout_s: float = HEADER_TIMEOUT_S
) -> uvicorn.Config:
    return _WebConfig(
        app,
        header_timeout_s=header_timeout_s,
        http=_HeaderDeadline,
        log_level="warning",
        lifespan="off",
        access_log=False,
        proxy_headers=proxy_headers,
        forwarded_allow_ips="127.0.0.1" if proxy_headers else None,
    )


@contextlib.asynccontextmanager
async def serving_beside(
    app: FastAPI, sock: socket.socket, *, header_timeout_s: float = HEADER_TIMEOUT_S
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


async def serve_alone(app: FastAPI, sock: socket.socket, *, proxy_headers: bool) -> None:
    """Serve until SIGINT or SIGTERM (`quizmaster web`)."""
    await uvicorn.Server(_config(app, proxy_headers=proxy_headers)).serve(sockets=[sock])
