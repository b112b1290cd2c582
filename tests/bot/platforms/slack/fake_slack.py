"""A fake Slack on loopback: the Web API methods the bot calls, file upload URLs, response_urls
and a Socket Mode WebSocket. It records every call so tests can assert on the wire."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import itertools
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import WSMsgType, web

BOT_USER_ID = "UBOT"
BOT_ID = "BBOT"
TEAM_ID = "T0001"
WAIT_LIMIT_S = 60.0
STOP_WAIT_S = 1.0


@dataclass
class Hold:
    """A call the fake keeps hanging, for a test that kills the bot at that very step:
    `answered` (Slack took the call, its answer never comes back) or not (Slack never saw it,
    nor does it when the fake stops and lets the call go).
    `reached` is set once such a call arrived and is hanging."""

    method: str
    when: Callable[[dict[str, Any]], bool]
    answered: bool
    reached: bool = False


@dataclass(frozen=True)
class Call:
    """One Web API call as Slack would see it."""

    method: str
    args: dict[str, Any]
    token: str | None
    result: dict[str, Any]


class FakeSlack:
    """Web API under `/api/`, uploads under `/upload/`, response_urls under `/respond/`, and
    Socket Mode at `/socket`."""

    def __init__(
        self,
        *,
        admins: frozenset[str] = frozenset(),
        outside: frozenset[str] = frozenset(),
        private: frozenset[str] = frozenset(),
        client_id: str = "",
        client_secret: str = "",
    ) -> None:
        """`outside`: public channels the bot has not joined; `private`: private channels it
        was not invited to (it can neither post there nor join). `client_id`/`client_secret`:
        the app's credentials `oauth.v2.access` accepts."""
        self.admins = admins
        self.outside = set(outside)
        self.private = private
        self.calls: list[Call] = []
        self.uploads: dict[str, bytes] = {}
        self.responses: list[dict[str, Any]] = []
        self.acks: dict[str, dict[str, Any]] = {}
        self._rate_limits: dict[str, int] = {}
        self._ts = itertools.count(1)
        self._ids = itertools.count(1)
        self._changed = asyncio.Condition()
        self._socket: web.WebSocketResponse | None = None
        self._socket_open = asyncio.Event()
        self._sockets: list[web.WebSocketResponse] = []
        self._unacked: dict[str, tuple[web.WebSocketResponse, dict[str, Any]]] = {}
        self._turns = itertools.count()
        self._redeliveries: set[asyncio.Task[None]] = set()
        self._runner: web.AppRunner | None = None
        self.root = ""
        self.auth_error: str | None = None
        """Set (e.g. "invalid_auth") to refuse every token, as Slack does for a revoked one."""
        self.client_id = client_id
        self.client_secret = client_secret
        self.installed: dict[str, str] = {}
        """Bot token -> team, for tokens `oauth.v2.access` issued and nobody revoked."""
        self._codes: dict[str, str] = {}
        self.history: dict[str, list[dict[str, Any]]] = {}
        """Channel -> the top-level messages posted there, oldest first (conversations.history)."""
        self.threads: dict[tuple[str, str], list[dict[str, Any]]] = {}
        """(channel, thread ts) -> the bot's replies there, oldest first (conversations.replies)."""
        self._file_names: dict[str, str] = {}
        self._holds: list[Hold] = []
        self._released = asyncio.Event()

    # lifecycle ---------------------------------------------------------------------------

    async def start(self) -> None:
        app = web.Application()
        app.add_routes(
            [
                web.post("/api/{method}", self._api),
                web.get("/api/{method}", self._api),
                web.post("/upload/{file_id}", self._upload),
                web.post("/respond/{name}", self._respond),
                web.get("/socket", self._socket_endpoint),
            ]
        )
        # A fake has nothing to finish: the bot's Bolt listeners may still be calling it when a
        # test ends, and aiohttp's default wait (up to 60 s) held such teardowns until
        # slack_sdk's 30 s client timeout.
        self._runner = web.AppRunner(app, shutdown_timeout=STOP_WAIT_S)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.root = f"http://127.0.0.1:{port}"

    async def stop(self) -> None:
        self._released.set()
        if self._socket is not None:
            await self._socket.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def api_url(self) -> str:
        return f"{self.root}/api/"

    def response_url(self, name: str) -> str:
        return f"{self.root}/respond/{name}"

    # test controls -----------------------------------------------------------------------

    def rate_limit(self, method: str, *, times: int) -> None:
        """Answer the next `times` calls of `method` with 429 and `Retry-After: 0`."""
        self._rate_limits[method] = times

    def hold(
        self,
        method: str,
        *,
        answered: bool,
        when: Callable[[dict[str, Any]], bool] = lambda args: True,
    ) -> Hold:
        """Keep the first call of `method` whose arguments pass `when` hanging until the fake
        stops (see `Hold`)."""
        held = Hold(method, when, answered)
        self._holds.append(held)
        return held

    def grant(self, team_id: str) -> str:
        """A one-time code, as Slack hands the browser after a member of `team_id` approves
        the install."""
        code = f"code-{team_id}-{next(self._ids)}"
        self._codes[code] = team_id
        return code

    def revoke(self, team_id: str) -> None:
        """The workspace uninstalls the app: its tokens stop working."""
        self.installed = {t: team for t, team in self.installed.items() if team != team_id}

    def tokens_of(self, team_id: str) -> set[str]:
        return {token for token, team in self.installed.items() if team == team_id}

    @property
    def connections(self) -> int:
        """Socket Mode connections open now."""
        return len(self._sockets)

    def called(self, method: str) -> list[Call]:
        return [call for call in self.calls if call.method == method]

    async def wait_until(self, check: Callable[[], bool]) -> None:
        """Bolt runs listeners after it has answered Slack, so tests wait on the log (the
        limit is generous: the first grade of a session loads the model on a busy CPU)."""
        async with asyncio.timeout(WAIT_LIMIT_S), self._changed:
            await self._changed.wait_for(check)

    async def wait_for_calls(self, method: str, count: int = 1) -> list[Call]:
        await self.wait_until(lambda: len(self.called(method)) >= count)
        return self.called(method)

    async def send_envelope(self, envelope: dict[str, Any]) -> dict[str, Any]:
        """Push one Socket Mode envelope and return the app's ack for it."""
        await asyncio.wait_for(self._socket_open.wait(), 10)
        assert self._socket is not None
        await self._socket.send_str(json.dumps(envelope))
        envelope_id = envelope["envelope_id"]
        await self.wait_until(lambda: envelope_id in self.acks)
        return self.acks[envelope_id]

    async def deliver(self, envelope: dict[str, Any]) -> None:
        """Push one envelope to the next open Socket Mode connection, without waiting for its
        ack: Slack spreads an app's envelopes over its connections, and sends one that was not
        acked when its connection dropped again over another."""
        await self.wait_until(lambda: bool(self._sockets))
        socket = self._sockets[next(self._turns) % len(self._sockets)]
        self._unacked[envelope["envelope_id"]] = (socket, envelope)
        with contextlib.suppress(ConnectionError):  # going: its close sends it again
            await socket.send_str(json.dumps(envelope))

    def _redeliver_unacked(self, closed: web.WebSocketResponse) -> None:
        for envelope_id, (socket, envelope) in list(self._unacked.items()):
            if socket is closed:
                del self._unacked[envelope_id]
                task = asyncio.create_task(self.deliver(envelope))
                self._redeliveries.add(task)
                task.add_done_callback(self._redeliveries.discard)

    # handlers ----------------------------------------------------------------------------

    async def _record(self, call: Call) -> None:
        async with self._changed:
            self.calls.append(call)
            self._changed.notify_all()

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        if request.method == "GET":
            args: dict[str, Any] = {}
        elif request.content_type == "application/json":
            args = await request.json()
        else:
            args = dict(await request.post())
        args.update(request.query)
        token = request.headers.get("Authorization", "").removeprefix("Bearer ") or None
        if method == "oauth.v2.access":
            granted = self._token_exchange(args, request.headers.get("Authorization", ""))
            await self._record(Call(method, args, None, granted))
            return web.json_response(granted)
        if token is not None and token.startswith("xoxb-oauth-") and token not in self.installed:
            refused = {"ok": False, "error": "token_revoked"}
            await self._record(Call(method, args, token, refused))
            return web.json_response(refused)
        if self.auth_error is not None:
            refused = {"ok": False, "error": self.auth_error}
            await self._record(Call(method, args, token, refused))
            return web.json_response(refused)
        if self._rate_limits.get(method, 0) > 0:
            self._rate_limits[method] -= 1
            limited = {"ok": False, "error": "ratelimited"}
            await self._record(Call(method, args, token, limited))
            return web.json_response(limited, status=429, headers={"Retry-After": "0"})
        held = self._hold_for(method, args)
        if held is not None and not held.answered:
            await self._hang(held)
            # The caller is gone (killed): the call never reaches Slack, also once let go.
            return web.json_response({"ok": False, "error": "request_timeout"}, status=504)
        result = self._answer(method, args)
        if method == "auth.test" and token in self.installed:
            result = {**result, "team_id": self.installed[token], "team": self.installed[token]}
        await self._record(Call(method, args, token, result))
        if held is not None:
            await self._hang(held)
        return web.json_response(result)

    def _hold_for(self, method: str, args: dict[str, Any]) -> Hold | None:
        for held in self._holds:
            if held.method == method and not held.reached and held.when(args):
                held.reached = True
                return held
        return None

    async def _hang(self, held: Hold) -> None:
        async with self._changed:
            self._changed.notify_all()
        await self._released.wait()

    def _token_exchange(self, args: dict[str, Any], authorization: str) -> dict[str, Any]:
        """`oauth.v2.access`: the app's credentials (HTTP Basic, as slack_sdk sends them, or in
        the form) and a code not used before; a fresh bot token for the code's team."""
        client_id, client_secret = args.get("client_id"), args.get("client_secret")
        if authorization.startswith("Basic "):
            decoded = base64.b64decode(authorization.removeprefix("Basic ")).decode()
            client_id, _, client_secret = decoded.partition(":")
        if (client_id, client_secret) != (self.client_id, self.client_secret) or not client_id:
            return {"ok": False, "error": "invalid_client_id"}
        team_id = self._codes.pop(str(args.get("code")), None)
        if team_id is None:
            return {"ok": False, "error": "invalid_code"}
        token = f"xoxb-oauth-{team_id}-{next(self._ids)}"
        self.installed[token] = team_id
        return {
            "ok": True,
            "app_id": "A0QUIZ",
            "access_token": token,
            "token_type": "bot",
            "scope": "commands,chat:write",
            "bot_user_id": BOT_USER_ID,
            "team": {"id": team_id, "name": f"Team {team_id}"},
            "enterprise": None,
            "is_enterprise_install": False,
            "authed_user": {"id": f"UINSTALLER{team_id}"},
        }

    def _answer(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        if method == "auth.test":
            return {
                "ok": True,
                "user_id": BOT_USER_ID,
                "bot_id": BOT_ID,
                "team_id": TEAM_ID,
                "user": "quizmaster",
                "team": "Test",
                "url": "https://test.slack.com/",
            }
        if method == "api.test":
            return {"ok": True, "args": args}
        channel = args.get("channel")
        if method == "conversations.join":
            if channel in self.private:
                return {"ok": False, "error": "method_not_supported_for_channel_type"}
            self.outside.discard(channel)
            return {"ok": True, "channel": {"id": channel}}
        if method == "chat.postMessage" and channel in self.outside:
            return {"ok": False, "error": "not_in_channel"}
        if method == "chat.postMessage" and channel in self.private:
            return {"ok": False, "error": "channel_not_found"}
        if method == "chat.postMessage":
            ts = self._next_ts()
            thread_ts = args.get("thread_ts")
            if thread_ts:
                self.threads.setdefault((str(channel), str(thread_ts)), []).append(
                    self._message(ts, args)
                )
            else:
                self.history.setdefault(str(channel), []).append(self._message(ts, args))
            return {"ok": True, "channel": channel, "ts": ts, "message": {"ts": ts}}
        if method == "chat.update":
            return {"ok": True, "channel": channel, "ts": args["ts"], "message": {"ts": args["ts"]}}
        if method == "conversations.history":
            return self._read(self.history.get(str(channel), []), args)
        if method == "conversations.replies":
            return self._read(self.threads.get((str(channel), str(args["ts"])), []), args)
        if method == "chat.postEphemeral":
            return {"ok": True, "message_ts": self._next_ts()}
        if method == "users.info":
            user = str(args["user"])
            return {
                "ok": True,
                "user": {
                    "id": user,
                    "name": user.lower(),
                    "is_admin": user in self.admins,
                    "profile": {"display_name": f"member-{user}"},
                },
            }
        if method in ("views.open", "views.publish"):
            return {"ok": True, "view": {"id": f"V{next(self._ids)}"}}
        if method == "conversations.open":
            return {"ok": True, "channel": {"id": f"D{args['users']}"}}
        if method == "files.getUploadURLExternal":
            file_id = f"F{next(self._ids)}"
            self._file_names[file_id] = str(args.get("filename", ""))
            return {"ok": True, "file_id": file_id, "upload_url": f"{self.root}/upload/{file_id}"}
        if method == "files.completeUploadExternal":
            files = [
                {"id": f["id"], "name": self._file_names.get(f["id"]), "title": f.get("title")}
                for f in json.loads(args["files"])
            ]
            if args.get("channel_id"):
                self._share(str(args["channel_id"]), args.get("thread_ts"), files)
            return {"ok": True, "files": [{"id": f["id"], "title": f["title"]} for f in files]}
        if method == "apps.connections.open":
            return {"ok": True, "url": f"ws://{self.root.removeprefix('http://')}/socket"}
        return {"ok": False, "error": "unknown_method"}

    def _share(self, channel: str, thread_ts: str | None, files: list[dict[str, Any]]) -> None:
        """Files shared in a channel show in its history as a message of the bot's holding
        them, as Slack posts one for an upload with a channel."""
        message = {
            "type": "message",
            "ts": self._next_ts(),
            "user": BOT_USER_ID,
            "bot_id": BOT_ID,
            "text": "",
            "upload": True,
            "files": files,
            "metadata": None,
        }
        if thread_ts:
            self.threads.setdefault((channel, str(thread_ts)), []).append(message)
        else:
            self.history.setdefault(channel, []).append(message)

    @staticmethod
    def _message(ts: str, args: dict[str, Any]) -> dict[str, Any]:
        """A posted message as conversations.history returns it (metadata, a JSON object, may
        come as a string in a form-encoded call)."""
        metadata = args.get("metadata")
        if isinstance(metadata, str):
            metadata = json.loads(metadata)
        return {
            "type": "message",
            "ts": ts,
            "user": BOT_USER_ID,
            "bot_id": BOT_ID,
            "text": args.get("text", ""),
            "metadata": metadata,
        }

    @staticmethod
    def _read(posted: list[dict[str, Any]], args: dict[str, Any]) -> dict[str, Any]:
        """Messages after `oldest` (exclusive), newest first, `limit` of them; metadata only
        when asked for with `include_all_metadata`, as Slack does."""
        oldest = float(args.get("oldest") or 0)
        with_metadata = str(args.get("include_all_metadata")).lower() in {"1", "true"}
        messages = [
            message if with_metadata and message["metadata"] else _without_metadata(message)
            for message in reversed(posted)
            if float(message["ts"]) > oldest
        ]
        limit = int(args.get("limit") or 100)
        return {"ok": True, "messages": messages[:limit], "has_more": len(messages) > limit}

    def _next_ts(self) -> str:
        return f"{int(time.time())}.{next(self._ts):06d}"

    async def _upload(self, request: web.Request) -> web.Response:
        data = await request.read()
        async with self._changed:
            self.uploads[request.match_info["file_id"]] = data
            self._changed.notify_all()
        return web.Response(text="OK")

    async def _respond(self, request: web.Request) -> web.Response:
        body = await request.json()
        async with self._changed:
            self.responses.append(body)
            self._changed.notify_all()
        return web.Response(text="ok")

    async def _socket_endpoint(self, request: web.Request) -> web.WebSocketResponse:
        socket = web.WebSocketResponse(autoping=True)
        await socket.prepare(request)
        self._socket = socket
        await socket.send_str(json.dumps({"type": "hello", "num_connections": 1}))
        async with self._changed:
            self._sockets.append(socket)
            self._changed.notify_all()
        self._socket_open.set()
        try:
            async for message in socket:
                if message.type != WSMsgType.TEXT:
                    continue
                ack = json.loads(message.data)
                async with self._changed:
                    self.acks[ack["envelope_id"]] = ack
                    self._unacked.pop(ack["envelope_id"], None)
                    self._changed.notify_all()
        finally:
            self._sockets.remove(socket)
            self._redeliver_unacked(socket)
        return socket


def _without_metadata(message: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in message.items() if key != "metadata"}
