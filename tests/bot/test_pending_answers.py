"""Nothing is lost while the embedding server is down: the answer is kept, the member is told,
and once the server (the real compute service) is back it is graded exactly once, in its thread."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import pytest
from prometheus_client import REGISTRY
from pydantic import SecretStr

from bot.core.flow.intake import PENDING_PER_ROUND
from bot.core.messages import Actor, Incoming, Posted, Reply, ReplyKind
from bot.core.texts import text
from bot.storage.repository import Repository
from bot.wiring import Wired
from compute.api.main import create_app
from compute.config import ServiceConfig
from compute.embedded import serve_in_thread
from content.bank import Bank
from content.schema import Localized, Prompt
from evaluators import EmbeddingGrader
from evaluators.embedding.sentence_model import load_embedder
from evaluators.service import grader_on
from tests.bot.recording import RecordingTransport
from tests.bot.served_grading import grader_at, service_on
from tests.evaluators.broken_weights import BROKEN_WORD, with_nan_token
from tests.fixed_grader import FixedGrader
from tests.loopback import unused_port

TOKEN = "pending-test-token"
MINA = Actor("u1", "Mina")
JUN = Actor("u2", "Jun")
LEAD = Actor("u9", "Lead", is_admin=True)
ANSWER = (
    "Sigmoid saturates for large inputs, so its gradient vanishes in deep networks; ReLU has "
    "gradient 1 for positive inputs, is cheap to compute and gives sparse activations."
)


OPEN = Prompt(
    id="team-open-001",
    status="waiting",
    text=Localized(ko="레이블 스무딩은 언제 쓰나요?", en="When is label smoothing used?"),
    topics=("regularization",),
)
"""A question posted before anyone wrote its model answer: its answers are kept ungraded."""


class ThreadsUnderMessages(RecordingTransport):
    """A platform that opens no thread object for a question: the replies to its message are
    its thread, named by the message's id (the core finds the post by it, `post_for_thread`)."""

    async def send(self, reply: Reply) -> Posted:
        return replace(await super().send(reply), thread_id=None)


@pytest.fixture
def port() -> int:
    """Where the embedding server will listen once it is 'back'; nothing listens there yet."""
    return unused_port()


@pytest.fixture
async def remote_grader(port: int, embedding_cache: Path) -> AsyncIterator[EmbeddingGrader]:
    grader = grader_at(f"http://127.0.0.1:{port}/v1", embedding_cache, TOKEN)
    yield grader
    await grader.aclose()


@pytest.fixture
async def repo(tmp_path: Path) -> AsyncIterator[Repository]:
    """A bot's SQLite file, opened."""
    opened = await Repository.open(tmp_path / "q.db")
    yield opened
    await opened.close()


@pytest.fixture
async def down(tmp_path: Path) -> AsyncIterator[EmbeddingGrader]:
    """A grader whose embedding server is a closed port: every answer is kept for later."""
    grader = grader_at(f"http://127.0.0.1:{unused_port()}/v1", tmp_path / "cache", TOKEN)
    yield grader
    await grader.aclose()


async def answer(service: Wired, text: str, *, thread: str | None, message_id: str) -> list[Reply]:
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
    seed_bank: Bank,
    port: int,
    remote_grader: EmbeddingGrader,
    grader: EmbeddingGrader,
) -> None:
    repo = await Repository.open(database)
    try:
        service = service_on(repo, seed_bank, remote_grader)
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
        in_process = await grader.grade(seed_bank.get(post.prompt_id), ANSWER, lang="en")
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
    bank: Bank, repo: Repository, down: EmbeddingGrader
) -> None:
    """A bot started again with a grader that works grades, in its first pending round, what
    one whose embedding server was down kept: in the answer's thread, addressed to its member,
    and the metrics say what still waits after each round. The score is not what this tests
    (the test above grades through the served model), so no model is loaded: it runs alone."""
    platform = "kept-then-in-process"
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


async def test_a_pending_round_leaves_the_answers_to_an_open_question_kept(
    bank: Bank, repo: Repository, down: EmbeddingGrader
) -> None:
    """Answers to an open question are kept beside those kept while the grader was down, but
    they wait for the team's model answer, not for the server: a round with the server back
    grades the answer kept while down even behind a round's worth of them, leaves them kept and
    their members untold, and the metrics do not count them among the answers still waiting
    for the server."""
    platform = "open-and-kept"
    with_open = Bank(bank.all(), open_questions=[OPEN])
    kept_by = service_on(repo, with_open, down)
    told = RecordingTransport()
    await kept_by.intake.handle(Incoming(platform, "c2", LEAD, f"/quiz now {OPEN.id}"), told)
    asked = await repo.posts.latest_post(platform=platform, channel_id="c2")
    assert asked is not None and asked.prompt_id == OPEN.id
    for n in range(PENDING_PER_ROUND):
        member = Actor(f"o{n}", f"Member {n}")
        await kept_by.intake.handle(
            Incoming(platform, "c2", member, ANSWER, f"o-{n}", thread_id=asked.thread_id),
            told,
        )
    post = await kept_by.posting.post_today(platform, "c1", RecordingTransport())
    await kept_by.intake.handle(
        Incoming(platform, "c1", JUN, ANSWER, message_id="m-2", thread_id=post.thread_id),
        told,
    )
    assert [reply.text.split(" ", 1)[1] for reply in told.sent[-2:]] == [
        text("en", "open_answer_kept"),
        text("en", "grading_unavailable"),
    ]

    back = service_on(repo, with_open, FixedGrader())
    out = RecordingTransport()
    assert await back.intake.grade_pending(platform, out) == 1
    assert kept_waiting(platform) == 0
    assert {reply.user_id for reply in out.sent} == {"u2"}
    still_open = await repo.answers.open_answers(
        platform=platform, channel_id="c2", prompt_id=OPEN.id
    )
    assert [a.message_id for a in still_open] == [f"o-{n}" for n in range(PENDING_PER_ROUND)]


async def test_a_kept_answer_is_graded_in_the_thread_its_question_has_by_message_id(
    bank: Bank, repo: Repository, down: EmbeddingGrader
) -> None:
    """Where the platform opened no thread for the question, the member answered under its
    message: the grade of the answer kept while the grader was down, and the next question,
    go under that message too, as they would for an answer graded at once."""
    platform = "thread-by-message"
    kept_by = service_on(repo, bank, down)
    post = await kept_by.posting.post_today(platform, "c1", ThreadsUnderMessages())
    assert post.thread_id is None and post.message_id is not None
    told = RecordingTransport()
    await kept_by.intake.handle(
        Incoming(platform, "c1", MINA, ANSWER, message_id="m-1", thread_id=post.message_id),
        told,
    )
    assert [(r.kind, r.thread_id) for r in told.sent] == [(ReplyKind.INFO, post.message_id)]

    out = RecordingTransport()
    assert await service_on(repo, bank, FixedGrader()).intake.grade_pending(platform, out) == 1
    assert [(r.kind, r.thread_id) for r in out.sent] == [
        (ReplyKind.GRADE, post.message_id),
        (ReplyKind.FOLLOWUP, post.message_id),
    ]


async def test_two_processes_retrying_at_once_grade_an_answer_once(
    database: Path | str, seed_bank: Bank, port: int, remote_grader: EmbeddingGrader
) -> None:
    """Two bot processes on one database (two connections) race for the same kept answer."""
    first = await Repository.open(database)
    second = await Repository.open(database)
    try:
        service_a, service_b = (
            service_on(first, seed_bank, remote_grader),
            service_on(second, seed_bank, remote_grader),
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


async def test_a_kept_answer_refused_for_its_own_numbers_does_not_hold_up_the_next(
    bank: Bank, repo: Repository, down: EmbeddingGrader, model_path: str, embedding_cache: Path
) -> None:
    """Two answers kept while the server was down; the grader back is a real model that refuses
    the first (a word of it encodes to NaN): the round goes on and grades the second, and the
    first stays kept for the next round, where the grader refuses it again."""
    platform = "kept-then-nan"
    kept_by = service_on(repo, bank, down)
    post = await kept_by.posting.post_today(platform, "c1", RecordingTransport())
    for member, message_id, said in (
        (MINA, "n-1", f"{ANSWER} Like a {BROKEN_WORD}."),
        (JUN, "n-2", ANSWER),
    ):
        await kept_by.intake.handle(
            Incoming(platform, "c1", member, said, message_id=message_id, thread_id=post.thread_id),
            RecordingTransport(),
        )
    damaged = grader_on(with_nan_token(load_embedder(model_path, "cpu")), cache_dir=embedding_cache)
    try:
        back = service_on(repo, bank, damaged)
        out = RecordingTransport()
        assert await back.intake.grade_pending(platform, out) == 1
        assert [g.user_id for g in out.of_kind(ReplyKind.GRADE)] == ["u2"]
        assert await back.intake.grade_pending(platform, out) == 0
    finally:
        await damaged.aclose()
    [still] = await repo.answers.pending_answers(platform=platform, limit=10)
    assert (still.user_id, still.message_id) == ("u1", "n-1")


async def test_practice_answer_while_down_is_kept_then_graded_once_privately(
    database: Path | str, bank: Bank, down: EmbeddingGrader
) -> None:
    """As a channel answer: kept while the grader is down, the member told so privately, and
    graded on the first round after it is back, told to the member alone, exactly once."""
    repo = await Repository.open(database)
    try:
        service = service_on(repo, bank, down)
        await answer(service, "/quiz practice", thread=None, message_id="p-0")
        pending = await repo.practice.practice_pending(platform="test", user_id="u1")
        replies = await answer(
            service, f"/quiz practice answer {ANSWER}", thread=None, message_id="p-1"
        )
        assert [(r.kind, r.ephemeral) for r in replies] == [(ReplyKind.INFO, True)]
        assert replies[0].text.endswith(text("en", "grading_unavailable"))
        assert await repo.practice.practice_answers(platform="test", user_id="u1") == []
        await answer(service, "/quiz practice", thread=None, message_id="p-2")  # shown again
        still = RecordingTransport()
        assert await service.intake.grade_pending("test", still) == 0 and still.sent == []

        back = service_on(repo, bank, FixedGrader(81))
        out = RecordingTransport()
        assert await back.intake.grade_pending("test", out) == 1
        assert await back.intake.grade_pending("test", out) == 0
        [grade] = out.sent
        assert (grade.kind, grade.ephemeral, grade.user_id) == (ReplyKind.GRADE, True, "u1")
        assert "**81/100**" in grade.text
        [stored] = await repo.practice.practice_answers(platform="test", user_id="u1")
        assert (stored.prompt_id, stored.score) == (pending, 81)
        assert await repo.practice.practice_pending(platform="test", user_id="u1") is None
        assert await repo.answers.pending_answers(platform="test", limit=10) == []
    finally:
        await repo.close()
