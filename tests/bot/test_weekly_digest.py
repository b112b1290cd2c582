"""The weekly digest over a fake clock, through the real service on SQLite and PostgreSQL: due
after the week's last scheduled question in the channel's timezone (or an admin's time), posted
once per channel and week (across replicas, and once after downtime), none for a week without
questions or answers, nor for one whose digest time came before the channel did; its figures
are the stored answers'. `/quiz week` shows it privately."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from bot.app import channel_defaults
from bot.config import Settings
from bot.core.flow.replicas import ReplicaRow
from bot.core.messages import Actor, Incoming, Reply, ReplyKind
from bot.core.reporting.digest_posting import DigestClaim, DigestTime, digest_instant
from bot.core.schedule import Schedule
from bot.storage.repository import Repository
from bot.wiring import Wired, wire
from content.bank import Bank
from content.schema import Lang, Prompt
from evaluators.grade import Grade
from evaluators.taught import TeamGrade
from tests.bot.clock import FakeClock
from tests.bot.recording import RecordingTransport
from tests.fixed_grader import FixedGrader

ADMIN = Actor("boss", "Boss", is_admin=True)
MINA = Actor("u1", "Mina")
JOON = Actor("u2", "Joon")
MONDAY = date(2026, 3, 2)
SEOUL = timedelta(hours=9)


def local(day: date, hour: int, minute: int = 0) -> datetime:
    """A wall-clock time in Seoul, as the UTC instant the clock holds."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC) - SEOUL


class MissingGrader(FixedGrader):
    """FixedGrader that also reports the prompt's first concept missed below 70."""

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
        grade = await super().grade(
            prompt, answer, lang=lang, cap=cap, revealed=revealed, taught=taught
        )
        missed = (prompt.concepts[0].id,) if grade.score < 70 and prompt.concepts else ()
        return grade.model_copy(update={"missed": missed})


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(local(MONDAY, 8))


def make_service(repo: Repository, bank: Bank, clock: FakeClock, lang: str = "en") -> Wired:
    settings = Settings(
        _env_file=None, lang=lang, timezone="Asia/Seoul", post_time="09:00", days="weekdays"
    )
    return wire(
        repo=repo,
        bank=bank,
        grader=MissingGrader(),
        defaults=channel_defaults(settings),
        clock=clock,
    )


@pytest.fixture
async def repo(database: Path | str) -> AsyncIterator[Repository]:
    opened = await Repository.open(database)
    yield opened
    await opened.close()


@pytest.fixture
async def service(repo: Repository, bank: Bank, clock: FakeClock) -> Wired:
    quiz = make_service(repo, bank, clock)
    await quiz.posting.channel("test", "c1")
    return quiz


async def say(service: Wired, actor: Actor, line: str, thread: str | None = None) -> list[Reply]:
    transport = RecordingTransport()
    await service.intake.handle(Incoming("test", "c1", actor, line, thread_id=thread), transport)
    return transport.sent


async def a_day(service: Wired, clock: FakeClock, day: date, scores: dict[Actor, int]) -> None:
    """The scheduler posts the day's question at 09:00 Seoul; each member answers once."""
    clock.now = local(day, 9, 5)
    [post] = await service.posting.post_due("test", RecordingTransport())
    for actor, score in scores.items():
        await say(service, actor, f"answer of {actor.display_name} {score}", thread=post.thread_id)


async def a_week(service: Wired, clock: FakeClock, monday: date, scores: dict[Actor, int]) -> None:
    for offset in range(5):
        await a_day(service, clock, monday + timedelta(days=offset), scores)


async def test_the_digest_follows_the_weeks_last_question_once(
    service: Wired, clock: FakeClock, repo: Repository, bank: Bank
) -> None:
    await a_week(service, clock, MONDAY, {MINA: 60, JOON: 40})
    friday = MONDAY + timedelta(days=4)
    clock.now = local(friday, 16, 59)  # the last question was at 09:00; due eight hours later
    assert await service.digests.post_due("test", RecordingTransport()) == []
    clock.now = local(friday, 17, 0)
    transport = RecordingTransport()
    assert await service.digests.post_due("test", transport) == [("c1", MONDAY)]
    [digest] = transport.sent
    assert not digest.ephemeral and digest.channel_id == "c1"
    lines = digest.text.splitlines()
    assert lines[0] == "**The team's week** · 2026-03-02 to 2026-03-08"
    assert lines[1] == ("1. Mina · 300 points (from last week: +300) · 5/5 scheduled days answered")
    assert lines[2] == ("2. Joon · 200 points (from last week: +200) · 5/5 scheduled days answered")
    assert "Longest streak: Joon, 5 days" in lines or "Longest streak: Mina, 5 days" in lines
    assert any(line.startswith("Hardest question (mean 50): ") for line in lines)
    missed = lines[lines.index("**Most-missed key concepts**") + 1 :]
    assert 1 <= len(missed) <= 3 and all(line.startswith("• **") for line in missed)
    assert any("`/demo " in line for line in missed) or not any(
        bank.get(p.prompt_id).demos
        for p in await repo.posts.posts(platform="test", channel_id="c1")
    )
    [chart] = digest.images
    assert chart.data.startswith(b"\x89PNG") and "Mina 300/0" in chart.alt
    assert "answer of" not in digest.text  # no member's answer text, shared or not

    clock.advance(timedelta(hours=1))
    assert await service.digests.post_due("test", RecordingTransport()) == []
    other_replica = make_service(repo, bank, clock)
    assert await other_replica.digests.post_due("test", RecordingTransport()) == []


async def test_the_figures_are_the_stored_answers(
    service: Wired, clock: FakeClock, repo: Repository
) -> None:
    await a_week(service, clock, MONDAY, {MINA: 60, JOON: 40})
    await a_week(service, clock, MONDAY + timedelta(days=7), {MINA: 50, JOON: 90})
    clock.now = local(MONDAY + timedelta(days=11), 17)
    transport = RecordingTransport()
    assert await service.digests.post_due("test", transport) == [("c1", MONDAY + timedelta(days=7))]
    text = transport.sent[0].text
    stored = await repo.answers.channel_answers(platform="test", channel_id="c1")
    second = [a for a in stored if a.day >= MONDAY + timedelta(days=7)]
    joon = sum(a.score for a in second if a.user_id == "u2")
    mina = sum(a.score for a in second if a.user_id == "u1")
    assert f"1. Joon · {joon} points (from last week: +250)" in text
    assert f"2. Mina · {mina} points (from last week: -50)" in text
    assert "Most improved: Joon (+250 points on last week)" in text
    assert "Hardest question (mean 70)" in text
    by_subject = next(line for line in text.splitlines() if line.startswith("This week by"))
    assert re.fullmatch(r"This week by subject: [^(]+ \(10 answers, mean 70\)", by_subject) or (
        by_subject.count("mean 70") > 1
    ), by_subject


async def test_after_downtime_the_missed_digest_is_posted_once(
    service: Wired, clock: FakeClock
) -> None:
    await a_week(service, clock, MONDAY, {MINA: 80})
    clock.now = local(MONDAY + timedelta(days=8), 10)  # down from Friday to next Tuesday
    posted = await service.digests.post_due("test", RecordingTransport())
    assert posted == [("c1", MONDAY)]
    clock.advance(timedelta(minutes=1))
    assert await service.digests.post_due("test", RecordingTransport()) == []


async def test_after_weeks_of_downtime_only_the_latest_week_is_posted(
    service: Wired, clock: FakeClock
) -> None:
    await a_week(service, clock, MONDAY, {MINA: 80})
    await a_week(service, clock, MONDAY + timedelta(days=7), {MINA: 70})
    clock.now = local(MONDAY + timedelta(days=16), 10)
    assert await service.digests.post_due("test", RecordingTransport()) == [
        ("c1", MONDAY + timedelta(days=7))
    ]


async def test_no_digest_for_a_week_without_questions(service: Wired, clock: FakeClock) -> None:
    clock.now = local(MONDAY + timedelta(days=4), 20)
    assert await service.digests.post_due("test", RecordingTransport()) == []
    schedule = Schedule.parse("09:00", "Asia/Seoul", "weekdays")
    assert digest_instant(schedule, MONDAY, DigestTime(None, None)) is None


async def test_no_digest_for_a_week_without_answers(
    service: Wired, clock: FakeClock, repo: Repository
) -> None:
    """Issue 83: a week of questions nobody answered (or only with a non-answer's worth of
    nothing) posted a digest with no member and an empty chart. None is posted, and a late
    answer on the Saturday brings none either: the week is recorded as done."""
    await a_week(service, clock, MONDAY, {})
    clock.now = local(MONDAY + timedelta(days=4), 17)
    transport = RecordingTransport()
    assert await service.digests.post_due("test", transport) == []
    assert transport.sent == []
    saturday = MONDAY + timedelta(days=5)
    clock.now = local(saturday, 10)
    post = await repo.posts.latest_post(platform="test", channel_id="c1")
    assert post is not None
    await say(service, MINA, "a late answer 80", thread=post.thread_id)
    assert await service.digests.post_due("test", RecordingTransport()) == []
    # the next week, answered, has its digest as usual
    await a_week(service, clock, MONDAY + timedelta(days=7), {MINA: 70})
    clock.now = local(MONDAY + timedelta(days=11), 17)
    assert await service.digests.post_due("test", RecordingTransport()) == [
        ("c1", MONDAY + timedelta(days=7))
    ]


async def test_a_channel_met_after_the_weeks_digest_time_gets_no_digest_of_that_week(
    repo: Repository, bank: Bank, clock: FakeClock
) -> None:
    """Issue 83: a channel first met on a Saturday (a console's first start, a Slack channel's
    first message) was sent "this week's" digest right after its first answer, as a digest
    missed in downtime is. A week's digest is due only where the channel existed at its time;
    the next week's comes as usual."""
    saturday = MONDAY + timedelta(days=5)
    clock.now = local(saturday, 10)
    service = make_service(repo, bank, clock)
    await service.posting.show_today("test", "c1", RecordingTransport())
    post = await repo.posts.latest_post(platform="test", channel_id="c1")
    assert post is not None and post.day == saturday
    await say(service, MINA, "my first answer 80", thread=post.thread_id)
    clock.advance(timedelta(minutes=1))
    transport = RecordingTransport()
    assert await service.digests.post_due("test", transport) == []
    assert transport.sent == []
    await a_week(service, clock, MONDAY + timedelta(days=7), {MINA: 70})
    clock.now = local(MONDAY + timedelta(days=11), 17)
    assert await service.digests.post_due("test", RecordingTransport()) == [
        ("c1", MONDAY + timedelta(days=7))
    ]


async def test_an_admin_sets_the_digest_time_in_the_channels_timezone(
    service: Wired, clock: FakeClock
) -> None:
    [refused] = await say(service, MINA, "/quiz digest fri 17:00")
    assert refused.kind == ReplyKind.ERROR
    [bad_day] = await say(service, ADMIN, "/quiz digest someday 17:00")
    assert "not a weekday" in bad_day.text
    [bad_time] = await say(service, ADMIN, "/quiz digest fri 25:00")
    assert "not a 24-hour time" in bad_time.text
    [usage] = await say(service, ADMIN, "/quiz digest fri")
    assert "/quiz digest off" in usage.text
    [set_] = await say(service, ADMIN, "/quiz digest sat 10:30")
    assert set_.text == (
        "This channel's weekly digest is posted every Saturday at 10:30 (Asia/Seoul)."
    )
    await a_week(service, clock, MONDAY, {MINA: 80})
    saturday = MONDAY + timedelta(days=5)
    clock.now = local(saturday, 10, 29)
    assert await service.digests.post_due("test", RecordingTransport()) == []
    clock.now = local(saturday, 10, 30)
    assert await service.digests.post_due("test", RecordingTransport()) == [("c1", MONDAY)]


async def test_digest_times_take_any_one_script_of_digits(
    service: Wired,
) -> None:
    [arabic] = await say(service, ADMIN, "/quiz digest sat ٣:00")
    assert arabic.text.endswith("every Saturday at 03:00 (Asia/Seoul).")
    [fullwidth] = await say(service, ADMIN, "/quiz digest sat ７:０５")
    assert fullwidth.text.endswith("every Saturday at 07:05 (Asia/Seoul).")
    [mixed] = await say(service, ADMIN, "/quiz digest sat 1٣:00")
    assert mixed.kind == ReplyKind.ERROR and "'1٣:00' is not a 24-hour time" in mixed.text


async def test_a_weekday_already_past_this_week_starts_with_next_weeks_digest(
    service: Wired, clock: FakeClock
) -> None:
    for offset in range(3):
        await a_day(service, clock, MONDAY + timedelta(days=offset), {MINA: 80})
    clock.now = local(MONDAY + timedelta(days=2), 12)  # Wednesday noon
    [set_] = await say(service, ADMIN, "/quiz digest mon 10:00")
    assert set_.text == (
        "This channel's weekly digest is posted every Monday at 10:00 (Asia/Seoul). "
        "This week's Monday has passed: the first one comes next Monday."
    )
    clock.advance(timedelta(minutes=1))
    assert await service.digests.post_due("test", RecordingTransport()) == []
    next_monday = MONDAY + timedelta(days=7)
    await a_day(service, clock, next_monday, {MINA: 70})
    clock.now = local(next_monday, 10)
    assert await service.digests.post_due("test", RecordingTransport()) == [("c1", next_monday)]


async def test_off_means_no_digest(service: Wired, clock: FakeClock) -> None:
    [off] = await say(service, ADMIN, "/quiz digest off")
    assert "off" in off.text
    await a_week(service, clock, MONDAY, {MINA: 80})
    clock.now = local(MONDAY + timedelta(days=6), 23)
    assert await service.digests.post_due("test", RecordingTransport()) == []


async def test_quiz_week_shows_both_members_a_missed_concept_and_a_chart_privately(
    service: Wired, clock: FakeClock
) -> None:
    await a_day(service, clock, MONDAY, {MINA: 90, JOON: 30})
    [week] = await say(service, JOON, "/quiz week")
    assert week.ephemeral and week.user_id == "u2"
    assert "1. Mina · 90 points" in week.text and "2. Joon · 30 points" in week.text
    assert "1/5 scheduled days answered" in week.text
    assert "**Most-missed key concepts**" in week.text
    [chart] = week.images
    assert chart.data.startswith(b"\x89PNG")
    assert await service.digests.post_due("test", RecordingTransport()) == []


async def test_the_digest_in_korean(repo: Repository, bank: Bank, clock: FakeClock) -> None:
    service = make_service(repo, bank, clock, lang="ko")
    await service.posting.channel("test", "c1")
    await a_day(service, clock, MONDAY, {MINA: 90, JOON: 30})
    [set_] = await say(service, ADMIN, "/quiz digest 금요일 17:00")
    assert set_.text == "이 채널의 주간 요약은 매주 금 17:00 (Asia/Seoul)에 올라와요."
    [week] = await say(service, MINA, "/quiz week")
    assert week.text.startswith("**이번 주 팀 요약** · 2026-03-02 ~ 2026-03-08")
    assert "1. Mina · 90점 (지난주 대비 +90) · 5일 중 1일 참여" in week.text
    assert re.search(r"^이번 주 분야별: \S[^(]* \(답 2개, 평균 60점\)$", week.text, re.MULTILINE)
    assert "**가장 많이 놓친 핵심 개념**" in week.text


async def test_a_digest_claimed_by_a_killed_replica_is_sent_by_a_live_one(
    service: Wired, clock: FakeClock, repo: Repository
) -> None:
    await a_week(service, clock, MONDAY, {MINA: 80})
    clock.now = local(MONDAY + timedelta(days=4), 17)
    killed = await repo.digests.claim_digest(
        DigestClaim(
            platform="test", channel_id="c1", week=MONDAY, claimed_at=clock.now, replica_id="killed"
        )
    )
    assert killed  # it claimed the digest, then died before sending it
    assert await service.digests.post_due("test", RecordingTransport()) == []
    await repo.heartbeats.heartbeat(
        ReplicaRow("killed", "test", "host", 1, started_at=clock.now, seen_at=clock.now)
    )
    clock.advance(timedelta(minutes=1))
    alive_since = clock.now - timedelta(minutes=2)
    assert (
        await service.digests.post_due("test", RecordingTransport(), alive_since=alive_since) == []
    )
    clock.advance(timedelta(minutes=10))
    alive_since = clock.now - timedelta(minutes=2)
    transport = RecordingTransport()
    assert await service.digests.post_due("test", transport, alive_since=alive_since) == [
        ("c1", MONDAY)
    ]
    assert len(transport.sent) == 1
    assert (
        await service.digests.post_due("test", RecordingTransport(), alive_since=alive_since) == []
    )
