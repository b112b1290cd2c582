"""Appeals through the real service and SQLite file: a member contests a grade, an admin sees the
queue with what is needed to judge it and resolves it, and the leaderboard, stats, practice card
and the member's thread follow the new score."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from fsrs import Card

from bot.app import channel_defaults
from bot.config import Settings
from bot.core.messages import Actor, Incoming, Reply, ReplyKind
from bot.storage.repository import Repository
from bot.wiring import Wired, wire
from content.bank import Bank
from tests.bot.clock import FakeClock
from tests.bot.recording import RecordingTransport
from tests.fixed_grader import FixedGrader

MINA = Actor("u1", "Mina")
JOON = Actor("u2", "Joon")
ADMIN = Actor("a1", "Ada", is_admin=True)
START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
async def service(repo: Repository, bank: Bank, fixed_grader: FixedGrader) -> AsyncIterator[Wired]:
    yield wire(
        repo=repo,
        bank=bank,
        grader=fixed_grader,
        defaults=channel_defaults(Settings(_env_file=None, lang="en", days="daily")),
        clock=FakeClock(START),
    )


async def say(
    service: Wired,
    text: str,
    actor: Actor = MINA,
    *,
    channel: str = "c1",
    thread: str | None = None,
) -> list[Reply]:
    transport = RecordingTransport()
    await service.intake.handle(Incoming("test", channel, actor, text, thread_id=thread), transport)
    return transport.sent


async def answered(service: Wired, actor: Actor, score: int) -> str:
    """Post today's question (once) and answer it in its thread for `score`; the thread id."""
    post = await service.repo.posts.latest_post(platform="test", channel_id="c1")
    if post is None:
        await say(service, "/quiz now", ADMIN)
        post = await service.repo.posts.latest_post(platform="test", channel_id="c1")
    assert post is not None and post.thread_id is not None
    graded = await say(service, f"my answer {score}", actor, thread=post.thread_id)
    assert graded and f"**{score}/100**" in graded[0].text, graded
    return post.thread_id


async def test_appeal_resolved_with_a_new_score_moves_the_leaderboard_and_tells_the_member(
    service: Wired,
) -> None:
    thread = await answered(service, MINA, 40)
    await answered(service, JOON, 60)
    board = await say(service, "/quiz leaderboard")
    assert board[0].text.index("Joon") < board[0].text.index("Mina")

    [opened] = await say(service, "/quiz appeal I named both gradients, see the second line")
    assert opened.ephemeral and opened.user_id == MINA.user_id
    assert "Appeal #1 opened (40 points" in opened.text

    [queue] = await say(service, "/quiz appeals", ADMIN)
    assert queue.ephemeral and queue.user_id == ADMIN.user_id
    assert "**#1** · Mina" in queue.text and "40 points" in queue.text
    assert "I named both gradients" in queue.text
    assert "Answer: my answer 40" in queue.text and "Reference: " in queue.text
    assert "/quiz appeals resolve <id>" in queue.text

    replies = await say(service, "/quiz appeals resolve 1 85 fair point", ADMIN)
    to_admin, to_member = replies
    assert to_admin.ephemeral and "40 → 85 points" in to_admin.text
    assert not to_member.ephemeral and to_member.thread_id == thread
    assert to_member.text.startswith(f"<@{MINA.user_id}> Your appeal #1: your score changed")
    assert "Admin's note: fair point" in to_member.text

    board = await say(service, "/quiz leaderboard")
    assert board[0].text.index("Mina") < board[0].text.index("Joon")
    [answer] = await service.repo.answers.user_answers(
        platform="test", channel_id="c1", user_id="u1"
    )
    assert (answer.score, answer.verdict) == (85, "correct")

    [queue] = await say(service, "/quiz appeals", ADMIN)
    assert "**Appeals waiting** · 0" in queue.text
    assert "1 appeal (0.2 per week), 1 resolved, 1 changed the score (100%)" in queue.text


async def test_keeping_the_score_tells_the_member_and_counts_as_not_changed(
    service: Wired,
) -> None:
    await answered(service, MINA, 40)
    await say(service, "/quiz appeal")
    to_admin, to_member = await say(service, "/quiz appeals resolve #1 keep", ADMIN)
    assert "stays at 40 points" in to_admin.text
    assert "Your appeal #1: your score stays at 40 points." in to_member.text
    assert "Admin's note" not in to_member.text
    [again] = await say(service, "/quiz appeals resolve 1 90", ADMIN)
    assert again.kind == ReplyKind.ERROR and "resolved already (40 points)" in again.text
    [queue] = await say(service, "/quiz appeals", ADMIN)
    assert "1 resolved, 0 changed the score (0%)" in queue.text


async def test_an_admin_cannot_resolve_their_own_appeal_another_admin_can(
    service: Wired,
) -> None:
    """Issue 83: an admin resolved their own appeal, 43 → 100, to the top of the board."""
    boss = Actor("a2", "Boss", is_admin=True)
    await answered(service, ADMIN, 43)
    await answered(service, JOON, 60)
    [opened] = await say(service, "/quiz appeal surely worth more", ADMIN)
    assert "Appeal #1 opened" in opened.text
    [refused] = await say(service, "/quiz appeals resolve 1 100", ADMIN)
    assert refused.kind == ReplyKind.ERROR and refused.ephemeral
    assert refused.text == "Appeal #1 is your own, so you cannot resolve it: another admin must."
    [answer] = await service.repo.answers.user_answers(
        platform="test", channel_id="c1", user_id=ADMIN.user_id
    )
    assert answer.score == 43
    [queue] = await say(service, "/quiz appeals", boss)
    assert "**Appeals waiting** · 1" in queue.text
    await say(service, "/quiz lang ko", boss)
    [korean] = await say(service, "/quiz appeals resolve 1 keep", ADMIN)
    assert korean.text.startswith("이의 #1는 본인의 이의라 직접 처리할 수 없어요")
    to_admin, _ = await say(service, "/quiz appeals resolve 1 50", boss)
    assert "43점 → 50점" in to_admin.text
    [answer] = await service.repo.answers.user_answers(
        platform="test", channel_id="c1", user_id=ADMIN.user_id
    )
    assert answer.score == 50


async def test_the_practice_card_follows_the_new_score(
    service: Wired,
) -> None:
    await answered(service, MINA, 10)
    post = await service.repo.posts.latest_post(platform="test", channel_id="c1")
    assert post is not None
    before = await service.repo.practice.practice_card(
        platform="test", user_id="u1", prompt_id=post.prompt_id
    )
    assert before is not None and before.score == 10
    await say(service, "/quiz appeal")
    await say(service, "/quiz appeals resolve 1 95", ADMIN)
    after = await service.repo.practice.practice_card(
        platform="test", user_id="u1", prompt_id=post.prompt_id
    )
    assert after is not None and after.score == 95
    # The failed review is given again as Easy: the card comes back days later, not tomorrow.
    assert Card.from_json(before.card).due == START + timedelta(days=1)
    assert Card.from_json(after.card).due > START + timedelta(days=3)


async def test_mistakes_get_a_clear_message_and_change_nothing(
    service: Wired,
) -> None:
    [nothing] = await say(service, "/quiz appeal too harsh")
    assert nothing.kind == ReplyKind.ERROR and "no graded answer in this channel" in nothing.text
    await answered(service, MINA, 40)
    await say(service, "/quiz appeal")
    [twice] = await say(service, "/quiz appeal again")
    assert "already appealed" in twice.text

    [member] = await say(service, "/quiz appeals", JOON)
    assert member.kind == ReplyKind.ERROR and "Only channel admins" in member.text
    [member] = await say(service, "/quiz appeals resolve 1 100", MINA)
    assert "Only channel admins" in member.text

    for line, expected in [
        ("/quiz appeals resolve 1 101", "whole number from 0 to 100"),
        ("/quiz appeals resolve 1 ²", "whole number from 0 to 100"),
        ("/quiz appeals resolve x 50", "'x' is not an appeal number"),
        ("/quiz appeals resolve 7 50", "no appeal #7 in this channel"),
        ("/quiz appeals resolve 1", "Usage: `/quiz appeals`"),
        ("/quiz appeals close 1", "Usage: `/quiz appeals`"),
    ]:
        [reply] = await say(service, line, ADMIN)
        assert reply.kind == ReplyKind.ERROR and expected in reply.text, (line, reply.text)
    # Another channel's admin cannot see or resolve this channel's appeal.
    [elsewhere] = await say(service, "/quiz appeals resolve 1 100", ADMIN, channel="c2")
    assert "no appeal #1 in this channel" in elsewhere.text

    [answer] = await service.repo.answers.user_answers(
        platform="test", channel_id="c1", user_id="u1"
    )
    assert answer.score == 40
    [queue] = await say(service, "/quiz appeals", ADMIN)
    assert "**Appeals waiting** · 1" in queue.text


async def test_a_long_reason_is_kept_short_and_mentions_stay_inert(
    service: Wired,
) -> None:
    await answered(service, MINA, 40)
    await say(service, "/quiz appeal @everyone " + "why " * 400)
    [appeal] = await service.repo.appeals.open_appeals(platform="test", channel_id="c1")
    assert len(appeal.reason) == 500 and appeal.reason.endswith("…")
    [queue] = await say(service, "/quiz appeals", ADMIN)
    assert "@everyone why" in queue.text  # the platform neutralises it; the core keeps it
