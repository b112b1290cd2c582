"""A replica killed while sending, and the replica that takes its work over (issue 17's chaos
test lost all of one channel's answers, and sent grades twice, this way). A question that
reached Slack is found in the channel's history by its message metadata and not sent again, so
the answers in its thread are graded; one that never reached Slack is sent once. An answer whose
grade was out when its replica died gets only the replies still missing."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

import pytest

from bot.app import open_service
from bot.config import Settings
from bot.core.messages import Actor, Incoming, Posted, Reply, ReplyKind
from bot.core.models import PostClaim, PostRow
from bot.platforms.slack.app import web_client
from bot.platforms.slack.transport import QUESTION_EVENT, SlackTransport
from bot.wiring import Wired
from evaluators import EmbeddingGrader
from tests.bot.platforms.slack.fake_slack import FakeSlack
from tests.bot.platforms.slack.harness import MEMBER, SlackHttp
from tests.bot.platforms.slack.slack_payloads import CHANNEL, thread_reply

pytestmark = pytest.mark.asyncio(loop_scope="session")

STOPPED = "host:4242:stopped"  # a replica id with no heartbeat: silent, so its posts are taken
ANSWER = (
    "Dropout randomly zeroes activations during training so units cannot co-adapt; "
    "it acts as a regulariser that reduces overfitting."
)


async def claimed_by_stopped_replica(service: Wired) -> PostRow:
    await service.posting.channel("slack", CHANNEL)
    prompt = service.bank.every_channel().mains()[0]
    post = await service.repo.posts.claim_post(
        PostClaim(
            platform="slack",
            channel_id=CHANNEL,
            day=service.clock().date(),
            prompt_id=prompt.id,
            scheduled=True,
            posted_at=service.clock(),
            replica_id=STOPPED,
        )
    )
    assert post is not None and post.message_id is None
    return post


def slack_transport(settings: Settings) -> SlackTransport:
    assert settings.slack_bot_token is not None
    client = web_client(settings, token=settings.slack_bot_token.get_secret_value())
    return SlackTransport(client, followups="thread")


async def test_a_question_the_stopped_replica_sent_is_found_not_sent_again(
    slack_http: SlackHttp, service: Wired, settings: Settings
) -> None:
    post = await claimed_by_stopped_replica(service)
    transport = slack_transport(settings)
    # What the stopped replica did before it was killed: the question reached Slack, and the
    # replica died before recording where.
    channel = await service.posting.channel("slack", CHANNEL)
    first = await transport.send(service.posting.question_reply(channel, post))

    taken = await service.takeover.resume_unfinished(
        "slack", transport, alive_since=service.clock()
    )

    assert taken == 1
    assert len(slack_http.fake.called("chat.postMessage")) == 1, "the question was sent again"
    [lookup] = slack_http.fake.called("conversations.history")
    assert lookup.args["channel"] == CHANNEL
    stored = await service.repo.posts.post(post_id=post.id)
    assert stored is not None and stored.thread_id == first.message_id
    answer = thread_reply(
        text=ANSWER, user=MEMBER, thread_ts=first.message_id, event_id="Ev9001", ts="1800000009.1"
    )
    assert await slack_http.event(answer) == 200
    await slack_http.fake.wait_until(
        lambda: any(
            "/100*" in call.args["text"]
            for call in slack_http.fake.called("chat.postMessage")
            if call.args.get("thread_ts") == first.message_id
        )
    )
    answers = await service.repo.answers.user_answers(
        platform="slack", channel_id=CHANNEL, user_id=MEMBER
    )
    assert [a.post_id for a in answers] == [post.id]


async def test_a_question_the_stopped_replica_never_sent_is_sent_once(
    slack_http: SlackHttp, service: Wired, settings: Settings
) -> None:
    post = await claimed_by_stopped_replica(service)
    transport = slack_transport(settings)

    taken = await service.takeover.resume_unfinished(
        "slack", transport, alive_since=service.clock()
    )

    assert taken == 1
    [sent] = slack_http.fake.called("chat.postMessage")
    assert sent.args["metadata"] == {
        "event_type": QUESTION_EVENT,
        "event_payload": {"post_id": post.id, "prompt_id": post.prompt_id},
    }
    stored = await service.repo.posts.post(post_id=post.id)
    assert stored is not None and stored.thread_id == sent.result["ts"]
    again = await service.takeover.resume_unfinished(
        "slack", transport, alive_since=service.clock()
    )
    assert again == 0 and len(slack_http.fake.called("chat.postMessage")) == 1


class KilledBefore:
    """The transport of a replica killed the moment it would send a reply of one of `kinds`:
    the replies before it are out, and the process stops there (its claim keeps the message)."""

    threads = True

    def __init__(self, slack: SlackTransport, kinds: frozenset[ReplyKind]) -> None:
        self._slack = slack
        self._kinds = kinds

    async def send(self, reply: Reply) -> Posted:
        if reply.kind in self._kinds:
            raise asyncio.CancelledError
        return await self._slack.send(reply)

    async def edit(self, posted: Posted, reply: Reply) -> None:
        await self._slack.edit(posted, reply)

    async def find_question(self, reply: Reply, *, since: datetime) -> Posted | None:
        return await self._slack.find_question(reply, since=since)

    async def replies_sent(
        self, channel_id: str, thread_id: str, message_id: str, *, since: datetime
    ) -> frozenset[ReplyKind]:
        return await self._slack.replies_sent(channel_id, thread_id, message_id, since=since)


async def test_an_answer_whose_grade_was_out_gets_only_its_next_prompt_from_the_taker(
    fake_slack: FakeSlack,
    service: Wired,
    settings: Settings,
    grader: EmbeddingGrader,
) -> None:
    transport = slack_transport(settings)
    post = await service.posting.post_today("slack", CHANNEL, transport)
    assert post.thread_id is not None
    answer = Incoming(
        "slack",
        CHANNEL,
        Actor(MEMBER, "Alice"),
        ANSWER,
        message_id="1800000010.000100",
        thread_id=post.thread_id,
        received_at=service.clock(),
    )
    next_prompt = frozenset({ReplyKind.FOLLOWUP, ReplyKind.INFO})
    with pytest.raises(asyncio.CancelledError):
        await service.intake.handle(answer, KilledBefore(transport, next_prompt))
    assert len(replies_in(fake_slack, post.thread_id)) == 1  # the grade, and then the kill

    async with open_service(settings, grader=grader) as taker:
        taken = await taker.takeover.resume_unfinished(
            "slack", transport, alive_since=taker.clock()
        )

    assert taken == 1
    grade, then = replies_in(fake_slack, post.thread_id)
    assert "/100*" in grade["text"] and "/100*" not in then["text"], "the grade was sent again"
    assert then["metadata"]["event_payload"] == {
        "answers": answer.message_id,
        "kind": then["metadata"]["event_payload"]["kind"],
    }
    assert ReplyKind(then["metadata"]["event_payload"]["kind"]) in next_prompt
    assert (
        len(await service.repo.answers.channel_answers(platform="slack", channel_id=CHANNEL)) == 1
    )


def replies_in(fake: FakeSlack, thread_ts: str) -> list[dict[str, Any]]:
    return fake.threads.get((CHANNEL, thread_ts), [])
