"""Core replies as Discord messages: an embed for question cards and tables, attachments for images,
and mentions limited to the one member a reply is addressed to.

Reply text can quote what a member typed, so every rendered message carries allowed mentions that
parse nothing, and mention syntax in the text is broken up as well.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

import discord

from bot.core.member_text import cut
from bot.core.messages import Image, Reply, ReplyKind
from bot.platforms.discord.post_mark import post_mark

CONTENT_LIMIT = 2000
TITLE_LIMIT = 256
DESCRIPTION_LIMIT = 4096
FIELD_NAME_LIMIT = 256
FIELD_VALUE_LIMIT = 1024
FIELD_COUNT_LIMIT = 25
FOOTER_LIMIT = 2048
EMBED_TOTAL_LIMIT = 6000
THREAD_NAME_LIMIT = 100
FILES_LIMIT = 10

_COLOURS: dict[ReplyKind, discord.Colour] = {
    ReplyKind.QUESTION: discord.Colour.blurple(),
    ReplyKind.GRADE: discord.Colour.green(),
    ReplyKind.FOLLOWUP: discord.Colour.teal(),
    ReplyKind.HINT: discord.Colour.gold(),
    ReplyKind.REVEAL: discord.Colour.purple(),
    ReplyKind.LEADERBOARD: discord.Colour.orange(),
    ReplyKind.STATS: discord.Colour.dark_teal(),
    ReplyKind.DEMO: discord.Colour.dark_blue(),
    ReplyKind.INFO: discord.Colour.light_grey(),
    ReplyKind.ERROR: discord.Colour.red(),
}


@dataclass(frozen=True)
class Rendered:
    """One Discord message, ready for any send or edit call."""

    content: str | None
    embed: discord.Embed | None
    images: tuple[Image, ...]
    allowed_mentions: discord.AllowedMentions

    def files(self) -> list[discord.File]:
        """Fresh `discord.File`s: the library closes a file once it is sent."""
        return [
            discord.File(
                io.BytesIO(image.data), filename=image.filename, description=image.alt or None
            )
            for image in self.images
        ]


def neutralise(text: str) -> str:
    """Break `@everyone`, `@here` and user/role mention syntax so quoted text cannot ping."""
    return discord.utils.escape_mentions(text)


def clip(text: str, limit: int) -> str:
    """Fit `text` into a Discord length limit, marking the cut."""
    return cut(text, limit)


def thread_name(reply: Reply) -> str:
    """A thread title from what the core suggests, else the question title."""
    name = reply.thread_title or (reply.card.title if reply.card else "") or reply.text
    return clip(" ".join(name.split()), THREAD_NAME_LIMIT) or "quiz"


_ADMIN_SUBCOMMANDS = re.compile(r"/quiz (now|reveal|schedule|lang|appeals)\b")
_RESOLVE = re.compile(r"/quiz appeals resolve\b")


def discord_command_names(text: str) -> str:
    """The core writes admin commands as `/quiz now`; on Discord they live under `/quiz-admin`,
    because only top-level commands carry default member permissions."""
    return _ADMIN_SUBCOMMANDS.sub(r"/quiz-admin \1", _RESOLVE.sub("/quiz-admin resolve", text))


def render(reply: Reply, *, ephemeral: bool) -> Rendered:
    """Turn a reply into content, embed and images.

    All of the text is neutralised; the mention goes in front: of the addressee, and of the
    member a public reply is for. Only that member may be pinged, and an ephemeral reply pings
    nobody, since only its reader sees it.
    """
    text = neutralise(discord_command_names(reply.text)).strip()
    named = reply.addressee or (reply.user_id if not ephemeral else None)
    mention = f"<@{named}>" if named else None
    images = reply.images[:FILES_LIMIT]
    embed = _embed(reply, text, images)
    if embed is None:
        body = f"{mention} {text}" if mention else text
        if len(body) > CONTENT_LIMIT:
            embed = _embed_with(reply, description=text, images=images)
    if embed is not None:
        body = mention or ""  # embeds never ping; the mention must sit in the content
    allowed = (
        discord.AllowedMentions(
            everyone=False,
            roles=False,
            replied_user=False,
            users=[discord.Object(int(reply.user_id))],
        )
        if reply.user_id and not ephemeral
        else discord.AllowedMentions.none()
    )
    return Rendered(
        content=clip(body, CONTENT_LIMIT) or None,
        embed=embed,
        images=images,
        allowed_mentions=allowed,
    )


def _embed(reply: Reply, text: str, images: tuple[Image, ...]) -> discord.Embed | None:
    """Question cards and replies with fields read best as an embed; plain text stays content."""
    if reply.card is not None:
        card = reply.card
        embed = discord.Embed(
            title=clip(neutralise(card.title), TITLE_LIMIT),
            description=clip(_without_title(text, card.title) or card.body, DESCRIPTION_LIMIT),
            colour=_COLOURS[reply.kind],
        )
        # A posted question's footer ends with its post's invisible mark (`post_mark`).
        mark = post_mark(card.post_id) if card.post_id is not None else ""
        footer = clip(f"{card.topic} · {card.day}", FOOTER_LIMIT - len(mark))
        embed.set_footer(text=footer + mark)
        return _finish(embed, reply, images)
    if reply.fields:
        return _embed_with(reply, description=text, images=images)
    return None


def _without_title(text: str, title: str) -> str:
    """The core's text starts with the card title in bold; the embed header shows it already."""
    first, _, rest = text.partition("\n")
    return rest.strip() if first.strip("* ") == title.strip() else text


def _embed_with(reply: Reply, *, description: str, images: tuple[Image, ...]) -> discord.Embed:
    embed = discord.Embed(
        description=clip(description, DESCRIPTION_LIMIT) or None, colour=_COLOURS[reply.kind]
    )
    return _finish(embed, reply, images)


def _finish(embed: discord.Embed, reply: Reply, images: tuple[Image, ...]) -> discord.Embed:
    """Add the reply's fields within Discord's limits and show the first image inside the embed."""
    for name, value in reply.fields[:FIELD_COUNT_LIMIT]:
        embed.add_field(
            name=clip(neutralise(name), FIELD_NAME_LIMIT) or "\u200b",
            value=clip(neutralise(value), FIELD_VALUE_LIMIT) or "\u200b",
            inline=len(value) <= 40,
        )
    while len(embed) > EMBED_TOTAL_LIMIT and embed.fields:
        embed.remove_field(len(embed.fields) - 1)
    if images:
        embed.set_image(url=f"attachment://{images[0].filename}")
    return embed
