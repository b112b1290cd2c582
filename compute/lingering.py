"""A lingering close for refused uploads, as web servers do it (nginx's `lingering_close`).

The edge guard answers 401 or 413 before reading a body and the connection closes. Closing a
socket that still holds unread bytes makes the kernel send a reset, and a reset that reaches the
client before it has read the answer throws the answer away: the client, still sending, saw
"connection reset" instead of the 401 (81-121 of 650-880 refused bodies in `quizmaster bench
edges`). So after such an answer the server shuts only its sending side and closes `LINGER_S`
later, or at once when the client closes first. Meanwhile it reads nothing: draining what the
client still sends cost the event loop more than the reset it avoided (`/healthz` p50 rose from
about 55 ms to 160-210 ms under the bench's load), and a paused socket costs nothing but a slot.
Nothing resumes the reading either: uvicorn resumes a socket its flow control paused once the
response is complete, which had the service read (and drop) most of every refused 18 MB body,
about 18 reads a body and most of its CPU time in `quizmaster bench edges`.
"""

from __future__ import annotations

import asyncio
from typing import Any, cast

from uvicorn.protocols.http.h11_impl import H11Protocol

LINGER_S = 1.0
"""How long a closing connection stays open for the client to read its answer."""


class _ClosingLater:
    """The connection's transport as uvicorn's protocol sees it: `close()` shuts the sending
    side and lets the protocol linger instead of closing at once."""

    def __init__(self, transport: asyncio.Transport, protocol: LingeringH11Protocol) -> None:
        self._transport = transport
        self._protocol = protocol

    def close(self) -> None:
        self._protocol.linger()

    def resume_reading(self) -> None:
        if not self._protocol.lingering:
            self._transport.resume_reading()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)


class LingeringH11Protocol(H11Protocol):
    """uvicorn's h11 protocol, closing a connection with a lingering close (module docstring)."""

    _lingering = False
    _real: asyncio.Transport
    _deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # A cast, not an isinstance check: uvloop's TCP transport has every method used here but
        # is no asyncio.Transport subclass (an assert here left a service under uvloop, which
        # uvicorn picks whenever it is installed, refusing every connection).
        self._real = cast(asyncio.Transport, transport)
        super().connection_made(_ClosingLater(transport, self))  # type: ignore[arg-type]

    @property
    def lingering(self) -> bool:
        return self._lingering

    def linger(self) -> None:
        """Stop sending and reading, close at the deadline (or when the transport goes). A
        transport that cannot half-close (TLS) closes at once."""
        if self._lingering or self._real.is_closing():
            return
        if not self._real.can_write_eof():
            self._real.close()
            return
        self._lingering = True
        self._real.write_eof()
        if self._real.is_reading():
            self._real.pause_reading()
        self._deadline = self.loop.call_later(LINGER_S, self._real.close)

    def data_received(self, data: bytes) -> None:
        if not self._lingering:
            super().data_received(data)

    def connection_lost(self, exc: Exception | None) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
        super().connection_lost(exc)
