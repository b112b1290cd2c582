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

from bot.config import SlackSettings
from bot.core.messages import Actor, Transport
from bot.core.service import QuizService
from bot.platforms.slack import inbound
from bot.platforms.slack.channel_ids import ChannelIds
from bot.platforms.slack.dedupe import RecentIds
from bot.platforms.slack.installation import (
    InstalledWorkspaces,
    OAuthStores,
    OneWorkspace,
    Workspaces,
)
from bot.platforms.slack.listeners import HELD, Listeners, QuizHandler
from bot.platforms.slack.members import MemberDirectory
from bot.platforms.slack.oauth_state import SignedStates
from bot.platforms.slack.redaction import REDACT_TOKENS
from bot.platforms.slack.transport import Pacer
from bot.platforms.slack.workspace_posts import ScheduledPosts

log = logging.getLogger("quizmaster.slack")

# Slack's chat.postMessage allows about one message per second per channel (burst tolerated);
# the scheduler keeps well under it across channels.
CHANNEL_POST_INTERVAL_S = 1.1
RATE_LIMIT_RETRIES = 3
BOLT_LOGGER = "quizmaster.slack.bolt"


def web_client(settings: SlackSettings, *, token: str | None = None) -> AsyncWebClient:
    """The Web API client: base URL from settings, 429s and dropped connections retried,
    tokens kept out of its DEBUG records."""
    logger = logging.getLogger("quizmaster.slack.web")
    logger.addFilter(REDACT_TOKENS)
    return AsyncWebClient(
        token=token,
        base_url=settings.slack_api_url,
        logger=logger,
        retry_handlers=[
            AsyncConnectionErrorRetryHandler(),
            AsyncRateLimitErrorRetryHandler(max_retry_count=RATE_LIMIT_RETRIES),
        ],
    )


class SlackBot:
    """The running pieces, kept together for the runner and for tests. `oauth`: where the
    workspaces' installations are kept, for an app installed through OAuth."""

    def __init__(
        self,
        settings: SlackSettings,
        quiz: QuizService,
        *,
        oauth: OAuthStores | None = None,
        channel_post_interval_s: float = CHANNEL_POST_INTERVAL_S,
    ) -> None:
        client = web_client(settings)
        self.workspaces = workspaces(settings, client, oauth)
        secret = settings.slack_signing_secret
        # Bolt names per-listener loggers after `name` and copies the base logger's level onto
        # them, so the name must not be a logger of ours ("quizmaster" would reset our level).
        self.app = AsyncApp(
            name=BOLT_LOGGER,
            logger=logging.getLogger(BOLT_LOGGER),
            client=client,
            signing_secret=secret.get_secret_value() if secret else "",
            process_before_response=False,
            **self.workspaces.bolt_options(),
        )
        if settings.slack_oauth:
            self.app.enable_token_revocation_listeners()
        self.app.middleware(_drop_redelivered_events(RecentIds()))
        self.app.middleware(_hold_answers(quiz.intake, self.workspaces.channels))
        Listeners(
            intake=quiz.intake,
            homes=quiz.homes,
            sign_in=quiz.sign_in,
            members=MemberDirectory(),
            followups=settings.slack_followups,
            channels=self.workspaces.channels,
        ).register(self.app)
        self._scheduled = ScheduledPosts(
            self.workspaces,
            followups=settings.slack_followups,
            pacer=Pacer(channel_post_interval_s),
        )
        self._resumed = ScheduledPosts(
            self.workspaces, followups=settings.slack_followups, pacer=None
        )

    def scheduled_transport(self) -> Transport:
        """The transport for posts nobody asked for in that moment (the daily questions, for
        every channel): paced, so a morning of many channels is spread out."""
        return self._scheduled

    def resumed_transport(self) -> Transport:
        """The transport for the replies of messages taken over from a silent replica: replies
        in their threads, as many as that replica left, so not held to the posts' pace."""
        return self._resumed


def workspaces(
    settings: SlackSettings, client: AsyncWebClient, oauth: OAuthStores | None
) -> Workspaces:
    """One workspace by its bot token, or many installed through OAuth (settings say which)."""
    if not settings.slack_oauth:
        token = settings.slack_bot_token
        return OneWorkspace(bot_token=token.get_secret_value() if token else None, client=client)
    if oauth is None:
        raise ValueError("Slack installed through OAuth keeps its installations in the database")
    assert settings.slack_client_id and settings.slack_client_secret
    assert settings.slack_state_secret
    return InstalledWorkspaces(
        client_id=settings.slack_client_id,
        client_secret=settings.slack_client_secret.get_secret_value(),
        store=oauth.installations,
        states=SignedStates(settings.slack_state_secret.get_secret_value(), oauth.nonces),
        client=client,
    )


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


def _hold_answers(
    intake: QuizHandler, channels: ChannelIds
) -> Callable[..., Awaitable[BoltResponse]]:
    """A global middleware: Bolt acknowledges an event before its listener runs, so an answer
    is taken in and claimed here first, with the message kept in its claim (`Intake.hold`),
    keyed as the core keys it (`channels`: with its workspace, where there are many), and left
    in the context for the listener to handle as it is (the event is read once). A replica
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
            message = inbound.from_message(event, Actor(sender, sender))
            held = await intake.hold(channels.incoming(message, team_id=context.team_id))
            if held is None:
                log.info("dropping an answer claimed before: %s", event.get("ts"))
                return BoltResponse(status=200, body="")
            context[HELD] = held
        return await next_()

    return hold_answers
