"""The one place that knows a workspace's bot token.

Requests (Bolt's `authorize`) and the scheduler's channel posts both ask here, so moving from
one workspace (a token in settings) to many is a change to this module alone: look the token up
with slack_sdk's `AsyncInstallationStore.async_find_bot(enterprise_id=, team_id=)` instead.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from slack_bolt.authorization import AuthorizeResult
from slack_sdk.web.async_client import AsyncWebClient

log = logging.getLogger("quizmaster.slack")


class MissingTokenError(RuntimeError):
    """The workspace has no bot token configured."""


class Workspaces:
    """Single-workspace installation: one bot token, checked once with `auth.test`."""

    def __init__(self, *, bot_token: str | None, client: AsyncWebClient) -> None:
        self._bot_token = bot_token
        self._client = client
        self._identity: AuthorizeResult | None = None

    def bot_token(self, *, enterprise_id: str | None = None, team_id: str | None = None) -> str:
        """The bot token for a workspace (ids unused while there is only one workspace)."""
        if not self._bot_token:
            raise MissingTokenError(
                "QUIZMASTER_SLACK_BOT_TOKEN is not set (Slack app > OAuth & Permissions > "
                "Bot User OAuth Token, xoxb-...)"
            )
        return self._bot_token

    def client(
        self, *, enterprise_id: str | None = None, team_id: str | None = None
    ) -> AsyncWebClient:
        """A Web API client acting as the bot in a workspace, for work outside a request."""
        return AsyncWebClient(
            token=self.bot_token(enterprise_id=enterprise_id, team_id=team_id),
            base_url=self._client.base_url,
            timeout=self._client.timeout,
            logger=self._client.logger,
            team_id=team_id,
            retry_handlers=list(self._client.retry_handlers),
        )

    def bolt_authorize(self) -> Callable[..., Awaitable[AuthorizeResult]]:
        """Bolt's `authorize` hook. Bolt passes arguments by the names it finds with
        `inspect.getfullargspec`, so this is a plain function with positional parameters."""

        async def authorize(
            enterprise_id: str | None, team_id: str | None, user_id: str | None
        ) -> AuthorizeResult:
            return await self._authorize(
                enterprise_id=enterprise_id, team_id=team_id, user_id=user_id
            )

        return authorize

    async def _authorize(
        self, *, enterprise_id: str | None, team_id: str | None, user_id: str | None
    ) -> AuthorizeResult:
        """The token plus the bot's own ids (so Bolt can ignore the bot's own messages);
        `auth.test` runs on the first request and is remembered."""
        token = self.bot_token(enterprise_id=enterprise_id, team_id=team_id)
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
