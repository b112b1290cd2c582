"""The OAuth flow's `state`: signed with `QUIZMASTER_SLACK_STATE_SECRET`, good for ten minutes,
and good once.

Any replica may send the browser to Slack and any other may receive it back, so the state
carries its own expiry and signature (no replica has to remember it), and the nonce in it is
spent in the database's ledger of single-use nonces (`web_nonces`, shared with the web page's
sign-in links; the prefix keeps the two apart). Bolt also checks the browser's state cookie.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import secrets
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Protocol

from slack_sdk.oauth.state_store.async_state_store import AsyncOAuthStateStore

log = logging.getLogger("quizmaster.slack")

STATE_LIFETIME = timedelta(minutes=10)
_NONCE_PREFIX = "slack-oauth:"


def _now() -> datetime:
    return datetime.now(UTC)


class NonceLedger(Protocol):
    """The database's ledger of single-use nonces (`bot.storage.web_store.NonceLedger`), handed
    in by the composition root: a platform touches no storage itself."""

    async def use(self, nonce: str, *, now: datetime, expires_at: datetime) -> bool:
        """Spend `nonce`; False if it was spent before."""
        ...


class SignedStates(AsyncOAuthStateStore):
    """Bolt's `AsyncOAuthStateStore`: `expiry.nonce.signature`, the signature HMAC-SHA256."""

    def __init__(
        self, secret: str, ledger: NonceLedger, *, clock: Callable[[], datetime] = _now
    ) -> None:
        self._secret = secret.encode()
        self._ledger = ledger
        self._clock = clock

    @property
    def logger(self) -> logging.Logger:
        return log

    def _sign(self, payload: str) -> str:
        digest = hmac.new(self._secret, payload.encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).decode().rstrip("=")

    async def async_issue(self, *args: object, **kwargs: object) -> str:
        expires = int((self._clock() + STATE_LIFETIME).timestamp())
        payload = f"{expires}.{secrets.token_urlsafe(16)}"
        return f"{payload}.{self._sign(payload)}"

    async def async_consume(self, state: str) -> bool:
        """True once for a state this app issued that has not expired; False otherwise."""
        expires_text, _, rest = state.partition(".")
        nonce, _, signature = rest.partition(".")
        if not (expires_text.isdigit() and len(expires_text) <= 12 and nonce and signature):
            log.warning("refused an OAuth state that is not ours")
            return False
        if not hmac.compare_digest(signature, self._sign(f"{expires_text}.{nonce}")):
            log.warning("refused an OAuth state with a wrong signature")
            return False
        now = self._clock()
        expires_at = datetime.fromtimestamp(int(expires_text), tz=UTC)
        if expires_at < now:
            log.warning("refused an expired OAuth state")
            return False
        if not await self._ledger.use(_NONCE_PREFIX + nonce, now=now, expires_at=expires_at):
            log.warning("refused an OAuth state used before")
            return False
        return True
