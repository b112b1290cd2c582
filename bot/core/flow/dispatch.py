"""One command to the part that serves it: a lookup over the parts (`bot.core.flow.parts`),
each of which declares the command records it serves."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from bot.core.command_part import CommandPart
from bot.core.commands import Command
from bot.core.flow.parts import PARTS
from bot.core.quiz.answering import Answer
from bot.core.quiz.practice import PracticeAnswer
from bot.core.turn import Turn

ANSWERS = (Answer, PracticeAnswer)
"""Answers, not commands: the platform does not look up their sender's rights."""


class AdminSessions(Protocol):
    """The web page's sessions as the chat sees them (`bot.storage.web_sessions.WebSessionTable`):
    a member the platform reports as no admin loses admin rights on the page too."""

    async def demote(self, *, platform: str, channel_id: str, user_id: str) -> None: ...


@dataclass(kw_only=True, eq=False)
class Dispatcher:
    """Takes the parts ready-made (`bot.wiring.wire` wires them), one of each class in `PARTS`:
    a part left unwired would leave its commands unserved, so that refuses to start."""

    parts: Sequence[CommandPart[Any]]
    sessions: AdminSessions | None = None
    _by_type: dict[type[Command], CommandPart[Any]] = field(init=False)

    def __post_init__(self) -> None:
        wired = sorted(type(part).__name__ for part in self.parts)
        if wired != sorted(part.__name__ for part in PARTS):
            raise ValueError(f"the dispatcher needs one of each part {PARTS}, got {wired}")
        self._by_type = {served: part for part in self.parts for served in part.commands.serves}

    async def admitted(self, command: Command, turn: Turn) -> bool:
        """Whether the sender may run `command`; an admin command from a member is refused
        here. The platform's word on a command (an answer's sender is not looked up) is its
        latest: web sessions of a member who lost the role lose their admin rights."""
        actor = turn.incoming.actor
        if not actor.is_admin and not isinstance(command, ANSWERS) and self.sessions is not None:
            await self.sessions.demote(
                platform=turn.incoming.platform,
                channel_id=turn.incoming.channel_id,
                user_id=actor.user_id,
            )
        if command.admin and not actor.is_admin:
            await turn.error("admin_only")
            return False
        return True

    async def dispatch(self, command: Command, turn: Turn) -> None:
        if await self.admitted(command, turn):
            await self._by_type[type(command)].serve(command, turn)
