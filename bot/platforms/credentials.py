"""Asking a platform whether our token is good, before serving and in `doctor`.

Three outcomes, because they need three reactions: the token works; the platform refused it
(`invalid_auth`, `not_authed`, `token_revoked`, a Discord 401), which no retry will fix, so the bot
stops with one line; or the platform could not be reached, which is worth retrying.

The HTTP clients load inside the checks: the console has no platform to ask, and its start
skips them.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Literal

from bot.config import DiscordSettings, Settings, SlackSettings

log = logging.getLogger("quizmaster.bot")

AUTH_TIMEOUT_S = 10
REFUSED_ERRORS = frozenset({"invalid_auth", "not_authed", "token_revoked", "account_inactive"})

Outcome = Literal["ok", "refused", "unreachable"]


@dataclass(frozen=True)
class AuthCheck:
    """`detail` is one line, without the token: who we are, or why not."""

    outcome: Outcome
    detail: str


class CredentialsRefusedError(RuntimeError):
    """The platform said no to the token; the message is the line to print before exiting."""


async def check_slack(settings: SlackSettings) -> AuthCheck:
    """`auth.test` with the bot token, on the configured Web API URL; an app installed through
    OAuth has no token of its own, so only Slack's reachability (`api.test`) is asked."""
    import aiohttp
    from slack_sdk.errors import SlackApiError
    from slack_sdk.web.async_client import AsyncWebClient

    if settings.slack_oauth:
        return await _slack_reachable(settings)

    token = settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else ""
    client = AsyncWebClient(token=token, base_url=settings.slack_api_url, timeout=AUTH_TIMEOUT_S)
    try:
        response = await client.auth_test()
    except SlackApiError as exc:
        error = str(exc.response.get("error", "unknown error"))
        outcome: Outcome = "refused" if error in REFUSED_ERRORS else "unreachable"
        return AuthCheck(outcome, f"Slack refused QUIZMASTER_SLACK_BOT_TOKEN: {error}")
    except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
        return AuthCheck(
            "unreachable", f"cannot reach Slack at {settings.slack_api_url}: {_why(exc)}"
        )
    return AuthCheck(
        "ok", f"Slack accepts the token (bot {response.get('user')}, team {response.get('team')})"
    )


async def _slack_reachable(settings: SlackSettings) -> AuthCheck:
    import aiohttp
    from slack_sdk.errors import SlackApiError
    from slack_sdk.web.async_client import AsyncWebClient

    client = AsyncWebClient(base_url=settings.slack_api_url, timeout=AUTH_TIMEOUT_S)
    try:
        await client.api_test()
    except (SlackApiError, aiohttp.ClientError, TimeoutError, ValueError) as exc:
        return AuthCheck(
            "unreachable", f"cannot reach Slack at {settings.slack_api_url}: {_why(exc)}"
        )
    return AuthCheck(
        "ok", "Slack is reachable (OAuth: each workspace's token comes with its install)"
    )


async def check_discord(settings: DiscordSettings) -> AuthCheck:
    """`GET /users/@me` with the bot token, on discord.py's API base (tests point it at a fake)."""
    import aiohttp
    from discord.http import Route

    token = settings.discord_token.get_secret_value() if settings.discord_token else ""
    timeout = aiohttp.ClientTimeout(total=AUTH_TIMEOUT_S)
    try:
        async with (
            aiohttp.ClientSession(timeout=timeout) as session,
            session.get(
                f"{Route.BASE}/users/@me", headers={"Authorization": f"Bot {token}"}
            ) as resp,
        ):
            if resp.status == 401:
                return AuthCheck(
                    "refused", "Discord refused QUIZMASTER_DISCORD_TOKEN (401 Unauthorized)"
                )
            if resp.status != 200:
                return AuthCheck("unreachable", f"Discord answered HTTP {resp.status}")
            me = await resp.json()
    except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
        return AuthCheck("unreachable", f"cannot reach Discord: {_why(exc)}")
    return AuthCheck("ok", f"Discord accepts the token (bot {me.get('username')})")


def _why(exc: BaseException) -> str:
    """One line about a network failure, never a traceback."""
    text = str(exc).splitlines()[0] if str(exc) else ""
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


async def check_platform(settings: Settings) -> AuthCheck | None:
    """The configured platform's token check; None for the console, which has none."""
    if settings.platform == "slack":
        return await check_slack(settings.slack)
    if settings.platform == "discord":
        return await check_discord(settings.discord)
    return None


async def wait_for_credentials(
    settings: Settings,
    *,
    first_delay_s: float = 1.0,
    max_delay_s: float = 60.0,
) -> None:
    """Return once the platform accepts the token. A refusal raises CredentialsRefusedError at once;
    an unreachable platform is retried with doubling delays, one warning line per attempt."""
    delay = first_delay_s
    attempt = 1
    while True:
        result = await check_platform(settings)
        if result is None or result.outcome == "ok":
            if result is not None:
                log.info("%s", result.detail)
            return
        if result.outcome == "refused":
            raise CredentialsRefusedError(result.detail)
        log.warning("%s (attempt %d; retrying in %.0f s)", result.detail, attempt, delay)
        await asyncio.sleep(delay)
        delay = min(delay * 2, max_delay_s)
        attempt += 1
