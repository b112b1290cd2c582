"""`/quiz share on|off`: a member's consent to have their best answers shown to the channel,
and the one line that shows the best answer of a member who gave it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from bot.core.command_part import CommandPart
from bot.core.commands import Command, Declared, Invalid, Option, Typed, Verb
from bot.core.member_text import excerpt
from bot.core.models import SharedAnswer
from bot.core.quiz.posting import Clock
from bot.core.texts import text
from bot.core.turn import Turn
from content.schema import Lang


class SharingStore(Protocol):
    """Each member's consent, per channel, to have their best answers shown there (off until
    they say `/quiz share on`): the sharing part's port (`bot.storage.sharing.SharingTable`,
    whose consent the open questions and the reports read through their own ports)."""

    async def set_sharing(
        self, *, platform: str, channel_id: str, user_id: str, shared: bool, at: datetime
    ) -> None: ...


@dataclass(frozen=True)
class Share(Command):
    """`/quiz share on|off`: whether my best answers may be shown to this channel."""

    private = True

    on: bool


def read_share(words: Sequence[str]) -> Command:
    choice = " ".join(words).lower()
    if choice not in ("on", "off"):
        return Invalid("share_usage", choice)
    return Share(choice == "on")


@dataclass(kw_only=True, eq=False)
class Sharing(CommandPart[Share]):
    """Serves `/quiz share` on the consents' store."""

    commands = Declared(
        serves=(Share,),
        verbs=(Verb("share", lambda words, _rest: read_share(words), usage="share on|off"),),
        typed=(
            Typed(
                "share",
                lambda values: read_share([values.text("choice")]),
                (Option("choice", required=True, choices=("on", "off")),),
            ),
        ),
        help=("help_share",),
    )

    store: SharingStore
    clock: Clock

    async def serve(self, command: Share, turn: Turn) -> None:
        await set_sharing(turn, store=self.store, clock=self.clock, on=command.on)


async def set_sharing(turn: Turn, *, store: SharingStore, clock: Clock, on: bool) -> None:
    """Record the member's choice for this channel; off hides their past answers too, since
    every read checks consent when it shows."""
    await store.set_sharing(
        platform=turn.channel.platform,
        channel_id=turn.channel.channel_id,
        user_id=turn.user,
        shared=on,
        at=clock(),
    )
    await turn.say(turn.t("share_on" if on else "share_off"), ephemeral=True)


def shared_line(lang: Lang, answer: SharedAnswer) -> str:
    """The shared answer as a summary shows it: name, score and the text cut to read."""
    return text(
        lang, "reveal_shared", name=answer.name, score=answer.score, text=excerpt(answer.text)
    )
