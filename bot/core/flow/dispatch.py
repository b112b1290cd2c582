"""One command to the collaborator that serves it: answers, reports, practice, appeals, demos,
channel settings (subjects included) and `/quiz now`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from bot.core import commands as cmd
from bot.core.messages import ReplyKind
from bot.core.ports import AdminSessions
from bot.core.quiz.answering import AnswerFlow, FigureSource
from bot.core.quiz.appeals import Appeals
from bot.core.quiz.channel_settings import set_lang, set_schedule
from bot.core.quiz.posting import Posting
from bot.core.quiz.practice import Practice
from bot.core.quiz.sharing import set_sharing
from bot.core.quiz.sign_in import SignInLinks, send_sign_in_link
from bot.core.quiz.topics import set_topics, show_topics
from bot.core.reporting.digest_posting import Digests
from bot.core.reporting.home import Homes
from bot.core.reporting.reports import Reports
from bot.core.turn import Turn

ANSWERS = (cmd.Answer, cmd.PracticeAnswer)
"""Answers, not commands: the platform does not look up their sender's rights."""


class DemoDesk(FigureSource, Protocol):
    """The `/demo` hand-off to the compute service; the core only forwards the request."""

    async def list_demos(self, turn: Turn) -> None: ...

    async def run_demo(self, turn: Turn, name: str, params: dict[str, str]) -> None: ...

    async def demo_names(self) -> list[str]:
        """The demos the service offers, for suggestions; raises ComputeError when it is down."""
        ...


class CommandPart(Protocol):
    """A part that serves commands of its own, whole: `bot.wiring.wire` hands it to the
    dispatcher, so a new part of this kind needs no line here."""

    @property
    def serves(self) -> tuple[type, ...]:
        """The command classes (`bot.core.commands`) it serves."""
        ...

    async def serve(self, command: cmd.Command, turn: Turn) -> None: ...


def help_text(turn: Turn, *, hint_cap: int) -> str:
    """`/help`: the commands, with how to answer where this platform takes answers; the
    console, which has no threads, adds its own commands (`/as`, `/quit`)."""
    console = turn.incoming.threadless
    answer = turn.t("help_answer_console" if console else "help_answer_thread")
    lines = [turn.t("help", cap=hint_cap, answer=answer)]
    if console:
        lines.append(turn.t("help_console"))
    return "\n".join(lines)


@dataclass(kw_only=True, eq=False)
class Dispatcher:
    """Takes its collaborators ready-made (`bot.wiring.wire` wires them)."""

    posting: Posting
    answers: AnswerFlow
    reports: Reports
    practice: Practice
    appeals: Appeals
    homes: Homes
    digests: Digests
    demos: DemoDesk | None = None
    sign_in: SignInLinks | None = None
    sessions: AdminSessions | None = None
    parts: Sequence[CommandPart] = ()

    def __post_init__(self) -> None:
        self.parts = tuple(self.parts)

    async def admitted(self, command: cmd.Command, turn: Turn) -> bool:
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
        if isinstance(command, cmd.ADMIN_COMMANDS) and not actor.is_admin:
            await turn.error("admin_only")
            return False
        return True

    async def dispatch(self, command: cmd.Command, turn: Turn) -> None:
        if not await self.admitted(command, turn):
            return
        part = next((p for p in self.parts if isinstance(command, p.serves)), None)
        if part is not None:
            await part.serve(command, turn)
            return
        match command:
            case cmd.Answer(answer):
                await self.answers.answer(turn, answer)
            case cmd.Next():
                await self.answers.next(turn)
            case cmd.Skip():
                await self.answers.skip(turn)
            case cmd.Hint():
                await self.answers.hint(turn)
            case cmd.Now(prompt_id, extra):
                await self.posting.post_now(turn, prompt_id, extra=extra)
            case cmd.Reveal():
                await self.reports.reveal(turn)
            case cmd.Leaderboard(period):
                await self.reports.leaderboard(turn, period)
            case cmd.Stats(user):
                await self.reports.stats(turn, user)
            case cmd.SetSchedule(at, zone, days):
                await set_schedule(
                    turn,
                    repo=self.posting.channels,
                    clock=self.posting.clock,
                    at=at,
                    zone=zone,
                    days=days,
                )
            case cmd.SetLang(lang):
                await set_lang(turn, repo=self.posting.channels, lang=lang)
            case cmd.DemoList() if self.demos is not None:
                await self.demos.list_demos(turn)
            case cmd.DemoRun(name, params) if self.demos is not None:
                await self.demos.run_demo(turn, name, params)
            case cmd.DemoList() | cmd.DemoRun():
                await turn.say(turn.t("demo_unavailable"), kind=ReplyKind.ERROR)
            case cmd.Practice():
                await self.practice.show(turn)
            case cmd.PracticeAnswer(answer):
                await self.practice.answer(turn, answer)
            case cmd.Review():
                await self.practice.status(turn)
            case cmd.Web():
                await send_sign_in_link(turn, self.sign_in)
            case cmd.Appeal(reason):
                await self.appeals.open(turn, reason)
            case cmd.Appeals():
                await self.appeals.queue(turn)
            case cmd.ResolveAppeal(appeal_id, score, note):
                await self.appeals.resolve(turn, appeal_id, score, note)
            case cmd.Share(on):
                await set_sharing(turn, store=self.reports.sharing, clock=self.posting.clock, on=on)
            case cmd.Me():
                await self.homes.show(turn)
            case cmd.Week():
                await self.digests.show(turn)
            case cmd.SetDigest(weekday, at):
                await self.digests.set_time(turn, weekday, at)
            case cmd.Topics():
                await show_topics(turn, bank=self.posting.bank, posts=self.posting.stores.posts)
            case cmd.SetTopics(subjects):
                await set_topics(
                    turn, bank=self.posting.bank, repo=self.posting.channels, words=subjects
                )
            case cmd.Help():
                await turn.say(help_text(turn, hint_cap=self.answers.hint_cap), ephemeral=True)
            case cmd.Invalid(key, detail, near):
                await turn.error(key, detail=detail, near=near)
