"""Start the Slack bot over Socket Mode (app-level token, no public URL) or the HTTP Events API
(Bolt's aiohttp server, requests verified with the signing secret), as settings say."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from aiohttp import web
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.app.async_server import AsyncSlackAppServer
from slack_bolt.async_app import AsyncApp

from bot.config import Settings
from bot.core.flow.replicas import this_process
from bot.core.flow.scheduler import run_scheduler
from bot.core.inflight import STOP_GRACE_S
from bot.core.service import QuizService
from bot.platforms.slack.app import SlackBot
from bot.platforms.slack.http_guard import signed_only
from bot.platforms.slack.inbound import PLATFORM
from bot.platforms.slack.installation import OAuthStores

log = logging.getLogger("quizmaster.slack")

EVENTS_PATH = "/slack/events"
HTTP_STOP_WAIT_S = 3.0
"""How long a stop waits for requests still open on the Events API server. Slack resends any
request not answered within 3 s, so nothing is lost past that; with aiohttp's own default (up to
60 s) a client that held a request open kept the stop waiting."""


class SlackSettingsError(ValueError):
    """A setting the chosen Slack mode needs is missing; the message names it."""


def check_settings(settings: Settings) -> None:
    missing = settings.missing_for_platform("slack")
    if missing is not None:
        raise SlackSettingsError(missing)


async def connect_socket_mode(app: AsyncApp, *, app_token: str) -> AsyncSocketModeHandler:
    """Open the Socket Mode WebSocket (`apps.connections.open` on the app's Web API URL)."""
    handler = AsyncSocketModeHandler(app, app_token=app_token)
    # slack_bolt leaves these two methods unannotated.
    await handler.connect_async()  # type: ignore[no-untyped-call]
    log.info("connected to Slack over Socket Mode")
    return handler


async def serve_http(app: AsyncApp, *, host: str, port: int, signing_secret: str) -> web.AppRunner:
    """Serve Bolt's own aiohttp app (events, commands and interactivity on one path, and the
    OAuth install pages where the app has them), behind `signed_only` so that unsigned
    requests never reach Bolt's dispatch."""
    server = AsyncSlackAppServer(port=port, path=EVENTS_PATH, app=app, host=host)
    flow = app.oauth_flow
    browser_paths = frozenset(() if flow is None else (flow.install_path, flow.redirect_uri_path))
    server.web_app.middlewares.append(signed_only(signing_secret, browser_paths=browser_paths))
    runner = web.AppRunner(server.web_app, shutdown_timeout=HTTP_STOP_WAIT_S)
    await runner.setup()
    await web.TCPSite(runner, host=host, port=port).start()
    log.info("serving the Slack Events API on %s:%s%s", host, port, EVENTS_PATH)
    if flow is not None:
        log.info("Slack installs at %s, returning to %s", flow.install_path, flow.redirect_uri_path)
    return runner


async def run(
    settings: Settings,
    service: QuizService,
    *,
    oauth: OAuthStores | None = None,
    stop: asyncio.Event | None = None,
) -> None:
    """Serve Slack and post the daily questions until `stop` is set (or cancelled); then close
    the connection, so no new events come, and let the messages in flight finish. `oauth`:
    where an app installed through OAuth keeps its installations."""
    stop = stop or asyncio.Event()
    check_settings(settings)
    bot = SlackBot(settings.slack, service, oauth=oauth)
    # Heard from before the first event can be claimed: a claim of a replica without a
    # heartbeat would look abandoned to the others.
    await service.heartbeats.heartbeat(this_process(PLATFORM, service.clock(), service.replica_id))
    async with contextlib.AsyncExitStack() as stack:
        if settings.slack_mode == "socket":
            assert settings.slack_app_token is not None
            handler = await connect_socket_mode(
                bot.app, app_token=settings.slack_app_token.get_secret_value()
            )
            stack.push_async_callback(handler.close_async)
        else:
            assert settings.slack_signing_secret is not None
            site = await serve_http(
                bot.app,
                host="0.0.0.0",
                port=settings.slack_port,
                signing_secret=settings.slack_signing_secret.get_secret_value(),
            )
            stack.push_async_callback(site.cleanup)
        try:
            await run_scheduler(
                service,
                PLATFORM,
                bot.scheduled_transport(),
                stop=stop,
                interval=settings.scheduler_interval_s,
                resumed=bot.resumed_transport(),
            )
        finally:
            stop.set()
    await service.in_flight.drain(STOP_GRACE_S)
    log.info("Slack connection closed")
