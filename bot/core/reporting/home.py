"""A member's own figures in one place: `/quiz me` (privately, as fields: Discord's embed,
Slack's fields, the console's lines) and Slack's App Home tab, which shows the same."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC

from bot.core.command_part import CommandPart
from bot.core.commands import Command, Declared, word
from bot.core.counted import answered_days, tally
from bot.core.messages import ReplyKind
from bot.core.models import ChannelRow
from bot.core.ports import AnswerStore, ChannelStore, MemberStore
from bot.core.quiz.desk import Where
from bot.core.quiz.mastery import TopicMastery, named_percent
from bot.core.quiz.posting import Clock
from bot.core.quiz.practice import Practice
from bot.core.reporting.streaks import streak
from bot.core.reporting.weeks import week_of
from bot.core.texts import text
from bot.core.turn import Turn, channel_schedule
from content.bank import Bank
from content.schema import Lang

DUE_SHOWN = 3
"""Due practice cards named on the home (the rest are counted)."""


@dataclass(frozen=True)
class MemberHome:
    """Where a member stands in one channel: its streak, this week's points, mastery per
    topic (practice included: the home is only ever shown to the member) and cards due now."""

    channel: ChannelRow
    name: str
    streak: int
    week_points: int
    mastery: tuple[TopicMastery, ...]
    due: tuple[str, ...]

    def title(self) -> str:
        return text(self.channel.lang, "home_title", name=self.name)

    def fields(self) -> tuple[tuple[str, str], ...]:
        """The figures as (label, value), in the channel's language."""
        lang = self.channel.lang
        started = [named_percent(row, lang) for row in self.mastery if row.started]
        due = [f"• {question}" for question in self.due[:DUE_SHOWN]]
        if len(self.due) > DUE_SHOWN:
            due.append(text(lang, "home_due_more", count=len(self.due) - DUE_SHOWN))
        return (
            (text(lang, "home_streak"), text(lang, "home_days", days=self.streak)),
            (text(lang, "home_week"), text(lang, "home_points", points=self.week_points)),
            (text(lang, "home_mastery"), ", ".join(started) or text(lang, "home_no_mastery")),
            (
                text(lang, "home_due", count=len(self.due)),
                "\n".join(due) or text(lang, "home_none_due"),
            ),
        )


@dataclass(frozen=True)
class Me(Command):
    """`/quiz me`: my streak, points this week, mastery by topic and due cards, privately."""

    private = True


@dataclass(kw_only=True, eq=False)
class Homes(CommandPart[Me]):
    """Computes a member's home from the channel's answers and their practice cards; `lang` is
    what a member with no channel yet reads (the new channels' language). Serves `/quiz me`."""

    commands = Declared(serves=(Me,), verbs=(word("me", Me()),), help=("help_me",))

    channels: ChannelStore
    answers: AnswerStore
    members: MemberStore
    practice: Practice
    bank: Bank
    clock: Clock
    lang: Lang

    async def home(self, channel: ChannelRow, user_id: str) -> MemberHome:
        platform = channel.platform
        schedule = channel_schedule(channel)
        today = schedule.local_day(self.clock())
        answers = await self.answers.user_answers(
            platform=platform, channel_id=channel.channel_id, user_id=user_id
        )
        monday = week_of(today)
        now = self.clock().astimezone(UTC)
        where = Where(platform, channel.channel_id)
        cards = await self.practice.cards(where, user_id)
        due = sorted((card.due, prompt_id) for prompt_id, card in cards.items() if card.due <= now)
        lang: Lang = channel.lang
        bank = self.bank.seen_from(platform, channel.channel_id)
        return MemberHome(
            channel=channel,
            name=await self.members.display_name(platform=platform, user_id=user_id),
            streak=streak(schedule, answered_days(answers), today),
            week_points=tally(a for a in answers if a.day >= monday).points,
            mastery=tuple(await self.practice.mastery(where, user_id)),
            due=tuple(bank.get(prompt_id).text.get(lang) for _, prompt_id in due),
        )

    async def serve(self, command: Me, turn: Turn) -> None:
        await self.show(turn)

    async def show(self, turn: Turn) -> None:
        """`/quiz me`: the caller's home, for the caller alone."""
        home = await self.home(turn.channel, turn.user)
        reply = turn.reply(f"**{home.title()}**", kind=ReplyKind.STATS, ephemeral=True)
        await turn.transport.send(replace(reply, fields=home.fields()))

    async def latest(self, platform: str, user_id: str) -> MemberHome | None:
        """The member's home in the channel they last answered in on `platform` (Slack's App
        Home has no channel of its own); None before their first answer."""
        channel_id = await self.answers.latest_channel(platform=platform, user_id=user_id)
        if channel_id is None:
            return None
        channel = await self.channels.channel(platform=platform, channel_id=channel_id)
        return None if channel is None else await self.home(channel, user_id)
