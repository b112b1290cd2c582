"""The service's front door in its HTTP protocol: a request that `EdgeRule` refuses (no token, a
declared body over the limit) is answered as soon as its head is parsed, before any app runs.

The app's own `EdgeGuard` refuses the same requests before reading their bodies, but reaching it
costs a task, the request-response cycle and the middleware stack for every refused request, and
uvicorn parses the body bytes that arrive meanwhile. Here the answer is written by the protocol
and the connection closes lingering (`compute.lingering`): the event loop parses nothing after the
head. A chunked body (no Content-Length) is counted as it is parsed: once past the limit nothing
more is read, the app (whose guard has seen the limit passed) answers 413, and the connection
closes.
"""

from __future__ import annotations

from typing import Any

import h11
import uvicorn
from h11._connection import DEFAULT_MAX_INCOMPLETE_EVENT_SIZE
from starlette.datastructures import Headers
from uvicorn.protocols.http.h11_impl import STATUS_PHRASES

from compute.api.edge import EdgeRule, Refusal
from compute.lingering import LingeringH11Protocol


class EdgeRuleConfig(uvicorn.Config):
    """uvicorn's settings and the rule the protocol refuses requests by."""

    def __init__(self, app: Any, *, edge_rule: EdgeRule | None, **settings: Any) -> None:
        super().__init__(app, **settings)
        self.edge_rule = edge_rule


class _ScreenedConnection(h11.Connection):
    """h11's server side, holding back a request the rule refuses: the protocol sees PAUSED
    (uvicorn then stops reading and starts no request) and answers the refusal itself. Past the
    limit, a chunked body's further bytes are held back the same way."""

    def __init__(self, rule: EdgeRule, max_incomplete_event_size: int) -> None:
        super().__init__(h11.SERVER, max_incomplete_event_size)
        self._rule = rule
        self._body_bytes = 0
        self.refused: tuple[h11.Request, Refusal] | None = None
        self.over_limit = False

    def next_event(self) -> Any:
        if self.refused is not None or self.over_limit:
            return h11.PAUSED
        event = super().next_event()
        if isinstance(event, h11.Request):
            self._body_bytes = 0
            path = event.target.partition(b"?")[0].decode("ascii", "replace")
            refusal = self._rule.refusal(path, Headers(raw=list(event.headers)))
            if refusal is not None:
                self.refused = (event, refusal)
                return h11.PAUSED
        elif isinstance(event, h11.Data):
            self._body_bytes += len(event.data)
            self.over_limit = self._body_bytes > self._rule.max_body_bytes
        return event


class EarlyRefusalH11Protocol(LingeringH11Protocol):
    """uvicorn's h11 protocol, answering the refusals of the config's `EdgeRule` itself."""

    _screened: _ScreenedConnection | None = None

    def __init__(self, config: uvicorn.Config, *args: Any, **kwargs: Any) -> None:
        super().__init__(config, *args, **kwargs)
        rule = config.edge_rule if isinstance(config, EdgeRuleConfig) else None
        if rule is not None:
            limit = config.h11_max_incomplete_event_size
            self._screened = _ScreenedConnection(
                rule, DEFAULT_MAX_INCOMPLETE_EVENT_SIZE if limit is None else limit
            )
            self.conn = self._screened

    def handle_events(self) -> None:
        super().handle_events()
        screened = self._screened
        if screened is None or self.lingering or self.transport.is_closing():
            return
        if screened.refused is not None:
            request, refusal = screened.refused
            self._answer(request, refusal)
        elif screened.over_limit and self.cycle is not None:
            if self.cycle.response_complete:
                self.transport.close()
                return
            # The app reads what was parsed, passes the limit and answers 413; then the
            # connection closes instead of reading the rest.
            self.cycle.keep_alive = False
            self.flow.pause_reading()

    def _answer(self, request: h11.Request, refusal: Refusal) -> None:
        if self.access_log:
            self.access_logger.info(
                '%s - "%s %s HTTP/%s" %d',
                f"{self.client[0]}:{self.client[1]}" if self.client else "",
                request.method.decode("ascii", "replace"),
                request.target.decode("ascii", "replace"),
                request.http_version.decode("ascii"),
                refusal.status,
            )
        head = h11.Response(
            status_code=refusal.status,
            headers=refusal.raw_headers(),
            reason=STATUS_PHRASES[refusal.status],
        )
        for event in (head, h11.Data(data=refusal.body()), h11.EndOfMessage()):
            self.transport.write(self.conn.send(event) or b"")
        self.server_state.total_requests += 1
        self.transport.close()
