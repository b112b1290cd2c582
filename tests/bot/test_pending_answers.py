"""Nothing is lost while the embedding server is down: the answer is kept, the member is told,
and once the server (the real compute service) is back it is graded exactly once, in its thread."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from prometheus_client import REGISTRY
from pydantic import SecretStr

from bot.app import WiredQuiz
from bot.core.messages import Actor, Incoming, Reply, ReplyKind
from bot.storage.repository import Repository
from compute.api.main import create_app
from compute.config import ServiceConfig
from compute.embedded import serve_in_thread
from content.bank import Bank
from evaluators import EmbeddingGrader
from tests.bot.recording import RecordingTransport
from tests.bot.served_grading import grader_at, service_on
from tests.fixed_grader import FixedGrader
from tests.loopback import unused_port

TOKEN = "pending-test-token"
MINA = Actor("u1", "Mina")
JUN = Actor("u2", "Jun")
ANSWER = (
    "Sigmoid saturates for large inputs, so its gradient vanishes in deep networks; ReLU has "
    "gradient 1 for positive inputs, is cheap to compute and gives sparse activations."
)


@pytest.fixture
def port() -> int:
    """Where the embedding server will listen once it is 'back'; nothing listens there yet."""
    return unused_port()


@pytest.fixture
async def remote_grader(port: int, served_model_cache: Path) -> AsyncIterator[EmbeddingGrader]:
    grader = grader_at(f"http://127.0.0.1:{port}/v1", served_model_cache, TOKEN)
    yield grader
    await grader.aclose()


async def answer(
    service: WiredQuiz, text: str, *, thread: str | None, message_id: str
) -> list[Reply]:
    transport = RecordingTransport()
    incoming = Incoming("test", "c1", MINA, text, message_id=message_id, thread_id=thread)
    await service.intake.handle(incoming, transport)
    return transport.sent


def score_of(reply: Reply) -> int:
    match = re.search(r"\*\*(\d+)/100\*\*", reply.text)
    assert match, reply.text
    return int(match.group(1))


async def test_answer_while_down_is_kept_then_graded_once_in_its_thread(
    database: Path | str,
    bank: Bank,
    port: int,
    remote_grader: EmbeddingGrader,
    grader: EmbeddingGrader,
) -> None:
    repo = await Repository.open(database)
    try:
        service = service_on(repo, bank, remote_grader)
        post = await service.posting.post_today("test", "c1", RecordingTransport())

        told = await answer(service, ANSWER, thread=post.thread_id, message_id="m-1")
        assert [r.kind for r in told] == [ReplyKind.INFO]
        assert told[0].thread_id == post.thread_id and told[0].user_id == "u1"
        assert "Grading is unavailable right now" in told[0].text
        assert await repo.answers.answers_for(post_id=post.id, user_id="u1") == []
        assert len(await repo.answers.pending_answers(platform="test", limit=10)) == 1
        assert (
            await repo.answers.member_progress(post, user_id="u1", prompt_ids=[post.prompt_id])
        ).step == 0

        still_down = RecordingTransport()
        assert await service.intake.grade_pending("test", still_down) == 0
        assert (
            still_down.sent == []
            and len(await repo.answers.pending_answers(platform="test", limit=10)) == 1
        )

        app = create_app(ServiceConfig(token=SecretStr(TOKEN)))
        async with serve_in_thread(app, port=port):
            back = RecordingTransport()
            assert await service.intake.grade_pending("test", back) == 1
            assert await service.intake.grade_pending("test", back) == 0

        grade, followup = back.sent
        assert grade.kind == ReplyKind.GRADE and followup.kind == ReplyKind.FOLLOWUP
        assert grade.thread_id == followup.thread_id == post.thread_id
        assert grade.user_id == "u1"
        in_process = await grader.grade(bank.get(post.prompt_id), ANSWER, lang="en")
        assert abs(score_of(grade) - in_process.score) <= 2
        stored = await repo.answers.answers_for(post_id=post.id, user_id="u1")
        assert [a.score for a in stored] == [score_of(grade)]
        assert await repo.answers.pending_answers(platform="test", limit=10) == []
        assert (
            await repo.answers.member_progress(post, user_id="u1", prompt_ids=[post.prompt_id])
        ).step == 1

        assert await answer(service, ANSWER, thread=post.thread_id, message_id="m-1") == []
        assert len(await repo.answers.answers_for(post_id=post.id, user_id="u1")) == 1
    finally:
        await repo.close()


def kept_waiting(platform: str) -> float | None:
    """What the bot's metrics say is still kept on `platform` after its last pending round."""
    return REGISTRY.get_sample_value("quizmaster_pending_answers", {"platform": platform})


async def test_answers_kept_while_down_are_graded_by_a_bot_that_grades_again(
    tmp_path: Path, bank: Bank
) -> None:
    """A bot started again with a grader that works grades, in its first pending round, what
    one whose embedding server was down kept: in the answer's thread, addressed to its member,
    and the metrics say what still waits after each round. The score is not what this tests
    (the test above grades through the served model), so no model is loaded: it runs alone."""
    platform = "kept-then-in-process"
    repo = await Repository.open(tmp_path / "q.db")
    down = grader_at(f"http://127.0.0.1:{unused_port()}/v1", tmp_path / "cache", TOKEN)
    try:
        kept_by = service_on(repo, bank, down)
        post = await kept_by.posting.post_today(platform, "c1", RecordingTransport())
        told = RecordingTransport()
        for member, message_id in ((MINA, "m-1"), (JUN, "m-2")):
            await kept_by.intake.handle(
                Incoming(
                    platform, "c1", member, ANSWER, message_id=message_id, thread_id=post.thread_id
                ),
                told,
            )
        assert [r.kind for r in told.sent] == [ReplyKind.INFO] * 2
        still_down = RecordingTransport()
        assert await kept_by.intake.grade_pending(platform, still_down) == 0
        assert still_down.sent == [] and kept_waiting(platform) == 2

        back = service_on(repo, bank, FixedGrader())
        out = RecordingTransport()
        assert await back.intake.grade_pending(platform, out) == 2
        assert kept_waiting(platform) == 0
        grades, followups = out.of_kind(ReplyKind.GRADE), out.of_kind(ReplyKind.FOLLOWUP)
        assert [(g.user_id, g.addressee, g.answers) for g in grades] == [
            ("u1", "u1", "m-1"),
            ("u2", "u2", "m-2"),
        ]
        assert len(followups) == 2 and len(out.sent) == 4
        for reply in out.sent:
            assert reply.channel_id == "c1" and reply.thread_id == post.thread_id
        for user_id, grade in zip(("u1", "u2"), grades, strict=True):
            stored = await repo.answers.answers_for(post_id=post.id, user_id=user_id)
            assert [a.score for a in stored] == [score_of(grade)]
        assert await back.intake.grade_pending(platform, out) == 0 and len(out.sent) == 4
    finally:
        await down.aclose()
        await repo.close()


async def test_two_processes_retrying_at_once_grade_an_answer_once(
    database: Path | str, bank: Bank, port: int, remote_grader: EmbeddingGrader
) -> None:
    """Two bot processes on one database (two connections) race for the same kept answer."""
    first = await Repository.open(database)
    second = await Repository.open(database)
    try:
        service_a, service_b = (
            service_on(first, bank, remote_grader),
            service_on(second, bank, remote_grader),
        )
        post = await service_a.posting.post_today("test", "c1", RecordingTransport())
        await answer(service_a, ANSWER, thread=post.thread_id, message_id="m-1")
        app = create_app(ServiceConfig(token=SecretStr(TOKEN)))
        async with serve_in_thread(app, port=port):
            to_a, to_b = RecordingTransport(), RecordingTransport()
            counts = await asyncio.gather(
                service_a.intake.grade_pending("test", to_a),
                service_b.intake.grade_pending("test", to_b),
            )
        assert sorted(counts) == [0, 1]
        assert len(to_a.of_kind(ReplyKind.GRADE)) + len(to_b.of_kind(ReplyKind.GRADE)) == 1
        assert len(await first.answers.answers_for(post_id=post.id, user_id="u1")) == 1
    finally:
        await first.close()
        await second.close()


async def test_practice_answer_while_down_says_try_again_and_stores_nothing(
    database: Path | str, bank: Bank, remote_grader: EmbeddingGrader
) -> None:
    repo = await Repository.open(database)
    try:
        service = service_on(repo, bank, remote_grader)
        await answer(service, "/quiz practice", thread=None, message_id="p-0")
        replies = await answer(
            service, f"/quiz practice answer {ANSWER}", thread=None, message_id="p-1"
        )
        assert [r.kind for r in replies] == [ReplyKind.ERROR]
        assert replies[0].ephemeral and "send it again later" in replies[0].text
        assert await repo.practice.practice_answers(platform="test", user_id="u1") == []
        assert await repo.practice.practice_pending(platform="test", user_id="u1") is not None
        assert await repo.answers.pending_answers(platform="test", limit=10) == []
    finally:
        await repo.close()
