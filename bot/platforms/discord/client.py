"""The Discord client: intents, the command tree, command sync and plain thread messages.

Commands are synced in `setup_hook`, before the gateway connects: to one guild when configured
(visible at once, for development and single-server installs), else globally, with their Korean
texts from the catalogue (`translator`).
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Sequence

import discord
from discord import app_commands

from bot.platforms.discord.commands import DemoNames, Suggestions, slash_groups
from bot.platforms.discord.dispatch import Handler, Relay, report_failure
from bot.platforms.discord.translator import CatalogueTranslator
from bot.platforms.discord.transport import ACK_BUDGET_S, ChannelTransport

log = logging.getLogger("quizmaster.discord")

_REMEMBERED_INTERACTIONS = 1024


class QuizTree(app_commands.CommandTree[discord.Client]):
    """The command tree, plus the two things every command shares: a redelivered interaction
    runs once, and an error we did not handle gets one ephemeral answer."""

    def __init__(self, client: discord.Client) -> None:
        super().__init__(client)
        self._seen: OrderedDict[int, None] = OrderedDict()

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        """After a gateway resume Discord may deliver an interaction again; only the first
        delivery may respond, the second would fail with "already acknowledged"."""
        if interaction.id in self._seen:
            log.info("duplicate interaction %s dropped", interaction.id)
            return False
        self._seen[interaction.id] = None
        while len(self._seen) > _REMEMBERED_INTERACTIONS:
            self._seen.popitem(last=False)
        return True

    async def on_error(
        self, interaction: discord.Interaction, error: app_commands.AppCommandError
    ) -> None:
        command = interaction.command.qualified_name if interaction.command else "?"
        await report_failure(interaction, error, what=f"/{command}")


def intents(*, message_content: bool) -> discord.Intents:
    """Guilds for channels and threads, guild messages for thread answers; message content only
    when the server owner enabled the privileged intent for plain-text answers."""
    chosen = discord.Intents.none()
    chosen.guilds = True
    chosen.guild_messages = message_content
    chosen.message_content = message_content
    return chosen


class QuizClient(discord.AutoShardedClient):
    """Connects the core to Discord; the scheduler runs beside it (see `runner`).

    Sharded, as Discord requires from 2,500 guilds on: `shard_count` over all replicas and the
    `shard_ids` this one runs (None: Discord's recommended count, every shard here). Each guild's
    events reach only its shard's replica; scheduled posts and replies go over REST from any
    replica, and the database's claims make each happen once.
    """

    def __init__(
        self,
        *,
        handler: Handler,
        demo_names: DemoNames,
        guild_id: int | None,
        message_content: bool,
        score_ephemeral: bool,
        ack_budget_s: float = ACK_BUDGET_S,
        web_page: bool = False,
        subjects: Sequence[str] = (),
        shard_count: int | None = None,
        shard_ids: list[int] | None = None,
    ) -> None:
        super().__init__(
            intents=intents(message_content=message_content),
            allowed_mentions=discord.AllowedMentions.none(),
            chunk_guilds_at_startup=False,
            shard_count=shard_count,
            # discord.py's options type wants a list, but it reads None as "every shard".
            shard_ids=shard_ids,  # type: ignore[arg-type]
        )
        self.channels = ChannelTransport(self, score_ephemeral=score_ephemeral)
        self.relay = relay = Relay(
            handler, self.channels, score_ephemeral=score_ephemeral, ack_budget_s=ack_budget_s
        )
        self.tree = QuizTree(self)
        self._guild_id = guild_id
        self._message_content = message_content
        suggestions = Suggestions(subjects=subjects, demo_names=demo_names)
        for group in slash_groups(relay, suggestions, web_page=web_page):
            self.tree.add_command(group)

    async def setup_hook(self) -> None:
        await self.tree.set_translator(CatalogueTranslator())
        if self._guild_id is not None:
            guild = discord.Object(self._guild_id)
            self.tree.copy_global_to(guild=guild)
            synced = await self.tree.sync(guild=guild)
            log.info("synced %d commands to guild %s", len(synced), self._guild_id)
        else:
            synced = await self.tree.sync()
            log.info("synced %d global commands (may take up to an hour to show)", len(synced))

    async def on_ready(self) -> None:
        log.info(
            "connected as %s to %d guilds on shard(s) %s of %s",
            self.user,
            len(self.guilds),
            ",".join(str(i) for i in sorted(self.shards)),
            self.shard_count,
        )

    async def on_message(self, message: discord.Message) -> None:
        if self._message_content:
            await self.relay.message(message)
