"""The core's `Transport` over the Slack Web API: where each `Reply` goes and how it is posted.

One `SlackTransport` serves one interaction (it knows the caller and their `response_url`, so
ephemeral replies reach them even where the bot is not a member) or one channel for the
scheduler (no caller; a shared `Pacer` spreads posts to many channels out).
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import time
from collections.abc import Iterator
from dataclasses import KW_ONLY, dataclass, field
from datetime import datetime
from typing import Any, Literal

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from bot.core.messages import Image, Posted, Reply, ReplyKind
from bot.core.texts import text
from bot.platforms.slack.channel_ids import BARE_IDS, ChannelIds
from bot.platforms.slack.mentions import neutralise
from bot.platforms.slack.render import Rendered, render

log = logging.getLogger("quizmaster.slack")

Followups = Literal["thread", "ephemeral"]
# How chat.postMessage says the bot is not in a channel (public, or private and so invisible).
_NOT_A_MEMBER = frozenset({"not_in_channel", "channel_not_found"})


class Pacer:
    """Spaces out the starts of posts: Slack allows about one message per second per channel,
    and a burst to many channels at 09:00 otherwise ends in 429s (which the client still
    retries, but later and noisier)."""

    def __init__(self, interval_s: float) -> None:
        self._interval_s = interval_s
        self._lock = asyncio.Lock()
        self._next_start = 0.0

    async def wait_turn(self) -> None:
        async with self._lock:
            delay = self._next_start - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            self._next_start = time.monotonic() + self._interval_s


@dataclass(frozen=True)
class Caller:
    """Who triggered the interaction this transport answers, and how to reach only them."""

    user_id: str
    response_url: str | None = None


@dataclass(eq=False)
class SlackTransport:
    """Posts core replies into Slack channels, threads and ephemeral messages."""

    threads = True

    client: AsyncWebClient
    _: KW_ONLY
    followups: Followups
    caller: Caller | None = None
    pacer: Pacer | None = None
    channels: ChannelIds = BARE_IDS
    _via_response_url: set[str] = field(init=False, default_factory=set)
    _ephemeral_ids: set[str] = field(init=False, default_factory=set)
    _ids: Iterator[int] = field(init=False, default_factory=lambda: itertools.count(1))
    _told_unreachable: bool = field(init=False, default=False)

    async def send(self, reply: Reply) -> Posted:
        reply = self.channels.outgoing(reply)
        if self._is_private(reply):
            if self._told_unreachable and reply.kind is ReplyKind.ERROR:
                return Posted(message_id="")  # the caller already knows what to do
            return await self._send_ephemeral(reply)
        if self.pacer is not None:
            await self.pacer.wait_turn()
        try:
            ts = await self._post(reply)
        except SlackApiError as exc:
            if exc.response.get("error") not in _NOT_A_MEMBER:
                raise
            await self._join_or_tell(reply, exc)
            ts = await self._post(reply)
        await self._upload(reply.images, channel_id=reply.channel_id, thread_ts=reply.thread_id)
        return Posted(
            message_id=ts, thread_id=reply.thread_id or (ts if reply.open_thread else None)
        )

    async def _post(self, reply: Reply) -> str:
        response = await self.client.chat_postMessage(
            channel=reply.channel_id,
            thread_ts=reply.thread_id,
            unfurl_links=False,
            unfurl_media=False,
            metadata=_metadata(reply),
            **_message(render(reply)),
        )
        return str(response["ts"])

    async def find_question(self, reply: Reply, *, since: datetime) -> Posted | None:
        """Slack has no idempotent send, so each question (and each once-only post) carries its
        post in its message metadata, and the channel's history since the claim is searched
        for it. Images go up after the text, as files of their own: those not in the history
        by their names (a replica killed while uploading them) are uploaded now."""
        reply = self.channels.outgoing(reply)
        wanted = _metadata(reply)
        if wanted is None:
            return None
        history = await self._read_back(reply.channel_id, None, since=since)
        for message in history:
            if message.get("metadata") == wanted:
                out = {str(f.get("name")) for m in history for f in m.get("files") or ()}
                missing = tuple(image for image in reply.images if image.filename not in out)
                await self._upload(missing, channel_id=reply.channel_id, thread_ts=reply.thread_id)
                ts = str(message["ts"])
                return Posted(message_id=ts, thread_id=ts if reply.open_thread else reply.thread_id)
        return None

    async def replies_sent(
        self, channel_id: str, thread_id: str, message_id: str, *, since: datetime
    ) -> frozenset[ReplyKind]:
        """Each thread reply carries the message it answers in its metadata, so the thread's
        history since the answer tells which replies are out."""
        _, slack_channel = self.channels.split(channel_id)
        kinds = set()
        for message in await self._read_back(slack_channel, thread_id, since=since):
            metadata = message.get("metadata") or {}
            payload = metadata.get("event_payload") or {}
            if metadata.get("event_type") == REPLY_EVENT and payload.get("answers") == message_id:
                kinds.add(ReplyKind(payload["kind"]))
        return frozenset(kinds)

    async def _read_back(
        self, channel_id: str, thread_ts: str | None, *, since: datetime
    ) -> list[dict[str, Any]]:
        """The channel's (or a thread's) messages since `since`, with their metadata. One this
        bot may not read (an install from before the scope) reads as empty: a message is sent
        again rather than not at all."""
        oldest = f"{since.timestamp() - _CLOCK_SKEW_S:.6f}"
        try:
            if thread_ts is None:
                response = await self.client.conversations_history(
                    channel=channel_id, oldest=oldest, include_all_metadata=True, limit=_READ_LIMIT
                )
            else:
                response = await self.client.conversations_replies(
                    channel=channel_id,
                    ts=thread_ts,
                    oldest=oldest,
                    include_all_metadata=True,
                    limit=_READ_LIMIT,
                )
        except SlackApiError as exc:
            log.warning("could not read back %s: %s", channel_id, exc.response.get("error"))
            return []
        return list(response.get("messages") or [])

    async def _join_or_tell(self, reply: Reply, refused: SlackApiError) -> None:
        """The bot must be a member to see thread replies, so it joins public channels where it
        is used; a private channel needs an invitation, which the caller is told to send (in
        the language of the reply that could not be posted)."""
        channel_id = reply.channel_id
        try:
            await self.client.conversations_join(channel=channel_id)
        except SlackApiError:
            if self.caller is not None:
                self._told_unreachable = True
                await self._send_ephemeral(
                    Reply(
                        channel_id=channel_id,
                        text=text(reply.lang or "ko", "slack_not_in_channel"),
                        lang=reply.lang,
                        kind=ReplyKind.ERROR,
                        user_id=self.caller.user_id,
                    )
                )
            raise refused from None
        log.info("joined channel %s to post there", channel_id)

    async def edit(self, posted: Posted, reply: Reply) -> None:
        """Replace a posted message; a public one stays public. Ephemeral messages cannot be
        updated through the API: those sent via `response_url` are replaced there, the others
        get a fresh ephemeral message."""
        reply = self.channels.outgoing(reply)
        if posted.message_id in self._via_response_url:
            await self._respond(render(reply), replace_original=True)
        elif posted.message_id in self._ephemeral_ids:
            await self._send_ephemeral(reply)
        else:
            await self.client.chat_update(
                channel=reply.channel_id, ts=posted.message_id, **_message(render(reply))
            )
            await self._upload(reply.images, channel_id=reply.channel_id, thread_ts=reply.thread_id)

    def _is_private(self, reply: Reply) -> bool:
        """Shown to one member only: what the core marks ephemeral, follow-ups when configured
        so, and errors in answer to someone's own command or button."""
        return (
            reply.ephemeral
            or (reply.kind is ReplyKind.FOLLOWUP and self.followups == "ephemeral")
            or (reply.kind is ReplyKind.ERROR and self.caller is not None)
        )

    async def _send_ephemeral(self, reply: Reply) -> Posted:
        viewer = reply.user_id or (self.caller.user_id if self.caller else None)
        if viewer is None:
            log.error(
                "dropped a private %s reply in %s: no member to show it to",
                reply.kind,
                reply.channel_id,
            )
            return Posted(message_id="")
        rendered = render(reply)
        caller = self.caller
        if caller is not None and caller.user_id == viewer and caller.response_url:
            await self._respond(rendered, replace_original=False)
            message_id = f"ephemeral-{next(self._ids)}"
            self._via_response_url.add(message_id)
        else:
            response = await self.client.chat_postEphemeral(
                channel=reply.channel_id,
                user=viewer,
                thread_ts=reply.thread_id,
                **_message(rendered),
            )
            message_id = str(response.get("message_ts", ""))
            self._ephemeral_ids.add(message_id)
        if reply.images:
            dm = await self.client.conversations_open(users=viewer)
            await self._upload(reply.images, channel_id=str(dm["channel"]["id"]), thread_ts=None)
        return Posted(message_id=message_id, thread_id=reply.thread_id)

    async def _respond(self, rendered: Rendered, *, replace_original: bool) -> None:
        assert self.caller is not None and self.caller.response_url is not None
        webhook = AsyncWebhookClient(
            self.caller.response_url,
            retry_handlers=self.client.retry_handlers,
            logger=self.client.logger,
        )
        response = await webhook.send(
            response_type="ephemeral", replace_original=replace_original, **_message(rendered)
        )
        if response.status_code != 200:
            log.error("response_url answered %s: %s", response.status_code, response.body)

    async def _upload(
        self, images: tuple[Image, ...], *, channel_id: str, thread_ts: str | None
    ) -> None:
        """Images (demo plots, charts) as files in the same place as the reply's text."""
        if not images:
            return
        await self.client.files_upload_v2(
            file_uploads=[
                {
                    "content": image.data,
                    "filename": image.filename,
                    "title": image.filename,
                    # Alt text can quote member names; Slack caps it at 1000 characters.
                    "alt_txt": neutralise(image.alt)[:_ALT_CHARS] or None,
                }
                for image in images
            ],
            channel=channel_id,
            thread_ts=thread_ts,
        )


_ALT_CHARS = 1000
# Seconds allowed between this machine's clock and Slack's when searching a channel's history.
_CLOCK_SKEW_S = 60.0
# Messages read back; a channel or thread gets fewer between a claim and its takeover.
_READ_LIMIT = 200
QUESTION_EVENT = "quizmaster_question"
REPLY_EVENT = "quizmaster_reply"
ONCE_EVENT = "quizmaster_once"


def _metadata(reply: Reply) -> dict[str, Any] | None:
    """The message metadata that lets a replica taking over a killed one's work find what it
    sent: a question post names its post (and prompt), a thread reply the message it answers
    and its kind, a once-only post (the weekly digest) its key."""
    card = reply.card
    if card is not None and card.post_id is not None:
        return {
            "event_type": QUESTION_EVENT,
            "event_payload": {"post_id": card.post_id, "prompt_id": card.prompt_id},
        }
    if reply.once is not None:
        return {"event_type": ONCE_EVENT, "event_payload": {"once": reply.once}}
    if reply.answers is not None and reply.thread_id is not None:
        return {
            "event_type": REPLY_EVENT,
            "event_payload": {"answers": reply.answers, "kind": reply.kind.value},
        }
    return None


def _message(rendered: Rendered) -> dict[str, Any]:
    """Slack refuses an empty `blocks` list, so a text-only message leaves it out."""
    if not rendered.blocks:
        return {"text": rendered.text}
    return {"text": rendered.text, "blocks": rendered.blocks}
