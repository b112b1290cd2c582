"""The daily-question time the fault tests give their channels."""

from __future__ import annotations

from datetime import datetime, timedelta


def an_hour_before(now: datetime) -> str:
    """The time (HH:MM, UTC) one hour before `now`: a channel last checked a day ago is due at
    once, and nothing falls due again for 23 hours. A fixed 00:00 made a test that ran across
    midnight UTC see the next day's question come due: twenty channels, each posted twice."""
    return (now - timedelta(hours=1)).strftime("%H:%M")
