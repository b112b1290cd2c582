"""The slash commands: `/quiz`, `/quiz-admin` and `/demo`, each building the core's command from
its typed options.

Admin commands live in their own top-level group because Discord applies
`default_member_permissions` to top-level commands only; the core still checks `is_admin` on every
use. Options are described and bounded here so Discord rejects malformed input before we see it;
what they mean (a valid time, a known demo) is the core's to judge.
"""

from __future__ import annotations

import logging
import zoneinfo
from collections.abc import Awaitable, Callable, Sequence
from functools import cache
from typing import Literal

import discord
from discord import app_commands

from bot.core import commands as cmd
from bot.core.quiz.appeals import REASON_CHARS
from bot.platforms.discord.dispatch import Relay, report_failure
from bot.platforms.discord.permissions import ADMIN_PERMISSIONS

log = logging.getLogger("quizmaster.discord")

DemoNames = Callable[[], Awaitable[Sequence[str]]]
"""Where `/demo run` autocomplete finds demo names; suggestions only, the core re-validates."""

ANSWER_LIMIT = 4000

CHOICES_LIMIT = 25
DAY_SUGGESTIONS = ("weekdays", "daily", "weekends", "mon,wed,fri", "tue,thu")


@cache
def _zones() -> tuple[str, ...]:
    return tuple(sorted(zoneinfo.available_timezones()))


def suggest(options: Sequence[str], current: str) -> list[app_commands.Choice[str]]:
    """Up to 25 options containing what was typed so far, prefix matches first."""
    typed = current.strip().lower()
    matches = [o for o in options if typed in o.lower()]
    matches.sort(key=lambda o: (not o.lower().startswith(typed), o))
    return [app_commands.Choice(name=o, value=o) for o in matches[:CHOICES_LIMIT]]


class AnswerModal(discord.ui.Modal):
    """`/quiz answer` without text: a form leaves room for a long, multi-line answer."""

    def __init__(self, relay: Relay) -> None:
        super().__init__(title="Your answer · 답변", timeout=15 * 60)
        self._relay = relay
        self.answer: discord.ui.TextInput[AnswerModal] = discord.ui.TextInput(
            style=discord.TextStyle.paragraph, min_length=1, max_length=ANSWER_LIMIT
        )
        self.add_item(discord.ui.Label(text="Answer · 답변", component=self.answer))

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await self._relay.interaction(
            interaction,
            cmd.Answer(self.answer.value),
            private_placeholder=self._relay.score_ephemeral,
        )

    # Modal narrows BaseView.on_error (no item argument); the override follows Modal's signature.
    async def on_error(  # type: ignore[override]
        self, interaction: discord.Interaction, error: Exception, /
    ) -> None:
        await report_failure(interaction, error, what="answer form")


class QuizGroup(app_commands.Group):
    """Member commands for the day's question, scores and stats. `/quiz web` is offered only
    where the bot can sign links to a web page (QUIZMASTER_WEB_URL and _SECRET set)."""

    def __init__(
        self, relay: Relay, *, web_page: bool = False, subjects: Sequence[str] = ()
    ) -> None:
        super().__init__(name="quiz", description="Daily deep-learning interview question")
        self._relay = relay
        self._subjects = subjects
        if not web_page:
            self.remove_command("web")

    @app_commands.command(description="Answer the question you are on (empty: open a form)")
    @app_commands.describe(text="Your answer in free text; leave it out to write it in a form")
    async def answer(
        self,
        interaction: discord.Interaction,
        text: app_commands.Range[str, 1, ANSWER_LIMIT] | None = None,
    ) -> None:
        if text is None:
            await interaction.response.send_modal(AnswerModal(self._relay))
            return
        await self._relay.interaction(
            interaction, cmd.Answer(text), private_placeholder=self._relay.score_ephemeral
        )

    @app_commands.command(description="Show the question you are on, or retry your weakest")
    async def next(self, interaction: discord.Interaction) -> None:
        await self._relay.interaction(interaction, cmd.Next())

    @app_commands.command(description="Skip the question you are on")
    async def skip(self, interaction: discord.Interaction) -> None:
        await self._relay.interaction(interaction, cmd.Skip())

    @app_commands.command(description="Get a hint (caps the score of this question)")
    async def hint(self, interaction: discord.Interaction) -> None:
        await self._relay.interaction(interaction, cmd.Hint())

    @app_commands.command(description="Top scores of this channel")
    @app_commands.describe(period="Which days count (default: the last 7)")
    async def leaderboard(
        self, interaction: discord.Interaction, period: Literal["week", "month", "all"] = "week"
    ) -> None:
        await self._relay.interaction(interaction, cmd.Leaderboard(period))

    @app_commands.command(description="Scores, streak and strongest topics of a member")
    @app_commands.describe(member="Whose stats (default: yours)")
    async def stats(
        self, interaction: discord.Interaction, member: discord.User | None = None
    ) -> None:
        who = str(member.id) if member is not None else None
        await self._relay.interaction(interaction, cmd.Stats(who))

    @app_commands.command(description="Private practice: your next due card, or answer it")
    @app_commands.describe(
        answer="Your answer to the card practice showed you (leave out to see it)"
    )
    async def practice(
        self,
        interaction: discord.Interaction,
        answer: app_commands.Range[str, 1, ANSWER_LIMIT] | None = None,
    ) -> None:
        command = cmd.Practice() if answer is None else cmd.PracticeAnswer(answer)
        await self._relay.interaction(interaction, command, private_placeholder=True)

    @app_commands.command(description="How many practice cards are due, and when the next are")
    async def review(self, interaction: discord.Interaction) -> None:
        await self._relay.interaction(interaction, cmd.Review(), private_placeholder=True)

    @app_commands.command(description="A private sign-in link to the team's web page")
    async def web(self, interaction: discord.Interaction) -> None:
        await self._relay.interaction(interaction, cmd.Web(), private_placeholder=True)

    @app_commands.command(description="Contest the grade of your latest answer here")
    @app_commands.describe(why="Why the grade is wrong (optional)")
    async def appeal(
        self,
        interaction: discord.Interaction,
        why: app_commands.Range[str, 1, REASON_CHARS] | None = None,
    ) -> None:
        await self._relay.interaction(interaction, cmd.Appeal(why or ""), private_placeholder=True)

    @app_commands.command(description="Your streak, points this week, mastery and due cards")
    async def me(self, interaction: discord.Interaction) -> None:
        await self._relay.interaction(interaction, cmd.Me(), private_placeholder=True)

    @app_commands.command(description="This channel's week so far: the weekly digest, for you")
    async def week(self, interaction: discord.Interaction) -> None:
        await self._relay.interaction(interaction, cmd.Week(), private_placeholder=True)

    @app_commands.command(description="Whether your best answers may be shown to this channel")
    @app_commands.describe(choice="on: show my best answers in reveals and summaries; off: never")
    async def share(self, interaction: discord.Interaction, choice: Literal["on", "off"]) -> None:
        await self._relay.interaction(
            interaction, cmd.Share(choice == "on"), private_placeholder=True
        )

    @app_commands.command(description="The bank's subjects, and the ones this channel draws from")
    @app_commands.describe(
        subjects="Admins: subject ids separated by spaces, or all (leave out to list them)"
    )
    async def topics(
        self,
        interaction: discord.Interaction,
        subjects: app_commands.Range[str, 1, 500] | None = None,
    ) -> None:
        command = cmd.topics((subjects or "").split())
        listing = isinstance(command, cmd.Topics)
        await self._relay.interaction(interaction, command, private_placeholder=listing)

    @topics.autocomplete("subjects")
    async def _subject_choices(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        """The last word typed completed to a subject id, the words before it kept."""
        *chosen, typed = current.split(" ") if current else [""]
        before = " ".join(word for word in chosen if word)
        left = [s for s in self._subjects if s not in chosen] + ["all"] * (not before)
        return [
            app_commands.Choice(name=value, value=value)
            for choice in suggest(left, typed)
            for value in [f"{before} {choice.value}".strip()]
        ]

    @app_commands.command(description="How the quiz works and which commands there are")
    async def help(self, interaction: discord.Interaction) -> None:
        await self._relay.interaction(interaction, cmd.Help(), private_placeholder=True)


class QuizAdminGroup(app_commands.Group):
    """Commands that change the channel for everyone; Manage Server by default."""

    def __init__(self, relay: Relay) -> None:
        super().__init__(
            name="quiz-admin",
            description="Post, reveal and schedule the daily question; appeals (Manage Server)",
            default_permissions=ADMIN_PERMISSIONS,
            guild_only=True,
        )
        self._relay = relay

    @app_commands.command(description="Post a question in this channel now, with its thread")
    @app_commands.describe(prompt="A main question's id from a bank file, e.g. q01 (default: next)")
    async def now(
        self,
        interaction: discord.Interaction,
        prompt: app_commands.Range[str, 1, 64] | None = None,
    ) -> None:
        await self._relay.interaction(interaction, cmd.now((prompt or "").split()))

    @app_commands.command(description="Show the reference answer and how the channel did")
    async def reveal(self, interaction: discord.Interaction) -> None:
        await self._relay.interaction(interaction, cmd.Reveal())

    @app_commands.command(description="When the daily question is posted in this channel")
    @app_commands.describe(
        time="Local time, 24-hour HH:MM (e.g. 09:00)",
        timezone="IANA timezone such as Asia/Seoul (default: the channel's)",
        days="daily, weekdays, weekends or a list such as mon,wed,fri",
    )
    async def schedule(
        self,
        interaction: discord.Interaction,
        time: app_commands.Range[str, 4, 5],
        timezone: app_commands.Range[str, 1, 64] | None = None,
        days: app_commands.Range[str, 1, 40] | None = None,
    ) -> None:
        command = cmd.SetSchedule(
            time.strip(), (timezone or "").strip() or None, "".join((days or "").split()) or None
        )
        await self._relay.interaction(interaction, command)

    @schedule.autocomplete("timezone")
    async def _timezone_choices(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return suggest(_zones(), current)

    @schedule.autocomplete("days")
    async def _days_choices(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return suggest(DAY_SUGGESTIONS, current)

    @app_commands.command(description="Open appeals against grades, and how often they won")
    async def appeals(self, interaction: discord.Interaction) -> None:
        await self._relay.interaction(interaction, cmd.Appeals(), private_placeholder=True)

    @app_commands.command(description="Resolve an appeal: a new score, or keep the old one")
    @app_commands.describe(
        appeal="The appeal's number from /quiz-admin appeals",
        score="The answer's new score, 0-100 (leave out to keep the old score)",
        note="A note for the member (optional)",
    )
    async def resolve(
        self,
        interaction: discord.Interaction,
        appeal: app_commands.Range[int, 1, 999_999_999],
        score: app_commands.Range[int, 0, 100] | None = None,
        note: app_commands.Range[str, 1, REASON_CHARS] | None = None,
    ) -> None:
        command = cmd.ResolveAppeal(appeal, score, note or "")
        await self._relay.interaction(interaction, command, private_placeholder=True)

    @app_commands.command(description="When the weekly digest is posted, or off")
    @app_commands.describe(
        day="Weekday, e.g. fri (leave out with time to turn the digest off)",
        time="Local time, 24-hour HH:MM (e.g. 17:00)",
    )
    async def digest(
        self,
        interaction: discord.Interaction,
        day: Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun", "off"],
        time: app_commands.Range[str, 4, 5] | None = None,
    ) -> None:
        words = [day] if day == "off" else [day, *([time.strip()] if time else [])]
        await self._relay.interaction(interaction, cmd.digest(words))

    @app_commands.command(description="Language of this channel's questions and replies")
    @app_commands.describe(language="ko: 한국어, en: English")
    async def lang(self, interaction: discord.Interaction, language: Literal["ko", "en"]) -> None:
        await self._relay.interaction(interaction, cmd.SetLang(language))


class DemoGroup(app_commands.Group):
    """Training demos from the compute service: plots posted to the channel."""

    def __init__(self, relay: Relay, demo_names: DemoNames) -> None:
        super().__init__(name="demo", description="Small training demos with plots")
        self._relay = relay
        self._demo_names = demo_names

    @app_commands.command(name="list", description="The demos there are and what they show")
    async def list_(self, interaction: discord.Interaction) -> None:
        await self._relay.interaction(interaction, cmd.DemoList())

    @app_commands.command(description="Run a demo and post its plots")
    @app_commands.describe(
        name="Which demo (see /demo list)",
        params="Parameters as key=value pairs separated by spaces, e.g. seed=1 epochs=5",
    )
    async def run(
        self,
        interaction: discord.Interaction,
        name: app_commands.Range[str, 1, 64],
        params: app_commands.Range[str, 0, 500] | None = None,
    ) -> None:
        command = cmd.demo_run(name.strip(), (params or "").split())
        await self._relay.interaction(interaction, command, defer_at_once=True)

    @run.autocomplete("name")
    async def _name_choices(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return suggest(await self._demo_names(), current)
