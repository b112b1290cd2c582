"""The RSS bench's slope: fitted through every step of the second half, so one step's jump or
drop is weighed with the others rather than deciding the figure."""

from __future__ import annotations

import pytest

from tools.bench.rss import Step, second_half, slope_per_1000


def _steps(rss: list[float]) -> list[Step]:
    return [Step(1000 * (i + 1), mb, 0.0, None, None) for i, mb in enumerate(rss)]


def test_the_slope_is_mb_per_1000_answers_through_every_point() -> None:
    assert slope_per_1000([(1000, 400.0), (2000, 402.0), (3000, 404.0)]) == pytest.approx(2.0)
    # A step up then back down weighs as the line through all of them, not first against last.
    assert slope_per_1000([(1000, 400.0), (2000, 410.0), (3000, 400.0)]) == pytest.approx(0.0)


def test_the_second_half_starts_at_the_middle_of_the_run() -> None:
    late = second_half(_steps([400, 410, 411, 426, 429, 430, 422, 422, 423, 423]))
    assert [s.answers for s in late] == [5000, 6000, 7000, 8000, 9000, 10000]
    assert [s.answers for s in second_half(_steps([400, 401]))] == [1000, 2000]
