"""The core's `Transport` on Discord: one for channels and threads, one per interaction.

An interaction must be answered within 3 seconds and can then be followed up for 15 minutes. The
interaction transport answers with the core's first reply when it comes in time, otherwise defers
("thinking…") and fills that placeholder with the first reply; later replies are followups. Replies
meant for another channel or thread, replies that open a thread where the interaction cannot, and
replies after the token expires go through the channel transport.
"""

from __future__ import annotations

import asyncio
import enum
import hashlib
import logging
import time
from collections import OrderedDict
from dataclasses import KW_ONLY, dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any, Literal

import discord

from bot.core.messages import Posted, Reply, ReplyKind
from bot.platforms.discord.post_mark import marked_post
from bot.platforms.discord.render import FILES_LIMIT, Rendered, render, thread_name

log = logging.getLogger("quizmaster.discord")

ACK_BUDGET_S = 2.0
"""Discord allows 3 s to acknowledge; keep a margin for the round trip."""
TOKEN_LIFETIME = timedelta(minutes=15)
TOKEN_MARGIN = timedelta(seconds=30)
THREAD_ARCHIVE_MINUTES: Literal[60, 1440, 4320, 10080] = 1440
_REMEMBERED_MESSAGES = 512

Messageable = discord.abc.Messageable | discord.PartialMessageable
_THREAD_EXISTS = 160004  # Discord's code for "a thread has already been created for this message"
_CLOCK_SKEW = timedelta(seconds=60)
"""Read a channel back from this long before a post was claimed or fell due: clocks differ a
little."""
_READ_LIMIT = 200
"""Messages read back at most: a post lands right after its claim (a digest, after it falls due)."""


def _nonce(reply: Reply) -> dict[str, Any]:
    """A question's post, or a once-only post's key (the weekly digest), as the message nonce,
    which Discord enforces: the same post sent twice is one message, its text and images alike.
    Other messages send none. A key is unique in its channel only, and a nonce holds 25
    characters, so the channel and key go in hashed."""
    card = reply.card
    if card is not None and card.post_id is not None:
        return {"nonce": f"quizmaster-post-{card.post_id}"}
    if reply.once is not None:
        key = f"{reply.channel_id}:{reply.once}".encode()
        return {"nonce": f"quizmaster-{hashlib.sha256(key).hexdigest()[:14]}"}
    return {}


def _findable(reply: Reply) -> bool:
    """Whether a sent `reply` shows, read back, which post it is: a question by its card's post,
    a once-only post by its images."""
    card = reply.card
    return (card is not None and card.post_id is not None) or (
        reply.once is not None and bool(reply.images)
    )


def _carries(message: discord.Message, reply: Reply) -> bool:
    """Whether `message` is the post `reply`: a question by the mark of its post at the end of
    its embed's footer (`post_mark`), a once-only post by its images' names, which carry its
    key (the digest's chart is named for its week)."""
    card = reply.card
    if card is not None and card.post_id is not None:
        return any(marked_post(embed.footer.text) == card.post_id for embed in message.embeds)
    wanted = {image.filename for image in reply.images[:FILES_LIMIT]}
    return wanted <= {attachment.filename for attachment in message.attachments}


def private(reply: Reply, *, score_ephemeral: bool) -> bool:
    """The core marks private replies; scores are also private when the server wants that."""
    return reply.ephemeral or (reply.kind is ReplyKind.GRADE and score_ephemeral)


class ChannelTransport:
    """Posts to channels and threads by id: the daily question, follow-ups in a thread, and the
    replies of plain thread messages. An ephemeral reply, which channels cannot show, goes to the
    addressee by direct message."""

    threads = True

    def __init__(self, client: discord.Client, *, score_ephemeral: bool) -> None:
        self._client = client
        self._score_ephemeral = score_ephemeral
        self._where: OrderedDict[str, int] = OrderedDict()

    async def send(self, reply: Reply) -> Posted:
        reply = replace(reply, ephemeral=private(reply, score_ephemeral=self._score_ephemeral))
        rendered = render(reply, ephemeral=reply.ephemeral)
        target = await self._target(reply)
        message = await target.send(
            content=rendered.content,
            embed=rendered.embed or discord.utils.MISSING,
            files=rendered.files(),
            allowed_mentions=rendered.allowed_mentions,
            **_nonce(reply),
        )
        self._remember(str(message.id), message.channel.id)
        thread_id = reply.thread_id
        if reply.open_thread:
            thread_id = await self._open_thread(message, reply)
        return Posted(message_id=str(message.id), thread_id=thread_id)

    async def _open_thread(self, message: discord.Message, reply: Reply) -> str:
        """The question's thread. A question a replica taking its post over finds in the
        channel (`find_question`), or sends again and gets back as the first message (its
        nonce), may have its thread already."""
        try:
            thread = await message.create_thread(
                name=thread_name(reply), auto_archive_duration=THREAD_ARCHIVE_MINUTES
            )
        except discord.HTTPException as exc:
            if exc.code != _THREAD_EXISTS:
                raise
            return str(message.id)  # a thread started from a message has the message's id
        return str(thread.id)

    async def find_question(self, reply: Reply, *, since: datetime) -> Posted | None:
        """A question, or a once-only post (the weekly digest), already in the channel: the
        bot's message since `since` that carries it (`_carries`). Its nonce alone would not do:
        Discord keeps a nonce a few minutes, and a process killed after Discord took the post
        may restart hours later. A question found gets its thread here, where its process died
        before opening it; one it opened is kept. A channel this bot may not read back reads
        as empty: the post is sent again, with its nonce."""
        if not _findable(reply):
            return None
        found = await self._read_back(reply, since=since)
        if found is None:
            return None
        thread_id = await self._open_thread(found, reply) if reply.open_thread else reply.thread_id
        return Posted(message_id=str(found.id), thread_id=thread_id)

    async def _read_back(self, reply: Reply, *, since: datetime) -> discord.Message | None:
        """The bot's first message carrying `reply` since `since` (less the clock skew). A
        question's channel is resolved, as for its send: a thread hangs off a guild message."""
        me = self._client.user
        channel = await self._target(reply)
        after = discord.Object(discord.utils.time_snowflake(since - _CLOCK_SKEW))
        try:
            async for message in channel.history(after=after, limit=_READ_LIMIT):
                if me is not None and message.author.id == me.id and _carries(message, reply):
                    return message
        except discord.Forbidden as exc:
            log.warning("could not read back channel %s: %s", reply.channel_id, exc.text)
        return None

    async def replies_sent(
        self, channel_id: str, thread_id: str, message_id: str, *, since: datetime
    ) -> frozenset[ReplyKind]:
        """Not told on Discord: the replies of a message finished by another replica are sent
        again (at least once)."""
        return frozenset()

    async def edit(self, posted: Posted, reply: Reply) -> None:
        reply = replace(reply, ephemeral=private(reply, score_ephemeral=self._score_ephemeral))
        rendered = render(reply, ephemeral=reply.ephemeral)
        channel_id = self._where.get(posted.message_id) or int(reply.thread_id or reply.channel_id)
        channel = self._client.get_partial_messageable(channel_id)
        await channel.get_partial_message(int(posted.message_id)).edit(
            content=rendered.content,
            embed=rendered.embed,
            attachments=_attachments(rendered),
            allowed_mentions=rendered.allowed_mentions,
        )

    async def _target(self, reply: Reply) -> Messageable:
        if reply.ephemeral and reply.user_id:
            user_id = int(reply.user_id)
            user = self._client.get_user(user_id) or await self._client.fetch_user(user_id)
            return await user.create_dm()
        channel_id = int(reply.thread_id or reply.channel_id)
        if reply.open_thread:
            # A thread hangs off a guild message; only a resolved channel knows its guild.
            channel = self._client.get_channel(channel_id) or await self._client.fetch_channel(
                channel_id
            )
            if isinstance(channel, discord.abc.Messageable):
                return channel
        return self._client.get_partial_messageable(channel_id)

    def _remember(self, message_id: str, channel_id: int) -> None:
        """Edits name a message only; remember where recent ones live (demo progress edits)."""
        self._where[message_id] = channel_id
        while len(self._where) > _REMEMBERED_MESSAGES:
            self._where.popitem(last=False)


class Ack(enum.Enum):
    """Where the interaction's own response stands."""

    FRESH = "fresh"  # nothing sent yet; the 3-second clock runs
    DEFERRED_PUBLIC = "deferred_public"  # a visible "thinking…" waits for the first reply
    DEFERRED_PRIVATE = "deferred_private"  # an ephemeral "thinking…" waits for the first reply
    DONE = "done"  # the original response is settled; more replies are followups


@dataclass(eq=False)
class InteractionTransport:
    """Replies to one slash command or modal submit; see the module docstring for the rules."""

    threads = True

    interaction: discord.Interaction
    channels: ChannelTransport
    _: KW_ONLY
    score_ephemeral: bool
    defer_ephemeral: bool = True
    ack_budget_s: float = ACK_BUDGET_S
    _received: float = field(init=False, default_factory=time.monotonic)
    _lock: asyncio.Lock = field(init=False, default_factory=asyncio.Lock)
    _ack: Ack = field(init=False, default=Ack.FRESH)
    _original_id: str | None = field(init=False, default=None)
    _followups: set[str] = field(init=False, default_factory=set)
    _timer: asyncio.Task[None] | None = field(init=False, default=None)

    @property
    def ack(self) -> Ack:
        return self._ack

    def arm(self) -> None:
        """Start the clock: defer if the core has not replied within the budget."""
        self._timer = asyncio.create_task(self._defer_when_due(), name="discord-ack")

    async def defer_now(self, *, ephemeral: bool) -> None:
        """Defer at once, for commands known to take long (demo runs)."""
        async with self._lock:
            await self._defer(ephemeral=ephemeral)

    async def close(self) -> None:
        """After the core is done: stop the clock and clear a placeholder nobody filled."""
        if self._timer is not None:
            self._timer.cancel()
        async with self._lock:
            if self._ack in (Ack.DEFERRED_PUBLIC, Ack.DEFERRED_PRIVATE):
                await self.interaction.delete_original_response()
                self._ack = Ack.DONE
            elif self._ack is Ack.FRESH:
                log.warning("interaction %s ended without a reply", self.interaction.id)

    async def send(self, reply: Reply) -> Posted:
        async with self._lock:
            ephemeral = self.is_ephemeral(reply)
            reply = replace(reply, ephemeral=ephemeral)
            if self._expired():
                return await self.channels.send(reply)
            if not ephemeral and not self._belongs_here(reply):
                posted = await self.channels.send(reply)
                await self._point_to(posted, reply)
                return posted
            deferred_other = (self._ack is Ack.DEFERRED_PUBLIC and ephemeral) or (
                self._ack is Ack.DEFERRED_PRIVATE and not ephemeral
            )
            if deferred_other:
                # A placeholder's visibility is fixed; drop it rather than show the reply wrongly.
                await self.interaction.delete_original_response()
                self._ack = Ack.DONE
                if not ephemeral:
                    return await self.channels.send(reply)
            rendered = render(reply, ephemeral=ephemeral)
            if self._ack is Ack.FRESH:
                message_id = await self._respond(rendered, ephemeral=ephemeral)
            else:
                message_id = await self._follow_up(rendered, ephemeral=ephemeral)
            thread_id = reply.thread_id
            if reply.open_thread:
                thread_id = await self._open_thread(message_id, reply)
            return Posted(message_id=message_id, thread_id=thread_id)

    async def find_question(self, reply: Reply, *, since: datetime) -> Posted | None:
        return await self.channels.find_question(reply, since=since)

    async def replies_sent(
        self, channel_id: str, thread_id: str, message_id: str, *, since: datetime
    ) -> frozenset[ReplyKind]:
        return await self.channels.replies_sent(channel_id, thread_id, message_id, since=since)

    async def edit(self, posted: Posted, reply: Reply) -> None:
        reply = replace(reply, ephemeral=self.is_ephemeral(reply))
        rendered = render(reply, ephemeral=reply.ephemeral)
        ours = posted.message_id == self._original_id or posted.message_id in self._followups
        if not ours:
            await self.channels.edit(posted, reply)
        elif self._expired():
            log.info("interaction %s expired; edit of %s skipped", self.interaction.id, posted)
        elif posted.message_id == self._original_id:
            await self.interaction.edit_original_response(
                content=rendered.content,
                embed=rendered.embed,
                attachments=_attachments(rendered),
                allowed_mentions=rendered.allowed_mentions,
            )
        else:
            await self.interaction.followup.edit_message(
                int(posted.message_id),
                content=rendered.content,
                embed=rendered.embed,
                attachments=_attachments(rendered),
                allowed_mentions=rendered.allowed_mentions,
            )

    def is_ephemeral(self, reply: Reply) -> bool:
        return private(reply, score_ephemeral=self.score_ephemeral)

    async def _defer_when_due(self) -> None:
        await asyncio.sleep(max(0.0, self.ack_budget_s - (time.monotonic() - self._received)))
        async with self._lock:
            if self._ack is Ack.FRESH:
                await self._defer(ephemeral=self.defer_ephemeral)

    async def _defer(self, *, ephemeral: bool) -> None:
        if self._ack is not Ack.FRESH:
            return
        await self.interaction.response.defer(ephemeral=ephemeral, thinking=True)
        self._ack = Ack.DEFERRED_PRIVATE if ephemeral else Ack.DEFERRED_PUBLIC

    async def _respond(self, rendered: Rendered, *, ephemeral: bool) -> str:
        response = await self.interaction.response.send_message(
            content=rendered.content,
            embed=rendered.embed or discord.utils.MISSING,
            files=rendered.files(),
            allowed_mentions=rendered.allowed_mentions,
            ephemeral=ephemeral,
        )
        self._ack = Ack.DONE
        if response.message_id is None:
            message = await self.interaction.original_response()
            self._original_id = str(message.id)
        else:
            self._original_id = str(response.message_id)
        return self._original_id

    async def _follow_up(self, rendered: Rendered, *, ephemeral: bool) -> str:
        """A followup; the first one after a defer fills the placeholder, i.e. the original."""
        fills_placeholder = self._ack is not Ack.DONE
        message = await self.interaction.followup.send(
            content=rendered.content or discord.utils.MISSING,
            embed=rendered.embed or discord.utils.MISSING,
            files=rendered.files(),
            allowed_mentions=rendered.allowed_mentions,
            ephemeral=ephemeral,
            wait=True,
        )
        self._ack = Ack.DONE
        if fills_placeholder:
            self._original_id = str(message.id)
        else:
            self._followups.add(str(message.id))
        return str(message.id)

    async def _open_thread(self, message_id: str, reply: Reply) -> str:
        channel = self.interaction.channel
        if not isinstance(channel, discord.TextChannel):
            raise TypeError(f"cannot open a thread in {channel!r}")
        thread = await channel.create_thread(
            name=thread_name(reply),
            message=discord.Object(int(message_id)),
            auto_archive_duration=THREAD_ARCHIVE_MINUTES,
        )
        return str(thread.id)

    async def _point_to(self, posted: Posted, reply: Reply) -> None:
        """The reply went elsewhere; settle the interaction with a link to it."""
        if self._ack is Ack.DONE:
            return
        guild = self.interaction.guild_id or "@me"
        channel = reply.thread_id or reply.channel_id
        link = f"↪ https://discord.com/channels/{guild}/{channel}/{posted.message_id}"
        if self._ack is Ack.FRESH:
            await self.interaction.response.send_message(
                link, ephemeral=True, allowed_mentions=discord.AllowedMentions.none()
            )
        else:
            await self.interaction.edit_original_response(
                content=link, allowed_mentions=discord.AllowedMentions.none()
            )
        self._ack = Ack.DONE

    def _belongs_here(self, reply: Reply) -> bool:
        """A public reply shows in the interaction when it is for the interaction's channel and,
        if it opens a thread, that channel can hold one."""
        here = str(self.interaction.channel_id)
        if (reply.thread_id or reply.channel_id) != here:
            return False
        return not reply.open_thread or isinstance(self.interaction.channel, discord.TextChannel)

    def _expired(self) -> bool:
        return discord.utils.utcnow() >= self.interaction.created_at + TOKEN_LIFETIME - TOKEN_MARGIN


def _attachments(rendered: Rendered) -> list[discord.File]:
    """Edits replace attachments only when the reply brings images; otherwise they stay."""
    return rendered.files() if rendered.images else discord.utils.MISSING
