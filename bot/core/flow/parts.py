"""The chat's parts, each serving its own commands: their list, the grammar read from their
words, and the guide (`/help`, and the refusal of what no part reads) written from their
declarations. A new part is one line in `PARTS` and its wiring in `bot.wiring.wire`; a new
command of a part is its own declaration, and nothing here changes.

Order matters once: `/help` lists the parts' lines in this order, and the admins' line their
admin commands in this order."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, assert_never

from bot.core.command_part import CommandPart
from bot.core.commands import Declared, Grammar, Help, Invalid, Verb, word
from bot.core.quiz.answering import Answer, AnswerFlow
from bot.core.quiz.appeals import Appeals
from bot.core.quiz.bookmarks import Bookmarks
from bot.core.quiz.channel_settings import ChannelSettings
from bot.core.quiz.demo_commands import Demos
from bot.core.quiz.posting import Posting
from bot.core.quiz.practice import Practice
from bot.core.quiz.sharing import Sharing
from bot.core.quiz.sign_in import SignIn
from bot.core.quiz.topics import Topics
from bot.core.reporting.digest_posting import Digests
from bot.core.reporting.home import Homes
from bot.core.reporting.reports import Reports
from bot.core.turn import Turn


@dataclass(eq=False)
class Guide(CommandPart[Help | Invalid]):
    """Serves `/help` (every part's lines, then the admins' commands) and answers what the
    grammar could not read with its refusal."""

    commands = Declared(
        serves=(Help, Invalid),
        verbs=(word("help", Help()), Verb("/help", lambda _words, _rest: Help(), slash=None)),
    )

    hint_cap: int

    async def serve(self, command: Help | Invalid, turn: Turn) -> None:
        if isinstance(command, Invalid):
            await turn.error(command.key, detail=command.detail, near=command.near)
        elif isinstance(command, Help):
            await turn.say(help_text(turn, hint_cap=self.hint_cap), ephemeral=True)
        else:
            assert_never(command)


PARTS: tuple[type[CommandPart[Any]], ...] = (
    AnswerFlow,
    Posting,
    Reports,
    Practice,
    SignIn,
    Appeals,
    ChannelSettings,
    Homes,
    Digests,
    Sharing,
    Topics,
    Bookmarks,
    Demos,
    Guide,
)
"""Every part that serves commands, as classes: each declares its `commands`
(`bot.core.commands.Declared`)."""

DECLARED: tuple[Declared[Any], ...] = tuple(part.commands for part in PARTS)

GRAMMAR = Grammar((verb for part in DECLARED for verb in part.verbs), answer=Answer)
parse = GRAMMAR.parse


def help_text(turn: Turn, *, hint_cap: int) -> str:
    """`/help`: each part's lines, with how to answer where this platform takes answers, then
    the admins' commands; the console, which has no threads, adds its own (`/as`, `/quit`)."""
    console = turn.incoming.threadless
    lines = [
        turn.t("help_title"),
        turn.t("help_answer_console" if console else "help_answer_thread"),
    ]
    admin: list[str] = []
    for part in DECLARED:
        lines.extend(turn.t(key, cap=hint_cap) for key in part.help)
        admin.extend(turn.t(key) for key in part.admin_help)
    lines.append(turn.t("help_admins", commands=" · ".join(admin)))
    if console:
        lines.append(turn.t("help_console"))
    return "\n".join(lines)
