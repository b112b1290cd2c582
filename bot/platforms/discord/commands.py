"""The slash commands: `/quiz`, `/quiz-admin` and `/demo`, each derived from the parts'
declarations (`bot.core.flow.parts`): a part's one-word command of no option (its `word`) and
its typed commands (`Typed`: options, their kinds, bounds, choices and suggestions, and how
their values make the part's record). Adding a command to a part is enough for this tree.

Admin commands live in their own top-level group because Discord applies
`default_member_permissions` to top-level commands only; the core still checks `is_admin` on every
use. Options are bounded as the part declares them, so Discord rejects malformed input before we
see it; what they mean (a valid time, a known demo) is the core's to judge. Every text is the
catalogue's: a command's description `discord_<group>_<command>`, an option's
`discord_<group>_<command>_<option>`.
"""

from __future__ import annotations

import inspect
import logging
import zoneinfo
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any, assert_never

import discord
from discord import app_commands

from bot.core.commands import Command, Option, Slash, Suggests, Typed, Values
from bot.core.flow.parts import DECLARED, GRAMMAR
from bot.core.quiz.answering import ANSWER_LIMIT, Answer
from bot.core.texts import text
from bot.platforms.discord.dispatch import Relay, report_failure
from bot.platforms.discord.permissions import ADMIN_PERMISSIONS
from bot.platforms.discord.translator import said
from content.schema import Lang

log = logging.getLogger("quizmaster.discord")

DemoNames = Callable[[], Awaitable[Sequence[str]]]
"""Where `/demo run` autocomplete finds demo names; suggestions only, the core re-validates."""

CHOICES_LIMIT = 25
DAY_SUGGESTIONS = ("weekdays", "daily", "weekends", "mon,wed,fri", "tue,thu")
SLASHES: tuple[Slash, ...] = ("quiz", "quiz-admin", "demo")

Suggester = Callable[[str], Awaitable[list[app_commands.Choice[str]]]]


@cache
def _zones() -> tuple[str, ...]:
    return tuple(sorted(zoneinfo.available_timezones()))


def suggest(options: Sequence[str], current: str) -> list[app_commands.Choice[str]]:
    """Up to 25 options containing what was typed so far, prefix matches first."""
    typed = current.strip().lower()
    matches = [o for o in options if typed in o.lower()]
    matches.sort(key=lambda o: (not o.lower().startswith(typed), o))
    return [app_commands.Choice(name=o, value=o) for o in matches[:CHOICES_LIMIT]]


def suggest_last_word(subjects: Sequence[str], current: str) -> list[app_commands.Choice[str]]:
    """The last word typed completed to a subject id, the words before it kept (`all` only as
    the first word)."""
    *chosen, typed = current.split(" ") if current else [""]
    before = " ".join(word for word in chosen if word)
    left = [s for s in subjects if s not in chosen] + ["all"] * (not before)
    return [
        app_commands.Choice(name=value, value=value)
        for choice in suggest(left, typed)
        for value in [f"{before} {choice.value}".strip()]
    ]


@dataclass(frozen=True)
class Suggestions:
    """Where each kind of suggestion a part's option asks for (`Suggests`) comes from: the
    bank's subject ids and the compute service's demo names; time zones and day sets are
    known here."""

    subjects: Sequence[str] = ()
    demo_names: DemoNames | None = None

    async def __call__(self, kind: Suggests, current: str) -> list[app_commands.Choice[str]]:
        if kind == "subjects":
            return suggest_last_word(self.subjects, current)
        if kind == "timezones":
            return suggest(_zones(), current)
        if kind == "days":
            return suggest(DAY_SUGGESTIONS, current)
        if kind == "demos":
            names = await self.demo_names() if self.demo_names is not None else ()
            return suggest(names, current)
        assert_never(kind)


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


async def relay_command(relay: Relay, interaction: discord.Interaction, command: Command) -> None:
    """Hand a part's record to the core: an answer without text opens the answer form; an
    answer's placeholder is as private as its score, another's as its record says, and a slow
    command (a demo's run) is acknowledged at once."""
    if isinstance(command, Answer):
        if not command.text:
            lang = await relay.channel_lang(interaction)
            await interaction.response.send_modal(AnswerModal(relay, lang))
            return
        private = relay.score_ephemeral
    else:
        private = command.private
    await relay.interaction(
        interaction, command, private_placeholder=private, defer_at_once=command.slow
    )


def description_key(slash: Slash, *names: str) -> str:
    """The catalogue key of a group's, command's or option's description."""
    return "_".join(("discord", slash.replace("-", "_"), *names))


def _word_command(
    relay: Relay, slash: Slash, name: str, command: Command
) -> app_commands.Command[Any, ..., None]:
    async def relay_word(interaction: discord.Interaction) -> None:
        await relay_command(relay, interaction, command)

    return app_commands.Command(
        name=name, description=said(description_key(slash, name)), callback=relay_word
    )


def _annotation(option: Option) -> Any:
    """What discord.py reads an option's kind and bounds from; `None` allowed unless required."""
    kind: Any
    if option.kind == "member":
        kind = discord.User
    elif option.kind == "number":
        kind = app_commands.Range[int, option.least, option.most]
    elif option.choices:
        kind = str
    else:
        kind = app_commands.Range[str, option.least, option.most]
    return kind if option.required else kind | None


def _given(value: object) -> str | int:
    """An option's value as the core takes it: a member as their user id."""
    if isinstance(value, discord.User | discord.Member):
        return str(value.id)
    if isinstance(value, int):
        return value
    return str(value)


def _typed_command(
    relay: Relay, typed: Typed, suggestions: Suggestions
) -> app_commands.Command[Any, ..., None]:
    """The slash command of one `Typed` declaration: a callback whose signature discord.py reads
    the options from, their descriptions, choices and suggestions."""

    async def relay_typed(interaction: discord.Interaction, **options: object) -> None:
        given = {name: _given(value) for name, value in options.items() if value is not None}
        await relay_command(relay, interaction, typed.build(Values(given)))

    interaction = inspect.Parameter(
        "interaction", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=discord.Interaction
    )
    # discord.py reads a command's options from its callback's signature, so the signature is
    # the declared options'; typeshed knows no `__signature__` on a function.
    relay_typed.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [
            interaction,
            *(
                inspect.Parameter(
                    option.name,
                    inspect.Parameter.KEYWORD_ONLY,
                    annotation=_annotation(option),
                    **({} if option.required else {"default": None}),
                )
                for option in typed.options
            ),
        ]
    )
    described = app_commands.describe(
        **{o.name: said(description_key(typed.slash, typed.name, o.name)) for o in typed.options}
    )(relay_typed)
    chosen = app_commands.choices(
        **{
            o.name: [app_commands.Choice(name=c, value=c) for c in o.choices]
            for o in typed.options
            if o.choices
        }
    )(described)
    command: app_commands.Command[Any, ..., None] = app_commands.Command(
        name=typed.name,
        description=said(description_key(typed.slash, typed.name)),
        callback=chosen,
    )
    for option in typed.options:
        if option.suggests is not None:
            command.autocomplete(option.name)(_suggester(suggestions, option.suggests))
    return command


def _suggester(
    suggestions: Suggestions, kind: Suggests
) -> Callable[[discord.Interaction, str], Coroutine[Any, Any, list[app_commands.Choice[str]]]]:
    async def suggested(
        interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return await suggestions(kind, current)

    return suggested


class PartsGroup(app_commands.Group):
    """One of the three groups, holding every command the parts declare for it: `/quiz`
    (members), `/quiz-admin` (Manage Server by default) and `/demo`. `/quiz web` is offered
    only where the bot can sign links to a web page (QUIZMASTER_WEB_URL and _SECRET set)."""

    def __init__(
        self,
        slash: Slash,
        relay: Relay,
        suggestions: Suggestions,
        *,
        web_page: bool = False,
    ) -> None:
        admin = slash == "quiz-admin"
        super().__init__(
            name=slash,
            description=said(description_key(slash)),
            default_permissions=ADMIN_PERMISSIONS if admin else None,
            guild_only=admin,
        )
        for verb in GRAMMAR.verbs:
            if verb.word is not None and verb.slash == slash:
                self.add_command(_word_command(relay, slash, verb.name, verb.word))
        for part in DECLARED:
            for typed in part.typed:
                if typed.slash == slash:
                    self.add_command(_typed_command(relay, typed, suggestions))
        if slash == "quiz" and not web_page:
            self.remove_command("web")


def slash_groups(
    relay: Relay, suggestions: Suggestions, *, web_page: bool = False
) -> tuple[PartsGroup, ...]:
    """The bot's three slash command groups, from the parts' declarations."""
    return tuple(PartsGroup(slash, relay, suggestions, web_page=web_page) for slash in SLASHES)
