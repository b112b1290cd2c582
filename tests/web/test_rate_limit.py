"""The sign-in limit's window: attempts age out, and addresses with none left are forgotten."""

from __future__ import annotations

import pytest

from bot.web import rate_limit
from bot.web.rate_limit import SlidingWindow


class Ticks:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_attempts_age_out_of_the_window() -> None:
    clock = Ticks()
    window = SlidingWindow(2, 60.0, clock)
    assert [window.allow("a"), window.allow("a"), window.allow("a")] == [True, True, False]
    assert window.allow("b")
    clock.now = 61.0
    assert window.allow("a")


def test_idle_addresses_are_forgotten_past_the_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rate_limit, "MAX_KEYS", 3)
    clock = Ticks()
    window = SlidingWindow(1, 60.0, clock)
    for n in range(4):
        window.allow(f"old-{n}")
    clock.now = 120.0
    window.allow("new")
    assert list(window._seen) == ["new"]
