"""Slack workspaces that installed the app (Bolt's OAuth flow), in our own database.

slack_sdk's installation stores are files, S3, or SQLAlchemy's sync engine, none of which runs
on the bot's one async connection or encrypts tokens; this is its `AsyncInstallationStore` in
plain SQL on the bot's database instead, on SQLite and PostgreSQL alike. One row per workspace (the
app asks for bot scopes; an installer's user token, were one granted, is the latest
installer's). Every token is sealed with Fernet before it is written.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.oauth.installation_store.models.bot import Bot
from slack_sdk.oauth.installation_store.models.installation import Installation

from bot.storage.database import Database
from bot.storage.drivers import Row

log = logging.getLogger("quizmaster.storage")

_COLUMNS = (
    "enterprise_id",
    "team_id",
    "is_enterprise_install",
    "app_id",
    "enterprise_name",
    "team_name",
    "bot_id",
    "bot_user_id",
    "bot_scopes",
    "bot_token",
    "bot_refresh_token",
    "bot_token_expires_at",
    "user_id",
    "user_scopes",
    "user_token",
    "user_refresh_token",
    "user_token_expires_at",
    "installed_at",
)
_BOT_COLUMNS = ("bot_token", "bot_refresh_token", "bot_token_expires_at")
_USER_COLUMNS = ("user_token", "user_refresh_token", "user_token_expires_at")


class TokenSeal:
    """Fernet over token text: what the database holds is useless without the key."""

    def __init__(self, key: str) -> None:
        self._fernet = Fernet(key)

    def seal(self, token: str | None) -> str | None:
        return None if token is None else self._fernet.encrypt(token.encode()).decode()

    def open(self, sealed: str | None) -> str | None:
        return None if sealed is None else self._fernet.decrypt(sealed.encode()).decode()


def _key(
    enterprise_id: str | None, team_id: str | None, is_enterprise_install: bool | None
) -> tuple[str, str]:
    """The row's key: an org-wide install is found by its enterprise alone, whichever
    workspace of the org the request came from."""
    if is_enterprise_install:
        return (enterprise_id or "", "")
    return (enterprise_id or "", team_id or "")


def _scopes(scopes: Sequence[str] | str | None) -> str:
    return scopes if isinstance(scopes, str) else ",".join(scopes or [])


class SlackInstallationTable(AsyncInstallationStore):
    """slack_sdk's `AsyncInstallationStore` on the bot's database connection and lock."""

    def __init__(self, db: Database, seal: TokenSeal) -> None:
        self._db = db
        self._seal = seal

    @property
    def logger(self) -> logging.Logger:
        return log

    async def async_save(self, installation: Installation) -> None:
        """A workspace installing (again): its row is replaced, tokens sealed."""
        values: dict[str, Any] = {
            **self._bot_values(installation),
            "user_id": installation.user_id,
            "user_scopes": _scopes(installation.user_scopes),
            "user_token": self._seal.seal(installation.user_token),
            "user_refresh_token": self._seal.seal(installation.user_refresh_token),
            "user_token_expires_at": installation.user_token_expires_at,
        }
        await self._upsert(values)
        log.info(
            "saved the Slack installation of team %s", values["team_id"] or values["enterprise_id"]
        )

    async def async_save_bot(self, bot: Bot) -> None:
        """A bot token rotated: only the bot's columns change."""
        await self._upsert(self._bot_values(bot))

    def _bot_values(self, bot: Bot | Installation) -> dict[str, Any]:
        """The row's key and the bot's columns, tokens sealed: all of a rotated bot's row, and
        the bot's part of an installation's."""
        enterprise_id, team_id = _key(bot.enterprise_id, bot.team_id, bot.is_enterprise_install)
        return {
            "enterprise_id": enterprise_id,
            "team_id": team_id,
            "is_enterprise_install": int(bool(bot.is_enterprise_install)),
            "app_id": bot.app_id,
            "enterprise_name": bot.enterprise_name,
            "team_name": bot.team_name,
            "bot_id": bot.bot_id,
            "bot_user_id": bot.bot_user_id,
            "bot_scopes": _scopes(bot.bot_scopes),
            "bot_token": self._seal.seal(bot.bot_token),
            "bot_refresh_token": self._seal.seal(bot.bot_refresh_token),
            "bot_token_expires_at": bot.bot_token_expires_at,
            "installed_at": float(bot.installed_at),
        }

    async def _upsert(self, values: dict[str, Any]) -> None:
        names = list(values)
        updates = ", ".join(
            f"{name} = excluded.{name}" for name in names if name not in _KEY_COLUMNS
        )
        async with self._db.transaction() as db:
            await db.fetch(
                f"INSERT INTO slack_installations ({', '.join(names)})"
                f" VALUES ({', '.join('?' * len(names))})"
                f" ON CONFLICT (enterprise_id, team_id) DO UPDATE SET {updates}",
                tuple(values.values()),
            )

    async def _row(
        self, enterprise_id: str | None, team_id: str | None, is_enterprise_install: bool | None
    ) -> Row | None:
        rows = await self._db.fetch(
            f"SELECT {', '.join(_COLUMNS)} FROM slack_installations"
            " WHERE enterprise_id = ? AND team_id = ?",
            _key(enterprise_id, team_id, is_enterprise_install),
        )
        return rows[0] if rows else None

    async def async_find_bot(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        is_enterprise_install: bool | None = False,
    ) -> Bot | None:
        """The workspace's bot, or None once it is uninstalled or its token revoked."""
        row = await self._row(enterprise_id, team_id, is_enterprise_install)
        token = None if row is None else self._seal.open(row["bot_token"])
        if row is None or token is None:
            return None
        return Bot(**self._bot_fields(row, token))

    async def async_find_installation(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None = None,
        is_enterprise_install: bool | None = False,
    ) -> Installation | None:
        """The workspace's installation; asked for a user, only theirs (or None)."""
        row = await self._row(enterprise_id, team_id, is_enterprise_install)
        if row is None or (user_id is not None and row["user_id"] != user_id):
            return None
        if row["bot_token"] is None and row["user_token"] is None:
            return None
        return Installation(
            **self._bot_fields(row, self._seal.open(row["bot_token"])),
            user_id=row["user_id"],
            user_token=self._seal.open(row["user_token"]),
            user_scopes=row["user_scopes"],
            user_refresh_token=self._seal.open(row["user_refresh_token"]),
            user_token_expires_at=row["user_token_expires_at"],
        )

    def _bot_fields(self, row: Row, bot_token: str | None) -> dict[str, Any]:
        """A workspace row's bot, as both `Bot` and `Installation` take it (the bot token
        already opened; the refresh token opened here)."""
        return {
            "app_id": row["app_id"],
            "enterprise_id": row["enterprise_id"] or None,
            "enterprise_name": row["enterprise_name"],
            "team_id": row["team_id"] or None,
            "team_name": row["team_name"],
            "bot_token": bot_token,
            "bot_id": row["bot_id"],
            "bot_user_id": row["bot_user_id"],
            "bot_scopes": row["bot_scopes"],
            "bot_refresh_token": self._seal.open(row["bot_refresh_token"]),
            "bot_token_expires_at": row["bot_token_expires_at"],
            "is_enterprise_install": bool(row["is_enterprise_install"]),
            "installed_at": row["installed_at"],
        }

    async def readable(self) -> dict[str, bool]:
        """Each installed workspace (team, or enterprise for an org-wide install) and whether
        its bot token opens with this key (`doctor`: a changed key strands every install)."""
        rows = await self._db.fetch(
            "SELECT enterprise_id, team_id, bot_token FROM slack_installations"
            " WHERE bot_token IS NOT NULL ORDER BY enterprise_id, team_id"
        )
        return {
            row["team_id"] or row["enterprise_id"]: self._opens(row["bot_token"]) for row in rows
        }

    def _opens(self, sealed: str) -> bool:
        try:
            self._seal.open(sealed)
        except InvalidToken:
            return False
        return True

    async def async_delete_bot(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        """`tokens_revoked` (bot) or `app_uninstalled`: the bot's tokens are gone for good."""
        await self._clear(enterprise_id, team_id, _BOT_COLUMNS, user_id=None)
        log.info("deleted the Slack bot token of team %s", team_id or enterprise_id)

    async def async_delete_installation(
        self, *, enterprise_id: str | None, team_id: str | None, user_id: str | None = None
    ) -> None:
        """`tokens_revoked` (a user) or `app_uninstalled`: user tokens gone (one user's, or
        every user's)."""
        await self._clear(enterprise_id, team_id, _USER_COLUMNS, user_id=user_id)

    async def _clear(
        self,
        enterprise_id: str | None,
        team_id: str | None,
        columns: tuple[str, ...],
        *,
        user_id: str | None,
    ) -> None:
        """Tokens set to NULL; a row left with no token at all is deleted. Both keys are tried,
        as Slack's revocation events do not say whether the install was org-wide."""
        cleared = ", ".join(f"{name} = NULL" for name in columns)
        who = "" if user_id is None else " AND user_id = ?"
        async with self._db.transaction() as db:
            keys = {_key(enterprise_id, team_id, False), _key(enterprise_id, team_id, True)}
            for key in keys - {("", "")}:
                await db.fetch(
                    f"UPDATE slack_installations SET {cleared}"
                    f" WHERE enterprise_id = ? AND team_id = ?{who}",
                    (*key, user_id) if user_id is not None else key,
                )
                await db.fetch(
                    "DELETE FROM slack_installations WHERE enterprise_id = ? AND team_id = ?"
                    " AND bot_token IS NULL AND user_token IS NULL",
                    key,
                )


_KEY_COLUMNS = frozenset({"enterprise_id", "team_id"})
