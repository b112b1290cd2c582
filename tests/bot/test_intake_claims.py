"""A message's claim through the service on a real SQLite file: a message handled to the end
leaves nothing for another replica to take over, and one whose handling failed is released, held
or not, so the platform's redelivery is handled instead of dropped as a duplicate."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from bot.app import build_quiz_service, channel_defaults
from bot.config import Settings
from bot.core.messages import Actor, Incoming, Posted, Reply, ReplyKind
from bot.core.service import QuizService
from bot.storage.repository import Repository
from content.bank import Bank
from tests.bot.recording import RecordingTransport
from tests.fixed_grader import FixedGrader


class FailsOnce(RecordingTransport):
    """A platform whose first send fails (a network error), then works."""

    def __init__(self) -> None:
        super().__init__()
        self.failed = False

    async def send(self, reply: Reply) -> Posted:
        if not self.failed:
            self.failed = True
            raise ConnectionError("platform unreachable")
        return await super().send(reply)


@pytest.fixture
async def service(tmp_path: Path, bank: Bank) -> AsyncIterator[QuizService[Repository]]:
    repo = await Repository.open(tmp_path / "q.db")
    try:
        yield build_quiz_service(
            repo=repo,
            bank=bank,
            grader=FixedGrader(),
            defaults=channel_defaults(Settings(_env_file=None)),
        )
    finally:
        await repo.close()


async def _answer(service: QuizService[Repository], message_id: str) -> Incoming:
    post = await service.post_today("test", "c1", RecordingTransport())
    return Incoming(
        "test",
        "c1",
        Actor("u1", "Mina"),
        "ReLU avoids vanishing gradients and is cheap to compute.",
        message_id=message_id,
        thread_id=post.thread_id,
    )


async def test_a_handled_message_leaves_nothing_for_a_takeover(
    service: QuizService[Repository],
) -> None:
    answer = await _answer(service, "evt-1")
    out = RecordingTransport()
    await service.handle(answer, out)
    assert len(out.of_kind(ReplyKind.GRADE)) == 1
    # This process keeps no heartbeat: to a live replica it is gone, so a claim still holding
    # its message would be taken over and the answer graded twice.
    later = service.clock() + timedelta(minutes=5)
    assert await service.resume_unfinished("test", out, alive_since=later) == 0
    assert len(out.of_kind(ReplyKind.GRADE)) == 1


@pytest.mark.parametrize("held", [True, False], ids=["held", "claimed-on-handling"])
async def test_a_message_whose_handling_failed_is_released_for_the_redelivery(
    service: QuizService[Repository], held: bool
) -> None:
    # A command that only replies: its redelivery answers again if it is not dropped.
    asked = Incoming("test", "c1", Actor("u1", "Mina"), "/quiz help", message_id="evt-2")
    if held:
        assert await service.hold(asked)
    failing = FailsOnce()
    await service.handle(asked, failing, held=held)
    assert failing.failed
    assert [reply.kind for reply in failing.sent] == [ReplyKind.ERROR]

    redelivered = RecordingTransport()
    if held:
        assert await service.hold(asked), "the failed message's claim was kept"
    await service.handle(asked, redelivered, held=held)
    assert redelivered.sent, "the redelivery was dropped as a duplicate"
    assert ReplyKind.ERROR not in {reply.kind for reply in redelivered.sent}
