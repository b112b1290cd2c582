"""Limits in chat: a huge answer is stored as far as it was graded and the member is told;
`/demo` with thousands of parameters or bad values gets a short reply (issue 15, findings 2, 7)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from bot.app import channel_defaults
from bot.compute_demos import ComputeDemos
from bot.config import Settings
from bot.core.member_text import ECHO_CHARS
from bot.core.messages import Actor, Incoming, ReplyKind
from bot.core.quiz.demos import DemoHandoff
from bot.storage.repository import Repository
from bot.wiring import Wired, wire
from compute.client import ComputeClient
from compute.schemas import MAX_PARAMS, SHOWN_ERRORS
from content.bank import Bank
from evaluators import EmbeddingGrader
from evaluators.grade import MAX_ANSWER_CHARS
from tests.bot.recording import RecordingTransport
from tests.compute.fake_service import fake_service

MINA = Actor("u1", "Mina")
WORDS = "Sigmoid saturates for large inputs so its gradient vanishes; ReLU keeps gradient one. "


async def say(
    service: Wired,
    line: str,
    thread: str | None = None,
    message_id: str | None = None,
) -> RecordingTransport:
    transport = RecordingTransport()
    incoming = Incoming("test", "c1", MINA, line, thread_id=thread, message_id=message_id)
    await service.intake.handle(incoming, transport)
    return transport


async def test_a_ten_megabyte_answer_is_stored_as_graded_and_the_member_told(
    tmp_path: Path, repo: Repository, bank: Bank, grader: EmbeddingGrader
) -> None:
    service = wire(
        repo=repo,
        bank=bank,
        grader=grader,
        defaults=channel_defaults(Settings(_env_file=None, lang="en")),
    )
    post = await service.posting.post_today("test", "c1", RecordingTransport())
    answer = (WORDS * (10_000_000 // len(WORDS) + 1))[:10_000_000]
    replies = (await say(service, answer, thread=post.thread_id, message_id="m-huge")).sent
    grade = next(r for r in replies if r.kind == ReplyKind.GRADE)
    assert f"only the first {MAX_ANSWER_CHARS} characters were graded" in grade.text
    assert len(await repo.answers.answers_for(post_id=post.id, user_id=MINA.user_id)) == 1
    async with repo.db.transaction() as db:
        [(stored,)] = await db.fetch("SELECT text FROM answers WHERE message_id = 'm-huge'")
    assert stored == answer[:MAX_ANSWER_CHARS]


async def test_thousands_of_demo_parameters_get_one_short_reply(
    repo: Repository, bank: Bank, grader: EmbeddingGrader
) -> None:
    line = "/demo gan " + " ".join(f"k{i}=1" for i in range(3000))
    async with fake_service() as url, ComputeClient(url) as client:
        demos = DemoHandoff(
            ComputeDemos(client), rate_per_hour=6, clock=lambda: datetime.now(UTC), poll=0.05
        )
        service = wire(
            repo=repo,
            bank=bank,
            grader=grader,
            defaults=channel_defaults(Settings(_env_file=None, lang="en")),
            demos=demos,
        )
        many = (await say(service, line)).sent
        bad = f"/demo quick lr=fast steps=many flag=maybe seed=x {'a' * 5000}=1 b=2 c=3"
        listed = (await say(service, bad)).sent
    [reply] = many
    assert reply.kind == ReplyKind.ERROR and len(reply.text) < 300
    assert f"at most {MAX_PARAMS} parameters" in reply.text
    [problems] = listed
    assert problems.kind == ReplyKind.ERROR and len(problems.text) < 1500
    assert problems.text.count("`: ") == SHOWN_ERRORS and "and 2 more" in problems.text


async def test_unreadable_input_is_quoted_back_short(
    tmp_path: Path, bank: Bank, grader: EmbeddingGrader
) -> None:
    repo = await Repository.open(tmp_path / "q.db")
    service = wire(
        repo=repo,
        bank=bank,
        grader=grader,
        defaults=channel_defaults(Settings(_env_file=None, lang="en")),
    )
    try:
        unknown = (await say(service, "/" + "x" * 100_000)).sent
        param = (await say(service, "/demo gan " + "y" * 100_000)).sent
    finally:
        await repo.close()
    for [reply] in (unknown, param):
        assert reply.kind == ReplyKind.ERROR
        assert "x" * ECHO_CHARS not in reply.text and "y" * ECHO_CHARS not in reply.text
        assert len(reply.text) < 400
