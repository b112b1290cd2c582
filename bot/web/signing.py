"""Signed tokens for the web page: the sign-in link `/quiz web` hands out, and the session
cookie it turns into.

A token is `base64url(JSON claims) . base64url(HMAC-SHA256)`, keyed per purpose from the one
secret setting, so a link can never pass as a session or the other way round. A link expires
after `LINK_LIFETIME` and works once: its random nonce goes into the database when it is used
(`bot.storage.web_store.NonceLedger`). A session carries its own CSRF token, which every form
posts back, and the id of its row on the server (`bot.storage.web_sessions`): a genuine cookie
whose row is gone (signed out) is refused.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from bot.core.models import WebSessionRow

LINK_LIFETIME = timedelta(minutes=15)
SESSION_LIFETIME = timedelta(hours=12)
NONCE_BYTES = 16
Clock = Callable[[], datetime]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class Signer:
    """Signs and checks claims with a key derived from the secret for each purpose."""

    def __init__(self, secret: str) -> None:
        if len(secret) < 16:
            raise ValueError("the web secret must be at least 16 characters")
        self._secret = secret.encode("utf-8")

    def _mac(self, purpose: str, body: str) -> bytes:
        key = hmac.new(self._secret, purpose.encode("ascii"), hashlib.sha256).digest()
        return hmac.new(key, body.encode("ascii"), hashlib.sha256).digest()

    def sign(self, purpose: str, claims: dict[str, Any]) -> str:
        body = _b64(json.dumps(claims, separators=(",", ":"), sort_keys=True).encode("utf-8"))
        return f"{body}.{_b64(self._mac(purpose, body))}"

    def verify(self, purpose: str, token: str) -> dict[str, Any] | None:
        """The claims of a token this signer made for `purpose`; None for anything else."""
        body, dot, mac = token.partition(".")
        if not dot or not body.isascii() or not mac.isascii():
            return None
        try:
            given = _unb64(mac)
            claims = json.loads(_unb64(body))
        except (binascii.Error, ValueError):
            return None
        if not hmac.compare_digest(given, self._mac(purpose, body)):
            return None
        return claims if isinstance(claims, dict) else None


@dataclass(frozen=True)
class Member:
    """Who a link or session is for: one member of one channel, and whether the platform called
    them an admin of it when the link was made."""

    platform: str
    channel_id: str
    user_id: str
    is_admin: bool


@dataclass(frozen=True)
class LinkClaims:
    member: Member
    nonce: str
    expires: datetime


@dataclass(frozen=True)
class Session:
    member: Member
    csrf: str
    expires: datetime
    id: str

    def row(self, started_at: datetime) -> WebSessionRow:
        """The session as the sessions table keeps it, started at `started_at`."""
        member = self.member
        return WebSessionRow(
            id=self.id,
            platform=member.platform,
            channel_id=member.channel_id,
            user_id=member.user_id,
            is_admin=member.is_admin,
            started_at=started_at,
            expires_at=self.expires,
        )


def _member(claims: dict[str, Any]) -> Member | None:
    values = (claims.get("p"), claims.get("c"), claims.get("u"))
    admin = claims.get("a")
    if not all(isinstance(v, str) and v for v in values) or not isinstance(admin, bool):
        return None
    platform, channel_id, user_id = (str(v) for v in values)
    return Member(platform, channel_id, user_id, admin)


def _expiry(claims: dict[str, Any], now: datetime) -> datetime | None:
    value = claims.get("e")
    if not isinstance(value, int):
        return None
    expires = datetime.fromtimestamp(value, UTC)
    return expires if expires > now else None


def _claims(member: Member, expires: datetime, **extra: str) -> dict[str, Any]:
    return {
        "p": member.platform,
        "c": member.channel_id,
        "u": member.user_id,
        "a": member.is_admin,
        "e": int(expires.timestamp()),
        **extra,
    }


class Tokens:
    """The web page's tokens on one signer and clock."""

    def __init__(self, signer: Signer, clock: Clock) -> None:
        self._signer = signer
        self._clock = clock

    def link_token(self, member: Member) -> str:
        expires = self._clock() + LINK_LIFETIME
        return self._signer.sign(
            "link", _claims(member, expires, n=secrets.token_urlsafe(NONCE_BYTES))
        )

    def read_link(self, token: str) -> LinkClaims | None:
        """A link's claims when it is genuine and not expired (whether it was used is the
        nonce ledger's to say)."""
        claims = self._signer.verify("link", token)
        if claims is None:
            return None
        member, expires, nonce = (
            _member(claims),
            _expiry(claims, self._clock()),
            claims.get("n"),
        )
        if member is None or expires is None or not isinstance(nonce, str) or not nonce:
            return None
        return LinkClaims(member, nonce, expires)

    def session_token(self, member: Member) -> tuple[str, Session]:
        session = Session(
            member,
            secrets.token_urlsafe(NONCE_BYTES),
            self._clock() + SESSION_LIFETIME,
            secrets.token_urlsafe(NONCE_BYTES),
        )
        claims = _claims(member, session.expires, x=session.csrf, s=session.id)
        return self._signer.sign("session", claims), session

    def read_session(self, token: str) -> Session | None:
        """A session cookie's claims when it is genuine and not expired (whether it was
        revoked is the session store's to say)."""
        claims = self._signer.verify("session", token)
        if claims is None:
            return None
        member, expires = _member(claims), _expiry(claims, self._clock())
        secrets_given = (claims.get("x"), claims.get("s"))
        if member is None or expires is None:
            return None
        if not all(isinstance(value, str) and value for value in secrets_given):
            return None
        csrf, session_id = (str(value) for value in secrets_given)
        return Session(member, csrf, expires, session_id)

    def form_token(self) -> str:
        """A CSRF token for the sign-in form, before there is a session (kept in a cookie and
        posted back with the form)."""
        return secrets.token_urlsafe(NONCE_BYTES)


class LinkIssuer:
    """The core's `SignInLinks`: `{base_url}/signin?t=TOKEN`."""

    lifetime = LINK_LIFETIME

    def __init__(self, tokens: Tokens, base_url: str) -> None:
        self._tokens = tokens
        self._base = base_url.rstrip("/")

    def link(self, *, platform: str, channel_id: str, user_id: str, is_admin: bool) -> str:
        token = self._tokens.link_token(Member(platform, channel_id, user_id, is_admin))
        return f"{self._base}/signin?{urlencode({'t': token})}"
