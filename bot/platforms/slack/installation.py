"""The one place that knows a workspace's bot token.

Requests (Bolt's authorization) and the scheduler's channel posts both ask here. One workspace
has its token in settings (`OneWorkspace`); an app installed in many through Bolt's OAuth flow
keeps each workspace's token, sealed, in our database (`InstalledWorkspaces`), and Bolt's own
`AsyncInstallationStoreAuthorize` reads it per request by team id.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol

from slack_bolt.authorization import AuthorizeResult
from slack_bolt.authorization.async_authorize import AsyncInstallationStoreAuthorize
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.oauth.state_store.async_state_store import AsyncOAuthStateStore
from slack_sdk.web.async_client import AsyncWebClient

from bot.core.messages import ChannelUnreachableError
from bot.platforms.slack.channel_ids import ChannelIds
from bot.platforms.slack.oauth_state import NonceLedger

log = logging.getLogger("quizmaster.slack")

BOT_SCOPES = (
    "commands",
    "chat:write",
    "channels:history",
    "groups:history",
    "channels:join",
    "users:read",
    "files:write",
    "im:write",
)
"""What the OAuth flow asks a workspace for; `slack/manifest*.yml` grant the same."""
INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"


@dataclass(frozen=True)
class OAuthStores:
    """Where an app installed through OAuth keeps its workspaces' bot tokens (sealed) and
    spends its OAuth states' nonces: the database's, opened by the composition root
    (`bot.app.slack_oauth_stores`), so that no platform module touches storage."""

    installations: AsyncInstallationStore
    nonces: NonceLedger


class MissingTokenError(ChannelUnreachableError):
    """The workspace has no bot token configured."""


class Workspaces(Protocol):
    """What the Slack app needs to know about the workspaces it serves."""

    channels: ChannelIds

    def bolt_options(self) -> dict[str, Any]:
        """`AsyncApp` keyword arguments that authorize each request."""

    async def client(self, *, team_id: str | None) -> AsyncWebClient:
        """A Web API client acting as the bot in a workspace, for work outside a request."""


def _client_with_token(template: AsyncWebClient, token: str, team_id: str | None) -> AsyncWebClient:
    return AsyncWebClient(
        token=token,
        base_url=template.base_url,
        timeout=template.timeout,
        logger=template.logger,
        team_id=team_id,
        retry_handlers=list(template.retry_handlers),
    )


class OneWorkspace:
    """Single-workspace installation: one bot token, checked once with `auth.test`."""

    channels = ChannelIds(per_team=False)

    def __init__(self, *, bot_token: str | None, client: AsyncWebClient) -> None:
        self._bot_token = bot_token
        self._client = client
        self._identity: AuthorizeResult | None = None
        self._bot_client: AsyncWebClient | None = None

    def bot_token(self) -> str:
        if not self._bot_token:
            raise MissingTokenError(
                "QUIZMASTER_SLACK_BOT_TOKEN is not set (Slack app > OAuth & Permissions > "
                "Bot User OAuth Token, xoxb-...)"
            )
        return self._bot_token

    async def client(self, *, team_id: str | None) -> AsyncWebClient:
        if self._bot_client is None:
            self._bot_client = _client_with_token(self._client, self.bot_token(), None)
        return self._bot_client

    def bolt_options(self) -> dict[str, Any]:
        return {"authorize": self.bolt_authorize()}

    def bolt_authorize(self) -> Callable[..., Awaitable[AuthorizeResult]]:
        """Bolt's `authorize` hook. Bolt passes arguments by the names it finds with
        `inspect.getfullargspec`, so this is a plain function with positional parameters."""

        async def authorize(
            enterprise_id: str | None, team_id: str | None, user_id: str | None
        ) -> AuthorizeResult:
            return await self._authorize(user_id=user_id)

        return authorize

    async def _authorize(self, *, user_id: str | None) -> AuthorizeResult:
        """The token plus the bot's own ids (so Bolt can ignore the bot's own messages);
        `auth.test` runs on the first request and is remembered."""
        token = self.bot_token()
        known = self._identity
        if known is None:
            response = await self._client.auth_test(token=token)
            known = AuthorizeResult.from_auth_test_response(
                auth_test_response=response, bot_token=token
            )
            log.info("authorized as bot %s in team %s", known.bot_user_id, known.team_id)
            self._identity = known
        return AuthorizeResult(
            enterprise_id=known.enterprise_id,
            team_id=known.team_id,
            bot_user_id=known.bot_user_id,
            bot_id=known.bot_id,
            bot_token=token,
            user_id=user_id,
        )


class InstalledWorkspaces:
    """The app installed in many workspaces through Bolt's OAuth flow (`/slack/install`,
    `/slack/oauth_redirect`), each workspace's bot token in `store` (the database's, handed in
    by `bot.app`). Bolt's token revocation listeners delete a workspace's tokens on
    `app_uninstalled` and `tokens_revoked`; its requests are refused from then on."""

    channels = ChannelIds(per_team=True)

    def __init__(
        self,
        *,
        client_id: str,
        client_secret: str,
        store: AsyncInstallationStore,
        states: AsyncOAuthStateStore,
        client: AsyncWebClient,
    ) -> None:
        self._client_id = client_id
        self._client_secret = client_secret
        self._store = store
        self._states = states
        self._client = client

    async def client(self, *, team_id: str | None) -> AsyncWebClient:
        bot = await self._store.async_find_bot(enterprise_id=None, team_id=team_id)
        if bot is None:
            raise MissingTokenError(
                f"Slack workspace {team_id} has not installed the app (or has uninstalled it)"
            )
        return _client_with_token(self._client, bot.bot_token, team_id)

    def bolt_options(self) -> dict[str, Any]:
        """Bolt's OAuth flow and its store-backed authorize, which reads the workspace's
        installation on every request (so an uninstall takes effect at once) but remembers each
        token's `auth.test`, as the one-workspace mode does."""
        return {
            "authorize": AsyncInstallationStoreAuthorize(
                logger=log,
                installation_store=self._store,
                client_id=self._client_id,
                client_secret=self._client_secret,
                bot_only=True,
                cache_enabled=True,
            ),
            "oauth_settings": AsyncOAuthSettings(
                client_id=self._client_id,
                client_secret=self._client_secret,
                scopes=list(BOT_SCOPES),
                install_path=INSTALL_PATH,
                redirect_uri_path=REDIRECT_PATH,
                installation_store=self._store,
                installation_store_bot_only=True,
                state_store=self._states,
                logger=log,
            ),
            "installation_store_bot_only": True,
        }
