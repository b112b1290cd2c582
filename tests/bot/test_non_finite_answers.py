"""An answer the grader refuses for a NaN (here the model's weights are damaged, so the answer's
vector is NaN) is kept exactly as one given while the grader is down: the member is told it is
saved, never a number, the operator reads what was not finite, and once the cause is gone (the
bot restarted on an intact model) it is graded once, in its thread, with its clean grade.
Practice answers are not graded and say "send it again later". Real model, real SQLite file."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.core.messages import Actor, Incoming, ReplyKind
from bot.core.texts import text
from bot.storage.repository import Repository
from content.bank import Bank
from evaluators import EmbeddingGrader
from evaluators.embedding.sentence_model import Embedder, load_embedder
from evaluators.service import grader_on
from tests.bot.recording import RecordingTransport
from tests.bot.served_grading import service_on
from tests.evaluators.broken_weights import BROKEN_WORD, with_nan_token

MINA = Actor("u1", "Mina")
ANSWER = (
    f"It keeps what matters and drops the rest, as a {BROKEN_WORD} keeps its stripes: the model "
    "learns the main pattern and the gradient flows."
)


@pytest.fixture(scope="module")
def damaged(model_path: str) -> Embedder:
    return with_nan_token(load_embedder(model_path, "cpu"))


@pytest.fixture
async def refusing(damaged: Embedder, tmp_path: Path) -> AsyncIterator[EmbeddingGrader]:
    """The bot's grader on the damaged model: any text with `BROKEN_WORD` encodes to NaN."""
    grader = grader_on(damaged, cache_dir=tmp_path / "cache")
    yield grader
    await grader.aclose()


@pytest.fixture
async def repo(tmp_path: Path) -> AsyncIterator[Repository]:
    opened = await Repository.open(tmp_path / "q.db")
    yield opened
    await opened.close()


async def test_an_answer_refused_for_nan_is_kept_then_graded_once_the_cause_is_gone(
    bank: Bank,
    repo: Repository,
    refusing: EmbeddingGrader,
    grader: EmbeddingGrader,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="quizmaster")
    kept_by = service_on(repo, bank, refusing)
    post = await kept_by.posting.post_today("test", "c1", RecordingTransport())
    prompt = bank.get(post.prompt_id)
    told = RecordingTransport()
    incoming = Incoming("test", "c1", MINA, ANSWER, message_id="m-1", thread_id=post.thread_id)
    await kept_by.intake.handle(incoming, told)

    assert [(r.kind, r.thread_id) for r in told.sent] == [(ReplyKind.INFO, post.thread_id)]
    assert told.sent[0].text.endswith(text("en", "grading_unavailable"))
    assert "/100" not in told.sent[0].text
    assert await repo.answers.answers_for(post_id=post.id, user_id="u1") == []
    assert len(await repo.answers.pending_answers(platform="test", limit=10)) == 1
    refused = [r.getMessage() for r in caplog.records if r.getMessage().startswith("refused")]
    assert len(refused) == 1
    assert refused[0].startswith(
        f"refused to grade an answer to {prompt.id}: non-finite numbers in the measurement of "
        f"an answer to {prompt.id}: answer vector: 384 of 384 values not finite (first [0] = nan)"
    )
    assert f"answer kept ungraded user=u1 prompt={prompt.id}: grader unavailable (" in caplog.text

    still = RecordingTransport()
    assert await kept_by.intake.grade_pending("test", still) == 0
    assert still.sent == []
    assert len(await repo.answers.pending_answers(platform="test", limit=10)) == 1

    back = service_on(repo, bank, grader)
    out = RecordingTransport()
    assert await back.intake.grade_pending("test", out) == 1
    assert await back.intake.grade_pending("test", out) == 0
    (grade,) = out.of_kind(ReplyKind.GRADE)
    assert grade.thread_id == post.thread_id and grade.user_id == "u1"
    clean = await grader.grade(prompt, ANSWER, lang="en")
    assert f"**{clean.score}/100**" in grade.text
    stored = await repo.answers.answers_for(post_id=post.id, user_id="u1")
    assert [a.score for a in stored] == [clean.score]
    assert await repo.answers.pending_answers(platform="test", limit=10) == []


async def test_a_practice_answer_refused_for_nan_is_kept_and_earns_nothing(
    bank: Bank, repo: Repository, refusing: EmbeddingGrader
) -> None:
    service = service_on(repo, bank, refusing)
    for n, typed in enumerate(("/quiz practice", f"/quiz practice answer {ANSWER}")):
        told = RecordingTransport()
        await service.intake.handle(Incoming("test", "c1", MINA, typed, f"p-{n}"), told)
    assert [r.kind for r in told.sent] == [ReplyKind.INFO]
    assert told.sent[0].ephemeral
    assert told.sent[0].text.endswith(text("en", "grading_unavailable"))
    assert await repo.practice.practice_answers(platform="test", user_id="u1") == []
    [kept] = await repo.practice.kept_practice_answers(platform="test", limit=10)
    assert (kept.user_id, kept.channel_id, kept.text) == ("u1", "c1", ANSWER)
