"""One incoming message being handled: who said it, in which channel, and how to answer."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any, Concatenate, ParamSpec

from bot.core.member_text import shown
from bot.core.messages import Image, Incoming, Posted, Reply, ReplyKind, Transport
from bot.core.models import ChannelRow
from bot.core.schedule import Schedule
from bot.core.texts import text
from content.schema import Lang


def channel_schedule(channel: ChannelRow) -> Schedule:
    return Schedule.parse(channel.post_time, channel.timezone, channel.days)


P = ParamSpec("P")


def _sent(
    reply: Callable[Concatenate[Turn, P], Reply],
) -> Callable[Concatenate[Turn, P], Coroutine[Any, Any, Posted]]:
    """A method that sends the reply `reply` makes, through the turn's transport."""

    async def send(turn: Turn, /, *args: P.args, **kwargs: P.kwargs) -> Posted:
        return await turn.transport.send(reply(turn, *args, **kwargs))

    return send


@dataclass(frozen=True)
class Turn:
    incoming: Incoming
    channel: ChannelRow
    transport: Transport

    @property
    def lang(self) -> Lang:
        return self.channel.lang

    @property
    def user(self) -> str:
        return self.incoming.actor.user_id

    def t(self, key: str, **values: object) -> str:
        return text(self.lang, key, **values)

    def reply(
        self,
        body: str,
        *,
        kind: ReplyKind = ReplyKind.INFO,
        thread_id: str | None = None,
        ephemeral: bool = False,
        mention: bool = False,
        images: tuple[Image, ...] = (),
    ) -> Reply:
        """A reply in the caller's thread (or `thread_id`), for the caller when it `mention`s
        them (the platform puts their mention in front) or only they may see it."""
        return Reply(
            channel_id=self.channel.channel_id,
            text=body,
            kind=kind,
            thread_id=thread_id if thread_id is not None else self.incoming.thread_id,
            ephemeral=ephemeral or self.incoming.private,
            user_id=self.user if (mention or ephemeral or self.incoming.private) else None,
            addressee=self.user if mention else None,
            images=images,
            answers=self.incoming.message_id,
            lang=self.lang,
        )

    say = _sent(reply)
    """`reply`, sent: takes what `reply` takes."""

    async def error(self, key: str, *, detail: str = "", **values: object) -> Posted:
        """A mistake the member made: only they see it, and it says what to type instead.
        `detail` is the member's own input the message quotes, cut by `shown`: the one place
        a reply quotes input."""
        return await self.say(
            self.t(key, detail=shown(detail), **values), kind=ReplyKind.ERROR, ephemeral=True
        )
