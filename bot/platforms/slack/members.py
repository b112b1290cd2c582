"""Who a Slack member is to the core: display name and whether they may run admin commands.

Admin means a workspace admin or owner (`users.info`). Answers are cheap and frequent, so the
result is cached for a short while; a failed lookup fails closed (not admin) and is not cached.
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.core.messages import Actor

log = logging.getLogger("quizmaster.slack")


class MemberDirectory:
    """A small TTL cache in front of `users.info`."""

    def __init__(self, *, ttl_s: float = 300.0, max_entries: int = 2048) -> None:
        self._ttl_s = ttl_s
        self._max_entries = max_entries
        self._cache: OrderedDict[str, tuple[float, Actor]] = OrderedDict()

    async def actor(self, client: AsyncWebClient, user_id: str) -> Actor:
        """The one place that decides a Slack member's name and admin right."""
        cached = self._cache.get(user_id)
        now = time.monotonic()
        if cached is not None and now - cached[0] < self._ttl_s:
            return cached[1]
        try:
            response = await client.users_info(user=user_id)
        except SlackApiError as exc:
            log.warning("users.info failed for %s (%s); treating as non-admin", user_id, exc)
            return Actor(user_id=user_id, display_name=user_id, is_admin=False)
        user = response.get("user") or {}
        profile = user.get("profile") or {}
        name = (
            profile.get("display_name")
            or profile.get("real_name")
            or user.get("real_name")
            or user.get("name")
            or user_id
        )
        is_admin = bool(
            user.get("is_admin") or user.get("is_owner") or user.get("is_primary_owner")
        )
        actor = Actor(user_id=user_id, display_name=str(name), is_admin=is_admin)
        self._cache[user_id] = (now, actor)
        self._cache.move_to_end(user_id)
        while len(self._cache) > self._max_entries:
            self._cache.popitem(last=False)
        return actor
