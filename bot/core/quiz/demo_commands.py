"""`/demo list` and `/demo <name> [key=value ...]`: the records, their reading, and the part that
hands them to the compute service's desk (`DemoDesk`, `bot.core.quiz.demos.DemoHandoff`), or says
there is none."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol, assert_never

from bot.core.command_part import CommandPart
from bot.core.commands import Command, Declared, Invalid, Option, Typed, Verb
from bot.core.demo_records import MAX_PARAMS
from bot.core.messages import ReplyKind
from bot.core.numerals import ascii_digits
from bot.core.quiz.answering import FigureSource
from bot.core.turn import Turn


@dataclass(frozen=True)
class DemoList(Command):
    """`/demo list`: the demos the service offers."""


@dataclass(frozen=True)
class DemoRun(Command):
    """`/demo <name> [key=value ...]`: run a demo and post its figures (a training run: slow)."""

    slow = True

    name: str
    params: dict[str, str] = field(default_factory=dict)


def demo_run(name: str, words: Sequence[str]) -> Command:
    """A run of the demo `name` with `key=value` words as its parameters, or what is wrong with
    them (which values a demo accepts is the compute service's to judge)."""
    if len(words) > MAX_PARAMS:
        return Invalid("demo_too_many_params", str(MAX_PARAMS))
    params: dict[str, str] = {}
    for typed in words:
        key, sep, value = typed.partition("=")
        if not sep or not key or not value:
            return Invalid("demo_param", typed)
        params[key] = ascii_digits(value)
    return DemoRun(name.lower(), params)


def read_demo(words: Sequence[str], _rest: str = "") -> Command:
    """A `/demo` line's words: nothing, `list` or `help` (the list), or `[run] <name> ...`."""
    if not words or words[0].lower() in {"list", "help"}:
        return DemoList()
    if words[0].lower() == "run":
        return read_demo(words[1:]) if len(words) > 1 else DemoList()
    return demo_run(words[0], words[1:])


class DemoDesk(FigureSource, Protocol):
    """The `/demo` hand-off to the compute service; the core only forwards the request."""

    async def list_demos(self, turn: Turn) -> None: ...

    async def run_demo(self, turn: Turn, name: str, params: dict[str, str]) -> None: ...

    async def demo_names(self) -> list[str]:
        """The demos the service offers, for suggestions; raises DemoError when it is down."""
        ...


TYPED = (
    Typed("list", lambda _values: DemoList(), slash="demo"),
    Typed(
        "run",
        lambda values: demo_run(values.text("name").strip(), values.text("params").split()),
        (
            Option("name", required=True, suggests="demos"),
            Option("params", least=0, most=500),
        ),
        slash="demo",
    ),
)

DemoCommand = DemoList | DemoRun


@dataclass(eq=False)
class Demos(CommandPart[DemoCommand]):
    """Serves `/demo`; `desk` is None where the bot has no compute service."""

    commands = Declared(
        serves=(DemoList, DemoRun),
        verbs=(Verb("/demo", read_demo, slash="demo", usage="list | <name> [key=value ...]"),),
        typed=TYPED,
        help=("help_demo",),
    )

    desk: DemoDesk | None

    async def serve(self, command: DemoCommand, turn: Turn) -> None:
        if self.desk is None:
            await turn.say(turn.t("demo_unavailable"), kind=ReplyKind.ERROR)
        elif isinstance(command, DemoRun):
            await self.desk.run_demo(turn, command.name, command.params)
        elif isinstance(command, DemoList):
            await self.desk.list_demos(turn)
        else:
            assert_never(command)
