"""Requests as Slack sends them: payload shapes for commands, events and interactions, and the
v0 HMAC-SHA256 request signature (computed here independently of slack_sdk's verifier)."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import time
from typing import Any
from urllib.parse import urlencode

from tests.bot.platforms.slack.fake_slack import BOT_USER_ID, TEAM_ID

SIGNING_SECRET = "test-signing-secret"
CHANNEL = "C0QUIZ"
_ids = itertools.count(1)

Payload = dict[str, Any]


def sign(
    body: str, *, secret: str = SIGNING_SECRET, timestamp: int | None = None
) -> dict[str, str]:
    stamp = int(time.time()) if timestamp is None else timestamp
    base = f"v0:{stamp}:{body}".encode()
    digest = hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": str(stamp), "X-Slack-Signature": f"v0={digest}"}


def slash_command(
    command: str,
    text: str,
    *,
    user: str,
    response_url: str,
    channel: str = CHANNEL,
    team: str = TEAM_ID,
) -> Payload:
    return {
        "token": "legacy-verification-token",
        "team_id": team,
        "team_domain": "test",
        "channel_id": channel,
        "channel_name": "study",
        "user_id": user,
        "user_name": user.lower(),
        "command": command,
        "text": text,
        "api_app_id": "A0QUIZ",
        "response_url": response_url,
        "trigger_id": f"trigger-{next(_ids)}",
    }


def form_body(payload: Payload) -> str:
    return urlencode(payload)


def interaction_body(payload: Payload) -> str:
    return urlencode({"payload": json.dumps(payload)})


def thread_reply(
    *,
    text: str,
    user: str,
    thread_ts: str,
    event_id: str,
    ts: str,
    channel: str = CHANNEL,
    team: str = TEAM_ID,
) -> Payload:
    """An Events API `message` callback for a member's reply in the bot's thread."""
    return {
        "token": "legacy-verification-token",
        "team_id": team,
        "api_app_id": "A0QUIZ",
        "type": "event_callback",
        "event_id": event_id,
        "event_time": int(time.time()),
        "authorizations": [{"team_id": team, "user_id": BOT_USER_ID, "is_bot": True}],
        "event": {
            "type": "message",
            "channel": channel,
            "channel_type": "channel",
            "user": user,
            "text": text,
            "ts": ts,
            "thread_ts": thread_ts,
            "parent_user_id": BOT_USER_ID,
            "event_ts": ts,
        },
    }


def button_click(
    *,
    action_id: str,
    user: str,
    message: Payload,
    response_url: str,
    channel: str = CHANNEL,
    selected: str | None = None,
) -> Payload:
    """A `block_actions` payload for a click on the question post `message`."""
    action: Payload = {"action_id": action_id, "block_id": "quiz_actions", "type": "button"}
    if selected is not None:
        action = {**action, "type": "overflow", "selected_option": {"value": selected}}
    return {
        "type": "block_actions",
        "team": {"id": TEAM_ID, "domain": "test"},
        "user": {"id": user, "username": user.lower(), "team_id": TEAM_ID},
        "api_app_id": "A0QUIZ",
        "token": "legacy-verification-token",
        "container": {"type": "message", "message_ts": message["ts"], "channel_id": channel},
        "trigger_id": f"trigger-{next(_ids)}",
        "channel": {"id": channel, "name": "study"},
        "message": message,
        "response_url": response_url,
        "actions": [action],
    }


def view_submission(*, user: str, view: Payload, answer: str) -> Payload:
    """The `view_submission` Slack sends when `view` (as we opened it) is submitted."""
    submitted = {
        **view,
        "id": f"V{next(_ids)}",
        "team_id": TEAM_ID,
        "state": {"values": {"answer": {"text": {"type": "plain_text_input", "value": answer}}}},
    }
    return {
        "type": "view_submission",
        "team": {"id": TEAM_ID, "domain": "test"},
        "user": {"id": user, "username": user.lower(), "team_id": TEAM_ID},
        "api_app_id": "A0QUIZ",
        "token": "legacy-verification-token",
        "trigger_id": f"trigger-{next(_ids)}",
        "view": submitted,
    }


def app_event(event_type: str, *, team: str, event_id: str, **fields: Any) -> Payload:
    """An Events API callback about the app itself (`app_uninstalled`, `tokens_revoked`)."""
    return {
        "token": "legacy-verification-token",
        "team_id": team,
        "api_app_id": "A0QUIZ",
        "type": "event_callback",
        "event_id": event_id,
        "event_time": int(time.time()),
        "event": {"type": event_type, **fields},
    }
