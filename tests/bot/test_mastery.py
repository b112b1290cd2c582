"""Mastery over a hand-moved 60-day clock, through the real service, SQLite file and FSRS library.

The grader here is a double of the model only: it gives the score the answer text states ("... 38"),
so a test can say how well each member answers. Everything else is the real code.
"""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from itertools import pairwise
from pathlib import Path

import pytest
from scipy.stats import spearmanr

from bot.app import channel_defaults
from bot.config import Settings
from bot.core.messages import Actor, Incoming, Reply, ReplyKind
from bot.core.models import PracticeCardRow
from bot.core.quiz.desk import Where
from bot.core.quiz.mastery import TopicMastery, graded_subjects, member_mastery
from bot.core.texts import subject_name
from bot.storage.repository import Repository
from bot.wiring import Wired, wire
from content.bank import Bank
from tests.bot.cards import plant_card
from tests.bot.clock import FakeClock
from tests.bot.recording import RecordingTransport
from tests.bot.test_practice import START
from tests.fixed_grader import FixedGrader

MINA = Actor("u1", "Mina")
JOON = Actor("u2", "Joon")


@asynccontextmanager
async def service_on(db: Path, bank: Bank, clock: FakeClock) -> AsyncIterator[Wired]:
    repo = await Repository.open(db)
    try:
        yield wire(
            repo=repo,
            bank=bank,
            grader=FixedGrader(),
            defaults=channel_defaults(Settings(_env_file=None, lang="en", days="daily")),
            clock=clock,
        )
    finally:
        await repo.close()


async def say(
    service: Wired, text: str, actor: Actor = MINA, thread: str | None = None
) -> list[Reply]:
    transport = RecordingTransport()
    await service.intake.handle(Incoming("test", "c1", actor, text, thread_id=thread), transport)
    return transport.sent


async def practise(service: Wired, score: int, actor: Actor = MINA) -> tuple[str, Reply]:
    """`/quiz practice`, then an answer worth `score`: the prompt id and the private reply."""
    await say(service, "/quiz practice", actor)
    prompt_id = await service.repo.practice.practice_pending(platform="test", user_id=actor.user_id)
    assert prompt_id is not None
    [reply] = await say(service, f"/quiz practice answer my answer {score}", actor)
    assert reply.kind is ReplyKind.GRADE and reply.ephemeral
    return prompt_id, reply


async def topics(service: Wired, actor: Actor = MINA) -> dict[str, TopicMastery]:
    return {
        row.subject: row
        for row in await service.practice.mastery(Where("test", "c1"), actor.user_id)
    }


async def prompt_mastery(service: Wired, prompt_id: str, actor: Actor = MINA) -> float:
    """The member's mastery in a prompt's subject (started: never None here)."""
    seen = service.bank.seen_from("test", "c1")
    value = (await topics(service, actor))[seen.subject(seen.get(prompt_id))].value
    assert value is not None
    return value


async def test_right_after_review_a_38_shows_lower_mastery_than_a_90(
    tmp_path: Path, bank: Bank
) -> None:
    clock = FakeClock(START)
    async with service_on(tmp_path / "q.db", bank, clock) as service:
        low, low_reply = await practise(service, 38, MINA)
        high, high_reply = await practise(service, 90, JOON)
        assert low == high, "two new members get the same first question"
        cards = {
            actor.user_id: await service.practice.scored_cards("test", actor.user_id)
            for actor in (MINA, JOON)
        }
        # what mastery used to be, recall now, is the same 100% for both right after a review
        recall_now = {
            user: service.practice.scheduler.get_card_retrievability(held[low].card, clock.now)
            for user, held in cards.items()
        }
        assert recall_now == {"u1": 1.0, "u2": 1.0}
        weak, strong = (
            await prompt_mastery(service, low, MINA),
            await prompt_mastery(service, low, JOON),
        )
    assert 0 < weak < strong < 0.9
    seen = bank.seen_from("test", "c1")
    topic = subject_name("en", seen.subject(seen.get(low)))
    assert f"Mastery (expected score in 30 days without review): {topic} " in low_reply.text
    assert f"{topic} {weak * 100:.0f}%" in low_reply.text
    assert f"{topic} {strong * 100:.0f}%" in high_reply.text


async def test_mastery_falls_without_review_and_rises_after_good_reviews(
    tmp_path: Path, bank: Bank
) -> None:
    """One card over 60 days, answered at 80 whenever practice says it is due."""
    clock = FakeClock(START)
    async with service_on(tmp_path / "q.db", bank, clock) as service:
        prompt_id, _ = await practise(service, 80)
        first = previous = await prompt_mastery(service, prompt_id)
        reviews: list[tuple[int, float, float]] = []
        for day in range(1, 61):
            clock.advance(timedelta(days=1))
            today = await prompt_mastery(service, prompt_id)
            due = await service.practice.next_prompt(Where("test", "c1"), "u1")
            if due is not None and due.id == prompt_id:
                assert (await practise(service, 80))[0] == prompt_id
                reviewed = await prompt_mastery(service, prompt_id)
                reviews.append((day, today, reviewed))
                today = reviewed
            else:
                assert today <= previous, f"day {day}: rose from {previous} to {today} unreviewed"
            previous = today
    assert len(reviews) >= 2, reviews
    assert all(after > before for _, before, after in reviews), reviews
    # each stretch without review: its length, mastery at its start and at its end
    stretches = [(d1 - d0, a0, b1) for (d0, _, a0), (d1, b1, _) in pairwise(reviews)]
    stretches.append((60 - reviews[-1][0], reviews[-1][2], previous))
    assert max(stretches)[0] >= 10, stretches
    assert all(end < start for length, start, end in stretches if length >= 10), stretches
    assert reviews[1][1] > first, "a good review holds better than the first answer did"


async def test_a_subject_never_answered_shows_not_started(tmp_path: Path, bank: Bank) -> None:
    clock = FakeClock(START)
    async with service_on(tmp_path / "q.db", bank, clock) as service:
        [nothing] = await say(service, "/quiz stats")
        prompt_id, _ = await practise(service, 60)
        rows = await topics(service)
        [stats] = await say(service, "/quiz stats")
    assert "No answers from Mina yet" in nothing.text
    seen = bank.seen_from("test", "c1")
    answered = {seen.subject(seen.get(prompt_id))}
    assert set(rows) == set(graded_subjects(seen))
    assert {topic for topic, row in rows.items() if row.started} == answered
    assert all(row.value is None and row.seen == 0 for t, row in rows.items() if t not in answered)
    waiting = len(rows) - len(answered)
    assert f"not started: {waiting} of {len(rows)} subjects" in stats.text
    assert "Mastery is the score you can expect" in stats.text
    shown = stats.text.split("Mastery: ")[1].split("\n")[0]
    assert all(f"{topic} " not in shown for topic in rows if topic not in answered), shown
    [chart] = stats.images
    assert f"not started: {waiting} of {len(rows)} subjects" in chart.alt


async def test_order_by_mastery_matches_order_by_mean_score(tmp_path: Path, bank: Bank) -> None:
    """Five members of different skill practise two questions a day for 60 days."""
    clock = FakeClock(START)
    noise = random.Random(20)
    skills = {Actor(f"s{level}", f"Skill {level}"): level for level in (35, 50, 62, 74, 88)}
    async with service_on(tmp_path / "q.db", bank, clock) as service:
        for _ in range(60):
            for actor, skill in skills.items():
                for _ in range(2):
                    score = round(min(100, max(0, noise.gauss(skill, 12))))
                    await practise(service, score, actor)
            clock.advance(timedelta(days=1))
        means, mastery = [], []
        for actor in skills:
            answers = await service.repo.practice.practice_answers(
                platform="test", user_id=actor.user_id
            )
            means.append(sum(a.score for a in answers) / len(answers))
            cards = await service.practice.scored_cards("test", actor.user_id)
            value = member_mastery(bank, service.practice.scheduler, cards, clock.now)
            assert value is not None
            mastery.append(value)
    rho = float(spearmanr(means, mastery)[0])
    assert rho >= 0.9, (means, mastery)


async def test_another_members_stats_keep_their_mastery_private(tmp_path: Path, bank: Bank) -> None:
    clock = FakeClock(START)
    async with service_on(tmp_path / "q.db", bank, clock) as service:
        post = await service.posting.post_today("test", "c1", RecordingTransport())
        await say(service, "channel answer 70", MINA, thread=post.thread_id)
        channel_cards = await service.practice.scored_cards("test", "u1")
        await practise(service, 95)
        [own] = await say(service, "/quiz stats", MINA)
        [other] = await say(service, "/quiz stats Mina", JOON)
        expected = member_mastery(bank, service.practice.scheduler, channel_cards, clock.now)
    assert expected is not None
    assert "Mastery" in own.text and "the leaderboard): 1 answer · " in own.text
    assert "Stats for Mina" in other.text and "1 question answered · mean 70" in other.text
    assert "Practice" not in other.text and "Mastery:" not in other.text
    [channel_only] = [line for line in other.text.splitlines() if "Mastery" in line]
    assert channel_only.startswith("Mastery from answers in this channel")
    # Mina's channel card alone: her channel answer at 70, not the practice answer at 95
    assert channel_only.endswith(f": {expected * 100:.0f}%")
    [own_chart], [other_chart] = own.images, other.images
    assert "Mastery" in own_chart.alt
    assert "Mastery" not in other_chart.alt and "70" in other_chart.alt


async def test_a_card_that_cannot_be_reviewed_never_costs_the_answer(
    tmp_path: Path, bank: Bank, caplog: pytest.LogCaptureFixture
) -> None:
    clock = FakeClock(START)
    async with service_on(tmp_path / "q.db", bank, clock) as service:
        post = await service.posting.post_today("test", "c1", RecordingTransport())
        await say(service, "/quiz stats")  # Mina's member row, which a card refers to
        broken = PracticeCardRow(
            platform="test",
            user_id="u1",
            prompt_id=post.prompt_id,
            card="{not a card",
            score=50,
            updated_at=clock.now,
        )
        await plant_card(service.repo.members, service.repo.practice, broken)
        replies = await say(service, "channel answer 70", MINA, thread=post.thread_id)
        assert [r.kind for r in replies][:1] == [ReplyKind.GRADE]
        assert [
            a.score for a in await service.repo.answers.answers_for(post_id=post.id, user_id="u1")
        ] == [70]
        assert (
            await service.repo.practice.practice_card(
                platform="test", user_id="u1", prompt_id=post.prompt_id
            )
            == broken
        )
        # a healthy card is saved with the answer, score included
        await say(service, "channel answer 40", JOON, thread=post.thread_id)
        saved = await service.repo.practice.practice_card(
            platform="test", user_id="u2", prompt_id=post.prompt_id
        )
    assert "practice review failed" in caplog.text
    assert saved is not None and saved.score == 40


async def test_the_leaderboard_shows_mastery_from_channel_answers_only(
    tmp_path: Path, bank: Bank
) -> None:
    clock = FakeClock(START)
    async with service_on(tmp_path / "q.db", bank, clock) as service:
        post = await service.posting.post_today("test", "c1", RecordingTransport())
        await say(service, "channel answer 38", MINA, thread=post.thread_id)
        await say(service, "channel answer 90", JOON, thread=post.thread_id)
        cards = await service.practice.scored_cards("test", "u1")
        expected = member_mastery(bank, service.practice.scheduler, cards, clock.now)
        [board] = await say(service, "/quiz leaderboard")
        # Mina's private practice moves her own mastery, never the leaderboard's
        for _ in range(3):
            await practise(service, 100, MINA)
        [again] = await say(service, "/quiz leaderboard")
    assert expected is not None
    rows = [line for line in board.text.splitlines() if line[:2] in {"1.", "2."}]
    assert rows[0].startswith("1. Joon") and rows[1].startswith("2. Mina"), rows
    joon, mina = (float(line.rsplit("mastery ", 1)[1].rstrip("%")) for line in rows)
    assert mina == round(expected * 100) and mina < joon
    assert "from answers in this channel only" in board.text
    assert again.text == board.text
    [chart] = board.images
    assert f"Mina 38 ({mina:.0f}%)" in chart.alt
