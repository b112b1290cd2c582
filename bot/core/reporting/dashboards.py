"""What the team's web page shows, computed in the core from the `DashboardStore` port: the
channel's boards and last days, a member's own history, and the admins' figures per question.

The web adapter (`bot.web`) only lays these out. The rules are the chat's: a leaderboard is the
same sum as `/quiz leaderboard`, a streak is `streaks.streak`, mastery is
`bot.core.quiz.mastery`, and a reference answer is shown once its post is revealed (so the page
never gives away the answer to a question still open in the channel).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from itertools import takewhile

from fsrs import Card, Scheduler

from bot.core.commands import Period
from bot.core.counted import tally
from bot.core.member_text import excerpt
from bot.core.models import AnswerText, ChannelRow, DaySummary, PostRow, SharedAnswer
from bot.core.ports import DashboardStore
from bot.core.quiz.mastery import ScoredCard, TopicMastery, topic_mastery
from bot.core.reporting.reports import LEADERBOARD_SIZE, PERIOD_DAYS
from bot.core.reporting.streaks import streak
from bot.core.schedule import Schedule
from bot.core.turn import channel_schedule
from content.bank import Bank
from content.schema import Lang, Prompt

RECENT_DAYS = 14
MISSED_SHOWN = 3
PERIODS: tuple[Period, ...] = ("week", "month", "all")
STREAK_DAYS = 367
"""How far back a streak can reach (`streaks.streak` looks back 366 scheduled days)."""
STREAK_FIRST_LOOK = 35
"""How far back the board reads answer days at first: a streak that reaches further is read
again over `STREAK_DAYS`."""


@dataclass(frozen=True)
class BoardLine:
    rank: int
    user_id: str
    name: str
    total: int
    answers: int
    days: int
    streak: int


@dataclass(frozen=True)
class DayLine:
    """One recent post: its question, how the channel did on it, and its reference answer
    (None while the post is not revealed)."""

    post: PostRow
    question: str
    subject: str | None
    """Its subject (`Bank.subject`: the taxonomy `/quiz topics` lists); None for a question no
    longer in the bank."""
    summary: DaySummary
    best_name: str | None
    reference: str | None
    concepts: tuple[str, ...]
    shared: SharedAnswer | None = None
    """The best answer of a member who shares theirs (`/quiz share on`), once revealed, its
    text cut as the chat's reveal cuts it."""


@dataclass(frozen=True)
class ChannelPage:
    channel: ChannelRow
    today: date
    period: Period
    board: tuple[BoardLine, ...]
    days: tuple[DayLine, ...]


@dataclass(frozen=True)
class GivenAnswer:
    """One of the member's answers with what the grade said: the concepts covered and missed,
    by their labels, and the reference once the post is revealed."""

    answer: AnswerText
    question: str
    covered: tuple[str, ...]
    missed: tuple[str, ...]
    reference: str | None


@dataclass(frozen=True)
class DueCard:
    prompt_id: str
    question: str
    due: datetime


@dataclass(frozen=True)
class MemberPage:
    name: str
    streak: int
    days: tuple[tuple[date, int], ...]
    mastery: tuple[TopicMastery, ...]
    due: tuple[DueCard, ...]
    answers: tuple[GivenAnswer, ...]


@dataclass(frozen=True)
class QuestionLine:
    """A bank question as the channel met it: posts that asked it (a follow-up is asked with its
    main question), answers, their mean score, and the concepts most often missed."""

    prompt: Prompt
    subject: str
    asked: int
    answers: int
    mean: float | None
    missed: tuple[tuple[str, int], ...]


def reference_text(prompt: Prompt, lang: Lang) -> str:
    """The reference answer as the reveal shows it: an open question's guidance, else the first
    reference in the language (or any)."""
    if prompt.kind == "open" and prompt.guidance is not None:
        return prompt.guidance.get(lang)
    refs = prompt.references_in(lang) or prompt.references
    return refs[0].text if refs else ""


def _labels(prompt: Prompt | None, concept_ids: tuple[str, ...], lang: Lang) -> tuple[str, ...]:
    if prompt is None:
        return concept_ids
    known = {c.id: c.label(lang) for c in prompt.concepts}
    return tuple(known.get(cid, cid) for cid in concept_ids)


async def _answered_days(
    store: DashboardStore,
    channel: ChannelRow,
    user_ids: list[str],
    today: date,
    schedule: Schedule,
) -> dict[str, set[date]]:
    """The days each member answered, as far back as their streak reaches: the last
    `STREAK_FIRST_LOOK` days first (a year of days for 50 members is most of the page's read),
    then the whole `STREAK_DAYS` for the few whose streak runs past that."""
    since = today - timedelta(days=STREAK_FIRST_LOOK)
    answered: dict[str, set[date]] = defaultdict(set)
    for user_id, day in await store.answer_days(
        platform=channel.platform, channel_id=channel.channel_id, user_ids=user_ids, since=since
    ):
        answered[user_id].add(day)
    window = sum(
        1 for _ in takewhile(lambda day: day >= since, schedule.iter_previous_post_days(today, 366))
    )
    longer = [
        u
        for u in user_ids
        if streak(schedule, answered[u], today)
        - (today in answered[u] and schedule.is_post_day(today))
        >= window
    ]
    for user_id, day in await store.answer_days(
        platform=channel.platform,
        channel_id=channel.channel_id,
        user_ids=longer,
        since=today - timedelta(days=STREAK_DAYS),
    ):
        answered[user_id].add(day)
    return answered


async def _board(
    store: DashboardStore, channel: ChannelRow, today: date, period: Period
) -> tuple[BoardLine, ...]:
    span = PERIOD_DAYS[period]
    since = date.min if span is None else today - timedelta(days=span - 1)
    rows = (
        await store.leaderboard(
            platform=channel.platform, channel_id=channel.channel_id, since=since
        )
    )[:LEADERBOARD_SIZE]
    schedule = channel_schedule(channel)
    answered = await _answered_days(store, channel, [r.user_id for r in rows], today, schedule)
    return tuple(
        BoardLine(
            rank=rank,
            user_id=row.user_id,
            name=row.display_name,
            total=row.total,
            answers=row.answers,
            days=row.days,
            streak=streak(schedule, answered[row.user_id], today),
        )
        for rank, row in enumerate(rows, start=1)
    )


async def channel_page(
    store: DashboardStore,
    bank: Bank,
    *,
    channel: ChannelRow,
    now: datetime,
    lang: Lang,
    period: Period,
) -> ChannelPage:
    """The board for `period` and the last `RECENT_DAYS` local days' posts, with the questions
    as the channel sees them."""
    bank = bank.seen_from(channel.platform, channel.channel_id)
    today = channel_schedule(channel).local_day(now)
    board = await _board(store, channel, today, period)
    posts = await store.posts_since(
        platform=channel.platform,
        channel_id=channel.channel_id,
        since=today - timedelta(days=RECENT_DAYS - 1),
    )
    summaries = await store.day_summaries(platform=channel.platform, posts=posts)
    days = []
    for post in posts:
        prompt = bank.get(post.prompt_id) if post.prompt_id in bank else None
        summary, best = summaries[post.id]
        shared = (
            await store.best_shared_answer(post_id=post.id, prompt_id=post.prompt_id)
            if post.revealed and summary.answers
            else None
        )
        days.append(
            DayLine(
                post=post,
                question=prompt.text.get(lang) if prompt else post.prompt_id,
                subject=bank.subject(prompt) if prompt else None,
                summary=summary,
                best_name=best,
                reference=reference_text(prompt, lang) if prompt and post.revealed else None,
                concepts=tuple(c.label(lang) for c in prompt.concepts)
                if prompt and post.revealed
                else (),
                shared=None if shared is None else replace(shared, text=excerpt(shared.text)),
            )
        )
    return ChannelPage(channel=channel, today=today, period=period, board=board, days=tuple(days))


async def member_page(
    store: DashboardStore,
    bank: Bank,
    *,
    scheduler: Scheduler,
    channel: ChannelRow,
    user_id: str,
    now: datetime,
    lang: Lang,
) -> MemberPage:
    """The member's own page: channel score per day, streak, mastery per topic, the practice
    cards due now, and every answer they gave here. Only ever for the signed-in member: it
    includes their private practice cards. Questions only as the channel sees them: cards of
    another channel's questions are left out."""
    platform, channel_id = channel.platform, channel.channel_id
    bank = bank.seen_from(platform, channel_id)
    schedule = channel_schedule(channel)
    answers = await store.member_answers(platform=platform, channel_id=channel_id, user_id=user_id)
    counted = tally(answers)
    cards = await store.practice_cards(platform=platform, user_ids=[user_id])
    scored = {row.prompt_id: ScoredCard(Card.from_json(row.card), row.score) for row in cards}
    due = sorted(
        (
            DueCard(prompt_id, bank.get(prompt_id).text.get(lang), held.card.due)
            for prompt_id, held in scored.items()
            if prompt_id in bank and held.card.due <= now
        ),
        key=lambda card: (card.due, card.prompt_id),
    )
    given = []
    for a in answers:
        prompt = bank.get(a.prompt_id) if a.prompt_id in bank else None
        given.append(
            GivenAnswer(
                answer=a,
                question=prompt.text.get(lang) if prompt else a.prompt_id,
                covered=_labels(prompt, a.covered, lang),
                missed=_labels(prompt, a.missed, lang),
                reference=reference_text(prompt, lang) if prompt and a.revealed else None,
            )
        )
    return MemberPage(
        name=await store.display_name(platform=platform, user_id=user_id),
        streak=streak(schedule, counted.days, schedule.local_day(now)),
        days=tuple(counted.points_by_day().items()),
        mastery=tuple(topic_mastery(bank, scheduler, scored, now)),
        due=tuple(due),
        answers=tuple(given),
    )


async def question_lines(
    store: DashboardStore,
    bank: Bank,
    channel: ChannelRow,
    lang: Lang,
    *,
    subject: str | None = None,
    query: str = "",
) -> list[QuestionLine]:
    """The questions of `bank` (as the channel sees it) in `subject` whose id or text (either
    language) holds `query`, in their order, with the channel's figures."""
    posts = await store.posts(platform=channel.platform, channel_id=channel.channel_id)
    asked = Counter(post.prompt_id for post in posts)
    scores: dict[str, list[int]] = defaultdict(list)
    missed: dict[str, Counter[str]] = defaultdict(Counter)
    for answer in await store.channel_answers(
        platform=channel.platform, channel_id=channel.channel_id
    ):
        scores[answer.prompt_id].append(answer.score)
        missed[answer.prompt_id].update(answer.missed)
    needle = query.strip().casefold()
    lines = []
    for prompt in bank.all():
        if subject and bank.subject(prompt) != subject:
            continue
        haystack = f"{prompt.id}\n{prompt.text.ko}\n{prompt.text.en}".casefold()
        if needle and needle not in haystack:
            continue
        own = scores.get(prompt.id, [])
        lines.append(
            QuestionLine(
                prompt=prompt,
                subject=bank.subject(prompt),
                asked=asked[prompt.parent or prompt.id],
                answers=len(own),
                mean=sum(own) / len(own) if own else None,
                missed=tuple(
                    (label, count)
                    for label, count in zip(
                        _labels(prompt, tuple(c for c, _ in missed[prompt.id].most_common()), lang),
                        (n for _, n in missed[prompt.id].most_common()),
                        strict=True,
                    )
                )[:MISSED_SHOWN],
            )
        )
    return lines
