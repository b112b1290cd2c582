"""Personal practice through the real service, SQLite file, FSRS library and grader, under a
hand-moved clock."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from fsrs import Card, Rating

from bot.app import channel_defaults
from bot.config import Settings
from bot.core.messages import Actor, Incoming, Reply, ReplyKind
from bot.core.quiz.desk import Where
from bot.core.quiz.posting import ChannelDefaults
from bot.core.quiz.practice import card_row
from bot.storage.repository import Repository
from bot.wiring import Wired, practice_policy, wire
from content.bank import Bank
from evaluators import EmbeddingGrader
from tests.bot.cards import plant_card
from tests.bot.clock import FakeClock
from tests.bot.recording import RecordingTransport

SEOUL = ZoneInfo("Asia/Seoul")
MINA = Actor("u1", "Mina")
JOON = Actor("u2", "Joon")
BAD = "No idea, sorry."
START = datetime(2026, 11, 2, 9, 0, tzinfo=SEOUL).astimezone(UTC)  # a Monday, 09:00 in Seoul


@asynccontextmanager
async def service_on(
    db: Path,
    bank: Bank,
    grader: EmbeddingGrader,
    clock: FakeClock,
    defaults: ChannelDefaults | None = None,
) -> AsyncIterator[Wired]:
    repo = await Repository.open(db)
    try:
        yield wire(
            repo=repo,
            bank=bank,
            grader=grader,
            defaults=defaults
            or channel_defaults(Settings(_env_file=None, lang="en", days="daily")),
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


async def practise(service: Wired, answer_for: dict[str, str], actor: Actor = MINA) -> str:
    """`/quiz practice`, then answer the prompt shown (BAD unless `answer_for` has one);
    returns the prompt id. Every reply must be private."""
    shown = await say(service, "/quiz practice", actor)
    prompt_id = await service.repo.practice.practice_pending(platform="test", user_id=actor.user_id)
    assert prompt_id is not None, shown
    graded = await say(service, f"/quiz practice answer {answer_for.get(prompt_id, BAD)}", actor)
    assert [r.kind for r in graded] == [ReplyKind.GRADE], graded
    assert all(r.ephemeral and r.user_id == actor.user_id for r in shown + graded)
    return prompt_id


def well(bank: Bank) -> dict[str, str]:
    """A good answer (its English reference) to every graded prompt."""
    return {p.id: p.references_in("en")[0].text for p in bank.all() if p.kind == "graded"}


async def test_well_answered_prompt_comes_back_later_over_thirty_days(
    tmp_path: Path, bank: Bank, grader: EmbeddingGrader
) -> None:
    clock = FakeClock(START)
    async with service_on(tmp_path / "q.db", bank, grader, clock) as service:
        good = await practise(service, well(bank))
        bad = await practise(service, {})
        assert good != bad
        reviews: dict[str, list[int]] = {good: [0], bad: [0]}
        answers = {good: well(bank)[good], bad: BAD}
        for day in range(1, 31):
            clock.advance(timedelta(days=1))
            today: list[str] = []
            # other prompts stay unseen: practice offers due cards first, so these two come
            # up exactly on the days they are due
            while (
                due := await service.practice.next_prompt(Where("test", "c1"), "u1")
            ) is not None and (due.id in reviews):
                assert due.id not in today, f"{due.id} due twice on day {day}"
                assert await practise(service, answers) == due.id
                today.append(due.id)
                reviews[due.id].append(day)
    assert reviews[bad][1] == 1, reviews
    assert reviews[good][1] > reviews[bad][1] + 2, reviews
    assert len(reviews[good]) < len(reviews[bad]), reviews


async def board(service: Wired) -> list[str]:
    return [r.text for r in await say(service, "/quiz leaderboard all")]


async def test_practice_never_changes_the_channel_leaderboard(
    tmp_path: Path, bank: Bank, grader: EmbeddingGrader
) -> None:
    clock = FakeClock(START)
    async with service_on(tmp_path / "q.db", bank, grader, clock) as service:
        post = await service.posting.post_today("test", "c1", RecordingTransport())
        await say(service, well(bank)[post.prompt_id], JOON, thread=post.thread_id)
        before = await board(service)
        for _ in range(2):
            await practise(service, well(bank))
            await practise(service, well(bank), JOON)
        assert await board(service) == before
        assert (
            len(await service.repo.answers.channel_answers(platform="test", channel_id="c1")) == 1
        )
        assert [
            row.user_id
            for row in await service.repo.boards.leaderboard(
                platform="test", channel_id="c1", since=date.min
            )
        ] == ["u2"]
        assert len(await service.repo.practice.practice_answers(platform="test", user_id="u1")) == 2


async def test_channel_answer_reviews_the_card_once_a_day(
    tmp_path: Path, bank: Bank, grader: EmbeddingGrader
) -> None:
    clock = FakeClock(START)
    async with service_on(tmp_path / "q.db", bank, grader, clock) as service:
        post = await service.posting.post_today("test", "c1", RecordingTransport())
        await say(service, BAD, thread=post.thread_id)
        first = await service.repo.practice.practice_card(
            platform="test", user_id="u1", prompt_id=post.prompt_id
        )
        assert first is not None
        assert Card.from_json(first.card).due - clock.now == timedelta(days=1)
        # a retry the same day, after reading the feedback, is not recall: the card stays
        # the follow-ups answered well (a skipped one would come back first, issue 70 case 11)
        for followup in bank.followups(post.prompt_id):
            said = well(bank).get(followup.id, "It lets the network bend its output curve.")
            await say(service, said, thread=post.thread_id)
        await say(service, "/quiz next", thread=post.thread_id)  # reopens the lowest: the main
        clock.advance(timedelta(hours=3))
        await say(service, well(bank)[post.prompt_id], thread=post.thread_id)
        answered = await service.repo.answers.answers_for(post_id=post.id, user_id="u1")
        retried = [a for a in answered if a.prompt_id == post.prompt_id]
        assert len(retried) == 2
        assert retried[1].score > retried[0].score
        assert (
            await service.repo.practice.practice_card(
                platform="test", user_id="u1", prompt_id=post.prompt_id
            )
            == first
        )
        # and practice does not offer it again today
        assert await practise(service, {}) != post.prompt_id
        clock.advance(timedelta(days=1))
        due = await service.practice.next_prompt(Where("test", "c1"), "u1")
        assert due is not None and due.id == post.prompt_id


async def test_review_counts_and_a_restart_keeps_every_card(
    tmp_path: Path, bank: Bank, grader: EmbeddingGrader
) -> None:
    clock = FakeClock(START)
    db = tmp_path / "q.db"
    async with service_on(db, bank, grader, clock) as service:
        [empty] = await say(service, "/quiz review")
        assert "no cards yet" in empty.text
        await practise(service, {})
        await practise(service, {})
        await practise(service, well(bank))
        await say(service, "/quiz practice")  # a fourth prompt, left waiting
        pending = await service.repo.practice.practice_pending(platform="test", user_id="u1")
        cards = await service.repo.practice.practice_cards(platform="test", user_ids=["u1"])
        [review] = await say(service, "/quiz review")
    assert review.ephemeral
    assert "due now: 0 cards of 3" in review.text
    assert "Next due: 2026-11-03 09:00 KST (2), " in review.text
    async with service_on(db, bank, grader, clock) as service:
        assert await service.repo.practice.practice_cards(platform="test", user_ids=["u1"]) == cards
        assert (
            await service.repo.practice.practice_pending(platform="test", user_id="u1") == pending
        )
        assert [r.text for r in await say(service, "/quiz review")] == [review.text]
        clock.advance(timedelta(days=1))
        [later] = await say(service, "/quiz review")
    assert "due now: 2 cards of 3" in later.text


async def test_practice_commands_explain_themselves(
    tmp_path: Path, bank: Bank, grader: EmbeddingGrader
) -> None:
    async with service_on(tmp_path / "q.db", bank, grader, FakeClock(START)) as service:
        [nothing] = await say(service, "/quiz practice answer ReLU is cheap")
        [usage] = await say(service, "/quiz practice now")
        [prompt] = await say(service, "/quiz practice")
        [empty] = await say(service, "/quiz practice answer \u200b")
        [again] = await say(service, "/quiz practice")
        [help_text] = await say(service, "/help")
    assert nothing.kind is ReplyKind.ERROR and "`/quiz practice`" in nothing.text
    assert usage.kind is ReplyKind.ERROR and "/quiz practice answer" in usage.text
    assert prompt.ephemeral and "/quiz practice answer <text>" in prompt.text
    assert empty.kind is ReplyKind.ERROR
    assert again.text == prompt.text, "the waiting prompt is shown again, not a new one"
    assert "/quiz practice answer <text>" in help_text.text and "/quiz review" in help_text.text


async def test_an_invisible_practice_answer_is_refused_unstored_and_the_prompt_waits(
    tmp_path: Path, bank: Bank, grader: EmbeddingGrader
) -> None:
    """Issue 83: a practice answer of unassigned, private-use or lone combining characters was
    graded 10, stored, and used up the waiting prompt."""
    async with service_on(tmp_path / "q.db", bank, grader, FakeClock(START)) as service:
        await say(service, "/quiz practice")
        pending = await service.repo.practice.practice_pending(platform="test", user_id="u1")
        assert pending is not None
        for invisible in ("\u0378", "\ue000\U000f0000", "\u0301\u0308"):
            [refused] = await say(service, f"/quiz practice answer {invisible}")
            assert refused.kind is ReplyKind.ERROR and refused.ephemeral
            assert refused.text.startswith("An answer with no visible character isn't graded")
        assert await service.repo.practice.practice_answers(platform="test", user_id="u1") == []
        assert await service.repo.practice.practice_cards(platform="test", user_ids=["u1"]) == []
        assert (
            await service.repo.practice.practice_pending(platform="test", user_id="u1") == pending
        )
        [graded] = await say(service, f"/quiz practice answer {BAD}")
        assert graded.kind is ReplyKind.GRADE
        [kept] = await service.repo.practice.practice_answers(platform="test", user_id="u1")
    assert kept.prompt_id == pending


async def test_a_japanese_or_chinese_practice_answer_is_refused_unstored_and_the_prompt_waits(
    tmp_path: Path, bank: Bank, grader: EmbeddingGrader
) -> None:
    """Issue 83: such an answer was graded "incorrect" without saying that only Korean and
    English are read, and used up the waiting prompt."""
    async with service_on(tmp_path / "q.db", bank, grader, FakeClock(START)) as service:
        await say(service, "/quiz practice")
        pending = await service.repo.practice.practice_pending(platform="test", user_id="u1")
        assert pending is not None
        for unread in (
            "過学習はモデルが訓練データに過度に適合することです",
            "过拟合是指模型记住了训练数据",
        ):
            [refused] = await say(service, f"/quiz practice answer {unread}")
            assert refused.kind is ReplyKind.ERROR and refused.ephemeral
            assert refused.text.startswith("Answers are read in Korean and English only")
        assert await service.repo.practice.practice_answers(platform="test", user_id="u1") == []
        assert (
            await service.repo.practice.practice_pending(platform="test", user_id="u1") == pending
        )


async def test_prefer_due_posts_the_prompt_due_for_most_active_members(
    tmp_path: Path, bank: Bank, grader: EmbeddingGrader
) -> None:
    clock = FakeClock(START)
    db = tmp_path / "q.db"
    async with service_on(db, bank, grader, clock) as service:
        first = await service.posting.post_today("test", "c1", RecordingTransport())
        for member in (MINA, JOON):
            await say(service, BAD, member, thread=first.thread_id)
        unposted = [p.id for p in bank.mains() if p.id != first.prompt_id]
        wanted, crowd = unposted[-1], unposted[-2]
        scheduler = practice_policy(Settings(_env_file=None)).scheduler()
        # both active members have `wanted` due tomorrow; three members who never answered
        # here have `crowd` due, which must not count
        for user, prompt_id in [("u1", wanted), ("u2", wanted)] + [
            (f"idle{n}", crowd) for n in range(3)
        ]:
            card, _ = scheduler.review_card(Card(card_id=1, due=clock.now), Rating.Again, clock.now)
            await plant_card(
                service.repo.members,
                service.repo.practice,
                card_row("test", user, prompt_id, card, score=20, now=clock.now),
            )
    shutil.copy(db, tmp_path / "same.db")
    clock.advance(timedelta(days=1))
    posted = {}
    for name, prefer in [("q.db", True), ("same.db", False)]:
        defaults = channel_defaults(
            Settings(_env_file=None, lang="en", days="daily", prefer_due=prefer)
        )
        async with service_on(tmp_path / name, bank, grader, clock, defaults) as service:
            posted[prefer] = (
                await service.posting.post_today("test", "c1", RecordingTransport())
            ).prompt_id
    assert posted[True] == wanted
    assert posted[False] not in (wanted, crowd)
