"""Discord events to core calls: who and where (`Incoming`), and the transport the replies take.

Slash commands and answer forms bring the core's command already built from their typed options,
and a plain message in a question's thread is an answer, even one starting with `/` (Discord
runs a slash command itself; a message is what it did not take as one): nothing is parsed again.
"""

from __future__ import annotations

import logging
from dataclasses import KW_ONLY, dataclass
from typing import Protocol

import discord

from bot.core.commands import Command
from bot.core.messages import Actor, Incoming, Transport
from bot.core.quiz.answering import Answer
from bot.core.texts import text
from bot.platforms.discord.permissions import is_admin
from bot.platforms.discord.transport import ACK_BUDGET_S, ChannelTransport, InteractionTransport
from content.schema import Lang

log = logging.getLogger("quizmaster.discord")

PLATFORM = "discord"
ERROR_TEXT = f"{text('ko', 'platform_failed')} · {text('en', 'platform_failed')}"
"""Told where the failure may be the channel's own settings being read: in both languages."""


class Handler(Protocol):
    """The core entry point (`Intake.handle`)."""

    async def handle(self, incoming: Incoming, transport: Transport) -> None: ...

    async def channel_lang(self, platform: str, channel_id: str) -> Lang: ...


def _where(channel_id: int, channel: object) -> tuple[str, str | None]:
    """(channel, thread): inside a thread the quiz channel is the thread's parent."""
    if isinstance(channel, discord.Thread) and channel.parent_id is not None:
        return str(channel.parent_id), str(channel.id)
    return str(channel_id), None


def interaction_incoming(interaction: discord.Interaction, command: Command) -> Incoming:
    """A slash command or modal submit; its id makes a redelivery recognisable."""
    channel_id, thread_id = _where(interaction.channel_id or 0, interaction.channel)
    user = interaction.user
    return Incoming(
        platform=PLATFORM,
        channel_id=channel_id,
        actor=Actor(
            user_id=str(user.id), display_name=user.display_name, is_admin=is_admin(interaction)
        ),
        command=command,
        message_id=str(interaction.id),
        thread_id=thread_id,
        received_at=interaction.created_at,
        private=interaction.guild_id is None,
    )


def message_incoming(message: discord.Message) -> Incoming | None:
    """A plain message in a thread: an answer, which the core files when the thread is a day's
    question thread. Bots, DMs and messages without readable content are not answers. An answer
    needs no admin rights, so the author's permissions are not looked up."""
    if message.author.bot or message.guild is None or not message.content.strip():
        return None
    if not isinstance(message.channel, discord.Thread):
        return None
    channel_id, thread_id = _where(message.channel.id, message.channel)
    author = message.author
    return Incoming(
        platform=PLATFORM,
        channel_id=channel_id,
        actor=Actor(user_id=str(author.id), display_name=author.display_name),
        command=Answer(message.content),
        message_id=str(message.id),
        thread_id=thread_id,
        received_at=message.created_at,
    )


async def report_failure(interaction: discord.Interaction, error: Exception, *, what: str) -> None:
    """Our failure, not the member's: log it with context and tell them, once and privately."""
    log.error(
        "%s failed interaction=%s user=%s",
        what,
        interaction.id,
        interaction.user.id,
        exc_info=error,
    )
    if interaction.is_expired():
        return
    try:
        if interaction.response.is_done():
            await interaction.followup.send(
                ERROR_TEXT, ephemeral=True, allowed_mentions=discord.AllowedMentions.none()
            )
        else:
            await interaction.response.send_message(
                ERROR_TEXT, ephemeral=True, allowed_mentions=discord.AllowedMentions.none()
            )
    except discord.HTTPException:
        log.warning("could not report the failure of interaction %s", interaction.id)


@dataclass(eq=False)
class Relay:
    """Runs one event through the core with the right transport and acknowledgement."""

    handler: Handler
    channels: ChannelTransport
    _: KW_ONLY
    score_ephemeral: bool
    ack_budget_s: float = ACK_BUDGET_S

    async def interaction(
        self,
        interaction: discord.Interaction,
        command: Command,
        *,
        private_placeholder: bool = False,
        defer_at_once: bool = False,
    ) -> None:
        """Hand a command to the core. `private_placeholder` picks the visibility of the
        "thinking…" shown if the core is slow; `defer_at_once` (or a zero budget) is for work
        known to be long."""
        transport = InteractionTransport(
            interaction,
            self.channels,
            score_ephemeral=self.score_ephemeral,
            defer_ephemeral=private_placeholder,
            ack_budget_s=self.ack_budget_s,
        )
        if defer_at_once or self.ack_budget_s <= 0:
            await transport.defer_now(ephemeral=private_placeholder)
        else:
            transport.arm()
        try:
            await self.handler.handle(interaction_incoming(interaction, command), transport)
        finally:
            await transport.close()

    async def channel_lang(self, interaction: discord.Interaction) -> Lang:
        """The language of the quiz channel `interaction` came from (a thread's parent)."""
        channel_id, _ = _where(interaction.channel_id or 0, interaction.channel)
        return await self.handler.channel_lang(PLATFORM, channel_id)

    async def message(self, message: discord.Message) -> None:
        incoming = message_incoming(message)
        if incoming is not None:
            await self.handler.handle(incoming, self.channels)
