"""What a command is, and how a part declares the commands it serves: the records it acts on,
the words that read them from a typed line, its lines of `/help` and what each platform offers
for it. The parts declare (`Declared`); the grammar (`Grammar`) and the dispatcher are lookups
over their declarations (`bot.core.flow.parts`), so this module names no command of a part.

Text commands (the console, Slack's `/quiz` text) go through a `Grammar`'s `parse`. A platform
whose input is already structured (Discord's typed options, a thread reply, an answer form)
builds the part's command record itself, with the part's reader where a value still needs
reading.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Any, ClassVar, Generic, Literal, TypeVar

from bot.core.member_text import member_text

Period = Literal["week", "month", "all"]
C = TypeVar("C", bound="Command")


@dataclass(frozen=True)
class Command:
    """A command record; each part defines its own beside the code that serves it. `admin`: only
    an admin may run it; `private`: it is answered to its caller alone, so a platform that shows
    a placeholder while the core works shows it privately too; `slow`: its work is known to be
    long (a training demo), so a platform acknowledges it at once rather than racing its
    deadline."""

    admin: ClassVar[bool] = False
    private: ClassVar[bool] = False
    slow: ClassVar[bool] = False


@dataclass(frozen=True)
class Help(Command):
    """`/help` and `/quiz help`: the commands of every part."""

    private = True


@dataclass(frozen=True)
class Invalid(Command):
    """Input we could not parse; `key` names the message in `texts`, `detail` fills it, and
    `near` is the command the member most likely meant, for a message that offers it."""

    key: str
    detail: str = ""
    near: str = ""


Reader = Callable[[Sequence[str], str], Command]
"""Reads what followed a command's word: the words, and the same text as typed (spaces kept)."""

Slash = Literal["quiz", "quiz-admin", "demo"]
"""The Discord command group that offers a command."""

OptionKind = Literal["text", "number", "member"]
"""What a typed option holds: text, a whole number, or a member of the server (its user id)."""

Suggests = Literal["subjects", "timezones", "days", "demos"]
"""What a platform suggests while an option is typed (Discord's autocomplete): the bank's
subject ids (the last of several words), IANA time zones, day sets, the demos' names. Only
suggestions: the part still reads and judges the value."""


@dataclass(frozen=True)
class Option:
    """One typed option of a slash command. Its description is the catalogue's
    `discord_<group>_<command>_<name>` and its name's `discord_option_<name>`, a choice's
    `discord_choice_<value>`, each in Korean and English. `least`/`most` bound a text's length
    or a number's value, so the platform refuses what is out of bounds before we see it."""

    name: str
    kind: OptionKind = "text"
    required: bool = False
    choices: tuple[str, ...] = ()
    least: int = 1
    most: int = 64
    suggests: Suggests | None = None


@dataclass(frozen=True)
class Values:
    """The options a member gave a typed command, by name (a member as their user id); an
    option left out is absent from `given`."""

    given: Mapping[str, str | int]

    def text(self, name: str) -> str:
        """The option `name` as text ("" when left out)."""
        value = self.given.get(name, "")
        return value if isinstance(value, str) else str(value)

    def number(self, name: str) -> int | None:
        """The number option `name` (None when left out)."""
        value = self.given.get(name)
        return value if isinstance(value, int) else None


@dataclass(frozen=True)
class Typed:
    """A slash command with typed options that a part offers on Discord, whose input arrives
    structured: `build` makes the part's record from the values given. `name` is usually one of
    the part's words; a platform of typed input may offer a form of its own (`/quiz-admin
    resolve`, the typed form of `/quiz appeals resolve`)."""

    name: str
    build: Callable[[Values], Command]
    options: tuple[Option, ...] = ()
    slash: Slash = "quiz"


@dataclass(frozen=True)
class Verb:
    """One command word a part serves: `name` is the word after `/quiz`, or a whole line's head
    (`/demo`, `/help`) whose words the reader reads all of. `slash` is the Discord group that
    offers it (None: no slash command of its own); `usage` is its entry in Slack's `/quiz`
    usage hint (empty: not listed there). `word` is set for a command of one word and no option:
    Discord offers it as a slash command of its own, built from this declaration alone; a word
    with options is offered from the part's `Typed` declaration of the same name."""

    name: str
    read: Reader
    slash: Slash | None = "quiz"
    usage: str = ""
    word: Command | None = None

    @property
    def line(self) -> bool:
        """Whether it reads a whole line (`/demo ...`) rather than a `/quiz` word."""
        return self.name.startswith("/")


def word(name: str, command: Command, *, usage: str | None = None) -> Verb:
    """A `/quiz` word of one command and no option (words after it are ignored)."""
    group: Slash = "quiz-admin" if command.admin else "quiz"
    return Verb(
        name,
        lambda _words, _rest: command,
        slash=group,
        usage=name if usage is None else usage,
        word=command,
    )


@dataclass(frozen=True)
class Declared(Generic[C]):
    """What a part declares: the command records it serves (`C`, their union, is what its
    `serve` takes), the words that read them, its slash commands with typed options (`typed`),
    its lines of `/help` (catalogue keys, each one line, formatted with `cap`) and its entries
    on the admins' line of `/help` (catalogue keys)."""

    serves: tuple[type[C], ...]
    verbs: tuple[Verb, ...]
    typed: tuple[Typed, ...] = ()
    help: tuple[str, ...] = ()
    admin_help: tuple[str, ...] = ()


class Grammar:
    """The typed line's grammar, read from the parts' words: `/quiz <word> ...`, a line of its
    own (`/demo ...`, `/help`), or plain text (an answer, read by the part whose `read_answer`
    it is)."""

    def __init__(self, verbs: Iterable[Verb], *, answer: Callable[[str], Command]) -> None:
        self.verbs = tuple(verbs)
        self._answer = answer
        self._words = {v.name: v for v in self.verbs if not v.line}
        self._lines = {v.name: v for v in self.verbs if v.line}
        if len(self._words) + len(self._lines) != len(self.verbs):
            raise ValueError("two parts declare the same command word")

    @property
    def quiz_names(self) -> tuple[str, ...]:
        """Every `/quiz` command's name: a name typed that is none of them is answered with the
        closest one (`unknown_quiz`), so a typo such as `/quiz leaderbord` says what to type."""
        return tuple(self._words)

    def parse(self, text: str) -> Command:
        """Turn one line into a command; anything not starting with '/' is an answer."""
        stripped = text.strip()
        if not stripped.startswith("/"):
            return self._answer(text)
        words = stripped.split()
        head = words[0].lower()
        rest = stripped[len(words[0]) :].strip()
        if head == "/quiz":
            if not words[1:]:
                return Help()
            sub = words[1].lower()
            verb = self._words.get(sub)
            if verb is None:
                return self.unknown_quiz(sub)
            tail = rest.split(None, 1)
            return verb.read(words[2:], tail[1] if len(tail) > 1 else "")
        line = self._lines.get(head)
        if line is not None:
            return line.read(words[1:], rest)
        return self.unknown_command(words[0], rest)

    @property
    def command_names(self) -> tuple[str, ...]:
        """The commands a line can begin with (`/quiz` and each part's line of its own): a first
        word that is none of them but close to one (a typo such as `/quizz`) is answered with it
        (`unknown_command`)."""
        return ("/quiz", *self._lines)

    def unknown_command(self, head: str, rest: str) -> Invalid:
        """The refusal of a line beginning with `head`, which no command is: offering the closest
        command with the words typed after it (`/quizz stats`: `/quiz stats`) when it is close
        enough to be a typo (difflib's ratio of 0.6 or more, as `unknown_quiz`), else only
        `/help`."""
        near = difflib.get_close_matches(head.lower(), self.command_names, n=1, cutoff=0.6)
        if near:
            return Invalid("unknown_command_near", head, near=f"{near[0]} {rest}".strip())
        return Invalid("unknown_command", head)

    def unknown_quiz(self, sub: str) -> Invalid:
        """The refusal of `/quiz <sub>`, a name no command has: offering the closest name when
        one is close enough to be a typo of it (difflib's ratio of 0.6 or more), else only
        `/help`."""
        near = difflib.get_close_matches(sub, self.quiz_names, n=1, cutoff=0.6)
        if near:
            return Invalid("unknown_quiz_near", sub, near=near[0])
        return Invalid("unknown_quiz", sub)


def member_command(command: C) -> C:
    """`command` with every text it carries under the member-text rule (`bot.core.member_text`):
    typed options and thread replies arrive from JSON, which can hold anything."""
    values: dict[str, Any] = {}
    for item in fields(command):
        value = getattr(command, item.name)
        if isinstance(value, str):
            value = member_text(value)
        elif isinstance(value, tuple):
            value = tuple(member_text(v) for v in value)
        elif isinstance(value, dict):
            value = {member_text(k): member_text(v) for k, v in value.items()}
        values[item.name] = value
    return type(command)(**values)
