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
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from functools import cache
from typing import Any, Literal

import discord
from discord import app_commands

from bot.core.commands import Command, Slash
from bot.core.flow.parts import GRAMMAR
from bot.core.quiz.answering import Answer
from bot.core.quiz.appeals import REASON_CHARS, ResolveAppeal, ShowAppeals
from bot.core.quiz.appeals import Appeal as AppealCommand
from bot.core.quiz.channel_settings import SetLang, SetSchedule
from bot.core.quiz.demo_commands import DemoList, demo_run
from bot.core.quiz.posting import now as read_now
from bot.core.quiz.practice import PracticeAnswer, ShowPractice
from bot.core.quiz.sharing import Share
from bot.core.quiz.topics import ShowTopics
from bot.core.quiz.topics import topics as read_topics
from bot.core.reporting.digest_posting import digest as read_digest
from bot.core.reporting.reports import Leaderboard, Stats
from bot.core.texts import text
from bot.platforms.discord.dispatch import Relay, report_failure
from bot.platforms.discord.permissions import ADMIN_PERMISSIONS
from bot.platforms.discord.translator import said
from content.schema import Lang

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
    """`/quiz answer` without text: a form leaves room for a long, multi-line answer. It is
    titled in the channel's language, as the question it answers is."""

    def __init__(self, relay: Relay, lang: Lang) -> None:
        super().__init__(title=text(lang, "answer_dialog_title"), timeout=15 * 60)
        self._relay = relay
        self.answer: discord.ui.TextInput[AnswerModal] = discord.ui.TextInput(
            style=discord.TextStyle.paragraph, min_length=1, max_length=ANSWER_LIMIT
        )
        label = discord.ui.Label(text=text(lang, "answer_dialog_label"), component=self.answer)
        self.add_item(label)

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await self._relay.interaction(
            interaction,
            Answer(self.answer.value),
            private_placeholder=self._relay.score_ephemeral,
        )

    # Modal narrows BaseView.on_error (no item argument); the override follows Modal's signature.
    async def on_error(  # type: ignore[override]
        self, interaction: discord.Interaction, error: Exception, /
    ) -> None:
        await report_failure(interaction, error, what="answer form")


def add_words(group: app_commands.Group, relay: Relay, *, slash: Slash) -> None:
    """One slash command per part's `/quiz` word of no option that `slash` offers (the parts'
    declarations, `bot.core.flow.parts`), described by `discord_quiz[_admin]_<word>` in the
    catalogue."""
    prefix = "discord_quiz_admin_" if slash == "quiz-admin" else "discord_quiz_"
    for verb in GRAMMAR.verbs:
        if verb.word is not None and verb.slash == slash:
            group.add_command(
                app_commands.Command(
                    name=verb.name,
                    description=said(prefix + verb.name),
                    callback=_relayed(relay, verb.word),
                )
            )


def _relayed(
    relay: Relay, command: Command
) -> Callable[[discord.Interaction], Coroutine[Any, Any, None]]:
    private = command.private

    async def relay_command(interaction: discord.Interaction) -> None:
        await relay.interaction(interaction, command, private_placeholder=private)

    return relay_command


class QuizGroup(app_commands.Group):
    """Member commands for the day's question, scores and stats. `/quiz web` is offered only
    where the bot can sign links to a web page (QUIZMASTER_WEB_URL and _SECRET set)."""

    def __init__(
        self, relay: Relay, *, web_page: bool = False, subjects: Sequence[str] = ()
    ) -> None:
        super().__init__(name="quiz", description=said("discord_quiz"))
        self._relay = relay
        self._subjects = subjects
        add_words(self, relay, slash="quiz")
        if not web_page:
            self.remove_command("web")

    @app_commands.command(description=said("discord_quiz_answer"))
    @app_commands.describe(text=said("discord_quiz_answer_text"))
    async def answer(
        self,
        interaction: discord.Interaction,
        text: app_commands.Range[str, 1, ANSWER_LIMIT] | None = None,
    ) -> None:
        if text is None:
            lang = await self._relay.channel_lang(interaction)
            await interaction.response.send_modal(AnswerModal(self._relay, lang))
            return
        await self._relay.interaction(
            interaction, Answer(text), private_placeholder=self._relay.score_ephemeral
        )

    @app_commands.command(description=said("discord_quiz_leaderboard"))
    @app_commands.describe(period=said("discord_quiz_leaderboard_period"))
    async def leaderboard(
        self, interaction: discord.Interaction, period: Literal["week", "month", "all"] = "week"
    ) -> None:
        await self._relay.interaction(interaction, Leaderboard(period))

    @app_commands.command(description=said("discord_quiz_stats"))
    @app_commands.describe(member=said("discord_quiz_stats_member"))
    async def stats(
        self, interaction: discord.Interaction, member: discord.User | None = None
    ) -> None:
        who = str(member.id) if member is not None else None
        await self._relay.interaction(interaction, Stats(who))

    @app_commands.command(description=said("discord_quiz_practice"))
    @app_commands.describe(answer=said("discord_quiz_practice_answer"))
    async def practice(
        self,
        interaction: discord.Interaction,
        answer: app_commands.Range[str, 1, ANSWER_LIMIT] | None = None,
    ) -> None:
        command = ShowPractice() if answer is None else PracticeAnswer(answer)
        await self._relay.interaction(interaction, command, private_placeholder=True)

    @app_commands.command(description=said("discord_quiz_appeal"))
    @app_commands.describe(why=said("discord_quiz_appeal_why"))
    async def appeal(
        self,
        interaction: discord.Interaction,
        why: app_commands.Range[str, 1, REASON_CHARS] | None = None,
    ) -> None:
        await self._relay.interaction(
            interaction, AppealCommand(why or ""), private_placeholder=True
        )

    @app_commands.command(description=said("discord_quiz_share"))
    @app_commands.describe(choice=said("discord_quiz_share_choice"))
    async def share(self, interaction: discord.Interaction, choice: Literal["on", "off"]) -> None:
        await self._relay.interaction(interaction, Share(choice == "on"), private_placeholder=True)

    @app_commands.command(description=said("discord_quiz_topics"))
    @app_commands.describe(subjects=said("discord_quiz_topics_subjects"))
    async def topics(
        self,
        interaction: discord.Interaction,
        subjects: app_commands.Range[str, 1, 500] | None = None,
    ) -> None:
        command = read_topics((subjects or "").split())
        listing = isinstance(command, ShowTopics)
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


class QuizAdminGroup(app_commands.Group):
    """Commands that change the channel for everyone; Manage Server by default."""

    def __init__(self, relay: Relay) -> None:
        super().__init__(
            name="quiz-admin",
            description=said("discord_quiz_admin"),
            default_permissions=ADMIN_PERMISSIONS,
            guild_only=True,
        )
        self._relay = relay
        add_words(self, relay, slash="quiz-admin")

    @app_commands.command(description=said("discord_quiz_admin_now"))
    @app_commands.describe(prompt=said("discord_quiz_admin_now_prompt"))
    async def now(
        self,
        interaction: discord.Interaction,
        prompt: app_commands.Range[str, 1, 64] | None = None,
    ) -> None:
        await self._relay.interaction(interaction, read_now((prompt or "").split()))

    @app_commands.command(description=said("discord_quiz_admin_schedule"))
    @app_commands.describe(
        time=said("discord_quiz_admin_schedule_time"),
        timezone=said("discord_quiz_admin_schedule_timezone"),
        days=said("discord_quiz_admin_schedule_days"),
    )
    async def schedule(
        self,
        interaction: discord.Interaction,
        time: app_commands.Range[str, 4, 5],
        timezone: app_commands.Range[str, 1, 64] | None = None,
        days: app_commands.Range[str, 1, 40] | None = None,
    ) -> None:
        command = SetSchedule(
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

    @app_commands.command(description=said("discord_quiz_admin_appeals"))
    async def appeals(self, interaction: discord.Interaction) -> None:
        await self._relay.interaction(interaction, ShowAppeals(), private_placeholder=True)

    @app_commands.command(description=said("discord_quiz_admin_resolve"))
    @app_commands.describe(
        appeal=said("discord_quiz_admin_resolve_appeal"),
        score=said("discord_quiz_admin_resolve_score"),
        note=said("discord_quiz_admin_resolve_note"),
    )
    async def resolve(
        self,
        interaction: discord.Interaction,
        appeal: app_commands.Range[int, 1, 999_999_999],
        score: app_commands.Range[int, 0, 100] | None = None,
        note: app_commands.Range[str, 1, REASON_CHARS] | None = None,
    ) -> None:
        command = ResolveAppeal(appeal, score, note or "")
        await self._relay.interaction(interaction, command, private_placeholder=True)

    @app_commands.command(description=said("discord_quiz_admin_digest"))
    @app_commands.describe(
        day=said("discord_quiz_admin_digest_day"),
        time=said("discord_quiz_admin_digest_time"),
    )
    async def digest(
        self,
        interaction: discord.Interaction,
        day: Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun", "off"],
        time: app_commands.Range[str, 4, 5] | None = None,
    ) -> None:
        words = [day] if day == "off" else [day, *([time.strip()] if time else [])]
        await self._relay.interaction(interaction, read_digest(words))

    @app_commands.command(description=said("discord_quiz_admin_lang"))
    @app_commands.describe(language=said("discord_quiz_admin_lang_language"))
    async def lang(self, interaction: discord.Interaction, language: Literal["ko", "en"]) -> None:
        await self._relay.interaction(interaction, SetLang(language))


class DemoGroup(app_commands.Group):
    """Training demos from the compute service: plots posted to the channel."""

    def __init__(self, relay: Relay, demo_names: DemoNames) -> None:
        super().__init__(name="demo", description=said("discord_demo"))
        self._relay = relay
        self._demo_names = demo_names

    @app_commands.command(name="list", description=said("discord_demo_list"))
    async def list_(self, interaction: discord.Interaction) -> None:
        await self._relay.interaction(interaction, DemoList())

    @app_commands.command(description=said("discord_demo_run"))
    @app_commands.describe(
        name=said("discord_demo_run_name"),
        params=said("discord_demo_run_params"),
    )
    async def run(
        self,
        interaction: discord.Interaction,
        name: app_commands.Range[str, 1, 64],
        params: app_commands.Range[str, 0, 500] | None = None,
    ) -> None:
        command = demo_run(name.strip(), (params or "").split())
        await self._relay.interaction(interaction, command, defer_at_once=True)

    @run.autocomplete("name")
    async def _name_choices(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return suggest(await self._demo_names(), current)
