"""The team's week, as figures: points per member with the change from last week,
participation on the scheduled days, the longest streak, the answers by subject, the most-missed
key concepts with their question and demo, the hardest question and the most improved member.
Computed from the stored answers as every surface counts them (`bot.core.counted`);
`bot.core.reporting.digest_posting` posts it and answers
`/quiz week`."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from bot.core.counted import GivenAnswer, tallies
from bot.core.member_text import cut
from bot.core.models import AnswerRow, ChannelRow
from bot.core.quiz.topics import subject_means
from bot.core.reporting.streaks import streak
from bot.core.reporting.weeks import WEEK
from bot.core.schedule import Schedule
from bot.core.texts import subject_name, text
from bot.core.turn import channel_schedule
from content.bank import Bank
from content.schema import Lang

MISSED_SHOWN = 3
QUESTION_CHARS = 120
"""How much of a question a digest line quotes."""


@dataclass(frozen=True)
class MemberWeek:
    user_id: str
    name: str
    points: int
    last_week: int
    answered_days: int

    @property
    def change(self) -> int:
        return self.points - self.last_week


@dataclass(frozen=True)
class MissedConcept:
    label: str
    count: int
    question: str
    demo: str | None


@dataclass(frozen=True)
class OpenQuestion:
    """A question posted without a model answer, and the answers kept for it in the channel."""

    prompt_id: str
    text: str
    answers: int


@dataclass(frozen=True)
class WeekDigest:
    """One channel's week, Monday `week` to Sunday, as of `until` (the week's end, or today
    for a week still running)."""

    channel: ChannelRow
    week: date
    until: date
    scheduled_days: int
    members: tuple[MemberWeek, ...]
    longest_streak: tuple[str, int] | None
    missed: tuple[MissedConcept, ...]
    hardest: tuple[str, float] | None
    improved: tuple[str, int] | None
    open_questions: tuple[OpenQuestion, ...] = ()
    to_teach: int = 0
    """The channel's answer groups no one on the team has graded yet (admins grade them on the
    web page's answer groups)."""
    subjects: tuple[tuple[str, float, int], ...] = ()
    """The week's answers by subject: (subject, mean score, answers), highest mean first."""

    @property
    def lang(self) -> Lang:
        return self.channel.lang


def scheduled_days(schedule: Schedule, week: date) -> list[date]:
    """The week's scheduled post days."""
    return [
        day for day in (week + timedelta(days=i) for i in range(7)) if schedule.is_post_day(day)
    ]


def _missed(bank: Bank, answers: list[AnswerRow], lang: Lang) -> tuple[MissedConcept, ...]:
    """The concepts missed most often this week (each counted answer once per concept), with
    the question they belong to and a demo from the question or its main question."""
    counts: Counter[tuple[str, str]] = Counter(
        (a.prompt_id, concept) for a in answers if a.prompt_id in bank for concept in a.missed
    )
    found = []
    for (prompt_id, concept_id), count in sorted(
        counts.items(), key=lambda item: (-item[1], item[0])
    )[:MISSED_SHOWN]:
        prompt = bank.get(prompt_id)
        labels = {c.id: c.label(lang) for c in prompt.concepts}
        parent = bank.get(prompt.parent) if prompt.parent is not None else None
        demos = prompt.demos or (parent.demos if parent is not None else ())
        found.append(
            MissedConcept(
                label=labels.get(concept_id, concept_id),
                count=count,
                question=cut(prompt.text.get(lang), QUESTION_CHARS),
                demo=demos[0] if demos else None,
            )
        )
    return tuple(found)


def _hardest(bank: Bank, best: list[GivenAnswer], lang: Lang) -> tuple[str, float] | None:
    """The question with the lowest mean of its best answers this week (the first in id order
    on a tie)."""
    scores: dict[str, list[int]] = defaultdict(list)
    for a in best:
        if a.prompt_id in bank:
            scores[a.prompt_id].append(a.score)
    if not scores:
        return None
    prompt_id = min(scores, key=lambda p: (sum(scores[p]) / len(scores[p]), p))
    mean = sum(scores[prompt_id]) / len(scores[prompt_id])
    return cut(bank.get(prompt_id).text.get(lang), QUESTION_CHARS), mean


def week_digest(
    *,
    channel: ChannelRow,
    bank: Bank,
    answers: list[AnswerRow],
    names: dict[str, str],
    week: date,
    today: date,
) -> WeekDigest:
    """The digest of `week` from the channel's `answers` (all of them: last week's points and
    the streaks look back), as of `today` when the week is still running."""
    schedule = channel_schedule(channel)
    until = min(today, week + timedelta(days=6))
    days = set(scheduled_days(schedule, week))
    this = [a for a in answers if week <= a.day <= until]
    last = [a for a in answers if week - WEEK <= a.day < week]
    counted, before = tallies(this), tallies(last)
    best = [answer for facts in counted.values() for answer in facts.best]
    answered = {
        user: facts.days for user, facts in tallies(a for a in answers if a.day <= until).items()
    }
    members = sorted(
        (
            MemberWeek(
                user_id=user,
                name=names.get(user, user),
                points=facts.points,
                last_week=before[user].points if user in before else 0,
                answered_days=len(answered[user] & days),
            )
            for user, facts in counted.items()
        ),
        key=lambda m: (-m.points, m.name),
    )
    streaks = sorted(
        ((streak(schedule, answered[m.user_id], until), m.name) for m in members),
        key=lambda item: (-item[0], item[1]),
    )
    improved = max(members, key=lambda m: (m.change, -m.points), default=None)
    return WeekDigest(
        channel=channel,
        week=week,
        until=until,
        scheduled_days=len(days),
        members=tuple(members),
        longest_streak=(streaks[0][1], streaks[0][0]) if streaks and streaks[0][0] else None,
        missed=_missed(bank, [a for a in this if a.earns], channel.lang),
        hardest=_hardest(bank, best, channel.lang),
        subjects=tuple(subject_means(bank, ((a.prompt_id, a.score) for a in best))),
        improved=(improved.name, improved.change)
        if improved is not None and improved.change > 0 and improved.last_week > 0
        else None,
    )


def _signed(change: int) -> str:
    return f"+{change}" if change > 0 else ("±0" if change == 0 else str(change))


def digest_text(digest: WeekDigest) -> str:
    """The digest as members read it, in the channel's language."""
    lang = digest.lang
    end = digest.week + timedelta(days=6)
    lines = [text(lang, "digest_head", start=digest.week.isoformat(), end=end.isoformat())]
    if not digest.members:
        lines.append(text(lang, "digest_nobody"))
    for rank, member in enumerate(digest.members, start=1):
        lines.append(
            text(
                lang,
                "digest_member",
                rank=rank,
                name=member.name,
                points=member.points,
                change=_signed(member.change),
                days=member.answered_days,
                scheduled=digest.scheduled_days,
            )
        )
    if digest.longest_streak is not None:
        name, days = digest.longest_streak
        lines.append(text(lang, "digest_streak", name=name, days=days))
    if digest.improved is not None:
        name, change = digest.improved
        lines.append(text(lang, "digest_improved", name=name, change=change))
    if digest.subjects:
        items = " · ".join(
            text(lang, "digest_subject", name=subject_name(lang, s), answers=n, mean=mean)
            for s, mean, n in digest.subjects
        )
        lines.append(text(lang, "digest_subjects", items=items))
    if digest.hardest is not None:
        question, mean = digest.hardest
        lines.append(text(lang, "digest_hardest", question=question, mean=mean))
    if digest.missed:
        lines.append(text(lang, "digest_missed_head"))
        for missed in digest.missed:
            line = text(
                lang,
                "digest_missed",
                concept=missed.label,
                count=missed.count,
                question=missed.question,
            )
            if missed.demo is not None:
                line += text(lang, "digest_missed_demo", demo=missed.demo)
            lines.append(line)
    if digest.open_questions:
        lines.append(text(lang, "digest_open_head"))
        for waiting in digest.open_questions:
            lines.append(
                text(
                    lang,
                    "digest_open",
                    id=waiting.prompt_id,
                    question=waiting.text,
                    count=waiting.answers,
                )
            )
    if digest.to_teach:
        lines.append(text(lang, "digest_teach", count=digest.to_teach))
    return "\n".join(lines)
