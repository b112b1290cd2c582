"""The app manifest grants what the adapter uses: a missing scope or command only shows up in a
real workspace, so it is checked here."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

MANIFEST = Path(__file__).parents[4] / "slack" / "manifest.yml"

# Web API methods the adapter calls, and the bot scope each needs.
METHOD_SCOPES = {
    "chat.postMessage": "chat:write",
    "chat.postEphemeral": "chat:write",
    "chat.update": "chat:write",
    "users.info": "users:read",
    "conversations.join": "channels:join",
    "conversations.open": "im:write",
    "conversations.history": "channels:history",
    "conversations.replies": "channels:history",
    "files.getUploadURLExternal": "files:write",
    "files.completeUploadExternal": "files:write",
}


def manifest() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    return loaded


def test_commands_events_and_interactivity_match_the_listeners() -> None:
    app = manifest()

    assert [c["command"] for c in app["features"]["slash_commands"]] == ["/quiz", "/demo"]
    assert all(c["should_escape"] is False for c in app["features"]["slash_commands"])
    assert set(app["settings"]["event_subscriptions"]["bot_events"]) == {
        "message.channels",
        "message.groups",
        "app_home_opened",
    }
    assert app["features"]["app_home"]["home_tab_enabled"] is True
    assert app["settings"]["interactivity"]["is_enabled"] is True
    assert app["settings"]["socket_mode_enabled"] is True


def test_every_api_method_we_call_is_covered_by_a_scope() -> None:
    scopes = set(manifest()["oauth_config"]["scopes"]["bot"])

    assert set(METHOD_SCOPES.values()) | {"commands", "groups:history"} == scopes
