"""How the core names a Slack channel: Slack's id alone for one workspace, `TEAM:CHANNEL` for
an app installed in many.

Storage keys channels, posts, answers and leaderboards by (platform, channel id), and Slack's
ids are only promised unique within a workspace (a channel shared between two workspaces that
both installed the app has one id in both, with a leaderboard each). Naming the channel with its
team here keeps every table as it is; the adapter adds the team on the way in and takes it off
on the way out, so Slack only ever sees its own ids. Message ids (a message's `ts`, the key of
once-only ingest) carry the team the same way. The single-token mode keeps the bare ids, so
its databases read as before.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from bot.core.messages import Incoming, Reply

SEPARATOR = ":"


@dataclass(frozen=True)
class ChannelIds:
    """`per_team`: ids carry their workspace (the OAuth mode)."""

    per_team: bool = False

    def incoming(self, incoming: Incoming, *, team_id: str | None) -> Incoming:
        """A member's message as the core should key it."""
        if not self.per_team:
            return incoming
        if not team_id:
            raise ValueError("a request without a team cannot be routed to a workspace")
        return replace(
            incoming,
            channel_id=f"{team_id}{SEPARATOR}{incoming.channel_id}",
            message_id=None
            if incoming.message_id is None
            else f"{team_id}{SEPARATOR}{incoming.message_id}",
        )

    def split(self, channel_id: str) -> tuple[str | None, str]:
        """(team, Slack's channel id) of a core channel id; the team is None for one
        workspace."""
        if not self.per_team:
            return None, channel_id
        team_id, separator, slack_id = channel_id.partition(SEPARATOR)
        if not separator or not team_id or not slack_id:
            raise ValueError(f"channel {channel_id!r} does not name its Slack workspace")
        return team_id, slack_id

    def outgoing(self, reply: Reply) -> Reply:
        """A reply addressed the way Slack knows the channel."""
        _, slack_id = self.split(reply.channel_id)
        return reply if slack_id == reply.channel_id else replace(reply, channel_id=slack_id)


BARE_IDS = ChannelIds(per_team=False)
"""Slack's own ids: one workspace."""
