"""What members read back: the reveal with the day's summary, leaderboards and personal stats."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Protocol, assert_never

from bot.core.command_part import CommandPart
from bot.core.commands import Command, Declared, Invalid, Option, Period, Typed, Verb, word
from bot.core.counted import Tally, answered_days, tally
from bot.core.member_text import shown_to_others
from bot.core.messages import ReplyKind
from bot.core.models import BoardRow, ChannelRow, DaySummary, SharedAnswer
from bot.core.ports import AnswerStore, MemberStore, PostStore
from bot.core.quiz.desk import Where
from bot.core.quiz.mastery import mastery_label
from bot.core.quiz.sharing import shared_line
from bot.core.quiz.threads import current_post, no_post_key
from bot.core.quiz.topics import subject_means
from bot.core.reporting.charts import (
    BoardChart,
    StatsChart,
    board_image,
    mastery_items,
    stats_image,
)
from bot.core.reporting.streaks import streak
from bot.core.texts import subject_name
from bot.core.turn import Turn, channel_schedule
from content.bank import Bank

if TYPE_CHECKING:
    from bot.core.quiz.practice import Practice

PERIOD_DAYS: dict[Period, int | None] = {"week": 7, "month": 30, "all": None}
LEADERBOARD_SIZE = 10


class BoardStore(Protocol):
    """Figures over the answers: a channel's leaderboard and a post's day summary
    (`bot.storage.boards.BoardTable`)."""

    async def day_summary(self, *, post_id: int, prompt_id: str) -> DaySummary: ...

    async def leaderboard(
        self, *, platform: str, channel_id: str, since: date
    ) -> list[BoardRow]: ...


class SharedAnswers(Protocol):
    """The best answer of a member who shares theirs (`/quiz share on`), for the reveal
    (`bot.storage.sharing.SharingTable`)."""

    async def best_shared_answer(self, *, post_id: int, prompt_id: str) -> SharedAnswer | None:
        """The post's top-scoring answer to `prompt_id` from a member who shares now."""
        ...


@dataclass(frozen=True)
class Reveal(Command):
    """`/quiz reveal` (admins): the day's model answer and summary."""

    admin = True


@dataclass(frozen=True)
class Leaderboard(Command):
    """`/quiz leaderboard [week|month|all]`."""

    period: Period = "week"


@dataclass(frozen=True)
class Stats(Command):
    """`/quiz stats [name]`: a member's figures; mine without a name."""

    user: str | None = None


def leaderboard(words: Sequence[str]) -> Command:
    period = words[0].lower() if words else "week"
    if period not in ("week", "month", "all"):
        return Invalid("bad_period", period)
    return Leaderboard(period)  # type: ignore[arg-type]


def stats(words: Sequence[str]) -> Command:
    # names are stored as others are shown them (`intake`), so a lookup spells it the same
    return Stats(shown_to_others(" ".join(words).lstrip("@")) or None)


VERBS = (
    word("reveal", Reveal()),
    Verb(
        "leaderboard", lambda words, _rest: leaderboard(words), usage="leaderboard [week|month|all]"
    ),
    Verb("stats", lambda words, _rest: stats(words), usage="stats [@member]"),
)
TYPED = (
    Typed(
        "leaderboard",
        lambda values: leaderboard([values.text("period") or "week"]),
        (Option("period", choices=("week", "month", "all")),),
    ),
    Typed(
        "stats",
        lambda values: Stats(values.text("member") or None),
        (Option("member", kind="member"),),
    ),
)

ReportCommand = Reveal | Leaderboard | Stats


@dataclass(kw_only=True, eq=False)
class Reports(CommandPart[ReportCommand]):
    """Serves what members read back (`Reveal`, `Leaderboard`, `Stats`)."""

    commands = Declared(
        serves=(Reveal, Leaderboard, Stats),
        verbs=VERBS,
        typed=TYPED,
        help=("help_reports",),
        admin_help=("help_admin_reveal",),
    )

    posts: PostStore
    answers: AnswerStore
    boards: BoardStore
    members: MemberStore
    sharing: SharedAnswers
    bank: Bank
    clock: Callable[[], datetime]
    practice: Practice

    async def serve(self, command: ReportCommand, turn: Turn) -> None:
        if isinstance(command, Leaderboard):
            await self.leaderboard(turn, command.period)
        elif isinstance(command, Stats):
            await self.stats(turn, command.user)
        elif isinstance(command, Reveal):
            await self.reveal(turn)
        else:
            assert_never(command)

    async def user_streak(self, channel: ChannelRow, user_id: str) -> int:
        schedule = channel_schedule(channel)
        answers = await self.answers.user_answers(
            platform=channel.platform, channel_id=channel.channel_id, user_id=user_id
        )
        return streak(schedule, answered_days(answers), schedule.local_day(self.clock()))

    async def reveal(self, turn: Turn) -> None:
        """Reference answer (or guidance), key concepts, the day's summary with the best answer
        of a member who shares theirs (`/quiz share on`; nobody else's), and related demos.
        After this, a pasted reference earns nothing (the grader is told)."""
        post = await current_post(self.posts, turn.incoming)
        if post is None:
            await turn.say(turn.t(no_post_key(turn.incoming)), kind=ReplyKind.ERROR, ephemeral=True)
            return
        bank = self.bank.seen_from(post.platform, post.channel_id)
        if bank.open_question(post.prompt_id) is not None:
            await turn.say(turn.t("open_question_no_reveal"), ephemeral=True)
            return
        await self.posts.mark_revealed(post_id=post.id)
        prompt = bank.get(post.prompt_id)
        lines = []
        if prompt.kind == "open" and prompt.guidance is not None:
            lines.append(turn.t("reveal_guidance", text=prompt.guidance.get(turn.lang)))
        else:
            refs = prompt.references_in(turn.lang) or prompt.references
            lines.append(turn.t("reveal_head", text=refs[0].text))
            if prompt.concepts:  # a team prompt may be graded from its reference alone
                concepts = ", ".join(c.label(turn.lang) for c in prompt.concepts)
                lines.append(turn.t("reveal_concepts", items=concepts))
        summary = await self.boards.day_summary(post_id=post.id, prompt_id=prompt.id)
        if summary.answers:
            best = await self.members.display_name(
                platform=turn.channel.platform, user_id=summary.best_user or ""
            )
            lines.append(
                turn.t(
                    "reveal_summary",
                    answers=summary.answers,
                    members=summary.members,
                    mean=summary.mean,
                    best_score=summary.best_score,
                    best=best,
                )
            )
            shared = await self.sharing.best_shared_answer(post_id=post.id, prompt_id=prompt.id)
            if shared is not None:
                lines.append(shared_line(turn.lang, shared))
        else:
            lines.append(turn.t("reveal_nobody"))
        if prompt.demos:
            demos = " · ".join(f"`/demo {name}`" for name in prompt.demos)
            lines.append(turn.t("reveal_demo", demos=demos))
        await turn.say("\n".join(lines), kind=ReplyKind.REVEAL, thread_id=post.thread_id)

    async def leaderboard(self, turn: Turn, period: Period) -> None:
        today = channel_schedule(turn.channel).local_day(self.clock())
        span = PERIOD_DAYS[period]
        since = date.min if span is None else today - timedelta(days=span - 1)
        rows = await self.boards.leaderboard(
            platform=turn.channel.platform, channel_id=turn.channel.channel_id, since=since
        )
        lines = [turn.t("leaderboard_head", period=turn.t(f"period_{period}"))]
        if not rows:
            lines.append(turn.t("leaderboard_empty"))
            await turn.say("\n".join(lines), kind=ReplyKind.LEADERBOARD)
            return
        shown = rows[:LEADERBOARD_SIZE]
        # mastery from channel answers only: a member's practice stays private
        answers = await self.answers.channel_answers(
            platform=turn.channel.platform, channel_id=turn.channel.channel_id
        )
        mastery = self.practice.channel_mastery(
            _where(turn.channel), answers, channel_schedule(turn.channel).zone
        )
        labels = [mastery_label(mastery.get(row.user_id), turn.lang) for row in shown]
        for rank, (row, label) in enumerate(zip(shown, labels, strict=True), start=1):
            lines.append(
                turn.t(
                    "leaderboard_row",
                    rank=rank,
                    name=row.display_name,
                    total=row.total,
                    answers=row.answers,
                    streak=await self.user_streak(turn.channel, row.user_id),
                )
                + turn.t("leaderboard_mastery", value=label)
            )
        lines.append(turn.t("leaderboard_mastery_note"))
        chart = BoardChart(
            lang=turn.lang,
            period=turn.t(f"period_{period}"),
            rows=tuple((row.display_name, row.total) for row in shown),
            mastery=tuple(labels),
        )
        await turn.say(
            "\n".join(lines), kind=ReplyKind.LEADERBOARD, images=(await board_image(chart),)
        )

    async def stats(self, turn: Turn, who: str | None) -> None:
        """History, strongest and weakest topics, the mean per subject (by its name in the
        channel's language), and streak of the caller or a named member."""
        channel = turn.channel
        user_id = turn.user
        if who:
            found = await self.members.user_by_name(platform=channel.platform, name=who)
            if found is None:
                await turn.error("unknown_user", detail=who)
                return
            user_id = found
        name = await self.members.display_name(platform=channel.platform, user_id=user_id)
        answers = await self.answers.user_answers(
            platform=channel.platform, channel_id=channel.channel_id, user_id=user_id
        )
        practised = (
            await self.practice.history(platform=channel.platform, user_id=user_id)
            if user_id == turn.user
            else []
        )
        if not answers and not practised:
            await turn.say(turn.t("stats_none", name=name), kind=ReplyKind.STATS)
            return
        counted = tally(answers)
        days = counted.points_by_day()
        user_streak = await self.user_streak(channel, user_id)
        lines = [turn.t("stats_head", name=name)]
        if answers:
            lines += self._channel_lines(turn, counted, user_streak)
        if practised:
            lines.append(
                turn.t(
                    "stats_practice",
                    answers=len(practised),
                    mean=sum(p.score for p in practised) / len(practised),
                )
            )
        own = user_id == turn.user
        chart = StatsChart(
            lang=turn.lang,
            name=name,
            days=tuple(days),
            totals=tuple(days.values()),
            streak=user_streak,
            # practice is "only you": another member's cards (practice included) stay private
            mastery=tuple(await self.practice.mastery(_where(channel), user_id)) if own else None,
        )
        if chart.mastery is not None:
            lines.append(turn.t("stats_mastery", items=mastery_items(chart)))
            lines.append(turn.t("stats_mastery_explain"))
        else:
            mastery = self.practice.channel_mastery(
                _where(channel), answers, channel_schedule(channel).zone
            )
            value = mastery_label(mastery.get(user_id), turn.lang)
            lines.append(turn.t("stats_channel_mastery", value=value))
        await turn.say("\n".join(lines), kind=ReplyKind.STATS, images=(await stats_image(chart),))

    def _channel_lines(self, turn: Turn, counted: Tally, user_streak: int) -> list[str]:
        """The member's channel figures as every surface counts them (`counted`): questions
        answered, the mean of their best answers, the streak and the answered days; then the
        last days' points and the mean per subject (the one taxonomy: `/quiz topics`'s),
        highest first, from the same best answers."""
        bank = self.bank.seen_from(turn.channel.platform, turn.channel.channel_id)
        days = list(counted.points_by_day().items())
        history = " · ".join(f"{day:%m-%d} {points}" for day, points in days[-7:])
        lines = [
            turn.t(
                "stats_summary",
                answers=counted.questions,
                mean=counted.mean or 0.0,
                streak=user_streak,
                days=len(counted.days),
            ),
        ]
        if days:
            lines.append(turn.t("stats_history", items=history))
        by_subject = subject_means(bank, ((a.prompt_id, a.score) for a in counted.best))
        items = " · ".join(f"{subject_name(turn.lang, s)} {m:.0f}" for s, m, _ in by_subject)
        if items:
            lines.append(turn.t("stats_subjects", items=items))
        lines.append(turn.t("stats_counted"))
        return lines


def _where(channel: ChannelRow) -> Where:
    return Where(channel.platform, channel.channel_id)
