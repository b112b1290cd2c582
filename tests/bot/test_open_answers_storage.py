"""Answers kept on SQLite and PostgreSQL, of two kinds: those to an open question wait for its
model answer (the retry round never takes them) and each channel reads only its own; those kept
while the grader's server was down are the retry round's (the open question's page never lists
them); grading one moves it into the answers with its member's notice, once."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from bot.core.messages import Reply
from bot.core.models import GradedText, PendingAnswer
from bot.storage.repository import Repository
from tests.bot.test_team_grades_storage import channel_post

AT = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)


def _kept(post_id: int, channel_id: str, user_id: str, prompt_id: str, n: int) -> PendingAnswer:
    return PendingAnswer(
        post_id=post_id,
        platform="slack",
        channel_id=channel_id,
        user_id=user_id,
        prompt_id=prompt_id,
        message_id=f"{channel_id}-{user_id}-{n}",
        thread_id=None,
        text=f"answer {n}",
        cap=None,
        revealed=False,
        received_at=AT,
    )


async def test_kept_answers_wait_apart_per_channel_and_are_graded_once(repo: Repository) -> None:
    home = await channel_post(repo, "slack", "C-home")
    away = await channel_post(repo, "slack", "C-away")
    for user in ("U-mina", "U-joon"):
        await repo.members.ensure_member(platform="slack", user_id=user, display_name=user)
    store = repo.answers
    await store.add_open_answer(_kept(home.id, "C-home", "U-mina", "q-open", 1))
    await store.add_pending_answer(_kept(home.id, "C-home", "U-joon", "q01", 2))
    await store.add_open_answer(_kept(away.id, "C-away", "U-joon", "q-open", 3))
    await store.add_open_answer(_kept(home.id, "C-home", "U-mina", "q-open", 1))  # again
    await store.add_pending_answer(_kept(home.id, "C-home", "U-joon", "q-open", 4))

    retried = await store.pending_answers(platform="slack", limit=10)
    assert [p.text for p in retried] == ["answer 2", "answer 4"]  # kept while the server was down
    skipped = await store.pending_answers(platform="slack", limit=10, skip_prompts=["q-open"])
    assert [p.text for p in skipped] == ["answer 2"]
    assert await store.kept_counts() == {"q-open": 2}  # the open question's, every channel

    [mine] = await store.open_answers(platform="slack", channel_id="C-home", prompt_id="q-open")
    assert (mine.user_id, mine.text) == ("U-mina", "answer 1")
    [theirs] = await store.open_answers(platform="slack", channel_id="C-away", prompt_id="q-open")
    assert theirs.text == "answer 3"

    assert mine.id is not None
    graded = GradedText(
        user_id="U-mina",
        prompt_id="q-open",
        message_id=mine.message_id,
        text=mine.text,
        score=64,
        verdict="partial",
        covered=(),
        missed=(),
        flags=(),
        answered_at=AT,
    )
    notice = Reply(channel_id="C-home", text="scores 64", thread_id="t", user_id="U-mina")
    post = replace(home, prompt_id="q-open")
    for expected in (True, False):
        recorded = await store.record_pending_answer(
            pending_id=mine.id, post=post, graded=graded, next_step=1, notice=notice, noticed_at=AT
        )
        assert recorded is expected
    assert await store.open_answers(platform="slack", channel_id="C-home", prompt_id="q-open") == []
    told = await repo.notices.claim_notices(platform="slack", by="r", at=AT)
    assert [(r.user_id, r.text) for r in told] == [("U-mina", "scores 64")]
    stored = await store.answers_for(post_id=home.id, user_id="U-mina")
    assert [(a.prompt_id, a.score) for a in stored] == [("q-open", 64)]
