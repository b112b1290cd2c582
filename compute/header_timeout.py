"""A bound on the time a client may take to send a request's headers, for every uvicorn server
here (the compute service and the bot's web page).

uvicorn's h11 protocol has none: a connection that sends nothing, or trickles a header line now
and then (slowloris), holds its slot for as long as it likes. Here a connection whose request
headers are not complete within the header timeout of its opening, of the last response, or of
the first bytes of its next request, is closed. Bodies are not covered (the edge guard bounds
their size).
"""

from __future__ import annotations

import asyncio
from typing import Any

import h11
import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from compute.early_refusal import EarlyRefusalH11Protocol

HEADER_TIMEOUT_S = 10.0
"""How long a request's headers may take to arrive in full, unless the config says otherwise."""


class HeaderTimeoutConfig(uvicorn.Config):
    """uvicorn's settings and one more: how long a request's head may take to arrive."""

    def __init__(self, app: Any, *, header_timeout_s: float, **settings: Any) -> None:
        super().__init__(app, **settings)
        self.header_timeout_s = header_timeout_s


class HeaderTimeoutProtocol(H11Protocol):
    """uvicorn's h11 protocol, closing a connection whose request line and headers are late."""

    _header_deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)  # type: ignore[arg-type]
        self._await_headers()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        self._await_headers()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._await_headers()

    def connection_lost(self, exc: Exception | None) -> None:
        if self._header_deadline is not None:
            self._header_deadline.cancel()
        super().connection_lost(exc)

    def _header_timeout_s(self) -> float:
        if isinstance(self.config, HeaderTimeoutConfig):
            return self.config.header_timeout_s
        return HEADER_TIMEOUT_S

    def _await_headers(self) -> None:
        """Start the clock while a request's headers are awaited (h11 still IDLE on the client's
        side), stop it once they are in. Bytes that arrive meanwhile do not restart it."""
        waiting = self.conn.their_state is h11.IDLE and not self.transport.is_closing()
        if waiting and self._header_deadline is None:
            self._header_deadline = self.loop.call_later(self._header_timeout_s(), self._too_slow)
        elif not waiting and self._header_deadline is not None:
            self._header_deadline.cancel()
            self._header_deadline = None

    def _too_slow(self) -> None:
        self._header_deadline = None
        if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
            self.transport.close()


class HeaderTimeoutH11Protocol(HeaderTimeoutProtocol, EarlyRefusalH11Protocol):
    """The compute service's protocol: a header read timeout, its edge rule's refusals answered
    before any app runs, and a lingering close."""
