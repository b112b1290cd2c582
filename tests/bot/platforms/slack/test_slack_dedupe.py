"""The adapter's bounded, expiring memory of event ids."""

from __future__ import annotations

import time

import pytest

from bot.platforms.slack.dedupe import RecentIds


def test_an_id_is_new_once_within_its_ttl() -> None:
    recent = RecentIds(ttl_s=60)

    assert [recent.first_time(k) for k in ("Ev1", "Ev1", "Ev2", "Ev1")] == [
        True,
        False,
        True,
        False,
    ]


def test_an_id_is_new_again_after_its_ttl(monkeypatch: pytest.MonkeyPatch) -> None:
    now = [1000.0]
    monkeypatch.setattr(time, "monotonic", lambda: now[0])
    recent = RecentIds(ttl_s=60)
    assert recent.first_time("Ev1")

    now[0] += 61

    assert recent.first_time("Ev1")


def test_memory_is_bounded_by_forgetting_the_oldest() -> None:
    recent = RecentIds(ttl_s=60, max_entries=2)
    for key in ("Ev1", "Ev2", "Ev3"):
        assert recent.first_time(key)

    assert not recent.first_time("Ev3")
    assert recent.first_time("Ev1")
