"""The last write of every grade, on each dialect: one INSERT into the `answer_writes` view,
whose INSTEAD OF trigger (SQLite's in the migrations, PostgreSQL's a PL/pgSQL function; see
`bot.storage.answers`) stores the answer, moves the member to their next step and saves the
reviewed card, keeping the card it replaced. A message answered before writes nothing."""

from __future__ import annotations

from datetime import UTC, date, datetime

from bot.core.models import AnswerWrite, ChannelRow, GradedText, PostClaim, PostRow, PracticeCardRow
from bot.storage.repository import Repository

AT = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
DAY = date(2026, 11, 2)


def graded(message_id: str, score: int) -> GradedText:
    return GradedText(
        user_id="u1",
        prompt_id="p1",
        message_id=message_id,
        text=f"answer {message_id}",
        score=score,
        verdict="partial",
        covered=("c1",),
        missed=("c2",),
        flags=(),
        answered_at=AT,
    )


def card(name: str, score: int) -> PracticeCardRow:
    return PracticeCardRow("t", "u1", "p1", f'{{"card": "{name}"}}', score, AT)


async def a_post(repo: Repository) -> PostRow:
    channel = ChannelRow("t", "c1", "en", "UTC", "09:00", "daily", True, AT)
    await repo.channels.ensure_channel(channel, created_at=AT)
    await repo.members.ensure_member(platform="t", user_id="u1", display_name="Mina")
    post = await repo.posts.claim_post(
        PostClaim(
            platform="t", channel_id="c1", day=DAY, prompt_id="p1", scheduled=True, posted_at=AT
        )
    )
    assert post is not None
    return post


async def test_one_insert_writes_the_answer_the_step_and_the_card(repo: Repository) -> None:
    post = await a_post(repo)

    assert await repo.answers.record_answer(
        AnswerWrite(post=post, graded=graded("m1", 40), next_step=1, card=card("first", 40))
    )
    assert await repo.answers.record_answer(
        AnswerWrite(post=post, graded=graded("m2", 80), next_step=2, card=card("second", 80))
    )

    answers = await repo.answers.answers_for(post_id=post.id, user_id="u1")
    assert [(a.score, a.covered, a.missed) for a in answers] == [
        (40, ("c1",), ("c2",)),
        (80, ("c1",), ("c2",)),
    ]
    progress = await repo.answers.member_progress(post, user_id="u1", prompt_ids=["p1"])
    assert progress.step == 2 and progress.best == {"p1": 80}
    saved = await repo.practice.practice_card(platform="t", user_id="u1", prompt_id="p1")
    assert saved is not None
    assert (saved.card, saved.score, saved.previous_card) == (
        '{"card": "second"}',
        80,
        '{"card": "first"}',
    )


async def test_without_a_card_the_card_stays_and_a_repeated_message_writes_nothing(
    repo: Repository,
) -> None:
    post = await a_post(repo)
    assert await repo.answers.record_answer(
        AnswerWrite(post=post, graded=graded("m1", 60), next_step=1, card=card("kept", 60))
    )
    assert await repo.answers.record_answer(
        AnswerWrite(post=post, graded=graded("m2", 70), next_step=2)
    )

    again = await repo.answers.record_answer(
        AnswerWrite(post=post, graded=graded("m2", 100), next_step=3, card=card("never", 100))
    )

    assert again is False
    answers = await repo.answers.answers_for(post_id=post.id, user_id="u1")
    assert [a.score for a in answers] == [60, 70]
    progress = await repo.answers.member_progress(post, user_id="u1", prompt_ids=["p1"])
    assert progress.step == 2
    saved = await repo.practice.practice_card(platform="t", user_id="u1", prompt_id="p1")
    assert saved is not None and saved.card == '{"card": "kept"}' and saved.score == 60
