"""A channel's week: Monday to Sunday in its timezone, named by its Monday."""

from __future__ import annotations

from datetime import date, timedelta

WEEK = timedelta(days=7)


def week_of(day: date) -> date:
    """The Monday of the week `day` falls in."""
    return day - timedelta(days=day.weekday())


def best_points(scores: list[tuple[int, str, int]]) -> int:
    """Points as the leaderboard counts them: each (post, prompt)'s best score, summed."""
    best: dict[tuple[int, str], int] = {}
    for post_id, prompt_id, score in scores:
        best[post_id, prompt_id] = max(best.get((post_id, prompt_id), 0), score)
    return sum(best.values())
