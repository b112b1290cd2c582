"""`/quiz web`: the member's private sign-in link to the team's web page.

The core only asks for the link and says it privately; signing it (and checking it when it is
followed) is the web adapter's (`bot.web.signing`), reached through the `SignInLinks` port.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol

from bot.core.command_part import CommandPart
from bot.core.commands import Command, Declared, word
from bot.core.messages import ReplyKind
from bot.core.turn import Turn


class SignInLinks(Protocol):
    """Signs a link for one member of one channel; `is_admin` is what the platform said of them
    when they asked, and the web page's admin pages trust exactly that."""

    @property
    def lifetime(self) -> timedelta: ...

    def link(self, *, platform: str, channel_id: str, user_id: str, is_admin: bool) -> str: ...


async def send_sign_in_link(turn: Turn, links: SignInLinks | None) -> None:
    """The link, to the caller alone (the console prints it plainly: it is the caller's own)."""
    if links is None:
        await turn.say(turn.t("web_off"), kind=ReplyKind.ERROR, ephemeral=True)
        return
    actor = turn.incoming.actor
    url = links.link(
        platform=turn.channel.platform,
        channel_id=turn.channel.channel_id,
        user_id=actor.user_id,
        is_admin=actor.is_admin,
    )
    minutes = int(links.lifetime.total_seconds() // 60)
    await turn.say(turn.t("web_link", url=url, minutes=minutes), ephemeral=True)


@dataclass(frozen=True)
class Web(Command):
    """`/quiz web`: a sign-in link to the team's web page, for the caller alone."""

    private = True


@dataclass(eq=False)
class SignIn(CommandPart[Web]):
    """Serves `/quiz web`; `links` is None where the bot has no web page."""

    commands = Declared(serves=(Web,), verbs=(word("web", Web()),), help=("help_web",))

    links: SignInLinks | None

    async def serve(self, command: Web, turn: Turn) -> None:
        await send_sign_in_link(turn, self.links)
