"""When a channel's daily question is due: local time in an IANA zone, on chosen weekdays.

All instants are timezone-aware; local wall-clock times are resolved through zoneinfo, so a post
at 09:00 stays at 09:00 local across DST changes. A local time that does not exist on a
spring-forward day (e.g. 02:30) is resolved forward by the zone's offset rules.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

WEEKDAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_HHMM = re.compile(r"^([01]?[0-9]|2[0-3]):([0-5][0-9])$")
"""ASCII digits only: a command's digits in another script are made ASCII by the parser
(`bot.core.numerals`), the one place that reads them."""
NO_CATCH_UP_GRACE = timedelta(minutes=15)


class ScheduleError(ValueError):
    """A schedule a member typed that we cannot use: `given` is the part at fault, `key` the
    chat catalogue's message saying what it should look like instead (`schedule_bad_time`,
    `..._zone`, `..._days`, each filled with `detail`): a key, not a sentence, so the reply is
    in the channel's language."""

    def __init__(self, given: str, key: str) -> None:
        super().__init__(f"{key}: {given!r}")
        self.given = given
        self.key = key


def parse_time(text: str) -> time:
    match = _HHMM.match(text.strip())
    if not match:
        raise ScheduleError(text, "schedule_bad_time")
    return time(int(match.group(1)), int(match.group(2)))


def parse_zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ScheduleError(name, "schedule_bad_zone") from None


def parse_days(text: str) -> frozenset[int]:
    """'daily', 'weekdays', 'weekends' or a comma list such as 'mon,wed,fri'."""
    key = text.strip().lower()
    if key in {"daily", "everyday", "every-day"}:
        return frozenset(range(7))
    if key == "weekdays":
        return frozenset(range(5))
    if key == "weekends":
        return frozenset({5, 6})
    days = set()
    for part in key.split(","):
        name = part.strip()[:3]
        if name not in WEEKDAY_NAMES:
            raise ScheduleError(text, "schedule_bad_days")
        days.add(WEEKDAY_NAMES.index(name))
    return frozenset(days)


def format_days(days: frozenset[int]) -> str:
    if days == frozenset(range(7)):
        return "daily"
    if days == frozenset(range(5)):
        return "weekdays"
    return ",".join(WEEKDAY_NAMES[d] for d in sorted(days))


@dataclass(frozen=True)
class Schedule:
    at: time
    zone: ZoneInfo
    days: frozenset[int]

    @classmethod
    def parse(cls, at: str, zone: str, days: str) -> Schedule:
        return cls(parse_time(at), parse_zone(zone), parse_days(days))

    def local_day(self, instant: datetime) -> date:
        return instant.astimezone(self.zone).date()

    def instant_on(self, day: date) -> datetime:
        """The UTC instant of the post on a local day (DST-correct)."""
        local = datetime.combine(day, self.at, tzinfo=self.zone)
        # Round-trip through UTC normalises a non-existent local time to a real instant.
        return local.astimezone(UTC)

    def is_post_day(self, day: date) -> bool:
        return day.weekday() in self.days

    def due_days(self, after: datetime, until: datetime) -> list[date]:
        """Post days whose instant falls in (after, until], oldest first."""
        days = []
        day = self.local_day(after) - timedelta(days=1)
        last = self.local_day(until) + timedelta(days=1)
        while day <= last:
            if self.is_post_day(day) and after < self.instant_on(day) <= until:
                days.append(day)
            day += timedelta(days=1)
        return days

    def day_to_post(self, after: datetime, until: datetime, *, catch_up: bool) -> date | None:
        """The one day to post for a scheduler tick covering (after, until].

        After downtime several days may be due: with catch-up the most recent missed one is posted
        once; without it, only a day whose instant is within a short grace of now."""
        due = self.due_days(after, until)
        if not due:
            return None
        latest = due[-1]
        if catch_up or until - self.instant_on(latest) <= NO_CATCH_UP_GRACE:
            return latest
        return None

    def previous_post_days(self, before: date, count: int) -> list[date]:
        """Up to `count` post days strictly before `before`, newest first (for streaks)."""
        return list(self.iter_previous_post_days(before, count))

    def iter_previous_post_days(self, before: date, count: int) -> Iterator[date]:
        """`previous_post_days`, one at a time: a streak stops at its first gap, and a page of
        members' streaks need not list a year of days for each."""
        found = 0
        day = before - timedelta(days=1)
        for _ in range(count * 7 + 7):
            if found >= count:
                return
            if self.is_post_day(day):
                found += 1
                yield day
            day -= timedelta(days=1)

    def next_instant(self, now: datetime) -> datetime:
        day = self.local_day(now)
        for offset in range(8):
            candidate = day + timedelta(days=offset)
            if self.is_post_day(candidate) and self.instant_on(candidate) > now:
                return self.instant_on(candidate)
        raise ValueError("no posting days configured")
