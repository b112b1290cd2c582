"""The scheduler's transport: each daily question (and each answer graded later) goes to its
channel with the bot token of the channel's workspace."""

from __future__ import annotations

from datetime import datetime

from bot.core.messages import Posted, Reply, ReplyKind
from bot.platforms.slack.installation import Workspaces
from bot.platforms.slack.transport import Followups, Pacer, SlackTransport


class ScheduledPosts:
    """One `SlackTransport` per workspace and token (a reinstall brings a new token), all
    sharing one `Pacer`, so a morning of many channels is spread out across workspaces too
    (None: unpaced, for the replies taken over from a silent replica)."""

    threads = True

    def __init__(
        self, workspaces: Workspaces, *, followups: Followups, pacer: Pacer | None
    ) -> None:
        self._workspaces = workspaces
        self._followups = followups
        self._pacer = pacer
        self._transports: dict[tuple[str | None, str | None], SlackTransport] = {}

    async def _transport(self, channel_id: str) -> SlackTransport:
        team_id, _ = self._workspaces.channels.split(channel_id)
        client = await self._workspaces.client(team_id=team_id)
        key = (team_id, client.token)
        transport = self._transports.get(key)
        if transport is None:
            transport = SlackTransport(
                client,
                followups=self._followups,
                pacer=self._pacer,
                channels=self._workspaces.channels,
            )
            self._transports[key] = transport
        return transport

    async def send(self, reply: Reply) -> Posted:
        return await (await self._transport(reply.channel_id)).send(reply)

    async def edit(self, posted: Posted, reply: Reply) -> None:
        await (await self._transport(reply.channel_id)).edit(posted, reply)

    async def find_question(self, reply: Reply, *, since: datetime) -> Posted | None:
        transport = await self._transport(reply.channel_id)
        return await transport.find_question(reply, since=since)

    async def replies_sent(
        self, channel_id: str, thread_id: str, message_id: str, *, since: datetime
    ) -> frozenset[ReplyKind]:
        transport = await self._transport(channel_id)
        return await transport.replies_sent(channel_id, thread_id, message_id, since=since)
