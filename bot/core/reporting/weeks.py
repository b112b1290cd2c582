"""A channel's week: Monday to Sunday in its timezone, named by its Monday."""

from __future__ import annotations

from datetime import date, timedelta

WEEK = timedelta(days=7)


def week_of(day: date) -> date:
    """The Monday of the week `day` falls in."""
    return day - timedelta(days=day.weekday())
