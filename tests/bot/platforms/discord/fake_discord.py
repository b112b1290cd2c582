"""A loopback Discord: the REST API and the gateway, enough for discord.py 2.7 to log in, sync
commands, receive interactions and send what our bot sends.

It records every REST call (method, path, query, JSON body, files, time) for assertions, keeps the
messages it was sent and reads them back as a channel's history, answers interaction callbacks and
followups the way Discord does (the first followup after a defer fills the deferred message), can
answer a chosen call once with 429, and can keep a chosen call hanging (`hold`).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest
import yarl
from aiohttp import WSMsgType, web
from discord.gateway import DiscordWebSocket
from discord.http import Route

JSON = dict[str, Any]
DISCORD_EPOCH_MS = 1420070400000
API = "/api/v10"
PERM_MEMBER = (1 << 10) | (1 << 11) | (1 << 31) | (1 << 38)  # view, send, use commands, threads
PERM_MANAGE_GUILD = 1 << 5


def snowflake(counter: itertools.count[int], *, age_s: float = 0.0) -> str:
    """Snowflakes carry their creation time; discord.py reads interaction age from them."""
    ms = int((time.time() - age_s) * 1000) - DISCORD_EPOCH_MS
    return str((ms << 22) | (next(counter) & 0x3FFFFF))


def now_iso() -> str:
    return datetime.now(UTC).isoformat()


def _json_response(
    data: Any, status: int = 200, headers: dict[str, str] | None = None
) -> web.Response:
    # discord.py parses a body as JSON only if the content type is exactly application/json.
    return web.Response(
        body=json.dumps(data).encode(),
        status=status,
        headers={"Content-Type": "application/json", **(headers or {})},
    )


@dataclass
class Call:
    method: str
    path: str
    query: dict[str, str]
    body: Any
    files: list[tuple[str, bytes]]
    at: float
    status: int = 200


@dataclass
class Hold:
    """A call the fake keeps hanging, for a test that kills the bot at that very step:
    `answered` (Discord took the call, its answer never comes back) or not (Discord never saw
    it, nor does it when the fake stops and lets the call go). `reached` is set once such a
    call arrived and is hanging."""

    method: str
    pattern: re.Pattern[str]
    answered: bool
    when: Callable[[Any], bool] | None = None
    """Only a call whose JSON body this accepts (None: any)."""
    reached: bool = False


@dataclass
class RateLimit:
    method: str
    pattern: re.Pattern[str]
    retry_after: float


@dataclass
class FakeDiscord:
    """State of one fake Discord: a guild with one text channel (more with `add_guild`), a bot
    and two members. A gateway connection that identifies as shard [i, n] gets the guilds of
    shard i, as Discord routes them: `(guild_id >> 22) % n`."""

    ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    calls: list[Call] = field(default_factory=list)
    messages: dict[str, JSON] = field(default_factory=dict)
    channels: dict[str, JSON] = field(default_factory=dict)
    rate_limits: list[RateLimit] = field(default_factory=list)
    identify: JSON | None = None
    url: str = ""
    refuse_token: bool = False
    """True: every REST call gets 401, as Discord answers a reset or wrong bot token."""
    nonce_lifetime_s: float = 300.0
    """How long an enforced nonce returns the message it created: Discord keeps one "for the
    past few minutes"; 0 is a bot restarted after Discord forgot it."""

    def __post_init__(self) -> None:
        self.app_id = snowflake(self.ids)
        self.guild_id = snowflake(self.ids)
        self.channel_id = snowflake(self.ids)
        self.bot = self.user("quizmaster", bot=True, user_id=self.app_id)
        self.admin = self.user("ada")
        self.member = self.user("bob")
        self.channels[self.channel_id] = {
            "id": self.channel_id,
            "type": 0,
            "guild_id": self.guild_id,
            "name": "study",
            "position": 0,
            "permission_overwrites": [],
            "nsfw": False,
            "parent_id": None,
            "topic": None,
            "last_message_id": None,
            "rate_limit_per_user": 0,
        }
        self._originals: dict[str, str | None] = {}  # token -> original message id
        self._deferred: set[str] = set()  # tokens whose placeholder awaits the first followup
        self._token_channels: dict[str, str] = {}  # token -> channel of the interaction
        self._nonces: dict[str, tuple[str, float]] = {}  # nonce -> (its message, when)
        self._holds: list[Hold] = []
        self._released = asyncio.Event()
        self._sockets: list[web.WebSocketResponse] = []
        self.identifies: list[JSON] = []
        self._shard_sockets: dict[int, web.WebSocketResponse] = {}
        self._shard_count = 1
        self.guild_ids = [self.guild_id]
        self.ready_guilds: dict[int, list[str]] = {}
        """Shard -> the guilds its READY named."""
        self.delivered: list[tuple[int, str]] = []
        """(shard, event) of each event pushed with `dispatch`, in order."""
        self._seq = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self.ready = asyncio.Event()

    # ---- people and payloads ------------------------------------------------------------

    def user(
        self,
        name: str,
        *,
        bot: bool = False,
        user_id: str | None = None,
        global_name: str | None = None,
    ) -> JSON:
        return {
            "id": user_id or snowflake(self.ids),
            "username": name,
            "global_name": global_name or name.title(),
            "discriminator": "0",
            "avatar": None,
            "bot": bot,
        }

    def member_payload(self, user: JSON, *, permissions: int | None = None) -> JSON:
        data: JSON = {
            "user": user,
            "roles": [],
            "joined_at": now_iso(),
            "deaf": False,
            "mute": False,
            "flags": 0,
            "nick": None,
            "avatar": None,
            "pending": False,
        }
        if permissions is not None:
            data["permissions"] = str(permissions)
        return data

    def add_guild(self, *, shard: int, of: int) -> tuple[str, str]:
        """Another guild, with one text channel, that Discord routes to shard `shard` of `of`;
        its id and its channel's id."""
        guild_id = str(((shard + of * len(self.guild_ids)) << 22) | next(self.ids))
        channel_id = snowflake(self.ids)
        self.channels[channel_id] = {**self.channels[self.channel_id], "id": channel_id}
        self.channels[channel_id]["guild_id"] = guild_id
        self.guild_ids.append(guild_id)
        return guild_id, channel_id

    def guild_of(self, channel_id: str) -> str:
        return str(self.channels[channel_id].get("guild_id") or self.guild_id)

    def guild_payload(self, guild_id: str | None = None) -> JSON:
        guild_id = guild_id or self.guild_id
        return {
            "id": guild_id,
            "name": "Study Group",
            "icon": None,
            "owner_id": self.admin["id"],
            "features": [],
            "roles": [
                {
                    "id": guild_id,
                    "name": "@everyone",
                    "permissions": str(PERM_MEMBER),
                    "position": 0,
                    "color": 0,
                    "hoist": False,
                    "managed": False,
                    "mentionable": False,
                    "flags": 0,
                }
            ],
            "channels": [c for c in self.channels.values() if c["guild_id"] == guild_id],
            "threads": [],
            "members": [self.member_payload(self.bot)],
            "member_count": 3,
            "large": False,
            "unavailable": False,
            "emojis": [],
            "stickers": [],
            "voice_states": [],
            "presences": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "soundboard_sounds": [],
            "premium_tier": 0,
            "preferred_locale": "en-US",
            "joined_at": now_iso(),
            "verification_level": 0,
            "default_message_notifications": 0,
            "explicit_content_filter": 0,
            "mfa_level": 0,
            "nsfw_level": 0,
            "system_channel_flags": 0,
        }

    def message_payload(
        self, channel_id: str, body: JSON, files: list[tuple[str, bytes]], *, author: JSON
    ) -> JSON:
        message_id = snowflake(self.ids)
        attachments = [
            {
                "id": snowflake(self.ids),
                "filename": name,
                "size": len(data),
                "url": f"{self.url}/attachments/{name}",
                "proxy_url": f"{self.url}/attachments/{name}",
            }
            for name, data in files
        ]
        return {
            "id": message_id,
            "channel_id": channel_id,
            "guild_id": self.guild_of(channel_id) if channel_id in self.channels else self.guild_id,
            "author": author,
            "content": body.get("content") or "",
            "timestamp": now_iso(),
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": attachments,
            "embeds": body.get("embeds") or [],
            "pinned": False,
            "type": 0,
            "flags": body.get("flags", 0),
            "components": [],
        }

    def interaction(
        self,
        *,
        user: JSON,
        data: JSON,
        kind: int = 2,
        channel_id: str | None = None,
        admin: bool = False,
        age_s: float = 0.0,
    ) -> JSON:
        """An INTERACTION_CREATE payload: `kind` 2 is a slash command, 4 an autocomplete request,
        5 a modal submit; `age_s` backdates it (its token expires 15 minutes after creation)."""
        interaction_id = snowflake(self.ids, age_s=age_s)
        permissions = PERM_MEMBER | (PERM_MANAGE_GUILD if admin else 0)
        channel = self.channels[channel_id or self.channel_id]
        self._token_channels[f"token-{interaction_id}"] = channel["id"]
        return {
            "id": interaction_id,
            "application_id": self.app_id,
            "type": kind,
            "token": f"token-{interaction_id}",
            "version": 1,
            "guild_id": self.guild_of(channel["id"]),
            "channel_id": channel["id"],
            "channel": channel,
            "member": self.member_payload(user, permissions=permissions),
            "app_permissions": str(PERM_MEMBER | (1 << 35)),
            "locale": "en-US",
            "guild_locale": "en-US",
            "entitlements": [],
            "authorizing_integration_owners": {"0": self.guild_of(channel["id"])},
            "context": 0,
            "attachment_size_limit": 10 * 1024 * 1024,
            "data": data,
        }

    def slash(
        self,
        group: str,
        sub: str,
        options: JSON | None = None,
        *,
        user: JSON,
        admin: bool = False,
        channel_id: str | None = None,
        focused: str | None = None,
        age_s: float = 0.0,
    ) -> JSON:
        """`/group sub option=value...` as Discord sends it (string and integer options); with
        `focused`, the autocomplete request while the member types that option."""
        typed = [
            {"type": 4 if isinstance(v, int) else 3, "name": k, "value": v}
            | ({"focused": True} if k == focused else {})
            for k, v in (options or {}).items()
        ]
        data = {
            "id": snowflake(self.ids),
            "name": group,
            "type": 1,
            "guild_id": self.guild_of(channel_id or self.channel_id),
            "options": [{"type": 1, "name": sub, "options": typed}],
        }
        kind = 2 if focused is None else 4
        return self.interaction(
            user=user, data=data, kind=kind, admin=admin, channel_id=channel_id, age_s=age_s
        )

    def modal_submit(self, callback: JSON, value: str, *, user: JSON, channel_id: str) -> JSON:
        """The member fills in the modal our callback opened and submits it."""
        modal = callback["data"]
        [label] = modal["components"]
        field_id = label["component"]["custom_id"]
        data = {
            "custom_id": modal["custom_id"],
            "components": [
                {"type": 18, "component": {"type": 4, "custom_id": field_id, "value": value}}
            ],
        }
        return self.interaction(user=user, data=data, kind=5, channel_id=channel_id)

    def thread_message(self, thread_id: str, content: str, *, user: JSON) -> JSON:
        """A MESSAGE_CREATE payload: a member writes in a thread."""
        member = self.member_payload(user)
        del member["user"]
        return {
            "id": snowflake(self.ids),
            "channel_id": thread_id,
            "guild_id": self.guild_of(thread_id),
            "author": user,
            "member": member,
            "content": content,
            "timestamp": now_iso(),
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": [],
            "embeds": [],
            "pinned": False,
            "type": 0,
            "flags": 0,
            "components": [],
        }

    # ---- server ---------------------------------------------------------------------------

    def redirect(self, patch: pytest.MonkeyPatch) -> None:
        """Point discord.py's REST base and gateway URL at this fake (undone with `patch`)."""
        patch.setattr(Route, "BASE", self.api_base)
        patch.setattr(DiscordWebSocket, "DEFAULT_GATEWAY", yarl.URL(self.gateway_url))

    async def start(self) -> None:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_get("/gateway", self._gateway)
        app.router.add_route("*", API + "/{tail:.*}", self._rest)
        self._runner = web.AppRunner(app, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server = site._server
        assert server is not None and isinstance(server, asyncio.base_events.Server)
        port = server.sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"

    async def stop(self) -> None:
        self._released.set()
        for ws in self._sockets:
            await ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def api_base(self) -> str:
        return self.url + API

    @property
    def gateway_url(self) -> str:
        return self.url.replace("http://", "ws://") + "/gateway"

    # ---- gateway --------------------------------------------------------------------------

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self._sockets.append(ws)
        await ws.send_json({"op": 10, "d": {"heartbeat_interval": 45000}})
        async for msg in ws:
            if msg.type != WSMsgType.TEXT:
                break
            payload = json.loads(msg.data)
            if payload["op"] == 1:
                await ws.send_json({"op": 11, "d": None})
            elif payload["op"] == 2:
                self.identify = payload["d"]
                self.identifies.append(payload["d"])
                shard, self._shard_count = payload["d"].get("shard") or (0, 1)
                self._shard_sockets[shard] = ws
                guilds = [g for g in self.guild_ids if self.shard_of(g) == shard]
                self.ready_guilds[shard] = guilds
                await self._send(
                    ws, "READY", self._ready(guilds) | {"shard": [shard, self._shard_count]}
                )
                for guild in guilds:
                    await self._send(ws, "GUILD_CREATE", self.guild_payload(guild))
                self.ready.set()
        return ws

    def shard_of(self, guild_id: str) -> int:
        return (int(guild_id) >> 22) % self._shard_count

    def _socket_for(self, guild_id: str | None) -> web.WebSocketResponse:
        """The connection of the shard that serves `guild_id` (the latest one without a guild)."""
        if guild_id is None:
            return self._sockets[-1]
        return self._shard_sockets[self.shard_of(guild_id)]

    def _ready(self, guild_ids: list[str]) -> JSON:
        return {
            "v": 10,
            "user": self.bot,
            "guilds": [{"id": guild, "unavailable": True} for guild in guild_ids],
            "session_id": "fake-session",
            "resume_gateway_url": self.gateway_url,
            "application": {"id": self.app_id, "flags": 0},
            "private_channels": [],
        }

    async def _send(self, ws: web.WebSocketResponse, event: str, data: JSON) -> None:
        await ws.send_json({"op": 0, "t": event, "s": next(self._seq), "d": data})

    async def dispatch(self, event: str, data: JSON) -> None:
        """Push a gateway event to the connected bot."""
        await self.ready.wait()
        guild = data.get("guild_id")
        self.delivered.append((self.shard_of(guild) if guild else 0, event))
        await self._send(self._socket_for(guild), event, data)

    # ---- REST -----------------------------------------------------------------------------

    def rate_limit_once(self, method: str, path_pattern: str, *, retry_after: float) -> None:
        """Answer the next matching call with 429 (as Discord's edge does, with a Via header)."""
        self.rate_limits.append(RateLimit(method, re.compile(path_pattern), retry_after))

    def hold(
        self,
        method: str,
        path_pattern: str,
        *,
        answered: bool,
        when: Callable[[Any], bool] | None = None,
    ) -> Hold:
        """Keep the first matching call hanging until the fake stops (see `Hold`)."""
        held = Hold(method, re.compile(path_pattern), answered, when)
        self._holds.append(held)
        return held

    def _hold_for(self, method: str, path: str, body: Any) -> Hold | None:
        for held in self._holds:
            if (
                held.method == method
                and not held.reached
                and held.pattern.fullmatch(path)
                and (held.when is None or held.when(body))
            ):
                held.reached = True
                return held
        return None

    def find(self, method: str, pattern: str) -> list[Call]:
        return [c for c in self.calls if c.method == method and re.fullmatch(pattern, c.path)]

    async def wait_for(self, predicate: Callable[[], Any], *, within: float = 20.0) -> Any:
        """Poll until `predicate()` is truthy (the bot works in its own tasks)."""
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            found = predicate()
            if found:
                return found
            await asyncio.sleep(0.02)
        raise AssertionError(
            f"timed out waiting; calls so far: {[(c.method, c.path) for c in self.calls]}"
        )

    async def _rest(self, request: web.Request) -> web.Response:
        path = "/" + request.match_info["tail"]
        body, files = await self._body(request)
        call = Call(request.method, path, dict(request.query), body, files, time.monotonic())
        self.calls.append(call)
        if self.refuse_token:
            call.status = 401
            return _json_response({"message": "401: Unauthorized", "code": 0}, status=401)
        for limit in self.rate_limits:
            if limit.method == request.method and limit.pattern.fullmatch(path):
                self.rate_limits.remove(limit)
                call.status = 429
                return _json_response(
                    {
                        "message": "You are being rate limited.",
                        "retry_after": limit.retry_after,
                        "global": False,
                    },
                    status=429,
                    headers={"Via": "1.1 google", "Retry-After": str(limit.retry_after)},
                )
        held = self._hold_for(request.method, path, body)
        if held is not None and not held.answered:
            await self._released.wait()
            # The caller is gone (killed): the call never reaches Discord, also once let go.
            call.status = 504
            return _json_response({"message": "Gateway timeout", "code": 0}, status=504)
        handled = self._route(request.method, path, body, files, dict(request.query))
        if handled is None:
            call.status = 404
            return _json_response({"message": "Unknown route", "code": 0}, status=404)
        status, data = handled
        call.status = status
        if path.endswith("/threads") and status == 201:
            # Discord announces a new thread on the gateway, which fills the client's cache; it
            # does so once it made the thread, whether or not its answer gets back.
            thread = {**data, "newly_created": True}
            await self._send(self._socket_for(data["guild_id"]), "THREAD_CREATE", thread)
        if held is not None:
            await self._released.wait()
        if status == 204:
            return web.Response(status=204)
        return _json_response(data, status=status)

    async def _body(self, request: web.Request) -> tuple[Any, list[tuple[str, bytes]]]:
        if request.content_type == "multipart/form-data":
            form = await request.post()
            files = []
            payload: Any = None
            for key, value in form.items():
                if key == "payload_json":
                    payload = json.loads(str(value))
                elif isinstance(value, web.FileField):
                    files.append((value.filename, value.file.read()))
            return payload, files
        raw = await request.read()
        return (json.loads(raw) if raw else None), []

    def _route(
        self,
        method: str,
        path: str,
        body: Any,
        files: list[tuple[str, bytes]],
        query: dict[str, str],
    ) -> tuple[int, Any] | None:
        parts = path.strip("/").split("/")
        match (method, parts):
            case ("GET", ["users", "@me"]):
                return 200, self.bot
            case ("GET", ["gateway", "bot"]):
                limit = {"total": 1000, "remaining": 1000, "reset_after": 0, "max_concurrency": 1}
                return 200, {"url": self.gateway_url, "shards": 1, "session_start_limit": limit}
            case ("GET", ["oauth2", "applications", "@me"]):
                return 200, self._app_info()
            case ("PUT", ["applications", _, "guilds", guild, "commands"]):
                return 200, [self._command(c, guild) for c in body]
            case ("PUT", ["applications", _, "commands"]):
                return 200, [self._command(c, None) for c in body]
            case ("POST", ["interactions", interaction_id, token, "callback"]):
                return 200, self._callback(interaction_id, token, body, files)
            case ("POST", ["webhooks", _, token]):
                return 200, self._followup(token, body, files)
            case ("GET", ["webhooks", _, token, "messages", "@original"]):
                original = self._originals.get(token)
                return (200, self.messages[original]) if original else (404, {"code": 10008})
            case ("PATCH", ["webhooks", _, token, "messages", message_id]):
                target = self._originals.get(token) if message_id == "@original" else message_id
                self._deferred.discard(token)
                return self._edit(target, body, files)
            case ("DELETE", ["webhooks", _, token, "messages", "@original"]):
                original = self._originals.pop(token, None)
                self._deferred.discard(token)
                if original:
                    self.messages.pop(original, None)
                return 204, None
            case ("POST", ["channels", channel_id, "messages"]):
                return 200, self._create(channel_id, body, files)
            case ("GET", ["channels", channel_id, "messages"]):
                return 200, self._history(channel_id, query)
            case ("PATCH", ["channels", _, "messages", message_id]):
                return self._edit(message_id, body, files)
            case ("POST", ["channels", channel_id, "messages", message_id, "threads"]):
                if message_id in self.channels:
                    return 400, {
                        "message": "A thread has already been created for this message",
                        "code": 160004,
                    }
                return 201, self._thread(channel_id, message_id, body)
            case ("GET", ["channels", channel_id]):
                channel = self.channels.get(channel_id)
                return (200, channel) if channel else (404, {"code": 10003})
        return None

    def _create(self, channel_id: str, body: JSON, files: list[tuple[str, bytes]]) -> JSON:
        """A bot message; with `enforce_nonce`, a nonce the bot used before returns the message
        it created then instead of a new one (Discord keeps nonces for a few minutes)."""
        nonce = body.get("nonce") if body.get("enforce_nonce") else None
        if nonce is not None and nonce in self._nonces:
            message_id, at = self._nonces[nonce]
            if time.monotonic() - at < self.nonce_lifetime_s:
                return self.messages[message_id]
        message = self._store(self.message_payload(channel_id, body, files, author=self.bot))
        if nonce is not None:
            self._nonces[nonce] = (message["id"], time.monotonic())
        return message

    def _history(self, channel_id: str, query: dict[str, str]) -> list[JSON]:
        """`GET /channels/{id}/messages`: with `after`, the `limit` oldest messages after it,
        else the newest before `before` (if given); newest first either way, as Discord
        answers."""
        limit = min(int(query.get("limit", 50)), 100)
        after, before = int(query.get("after", 0)), int(query.get("before", 1 << 63))
        found = sorted(
            (
                m
                for m in self.messages.values()
                if m["channel_id"] == channel_id and after < int(m["id"]) < before
            ),
            key=lambda m: int(m["id"]),
        )
        kept = found[:limit] if "after" in query else found[-limit:]
        return kept[::-1]

    def _store(self, message: JSON) -> JSON:
        self.messages[message["id"]] = message
        return message

    def _edit(
        self, message_id: str | None, body: JSON, files: list[tuple[str, bytes]]
    ) -> tuple[int, Any]:
        if message_id is None or message_id not in self.messages:
            return 404, {"message": "Unknown Message", "code": 10008}
        message = self.messages[message_id]
        if "content" in body:
            message["content"] = body["content"] or ""
        if "embeds" in body:
            message["embeds"] = body["embeds"] or []
        if files:
            message["attachments"] = [
                {
                    "id": snowflake(self.ids),
                    "filename": n,
                    "size": len(d),
                    "url": "",
                    "proxy_url": "",
                }
                for n, d in files
            ]
        message["edited_timestamp"] = now_iso()
        return 200, message

    def _app_info(self) -> JSON:
        return {
            "id": self.app_id,
            "name": "quizmaster",
            "icon": None,
            "description": "",
            "bot_public": True,
            "bot_require_code_grant": False,
            "owner": self.admin,
            "verify_key": "00" * 32,
            "flags": 0,
        }

    def _command(self, command: JSON, guild: str | None) -> JSON:
        return {
            **command,
            "id": snowflake(self.ids),
            "application_id": self.app_id,
            "version": snowflake(self.ids),
            **({"guild_id": guild} if guild else {}),
        }

    def _callback(
        self, interaction_id: str, token: str, body: JSON, files: list[tuple[str, bytes]]
    ) -> JSON:
        kind = body["type"]
        result: JSON = {"interaction": {"id": interaction_id, "type": 2}}
        if kind in (4, 5):
            data = body.get("data") or {}
            channel = self._token_channels[token]
            message = self._store(self.message_payload(channel, data, files, author=self.bot))
            self._originals[token] = message["id"]
            ephemeral = bool(data.get("flags", 0) & 64)
            if kind == 5:
                self._deferred.add(token)
            result["interaction"].update(
                response_message_id=message["id"],
                response_message_loading=kind == 5,
                response_message_ephemeral=ephemeral,
            )
            result["resource"] = {"type": kind, "message": message}
        return result

    def _followup(self, token: str, body: JSON, files: list[tuple[str, bytes]]) -> JSON:
        if token in self._deferred:
            # Discord: the first followup after a defer edits the "thinking…" message.
            self._deferred.discard(token)
            original = self._originals[token]
            status, message = self._edit(original, body, files)
            assert status == 200
            return dict(message)
        channel = self._token_channels[token]
        return self._store(self.message_payload(channel, body, files, author=self.bot))

    def _thread(self, channel_id: str, message_id: str, body: JSON) -> JSON:
        thread = {
            "id": message_id,  # Discord gives a thread started from a message the message's id
            "type": 11,
            "guild_id": self.guild_of(channel_id),
            "parent_id": channel_id,
            "owner_id": self.bot["id"],
            "name": body["name"],
            "last_message_id": None,
            "rate_limit_per_user": 0,
            "message_count": 0,
            "member_count": 1,
            "thread_metadata": {
                "archived": False,
                "auto_archive_duration": body.get("auto_archive_duration", 1440),
                "archive_timestamp": now_iso(),
                "locked": False,
            },
        }
        self.channels[thread["id"]] = thread
        return thread

    def texts_in(self, channel_id: str) -> list[str]:
        """Contents and embed descriptions of the messages in a channel, oldest first."""
        return [
            " ".join([m["content"], *(e.get("description") or "" for e in m["embeds"])])
            for m in self.messages.values()
            if m["channel_id"] == channel_id
        ]
