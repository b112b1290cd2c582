"""Run the compute service inside the bot's process, on loopback, for `make run` with no setup.

uvicorn runs in its own thread with its own event loop: the bot's loop never serves HTTP, and
uvicorn installs no signal handlers off the main thread, so Ctrl-C stays the bot's.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import socket
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import uvicorn
from fastapi import FastAPI
from pydantic import SecretStr

from compute.api.edge import edge_rule_of
from compute.api.main import create_app
from compute.config import ServiceConfig
from compute.early_refusal import EdgeRuleConfig
from compute.header_timeout import HeaderTimeoutH11Protocol

log = logging.getLogger("quizmaster.compute")

_START_TIMEOUT_S = 30.0
_STOP_TIMEOUT_S = 15.0


@dataclass(frozen=True)
class Endpoint:
    """Where a running service listens, and the token a client must send (None: no token)."""

    url: str
    token: str | None


@asynccontextmanager
async def serve_in_thread(
    app: FastAPI, *, host: str = "127.0.0.1", port: int = 0
) -> AsyncIterator[str]:
    """Serve `app` until the block exits; yields its base URL (port 0: a free port)."""
    # IPPROTO_TCP named, not left 0: asyncio turns Nagle's algorithm off only on a connection
    # whose socket says TCP, and with it on, an answer written as headers then body waited for
    # the client's delayed ACK, 40 ms on Linux, on every request.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    bound_port = sock.getsockname()[1]
    server = uvicorn.Server(
        EdgeRuleConfig(
            app,
            edge_rule=edge_rule_of(app),
            log_level="warning",
            lifespan="on",
            access_log=False,
            http=HeaderTimeoutH11Protocol,
        )
    )
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name="compute-http", daemon=True
    )
    thread.start()
    try:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + _START_TIMEOUT_S
        while not server.started:
            if not thread.is_alive() or loop.time() > deadline:
                raise RuntimeError("the embedded compute service did not start (see log above)")
            await asyncio.sleep(0.02)
        url = f"http://{host}:{bound_port}"
        log.info("compute service listening on %s", url)
        yield url
    finally:
        server.should_exit = True
        await asyncio.to_thread(thread.join, _STOP_TIMEOUT_S)
        sock.close()


@asynccontextmanager
async def embedded_service(config: ServiceConfig) -> AsyncIterator[Endpoint]:
    """The shipped catalog on 127.0.0.1. Without a configured token a random one is made, so
    other local users cannot run jobs through it. The app is built in a worker thread: it
    imports every demo (torch among them), seconds the caller's event loop keeps serving."""
    token = config.token or SecretStr(secrets.token_urlsafe(24))
    app = await asyncio.to_thread(create_app, config.model_copy(update={"token": token}))
    async with serve_in_thread(app) as url:
        yield Endpoint(url=url, token=token.get_secret_value())
