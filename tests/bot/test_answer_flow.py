"""The member's way through a day's post, through the real service, grader and SQLite file."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.app import channel_defaults
from bot.config import Settings
from bot.core.messages import Actor, Incoming, Reply, ReplyKind
from bot.storage.repository import Repository
from bot.wiring import Wired, wire
from content.bank import Bank
from evaluators import EmbeddingGrader
from tests.bot.recording import RecordingTransport

ADMIN = Actor("boss", "Boss", is_admin=True)
MINA = Actor("u1", "Mina")
JOON = Actor("u2", "Joon")
GOOD_Q01 = (
    "Sigmoid saturates for large inputs, so its gradient vanishes in deep networks; ReLU has "
    "gradient 1 for positive inputs, is cheap to compute and gives sparse activations."
)


@pytest.fixture
async def service(
    database: Path | str, bank: Bank, grader: EmbeddingGrader
) -> AsyncIterator[Wired]:
    repo = await Repository.open(database)
    yield wire(
        repo=repo,
        bank=bank,
        grader=grader,
        defaults=channel_defaults(Settings(_env_file=None, lang="en")),
    )
    await repo.close()


async def say(service: Wired, actor: Actor, line: str, thread: str | None = None) -> list[Reply]:
    transport = RecordingTransport()
    await service.intake.handle(Incoming("test", "c1", actor, line, thread_id=thread), transport)
    return transport.sent


def score_of(replies: list[Reply]) -> int:
    grade = next(r for r in replies if r.kind == ReplyKind.GRADE)
    match = re.search(r"\*\*(\d+)/100\*\*", grade.text)
    assert match, grade.text
    return int(match.group(1))


async def test_answer_is_graded_in_the_thread_then_the_first_followup_is_asked(
    service: Wired,
) -> None:
    post = await service.posting.post_today("test", "c1", RecordingTransport())
    replies = await say(service, MINA, GOOD_Q01, thread=post.thread_id)
    grade, followup = replies
    assert grade.thread_id == post.thread_id and grade.user_id == "u1"
    assert "Covered:" in grade.text
    assert followup.kind == ReplyKind.FOLLOWUP
    assert (
        followup.text == "<@u1> Follow-up 1/4: What does non-linearity mean, and why is it needed?"
        or followup.text.startswith("<@u1> Follow-up 1/4: ")
    )


async def test_hint_names_a_concept_and_caps_the_score(service: Wired) -> None:
    await service.posting.post_today("test", "c1", RecordingTransport())
    hint = (await say(service, MINA, "/quiz hint"))[0]
    assert hint.kind == ReplyKind.HINT and "capped at 80" in hint.text
    replies = await say(service, MINA, GOOD_Q01)
    assert score_of(replies) <= 80
    assert any("capped at 80" in r.text for r in replies)


async def test_skip_moves_on_and_next_offers_the_skipped_then_retries_the_lowest(
    service: Wired, bank: Bank
) -> None:
    """Once done, `/quiz next` brings back what was skipped (issue 70, case 11), and only then
    the lowest score, keeping the best."""
    post = await service.posting.post_today("test", "c1", RecordingTransport())
    followups = bank.followups(post.prompt_id)
    await say(service, MINA, "I don't know")
    for _ in followups:
        await say(service, MINA, "/quiz skip")
    offered = await say(service, MINA, "/quiz next")
    assert offered[0].text == f"<@u1> You skipped this one: {followups[0].text.en}"
    for _ in followups:
        await say(service, MINA, "I don't know")
    done = await say(service, MINA, "/quiz next")
    assert done[0].text.startswith("<@u1> Retry (your best score is kept): ")
    await say(service, MINA, GOOD_Q01)
    board = (await say(service, MINA, "/quiz leaderboard"))[0].text
    best = max(
        a.score for a in await service.repo.answers.answers_for(post_id=post.id, user_id="u1")
    )
    assert f"1. Mina · {best} points · 1 question answered" in board, "one prompt, best of two"


async def test_members_cannot_run_admin_commands(service: Wired) -> None:
    for line in ("/quiz now", "/quiz reveal", "/quiz schedule 08:00", "/quiz lang ko"):
        reply = (await say(service, JOON, line))[0]
        assert reply.kind == ReplyKind.ERROR and reply.ephemeral
        assert reply.text == "Only channel admins can use this command."
    assert await service.repo.posts.latest_post(platform="test", channel_id="c1") is None


async def test_empty_and_whitespace_answers_are_not_stored(
    service: Wired,
) -> None:
    await service.posting.post_today("test", "c1", RecordingTransport())
    for line in ("/quiz answer", "/quiz answer    ", "\u200b"):
        reply = (await say(service, MINA, line))[-1]
        assert reply.kind == ReplyKind.ERROR
    assert len(await service.repo.answers.channel_answers(platform="test", channel_id="c1")) == 0


INVISIBLE = (
    "\u0378\u0378",  # unassigned
    "\ue000\U000f0000",  # private use
    "\u0301\u0308",  # combining marks with nothing to combine with
    "\u200b \u200b",  # zero-width spaces
)


async def test_invisible_answers_are_refused_unstored_and_the_prompt_waits(
    service: Wired,
) -> None:
    """Issue 83: answers that show nothing were graded 10, stored, and used up the prompt."""
    post = await service.posting.post_today("test", "c1", RecordingTransport())
    for line in INVISIBLE:
        [reply] = await say(service, MINA, line, thread=post.thread_id)
        assert reply.kind == ReplyKind.ERROR and reply.ephemeral
        assert reply.text.startswith("An answer with no visible character isn't graded"), line
    assert await service.repo.answers.channel_answers(platform="test", channel_id="c1") == []
    replies = await say(service, MINA, GOOD_Q01, thread=post.thread_id)
    assert replies[0].kind == ReplyKind.GRADE
    [stored] = await service.repo.answers.channel_answers(platform="test", channel_id="c1")
    assert stored.prompt_id == post.prompt_id, "the main question was still Mina's to answer"
    await say(service, ADMIN, "/quiz lang ko")
    [korean] = await say(service, JOON, INVISIBLE[0], thread=post.thread_id)
    assert korean.text.startswith("보이는 글자가 없는 답변은 채점하지 않아요")


UNREAD = (
    "シグモイドは大きな入力で飽和し、勾配が消えます。ReLUは正の入力で勾配が1です。",
    "Sigmoid 函数在输入很大时会饱和，梯度消失；ReLU 在正区间梯度为 1，计算简单。",
)


async def test_japanese_and_chinese_answers_are_refused_unstored_and_the_prompt_waits(
    service: Wired,
) -> None:
    """Issue 83: a Japanese or Chinese answer was graded "incorrect" without saying that only
    Korean and English are read; an English answer with a term in Han characters is graded."""
    post = await service.posting.post_today("test", "c1", RecordingTransport())
    for line in UNREAD:
        [reply] = await say(service, MINA, line, thread=post.thread_id)
        assert reply.kind == ReplyKind.ERROR and reply.ephemeral
        assert reply.text.startswith("Answers are read in Korean and English only"), line
    assert await service.repo.answers.channel_answers(platform="test", channel_id="c1") == []
    replies = await say(service, MINA, f"{GOOD_Q01} (勾配消失)", thread=post.thread_id)
    assert replies[0].kind == ReplyKind.GRADE
    [stored] = await service.repo.answers.channel_answers(platform="test", channel_id="c1")
    assert stored.prompt_id == post.prompt_id, "the main question was still Mina's to answer"
    await say(service, ADMIN, "/quiz lang ko")
    [korean] = await say(service, JOON, UNREAD[1], thread=post.thread_id)
    assert korean.text.startswith("답변은 한국어와 영어로만 읽어요")


async def test_reveal_then_pasting_the_reference_earns_little(service: Wired, bank: Bank) -> None:
    post = await service.posting.post_today("test", "c1", RecordingTransport())
    await say(service, MINA, GOOD_Q01)
    reveal = (await say(service, ADMIN, "/quiz reveal"))[0]
    assert reveal.kind == ReplyKind.REVEAL and "Today: 1 answer from 1 member" in reveal.text
    reference = bank.get(post.prompt_id).references_in("en")[0].text
    assert score_of(await say(service, JOON, reference)) <= 20


async def test_a_reply_in_a_thread_that_is_no_question_is_not_graded(
    service: Wired,
) -> None:
    await service.posting.post_today("test", "c1", RecordingTransport())
    reply = (await say(service, MINA, GOOD_Q01, thread="leaderboard-thread"))[0]
    assert reply.kind == ReplyKind.ERROR and reply.ephemeral
    assert "isn't a question's thread" in reply.text
    assert len(await service.repo.answers.channel_answers(platform="test", channel_id="c1")) == 0


async def test_lone_surrogates_are_graded_and_stored(service: Wired) -> None:
    await service.posting.post_today("test", "c1", RecordingTransport())
    odd = Actor("u3", "Dae\ud800")
    replies = await say(service, odd, "ReLU \ud800 keeps the gradient at 1 for positive inputs.")
    assert replies[0].kind == ReplyKind.GRADE
    assert len(await service.repo.answers.channel_answers(platform="test", channel_id="c1")) == 1
    assert await service.repo.members.display_name(platform="test", user_id="u3") == "Dae\ufffd"
