"""Streaks: consecutive scheduled days with an answer, counted in the channel's timezone."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

from bot.core.counted import scheduled_answered
from bot.core.schedule import Schedule


def streak(schedule: Schedule, answered: Collection[date], today: date) -> int:
    """Today counts if it is a scheduled day and answered; an unanswered today does not break
    the streak until it ends. Answers on unscheduled days (a manual /quiz now on a weekend)
    extend nothing and break nothing, today's included: the digest's "scheduled days
    answered" never counts them either (`bot.core.counted`)."""
    days = scheduled_answered(schedule, answered)
    count = 1 if today in days else 0
    for day in schedule.iter_previous_post_days(today, 366):
        if day not in days:
            break
        count += 1
    return count
