"""A message's claim through the service on a real SQLite file: a message handled to the end
leaves nothing for another replica to take over, and one whose handling failed is released, held
or not, so the platform's redelivery is handled instead of dropped as a duplicate."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from bot.app import channel_defaults
from bot.config import Settings
from bot.core.messages import Actor, Incoming, Posted, Reply, ReplyKind, Transport
from bot.core.quiz.channel_settings import SetLang
from bot.core.texts import text
from bot.storage.repository import Repository
from bot.wiring import Wired, wire
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


class Stalls(RecordingTransport):
    """A platform that never answers a send: the replica is stopped while it replies."""

    def __init__(self) -> None:
        super().__init__()
        self.reached = asyncio.Event()

    async def send(self, reply: Reply) -> Posted:
        self.reached.set()
        await asyncio.Event().wait()
        raise AssertionError("unreachable")


@pytest.fixture
async def service(tmp_path: Path, bank: Bank) -> AsyncIterator[Wired]:
    repo = await Repository.open(tmp_path / "q.db")
    try:
        yield wire(
            repo=repo,
            bank=bank,
            grader=FixedGrader(),
            defaults=channel_defaults(Settings(_env_file=None)),
        )
    finally:
        await repo.close()


async def _answer(service: Wired, message_id: str) -> Incoming:
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
    service: Wired,
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


async def _handle(service: Wired, asked: Incoming, transport: Transport, *, held: bool) -> None:
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
    service: Wired, held: bool
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


async def test_a_failure_is_told_in_the_language_the_channel_chose(service: Wired) -> None:
    admin = Actor("u9", "Admin", is_admin=True)
    await service.intake.handle(
        Incoming("test", "c1", admin, "/quiz lang en"), RecordingTransport()
    )
    failing = FailsOnce()
    await service.intake.handle(Incoming("test", "c1", admin, "/quiz help", "evt-3"), failing)
    [told] = failing.sent
    assert told.kind == ReplyKind.ERROR
    assert told.text.startswith("Something went wrong on our side"), told.text


@pytest.mark.parametrize("message_id", [None, "evt-7"], ids=["console", "claimed-on-handling"])
async def test_a_member_is_told_in_their_channel_when_the_database_cannot_be_read(
    service: Wired, message_id: str | None
) -> None:
    """The database gone from under the bot (its connection closed): the channel's settings
    cannot be read either, so the error reply takes the defaults, and still goes to the channel
    the member wrote in, for them alone."""
    await service.repo.close()
    asked = Incoming("test", "c7", Actor("u1", "Mina"), "/quiz help", message_id)
    out = RecordingTransport()
    await service.intake.handle(asked, out)
    [told] = out.sent
    assert told.kind == ReplyKind.ERROR and told.ephemeral and told.user_id == "u1"
    assert told.channel_id == "c7"
    assert told.text == text(Settings(_env_file=None).lang, "internal_error")


async def test_only_a_message_with_an_id_is_held(service: Wired) -> None:
    console = Incoming("test", "c1", Actor("u1", "Mina"), "/quiz help")
    with pytest.raises(ValueError) as refused:
        await service.intake.hold(console)
    assert str(refused.value) == "only a message with an id the core can resume is held"


@pytest.mark.parametrize("message_id", [None, "evt-4"], ids=["console", "claimed-on-handling"])
async def test_the_sender_is_remembered_by_a_name_under_the_member_text_rule(
    service: Wired, message_id: str | None
) -> None:
    asked = Incoming("test", "c1", Actor("u1", "Mi*na\x00"), "/quiz help", message_id)
    out = RecordingTransport()
    await service.intake.handle(asked, out)
    assert out.sent and ReplyKind.ERROR not in {reply.kind for reply in out.sent}
    assert await service.repo.members.display_name(platform="test", user_id="u1") == "Mi＊na"


async def test_a_held_message_is_handled_once_with_the_name_learnt_after_the_ack(
    service: Wired,
) -> None:
    asked = Incoming("test", "c1", Actor("u1", "u1"), "/quiz help", message_id="evt-5")
    held = await service.intake.hold(asked)
    assert held is not None and await service.intake.hold(asked) is None, "a redelivery"
    named = held.sent_by(Actor("u1", "Mi_na\x1b"))
    assert named.incoming.actor.display_name == "Mi＿na"
    assert named.incoming.text == asked.text and named.incoming.message_id == "evt-5"
    out = RecordingTransport()
    await service.intake.handle_held(named, out)
    assert out.sent and ReplyKind.ERROR not in {reply.kind for reply in out.sent}
    assert await service.repo.members.display_name(platform="test", user_id="u1") == "Mi＿na"


@pytest.mark.parametrize("held", [True, False], ids=["held", "claimed-on-handling"])
async def test_a_message_stopped_mid_reply_is_kept_for_a_live_replica_to_finish(
    service: Wired, held: bool
) -> None:
    answer = await _answer(service, "evt-6")
    stalls = Stalls()
    handling = asyncio.create_task(_handle(service, answer, stalls, held=held))
    await asyncio.wait_for(stalls.reached.wait(), timeout=30)
    handling.cancel()
    with pytest.raises(asyncio.CancelledError):
        await handling
    out = RecordingTransport()
    later = service.clock() + timedelta(minutes=5)
    assert await service.takeover.resume_unfinished("test", out, alive_since=later) == 1
    assert len(out.of_kind(ReplyKind.GRADE)) == 1


async def test_a_command_the_platform_parsed_is_the_one_handled(service: Wired) -> None:
    admin = Actor("u9", "Admin", is_admin=True)
    typed = Incoming("test", "c1", admin, "", command=SetLang("en"))
    out = RecordingTransport()
    await service.intake.handle(typed, out)
    assert out.sent and ReplyKind.ERROR not in {reply.kind for reply in out.sent}
    channel = await service.repo.channels.channel(platform="test", channel_id="c1")
    assert channel is not None and channel.lang == "en"
