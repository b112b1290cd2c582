"""A message's claim through the service on a real SQLite file: a message handled to the end
leaves nothing for another replica to take over, and one whose handling failed is released, held
or not, so the platform's redelivery is handled instead of dropped as a duplicate."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from bot.app import WiredQuiz, build_quiz_service, channel_defaults
from bot.config import Settings
from bot.core.messages import Actor, Incoming, Posted, Reply, ReplyKind, Transport
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
async def service(tmp_path: Path, bank: Bank) -> AsyncIterator[WiredQuiz]:
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


async def _answer(service: WiredQuiz, message_id: str) -> Incoming:
    post = await service.posting.post_today("test", "c1", RecordingTransport())
    return Incoming(
        "test",
        "c1",
        Actor("u1", "Mina"),
        "ReLU avoids vanishing gradients and is cheap to compute.",
        message_id=message_id,
        thread_id=post.thread_id,
    )


async def test_a_handled_message_leaves_nothing_for_a_takeover(
    service: WiredQuiz,
) -> None:
    answer = await _answer(service, "evt-1")
    out = RecordingTransport()
    await service.intake.handle(answer, out)
    assert len(out.of_kind(ReplyKind.GRADE)) == 1
    # This process keeps no heartbeat: to a live replica it is gone, so a claim still holding
    # its message would be taken over and the answer graded twice.
    later = service.clock() + timedelta(minutes=5)
    assert await service.takeover.resume_unfinished("test", out, alive_since=later) == 0
    assert len(out.of_kind(ReplyKind.GRADE)) == 1


async def _handle(service: WiredQuiz, asked: Incoming, transport: Transport, *, held: bool) -> None:
    """Handle `asked` as a platform does: held before the ack (its claim must be free), or
    claimed on handling."""
    if not held:
        await service.intake.handle(asked, transport)
        return
    taken = await service.intake.hold(asked)
    assert taken is not None, "the message's claim was kept"
    await service.intake.handle_held(taken, transport)


@pytest.mark.parametrize("held", [True, False], ids=["held", "claimed-on-handling"])
async def test_a_message_whose_handling_failed_is_released_for_the_redelivery(
    service: WiredQuiz, held: bool
) -> None:
    # A command that only replies: its redelivery answers again if it is not dropped.
    asked = Incoming("test", "c1", Actor("u1", "Mina"), "/quiz help", message_id="evt-2")
    failing = FailsOnce()
    await _handle(service, asked, failing, held=held)
    assert failing.failed
    assert [reply.kind for reply in failing.sent] == [ReplyKind.ERROR]

    redelivered = RecordingTransport()
    await _handle(service, asked, redelivered, held=held)
    assert redelivered.sent, "the redelivery was dropped as a duplicate"
    assert ReplyKind.ERROR not in {reply.kind for reply in redelivered.sent}
