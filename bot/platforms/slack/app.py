"""Compose the Slack side: Web API client, Bolt `AsyncApp`, listeners, and channel transports.

Both transports (Socket Mode and the HTTP Events API) dispatch into the same `AsyncApp`; only
`runner.py` differs between them.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.response import BoltResponse
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from bot.config import Settings
from bot.core.messages import Actor, Transport
from bot.platforms.slack import inbound
from bot.platforms.slack.dedupe import RecentIds
from bot.platforms.slack.installation import Workspaces
from bot.platforms.slack.listeners import HELD, Listeners, QuizHandler
from bot.platforms.slack.members import MemberDirectory
from bot.platforms.slack.transport import Pacer, SlackTransport

log = logging.getLogger("quizmaster.slack")

# Slack's chat.postMessage allows about one message per second per channel (burst tolerated);
# the scheduler keeps well under it across channels.
CHANNEL_POST_INTERVAL_S = 1.1
RATE_LIMIT_RETRIES = 3
BOLT_LOGGER = "quizmaster.slack.bolt"


def web_client(settings: Settings, *, token: str | None = None) -> AsyncWebClient:
    """The Web API client: base URL from settings, 429s and dropped connections retried."""
    return AsyncWebClient(
        token=token,
        base_url=settings.slack_api_url,
        logger=logging.getLogger("quizmaster.slack.web"),
        retry_handlers=[
            AsyncConnectionErrorRetryHandler(),
            AsyncRateLimitErrorRetryHandler(max_retry_count=RATE_LIMIT_RETRIES),
        ],
    )


class SlackBot:
    """The running pieces, kept together for the runner and for tests."""

    def __init__(
        self,
        settings: Settings,
        service: QuizHandler,
        *,
        channel_post_interval_s: float = CHANNEL_POST_INTERVAL_S,
    ) -> None:
        self._settings = settings
        client = web_client(settings)
        bot_token = settings.slack_bot_token
        self.workspaces = Workspaces(
            bot_token=bot_token.get_secret_value() if bot_token else None, client=client
        )
        secret = settings.slack_signing_secret
        # Bolt names per-listener loggers after `name` and copies the base logger's level onto
        # them, so the name must not be a logger of ours ("quizmaster" would reset our level).
        self.app = AsyncApp(
            name=BOLT_LOGGER,
            logger=logging.getLogger(BOLT_LOGGER),
            client=client,
            signing_secret=secret.get_secret_value() if secret else "",
            authorize=self.workspaces.bolt_authorize(),
            process_before_response=False,
        )
        self.app.middleware(_drop_redelivered_events(RecentIds()))
        self.app.middleware(_hold_answers(service))
        Listeners(
            service=service, members=MemberDirectory(), followups=settings.slack_followups
        ).register(self.app)
        self._pacer = Pacer(channel_post_interval_s)
        self._channel_client: AsyncWebClient | None = None

    def scheduled_transport(self) -> Transport:
        """The transport for posts nobody asked for in that moment (the daily questions, for
        every channel): paced, so a morning of many channels is spread out."""
        return SlackTransport(
            self._shared_client(), followups=self._settings.slack_followups, pacer=self._pacer
        )

    def resumed_transport(self) -> Transport:
        """The transport for the replies of messages taken over from a silent replica: replies
        in their threads, as many as that replica left, so not held to the posts' pace."""
        return SlackTransport(self._shared_client(), followups=self._settings.slack_followups)

    def _shared_client(self) -> AsyncWebClient:
        if self._channel_client is None:
            self._channel_client = self.workspaces.client()
        return self._channel_client


def _drop_redelivered_events(
    recent: RecentIds,
) -> Callable[..., Awaitable[BoltResponse]]:
    """A global middleware: an `event_id` seen before is acked (so Slack stops retrying) and
    goes no further."""

    async def drop_redelivered_events(
        body: dict[str, Any], next_: Callable[[], Awaitable[BoltResponse]]
    ) -> BoltResponse:
        event_id = body.get("event_id") if body.get("type") == "event_callback" else None
        if event_id is not None and not recent.first_time(str(event_id)):
            log.info("dropping redelivered event %s", event_id)
            return BoltResponse(status=200, body="")
        return await next_()

    return drop_redelivered_events


def _hold_answers(service: QuizHandler) -> Callable[..., Awaitable[BoltResponse]]:
    """A global middleware: Bolt acknowledges an event before its listener runs, so an answer
    is claimed here first, with the message kept in its claim (`QuizService.hold`). A replica
    killed after the ack leaves it to another; a message already claimed is dropped."""

    async def hold_answers(
        body: dict[str, Any],
        context: AsyncBoltContext,
        next_: Callable[[], Awaitable[BoltResponse]],
    ) -> BoltResponse:
        event = body.get("event") if body.get("type") == "event_callback" else None
        if (
            isinstance(event, dict)
            and event.get("type") == "message"
            and inbound.is_answer_message(event, bot_user_id=context.bot_user_id)
        ):
            sender = str(event["user"])
            if not await service.hold(inbound.from_message(event, Actor(sender, sender))):
                log.info("dropping an answer claimed before: %s", event.get("ts"))
                return BoltResponse(status=200, body="")
            context[HELD] = True
        return await next_()

    return hold_answers
