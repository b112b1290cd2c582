"""What a part that serves its own commands is. Apart from `bot.core.commands`, which the
messages a part replies with import: a part's `serve` takes the turn it answers in, and the turn
holds those messages."""

from __future__ import annotations

from typing import Protocol

from bot.core.commands import C, Declared
from bot.core.turn import Turn


class CommandPart(Protocol[C]):
    """A part that serves its own commands, whole: `commands` declares them, `serve` does them.
    A part subclasses `CommandPart[Its | Records]`, so mypy holds its `serve` to the records its
    declaration serves (and an `assert_never` at the end of `serve` to serving each).
    `bot.wiring.wire` hands each to the dispatcher."""

    commands: Declared[C]

    async def serve(self, command: C, turn: Turn) -> None: ...
