"""Admin commands that change how a channel is served: schedule and language."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Literal, assert_never

from bot.core.command_part import CommandPart
from bot.core.commands import Command, Declared, Invalid, Option, Typed, Values, Verb
from bot.core.numerals import ascii_digits
from bot.core.ports import ChannelStore
from bot.core.schedule import Schedule, ScheduleError, format_days, parse_days, parse_time
from bot.core.schedule import parse_zone as parse_zone_name
from bot.core.texts import text
from bot.core.turn import Turn
from content.schema import Lang


@dataclass(frozen=True)
class SetSchedule(Command):
    """`/quiz schedule HH:MM [Area/City] [days]` (admins)."""

    admin = True

    at: str
    zone: str | None = None
    days: str | None = None


@dataclass(frozen=True)
class SetLang(Command):
    """`/quiz lang ko|en` (admins)."""

    admin = True

    lang: Literal["ko", "en"]


def read_schedule(words: Sequence[str]) -> Command:
    if not 1 <= len(words) <= 3:
        return Invalid("schedule_usage")
    zone = next((w for w in words[1:] if "/" in w or w.upper() == "UTC"), None)
    days = next((w for w in words[1:] if w != zone), None)
    return SetSchedule(ascii_digits(words[0]), zone, days)


def read_lang(words: Sequence[str]) -> Command:
    lang = words[0].lower() if words else ""
    if lang not in ("ko", "en"):
        return Invalid("lang_usage", lang)
    return SetLang(lang)  # type: ignore[arg-type]


VERBS = (
    Verb(
        "schedule",
        lambda words, _rest: read_schedule(words),
        slash="quiz-admin",
        usage="schedule HH:MM [Area/City] [days]",
    ),
    Verb("lang", lambda words, _rest: read_lang(words), slash="quiz-admin", usage="lang ko|en"),
)


def typed_schedule(values: Values) -> SetSchedule:
    """`/quiz-admin schedule time [timezone] [days]` typed: the days' words run together."""
    zone = values.text("timezone").strip()
    days = "".join(values.text("days").split())
    return SetSchedule(values.text("time").strip(), zone or None, days or None)


TYPED = (
    Typed(
        "schedule",
        typed_schedule,
        (
            Option("time", required=True, least=4, most=5),
            Option("timezone", suggests="timezones"),
            Option("days", most=40, suggests="days"),
        ),
        slash="quiz-admin",
    ),
    Typed(
        "lang",
        lambda values: read_lang([values.text("language")]),
        (Option("language", required=True, choices=("ko", "en")),),
        slash="quiz-admin",
    ),
)

SettingsCommand = SetSchedule | SetLang


@dataclass(kw_only=True, eq=False)
class ChannelSettings(CommandPart[SettingsCommand]):
    """Serves `/quiz schedule` and `/quiz lang` on the channels' store."""

    commands = Declared(
        serves=(SetSchedule, SetLang),
        verbs=VERBS,
        typed=TYPED,
        admin_help=("help_admin_schedule", "help_admin_lang"),
    )

    channels: ChannelStore
    clock: Callable[[], datetime]

    async def serve(self, command: SettingsCommand, turn: Turn) -> None:
        if isinstance(command, SetSchedule):
            await set_schedule(
                turn,
                repo=self.channels,
                clock=self.clock,
                at=command.at,
                zone=command.zone,
                days=command.days,
            )
        elif isinstance(command, SetLang):
            await set_lang(turn, repo=self.channels, lang=command.lang)
        else:
            assert_never(command)


async def set_schedule(
    turn: Turn,
    *,
    repo: ChannelStore,
    clock: Callable[[], datetime],
    at: str,
    zone: str | None,
    days: str | None,
) -> None:
    """`/quiz schedule HH:MM [Area/City] [days]`; omitted parts keep the channel's values."""
    channel = turn.channel
    try:
        schedule = Schedule(
            parse_time(at),
            parse_zone_name(zone or channel.timezone),
            parse_days(days or channel.days),
        )
    except ScheduleError as exc:
        await turn.error(exc.key, detail=exc.given, usage=turn.t("schedule_usage"))
        return
    post_time = schedule.at.strftime("%H:%M")
    zone_name = zone or channel.timezone
    await repo.update_schedule(
        platform=channel.platform,
        channel_id=channel.channel_id,
        post_time=post_time,
        timezone=zone_name,
        days=format_days(schedule.days),
    )
    upcoming = schedule.next_instant(clock()).astimezone(schedule.zone)
    await turn.say(
        turn.t(
            "schedule_set",
            days=format_days(schedule.days),
            at=post_time,
            zone=zone_name,
            next=upcoming.strftime("%Y-%m-%d %H:%M %Z"),
        )
    )


async def set_lang(turn: Turn, *, repo: ChannelStore, lang: Lang) -> None:
    await repo.update_lang(
        platform=turn.channel.platform, channel_id=turn.channel.channel_id, lang=lang
    )
    # Said in the new language, and marked so: the console's own lines follow it from here.
    await turn.transport.send(replace(turn.reply(text(lang, "lang_set")), lang=lang))
