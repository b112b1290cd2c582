"""Admin commands that change how a channel is served: schedule and language."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime

from bot.core.ports import ChannelStore
from bot.core.schedule import Schedule, ScheduleError, format_days, parse_days, parse_time
from bot.core.schedule import parse_zone as parse_zone_name
from bot.core.texts import text
from bot.core.turn import Turn
from content.schema import Lang


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
