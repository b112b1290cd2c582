"""Mastery: the score a member can expect on a topic's questions 30 days from now, without review.

One card's mastery is the score of the answer that last reviewed it times FSRS's predicted chance
of still recalling it 30 days from now (from the card's stability). Recall alone is about 1.0 right
after any review, however bad the answer, and FSRS's forgetting curve is flat enough that even a
failed card keeps about 47% recall at 30 days; the score tells a 38 from a 90, and the horizon
tells a card learned yesterday from one that will hold. A topic's mastery is the mean over the
member's cards in it; a topic without cards is "not started", never 0% or 100%. A topic here is
a bank subject (`Bank.subject`, the one taxonomy `/quiz topics`, stats and the web page share),
never a prompt's finer `topics` tags, which only weigh the daily question's choice.

The stats chart and text, the practice replies and the leaderboard (text and chart) all come from
here. The leaderboard replays channel answers alone through the same reviews
(`Practice.channel_mastery`), since a member's practice is private.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from fsrs import Card, Scheduler

from bot.core.texts import subject_name, text
from content.bank import Bank
from content.schema import Lang

HORIZON = timedelta(days=30)


@dataclass(frozen=True)
class ScoredCard:
    """A member's FSRS card and the score (0-100) of the answer that last reviewed it."""

    card: Card
    score: int


@dataclass(frozen=True)
class TopicMastery:
    """A subject as a member stands in it: `value` 0-1, or None when no card of it exists
    yet."""

    subject: str
    value: float | None
    seen: int
    total: int

    @property
    def started(self) -> bool:
        return self.value is not None


def card_mastery(scheduler: Scheduler, scored: ScoredCard, now: datetime) -> float:
    """Expected score (0-1) on this card's question at `now` + 30 days, without a review."""
    return scored.score / 100 * scheduler.get_card_retrievability(scored.card, now + HORIZON)


def graded_subjects(bank: Bank) -> dict[str, int]:
    """Subject -> how many graded prompts (main questions and follow-ups) it has."""
    counts: dict[str, int] = defaultdict(int)
    for prompt in bank.all():
        if prompt.kind == "graded":
            counts[bank.subject(prompt)] += 1
    return dict(counts)


def topic_mastery(
    bank: Bank, scheduler: Scheduler, cards: Mapping[str, ScoredCard], now: datetime
) -> list[TopicMastery]:
    """Every subject of the bank with a graded prompt: started ones first, best first; then the
    subjects not started, in the bank's order. `cards` maps prompt id to card; prompts gone
    from the bank are ignored."""
    values: dict[str, list[float]] = defaultdict(list)
    for prompt_id, scored in cards.items():
        if prompt_id in bank:
            values[bank.subject(bank.get(prompt_id))].append(card_mastery(scheduler, scored, now))
    totals = graded_subjects(bank)
    rows = [
        TopicMastery(
            subject=subject,
            value=sum(values[subject]) / len(values[subject]) if values[subject] else None,
            seen=len(values[subject]),
            total=totals[subject],
        )
        for subject in bank.subjects()
        if subject in totals
    ]
    order = {subject: i for i, subject in enumerate(bank.subjects())}
    return sorted(rows, key=lambda row: (not row.started, -(row.value or 0.0), order[row.subject]))


def member_mastery(
    bank: Bank, scheduler: Scheduler, cards: Mapping[str, ScoredCard], now: datetime
) -> float | None:
    """A member's mastery over all their cards (None: not started anywhere)."""
    values = [
        card_mastery(scheduler, scored, now)
        for prompt_id, scored in cards.items()
        if prompt_id in bank
    ]
    return sum(values) / len(values) if values else None


def mastery_label(value: float | None, lang: Lang) -> str:
    """A mastery as members read it: '54%', or 'not started'."""
    return text(lang, "mastery_not_started") if value is None else f"{value * 100:.0f}%"


def percent(row: TopicMastery, lang: Lang) -> str:
    """A topic's mastery as members read it."""
    return mastery_label(row.value, lang)


def named_percent(row: TopicMastery, lang: Lang) -> str:
    """'최적화 54%': the subject's name in `lang`, then its mastery."""
    return f"{subject_name(lang, row.subject)} {percent(row, lang)}"


def named_seen(row: TopicMastery, lang: Lang) -> str:
    """'최적화 (3/11)': the subject's name in `lang`, then its questions with a card of the
    subject's graded questions."""
    return f"{subject_name(lang, row.subject)} ({row.seen}/{row.total})"
