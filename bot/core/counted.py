"""What counts, said once for every surface that shows a member's numbers: the leaderboard,
`/quiz stats`, `/quiz week` and the weekly digest, `/quiz me` and Slack's App Home, the streak,
"done for today" and the web page all read them from here (the leaderboard's SQL,
`bot.storage.boards`, sums by the same rules, and a scripted week checks they agree).

- A *counted answer* is a member's channel answer that earns (`bot.core.models.earns`): a
  non-answer ("hello") keeps its grade and its reply and counts for nothing. Practice answers
  are private and live in their own table: they never count here (stats shows them apart).
- An *answered question* is a post's prompt with a counted answer of the member; its *best
  answer* (the highest score, the earliest of equal ones) gives its points, on the day it was
  given. Answering again raises a question's points; it never counts the question twice.
- An *answered day* is a local day holding a counted answer of the member.
- An *answered scheduled day* is an answered day the channel's schedule posts on: only those
  make a streak and the digest's "n/5 scheduled days answered". An answer to a weekend
  `/quiz now` earns its points and its day, and neither extends nor breaks a streak.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from bot.core.models import AnswerRow
from bot.core.schedule import Schedule


class GivenAnswer(Protocol):
    """A member's stored channel answer as counting reads it: the channel's rows
    (`AnswerRow`) and a member's own with their texts (`AnswerText`) both are one."""

    @property
    def post_id(self) -> int: ...
    @property
    def prompt_id(self) -> str: ...
    @property
    def score(self) -> int: ...
    @property
    def day(self) -> date: ...
    @property
    def answered_at(self) -> datetime: ...
    @property
    def earns(self) -> bool: ...


@dataclass(frozen=True)
class Tally:
    """One member's counted facts over some answers (a window of days is chosen by the caller,
    before counting, as the leaderboard's `since` is)."""

    best: tuple[GivenAnswer, ...]
    """The best answer of each answered question, in the order they were first answered."""
    days: frozenset[date]
    """The answered days."""

    @property
    def questions(self) -> int:
        return len(self.best)

    @property
    def points(self) -> int:
        return sum(a.score for a in self.best)

    @property
    def mean(self) -> float | None:
        """The mean of the best answers' scores; None with none."""
        return self.points / len(self.best) if self.best else None

    def points_by_day(self) -> dict[date, int]:
        """Points per day, each best answer on the day it was given, oldest day first."""
        per_day: dict[date, int] = defaultdict(int)
        for answer in self.best:
            per_day[answer.day] += answer.score
        return dict(sorted(per_day.items()))


def best_answers(answers: Iterable[GivenAnswer]) -> list[GivenAnswer]:
    """The best counted answer of each of one member's answered questions (post, prompt): the
    highest score, the earliest of equal ones."""
    best: dict[tuple[int, str], GivenAnswer] = {}
    for answer in sorted(answers, key=lambda a: a.answered_at):
        if not answer.earns:
            continue
        key = (answer.post_id, answer.prompt_id)
        held = best.get(key)
        if held is None or answer.score > held.score:
            best[key] = answer
    return list(best.values())


def answered_days(answers: Iterable[GivenAnswer]) -> set[date]:
    """The local days holding a counted answer."""
    return {answer.day for answer in answers if answer.earns}


def tally(answers: Iterable[GivenAnswer]) -> Tally:
    """One member's counted facts over `answers` (theirs alone)."""
    given = list(answers)
    return Tally(best=tuple(best_answers(given)), days=frozenset(answered_days(given)))


def tallies(answers: Iterable[AnswerRow]) -> dict[str, Tally]:
    """Each member's counted facts over the channel's `answers` (`tally` per member); a member
    with no counted answer is left out."""
    per_member: dict[str, list[AnswerRow]] = defaultdict(list)
    for answer in answers:
        per_member[answer.user_id].append(answer)
    counted = {user: tally(given) for user, given in per_member.items()}
    return {user: facts for user, facts in counted.items() if facts.best}


def scheduled_answered(schedule: Schedule, days: Collection[date]) -> set[date]:
    """The answered days the schedule posts on: the ones a streak and the digest count."""
    return {day for day in days if schedule.is_post_day(day)}
