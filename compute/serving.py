"""uvicorn for `quizmaster compute`, with an exit status of 0 after SIGTERM or SIGINT.

uvicorn drains on those signals (open requests finish, the lifespan cancels and reports the
jobs) and then raises the signal again, so the process dies by it; for a stop that was asked
for (`docker stop`), exit 0 is the honest status.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn
from fastapi import FastAPI

from compute.api.edge import edge_rule_of
from compute.early_refusal import EdgeRuleConfig
from compute.header_timeout import HeaderTimeoutH11Protocol

GRACEFUL_SHUTDOWN_S = 5
"""After SIGTERM, requests still open this long are cancelled and the service exits. Without a
bound, uvicorn waits for every open request, so a client whose upload never finishes held the
service up for as long as it liked (a fresh-clone `make test` saw the service of `quizmaster
bench edges`, just after a load of 4 MB bodies, still running 30 s after SIGTERM). Five seconds
leaves the jobs' cancelling inside the ten that `docker stop` waits before it kills."""


class StoppableServer(uvicorn.Server):
    """A uvicorn server whose SIGTERM/SIGINT handling ends in a normal return."""

    @contextmanager
    def capture_signals(self) -> Iterator[None]:
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        previous = {
            sig: signal.signal(sig, self.handle_exit) for sig in (signal.SIGINT, signal.SIGTERM)
        }
        try:
            yield
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    @classmethod
    def serve_app(cls, app: FastAPI, *, host: str, port: int) -> None:
        config = EdgeRuleConfig(
            app,
            edge_rule=edge_rule_of(app),
            host=host,
            port=port,
            log_level="info",
            http=HeaderTimeoutH11Protocol,
            timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_S,
        )
        cls(config).run()
