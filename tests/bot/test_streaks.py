"""`streak()` as the README states it: "the number of scheduled days in a row on which you
answered, counted in the channel's timezone. A scheduled day you haven't answered yet doesn't
break your streak until it ends." Pure dates and a schedule: no database, no model."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from bot.core.reporting.streaks import streak
from bot.core.schedule import Schedule

DAILY = Schedule.parse("09:00", "Asia/Seoul", "daily")
WEEKDAYS = Schedule.parse("09:00", "Asia/Seoul", "weekdays")
MONDAY = date(2026, 11, 9)


def days_before(day: date, *offsets: int) -> set[date]:
    return {day - timedelta(days=n) for n in offsets}


def test_no_answers_is_no_streak() -> None:
    assert streak(DAILY, set(), MONDAY) == 0


def test_scheduled_days_in_a_row_with_an_answer_count_today_included() -> None:
    assert streak(DAILY, days_before(MONDAY, 0, 1, 2, 3), MONDAY) == 4


def test_a_missed_scheduled_day_ends_the_streak() -> None:
    # Answered today and three and four days ago; two days ago is the gap.
    assert streak(DAILY, days_before(MONDAY, 0, 1, 3, 4), MONDAY) == 2
    assert streak(DAILY, days_before(MONDAY, 1, 3, 4), MONDAY) == 1


def test_today_not_answered_yet_does_not_break_it() -> None:
    assert streak(DAILY, days_before(MONDAY, 1, 2, 3), MONDAY) == 3


def test_today_answered_after_a_missed_yesterday_starts_again_at_one() -> None:
    assert streak(DAILY, days_before(MONDAY, 0, 2, 3), MONDAY) == 1


def test_days_off_the_schedule_neither_break_nor_extend_it() -> None:
    """Weekdays only: Friday to Monday is in a row; a Saturday answer (a manual `/quiz now`)
    adds nothing."""
    friday, saturday = MONDAY - timedelta(days=3), MONDAY - timedelta(days=2)
    thursday = MONDAY - timedelta(days=4)
    assert streak(WEEKDAYS, {thursday, friday, MONDAY}, MONDAY) == 3
    assert streak(WEEKDAYS, {thursday, friday, saturday, MONDAY}, MONDAY) == 3
    assert streak(WEEKDAYS, {saturday, MONDAY}, MONDAY) == 1
    # Monday not answered yet: the streak still stands on Friday and Thursday.
    assert streak(WEEKDAYS, {thursday, friday}, MONDAY) == 2


def test_days_are_the_channels_local_days() -> None:
    """20:00 UTC on Monday is already Tuesday 05:00 in Seoul. A member who answered on Saturday
    and Sunday but not Monday: in Seoul Monday has ended unanswered, so the streak is over; a
    channel on UTC is still on Monday, not yet answered, so the streak stands."""
    instant = datetime(2026, 11, 9, 20, 0, tzinfo=UTC)
    weekend = days_before(MONDAY, 1, 2)
    utc = Schedule.parse("09:00", "UTC", "daily")
    assert DAILY.local_day(instant) == MONDAY + timedelta(days=1)
    assert streak(DAILY, weekend, DAILY.local_day(instant)) == 0
    assert streak(utc, weekend, utc.local_day(instant)) == 2


def test_an_answer_today_off_the_schedule_counts_for_nothing_either() -> None:
    """Issue 83: an answer to a Saturday `/quiz now` made the streak 1 on the Saturday while
    `/quiz week` said "0/5 scheduled days answered". Today off the schedule is no streak day:
    it neither starts one nor adds to Friday's."""
    saturday, friday = MONDAY - timedelta(days=2), MONDAY - timedelta(days=3)
    assert streak(WEEKDAYS, {saturday}, saturday) == 0
    assert streak(WEEKDAYS, {friday, saturday}, saturday) == 1
