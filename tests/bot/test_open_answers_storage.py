"""Answers kept on SQLite and PostgreSQL, of two kinds: those to an open question wait for its
model answer (the retry round never takes them) and each channel reads only its own; those kept
while the grader's server was down are the retry round's (the open question's page never lists
them); grading one moves it into the answers with its member's notice, once."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.core.messages import Reply
from bot.core.models import AnswerWrite, GradedText, ModelAnswer, OpenGrade, PendingAnswer
from bot.storage import schema
from bot.storage.database import open_driver
from bot.storage.repository import Repository
from content.schema import Localized, Prompt, Reference
from tests.bot.test_team_grades_storage import channel_post
from tests.postgres_server import PostgresForTests

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
            AnswerWrite(post=post, graded=graded, next_step=1),
            pending_id=mine.id,
            notice=notice,
            noticed_at=AT,
        )
        assert recorded is expected
    assert await store.open_answers(platform="slack", channel_id="C-home", prompt_id="q-open") == []
    told = await repo.notices.claim_notices(platform="slack", by="r", at=AT)
    assert [(r.user_id, r.text) for r in told] == [("U-mina", "scores 64")]
    stored = await store.answers_for(post_id=home.id, user_id="U-mina")
    assert [(a.prompt_id, a.score) for a in stored] == [("q-open", 64)]


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> Path | str:
    if request.param == "sqlite":
        return tmp_path / "older.db"
    server: PostgresForTests = request.getfixturevalue("postgres")
    return server.empty_database()


async def test_answers_kept_before_the_kinds_were_stored_say_which_they_are(
    empty_database: Path | str,
) -> None:
    """Migration v0018 on a database at v0017: an answer kept for a question still waiting in
    `team_questions` becomes an open question's; the others stay the retry round's."""
    await schema.migrate(empty_database, to="0017")
    waiting = '{"id": "team-open", "status": "waiting", "text": {"ko": "q", "en": "q"}}'
    ready = '{"id": "team-ready", "status": "ready", "text": {"ko": "r", "en": "r"}}'
    driver = await open_driver(empty_database)
    try:
        async with driver.transaction() as db:
            await db.fetch(
                "INSERT INTO channels VALUES ('slack', 'C1', 'en', 'UTC', '09:00', 'daily', 1,"
                " ?, ?)",
                (AT.isoformat(), AT.isoformat()),
            )
            await db.fetch("INSERT INTO users VALUES ('slack', 'U1', 'Mina')")
            await db.fetch(
                "INSERT INTO posts (platform, channel_id, day, prompt_id, scheduled, posted_at)"
                " VALUES ('slack', 'C1', '2026-11-02', 'team-open', 0, ?)",
                (AT.isoformat(),),
            )
            for prompt_id, body in (("team-open", waiting), ("team-ready", ready)):
                await db.fetch(
                    "INSERT INTO team_questions VALUES (?, ?, 'slack', 'C1', 'U1', ?)",
                    (prompt_id, body, AT.isoformat()),
                )
            for n, prompt_id in enumerate(("team-open", "team-ready", "q01")):
                await db.fetch(
                    "INSERT INTO pending_answers (post_id, platform, channel_id, user_id,"
                    " prompt_id, message_id, text, revealed, received_at)"
                    " VALUES (1, 'slack', 'C1', 'U1', ?, ?, 'an answer', 0, ?)",
                    (prompt_id, f"m{n}", AT.isoformat()),
                )
    finally:
        await driver.close()
    repo = await Repository.open(empty_database)
    try:
        kinds = await repo.db.fetch("SELECT prompt_id, kind FROM pending_answers ORDER BY id")
        opened = await repo.answers.open_answers(
            platform="slack", channel_id="C1", prompt_id="team-open"
        )
        retried = await repo.answers.pending_answers(platform="slack", limit=10)
    finally:
        await repo.close()
    assert [tuple(row) for row in kinds] == [
        ("team-open", "open"),
        ("team-ready", "kept"),
        ("q01", "kept"),
    ]
    assert [a.message_id for a in opened] == ["m0"]
    assert [a.message_id for a in retried] == ["m1", "m2"]


async def test_an_answer_kept_as_open_after_its_model_answer_is_graded_is_the_retry_rounds(
    repo: Repository,
) -> None:
    """A bot whose bank still has the question open keeps an answer to it after the page's
    model answer was graded in: the retry round takes it (against the question, ready by then),
    as it takes the answers kept for the question in another channel, which the model answer's
    transaction hands over; the model answer is finished once."""
    home = await channel_post(repo, "slack", "C-home")
    away = await channel_post(repo, "slack", "C-away")
    for user in ("U-mina", "U-joon"):
        await repo.members.ensure_member(platform="slack", user_id=user, display_name=user)
    store = repo.answers
    await store.add_open_answer(_kept(home.id, "C-home", "U-mina", "q-open", 1))
    await store.add_open_answer(_kept(away.id, "C-away", "U-joon", "q-open", 2))
    ready = Prompt(
        id="q-open",
        text=Localized(ko="왜?", en="Why?"),
        topics=("t",),
        references=(Reference(lang="en", text="Because."),),
    )
    answer = ModelAnswer(
        prompt=ready,
        platform="slack",
        channel_id="C-home",
        lang="en",
        written_by="U-admin",
        written_at=AT,
    )
    assert await repo.model_answers.claim(answer)
    assert not await repo.model_answers.claim(answer)  # one model answer per question
    [mine] = await store.open_answers(platform="slack", channel_id="C-home", prompt_id="q-open")
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
    notice = Reply(channel_id="C-home", text="scores 64", user_id="U-mina")
    post = replace(home, prompt_id="q-open")
    told = OpenGrade(pending_id=mine.id, post=post, graded=graded, notice=notice)
    assert await repo.model_answers.finish(answer, [told], at=AT) == 1
    assert await repo.model_answers.finish(answer, [told], at=AT) is None
    await store.add_open_answer(_kept(home.id, "C-home", "U-joon", "q-open", 3))
    retried = await store.pending_answers(platform="slack", limit=10)
    assert [p.text for p in retried] == ["answer 2", "answer 3"]
    assert await store.open_answers(platform="slack", channel_id="C-home", prompt_id="q-open") == []
