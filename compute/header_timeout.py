"""A bound on the time a client may take to send a request's headers.

uvicorn's h11 protocol has none: a connection that sends nothing, or trickles a header line now
and then (slowloris), holds its slot for as long as it likes. Here a connection whose request
headers are not complete `HEADER_TIMEOUT_S` after it opened, or after the first bytes of its
next request, is closed. Bodies are not covered (the edge guard bounds their size), nor idle
keep-alive connections (uvicorn's own `timeout_keep_alive` closes those).
"""

from __future__ import annotations

import asyncio

import h11

from compute.lingering import LingeringH11Protocol

HEADER_TIMEOUT_S = 10.0
"""How long a request's headers may take to arrive in full."""


class HeaderTimeoutH11Protocol(LingeringH11Protocol):
    """The compute service's protocol: lingering close, and a header read timeout."""

    _header_deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)
        self._await_headers()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        self._await_headers()

    def connection_lost(self, exc: Exception | None) -> None:
        if self._header_deadline is not None:
            self._header_deadline.cancel()
        super().connection_lost(exc)

    def _await_headers(self) -> None:
        """Start the clock while a request's headers are awaited (h11 still IDLE on the client's
        side), stop it once they are in."""
        waiting = self.conn.their_state is h11.IDLE and not self.transport.is_closing()
        if waiting and self._header_deadline is None:
            self._header_deadline = self.loop.call_later(HEADER_TIMEOUT_S, self._too_slow)
        elif not waiting and self._header_deadline is not None:
            self._header_deadline.cancel()
            self._header_deadline = None

    def _too_slow(self) -> None:
        self._header_deadline = None
        if self.conn.their_state is h11.IDLE:
            self.transport.close()
