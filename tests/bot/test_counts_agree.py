"""Issue 83: every surface tells the same numbers. Two members go through a scripted week in a
weekdays channel, through the real service on a SQLite file (and PostgreSQL): answers, answering
again, a non-answer, a skip, practice, an appeal an admin resolves, and a Saturday `/quiz now`.
Then the leaderboard, `/quiz stats`, `/quiz week`, `/quiz me` and the web page (its board and
the member's own page, as its routes compute them) are read for each member, and every number
they show must be the one `bot.core.counted` defines; the figures are also written
out by hand, so the rules themselves are pinned."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest

from bot.app import channel_defaults
from bot.config import Settings
from bot.core.messages import Actor, Incoming, Reply
from bot.core.reporting import dashboards
from bot.storage.repository import Repository
from bot.storage.web_store import DashboardReads
from bot.wiring import Wired, wire
from content.bank import Bank
from content.schema import Lang, Prompt
from evaluators.grade import Flag, Grade, Verdict
from evaluators.taught import TeamGrade
from tests.bot.clock import FakeClock
from tests.bot.recording import RecordingTransport
from tests.fixed_grader import FixedGrader

MINA = Actor("u1", "Mina")
JOON = Actor("u2", "Joon")
ADMIN = Actor("a1", "Ada", is_admin=True)
MONDAY = date(2026, 3, 2)
SATURDAY = MONDAY + timedelta(days=5)
SEOUL = timedelta(hours=9)


def local(day: date, hour: int, minute: int = 0) -> datetime:
    """A wall-clock time in Seoul, as the UTC instant the clock holds."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC) - SEOUL


class GreetingGrader(FixedGrader):
    """FixedGrader that grades "hello" as the greeting rule does: 0, a non-answer."""

    async def grade(
        self,
        prompt: Prompt,
        answer: str,
        *,
        lang: Lang = "ko",
        cap: int | None = None,
        revealed: bool = False,
        taught: Sequence[TeamGrade] = (),
    ) -> Grade:
        if answer.strip() == "hello":
            return Grade(score=0, verdict=Verdict.INCORRECT, flags=(Flag.NOT_AN_ANSWER,))
        return await super().grade(
            prompt, answer, lang=lang, cap=cap, revealed=revealed, taught=taught
        )


@dataclass
class Week:
    service: Wired
    clock: FakeClock

    async def say(self, actor: Actor, line: str, thread: str | None = None) -> list[Reply]:
        transport = RecordingTransport()
        await self.service.intake.handle(
            Incoming("test", "c1", actor, line, thread_id=thread), transport
        )
        return transport.sent

    async def one(self, actor: Actor, line: str, thread: str | None = None) -> str:
        """The text of the one reply to `line` that is not an image-only or notice reply."""
        replies = await self.say(actor, line, thread)
        assert replies, line
        return replies[0].text

    async def morning(self, day: date) -> str:
        """The scheduler posts the day's question at 09:00 Seoul; its thread."""
        self.clock.now = local(day, 9, 5)
        [post] = await self.service.posting.post_due("test", RecordingTransport())
        assert post.thread_id is not None and post.scheduled
        return post.thread_id

    async def answer(self, actor: Actor, thread: str, text: str) -> None:
        graded = await self.say(actor, text, thread)
        assert graded and "/100**" in graded[0].text, graded


@pytest.fixture
async def week(repo: Repository, bank: Bank) -> Week:
    clock = FakeClock(local(MONDAY, 8))
    settings = Settings(
        _env_file=None, lang="en", timezone="Asia/Seoul", post_time="09:00", days="weekdays"
    )
    service = wire(
        repo=repo,
        bank=bank,
        grader=GreetingGrader(),
        defaults=channel_defaults(settings),
        clock=clock,
    )
    await service.posting.channel("test", "c1")
    return Week(service, clock)


async def play_the_week(week: Week) -> None:
    """Monday: both answer, Mina again better on the follow-up's place. Tuesday: Mina only
    says hello (a non-answer), Joon answers. Wednesday: Mina answers and skips the follow-up.
    Thursday: Mina practises (private), answers; Joon answers and appeals, an admin raises it.
    Friday: Mina answers. Saturday: an admin's `/quiz now`, which Mina answers."""
    monday = await week.morning(MONDAY)
    await week.answer(MINA, monday, "first try 60")
    await week.answer(MINA, monday, "follow-up 30")
    await week.answer(JOON, monday, "joon 40")
    tuesday = await week.morning(MONDAY + timedelta(days=1))
    await week.answer(MINA, tuesday, "hello")
    await week.answer(JOON, tuesday, "joon 70")
    wednesday = await week.morning(MONDAY + timedelta(days=2))
    await week.answer(MINA, wednesday, "wednesday 50")
    await week.say(MINA, "/quiz skip", wednesday)
    thursday = await week.morning(MONDAY + timedelta(days=3))
    await week.say(MINA, "/quiz practice")
    await week.say(MINA, "/quiz practice answer a practice answer 95")
    await week.answer(MINA, thursday, "thursday 80")
    await week.answer(JOON, thursday, "joon 20")
    await week.say(JOON, "/quiz appeal I said it", thursday)
    resolved = await week.say(ADMIN, "/quiz appeals resolve 1 90")
    assert any("90" in r.text for r in resolved), resolved
    friday = await week.morning(MONDAY + timedelta(days=4))
    await week.answer(MINA, friday, "friday 70")
    week.clock.now = local(SATURDAY, 11)
    await week.say(ADMIN, "/quiz now")
    saturday = await week.service.repo.posts.latest_post(platform="test", channel_id="c1")
    assert saturday is not None and saturday.day == SATURDAY and saturday.thread_id is not None
    await week.answer(MINA, saturday.thread_id, "saturday 90")
    week.clock.now = local(SATURDAY, 12)


@dataclass(frozen=True)
class Figures:
    """One member's numbers as a surface shows them (None: that surface does not show it)."""

    points: int | None = None
    questions: int | None = None
    days: int | None = None
    streak: int | None = None
    scheduled_days: int | None = None


def _number(pattern: str, text: str) -> int:
    found = re.search(pattern, text)
    assert found is not None, (pattern, text)
    return int(found.group(1))


async def surfaces(week: Week, actor: Actor) -> dict[str, Figures]:
    """Each surface's figures for `actor`, read as members read them (the chat's text, the
    web page's records)."""
    name = actor.display_name
    board = await week.one(actor, "/quiz leaderboard week")
    row = next(line for line in board.splitlines() if f" {name} · " in line)
    stats = await week.one(actor, "/quiz stats")
    digest = await week.one(actor, "/quiz week")
    member = next(line for line in digest.splitlines() if f" {name} · " in line)
    [me] = await week.say(actor, "/quiz me")
    fields = dict(me.fields)
    service, repo = week.service, week.service.repo
    channel = await repo.channels.channel(platform="test", channel_id="c1")
    assert channel is not None
    store = DashboardReads(repo)
    now = week.clock()
    page = await dashboards.channel_page(
        store, service.bank, channel=channel, now=now, lang="en", period="week"
    )
    line = next(line for line in page.board if line.user_id == actor.user_id)
    own = await dashboards.member_page(
        store,
        service.bank,
        scheduler=service.practice.scheduler,
        channel=channel,
        user_id=actor.user_id,
        now=now,
        lang="en",
    )
    return {
        "leaderboard": Figures(
            points=_number(r"· (\d+) points? ·", row),
            questions=_number(r"· (\d+) (?:questions? )?answered", row),
            streak=_number(r"streak (\d+)", row),
        ),
        "stats": Figures(
            questions=_number(r"(?m)^(\d+) (?:questions? answered|answers?) ·", stats),
            streak=_number(r"streak (\d+)", stats),
            days=_number(r"(?m)· (\d+) days?(?: answered)?$", stats),
        ),
        "week": Figures(
            points=_number(r"· (\d+) points? \(from last week", member),
            scheduled_days=_number(r"(\d+)/5 scheduled days answered", member),
        ),
        "me": Figures(
            points=_number(r"(\d+) points?", fields["Points this week"]),
            streak=_number(r"(\d+) days?", fields["Streak"]),
        ),
        "web board": Figures(
            points=line.total, questions=line.answers, days=line.days, streak=line.streak
        ),
        "web me": Figures(
            points=sum(points for day, points in own.days if day >= MONDAY), streak=own.streak
        ),
    }


def agree(shown: dict[str, Figures], expected: Figures) -> None:
    """Every number each surface shows is the expected one; all that differ are named."""
    wrong = [
        f"{surface} {field}: {said} (not {getattr(expected, field)})"
        for surface, figures in shown.items()
        for field in ("points", "questions", "days", "streak", "scheduled_days")
        if (said := getattr(figures, field)) is not None and said != getattr(expected, field)
    ]
    assert not wrong, wrong


async def test_every_surface_tells_the_same_numbers_after_a_scripted_week(week: Week) -> None:
    """Mina: Monday 60 and the follow-up 30, Wednesday 50, Thursday 80, Friday 70, Saturday
    90: six questions, 380 points; four scheduled days answered (Tuesday's hello counts for
    nothing), five days answered with Saturday; her streak is Wednesday to Friday, 3 (Saturday
    is off the schedule: it neither extends it nor counts in "scheduled days"). Her practice
    answer counts nowhere. Joon: Monday 40, Tuesday 70, Thursday 20 raised to 90 on appeal:
    three questions, 200 points, three days; his streak ended on Friday, unanswered."""
    await play_the_week(week)
    agree(
        await surfaces(week, MINA),
        Figures(points=380, questions=6, days=5, streak=3, scheduled_days=4),
    )
    agree(
        await surfaces(week, JOON),
        Figures(points=200, questions=3, days=3, streak=0, scheduled_days=3),
    )


async def test_a_saturday_question_is_an_extra_not_the_scheduled_one(week: Week) -> None:
    """The default schedule is weekdays: a `/quiz now` on a Saturday is logged and titled an
    extra question, not the day's scheduled one."""
    week.clock.now = local(SATURDAY, 11)
    replies = await week.say(ADMIN, "/quiz now")
    post = await week.service.repo.posts.latest_post(platform="test", channel_id="c1")
    assert post is not None and post.day == SATURDAY
    assert not post.scheduled
    assert any(r.text.startswith("**Extra question") for r in replies), replies


async def test_practice_and_non_answers_are_named_as_not_counted(week: Week) -> None:
    """The deliberate differences are said where the numbers are: stats names what counts, and
    the practice line says it is apart from the leaderboard."""
    thread = await week.morning(MONDAY)
    await week.answer(MINA, thread, "hello")
    await week.say(MINA, "/quiz practice")
    await week.say(MINA, "/quiz practice answer a practice answer 95")
    stats = await week.one(MINA, "/quiz stats")
    assert "0 questions answered" in stats, stats
    assert "a greeting or other non-answer counts for nothing" in stats, stats
    assert "Practice (only you; not in the figures above or the leaderboard): 1 answer" in stats
